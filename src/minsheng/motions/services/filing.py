"""Filing review (立案审查): file, decline (optionally forwarding the content), merge, convert."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor
from minsheng.core.errors import (
    DomainError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.sequences import highest_number_in, sequence_next
from minsheng.core.transitions import guard, transition_refusal
from minsheng.motions.models import (
    Motion,
    MotionKind,
)
from minsheng.motions.services.common import (
    KIND_PREFIX,
    motion_index,
    motion_link,
    motion_transition_apply,
    notify_later,
    proposer_users,
    reason_checked,
)
from minsheng.motions.services.workflow import MOTION_TRANSITIONS, S
from minsheng.org.models import Body, BodyKind


def _number_next(motion: Motion) -> str:
    """The next official number of the item's term and kind (建议第12号), never one given before."""
    kind = MotionKind(motion.kind)
    numbered = Motion.objects.filter(term_id=motion.term_id, kind=kind).exclude(number="")
    serial = sequence_next(
        key=f"motions.number:{motion.term_id}:{kind.value}",
        floor=lambda: highest_number_in(numbered.values_list("number", flat=True)),
    )
    # An official document number, always written the Chinese way, whatever the UI language.
    return f"{KIND_PREFIX[kind]}第{serial}号"


@transaction.atomic
def motion_file(*, actor: Actor, motion: Motion, expected_state: str | None = S.SUBMITTED) -> Motion:
    # Taken first, so filers queue on the sequence row before the item's row and the Event chain head
    # (one lock order); the unique constraint on (term, kind, number) is the last line of defence.
    number = _number_next(motion)
    fresh = motion_transition_apply(
        obj=motion,
        action="file",
        actor=actor,
        expected_state=expected_state,
        changes={"number": number},
    )
    motion_index(fresh)
    notify_later(
        proposer_users(fresh), _("“%(title)s” was filed.") % {"title": fresh.title}, motion_link(fresh)
    )
    return fresh


FORWARD_CHOICES = ("", "voice", "social_report")


@transaction.atomic
def motion_decline(
    *, actor: Actor, motion: Motion, reason: str, forward: str = "", expected_state: str | None = S.SUBMITTED
) -> Motion:
    """Not filed (不予立案), with the reason the proposers are told; optionally forward the content."""
    reason = reason_checked(reason)
    if forward not in FORWARD_CHOICES:
        raise ValidationFailedError(_("Choose how to forward the content."), field="forward")
    fresh = motion_transition_apply(
        obj=motion,
        action="decline",
        actor=actor,
        expected_state=expected_state,
        changes={"decline_reason": reason},
        payload={"reason": reason, "forward": forward},
    )
    if forward:
        forwarded = _forward_content(actor=actor, motion=fresh, forward=forward)
        event_record(
            actor=actor,
            verb="forward",
            target=fresh,
            from_state=fresh.status,
            to_state=fresh.status,
            payload={"as": forward, "id": forwarded.pk},
        )
    notify_later(
        proposer_users(fresh),
        _("“%(title)s” was not filed: %(reason)s") % {"title": fresh.title, "reason": reason},
        motion_link(fresh),
        send_message=True,
    )
    return fresh


def _forward_content(*, actor: Actor, motion: Motion, forward: str) -> Any:
    from minsheng.voices import services as voices  # the voices app's public interface

    text = f"{motion.title}\n{motion.text}"
    if forward == "voice":
        return voices.voice_create(actor=actor, channel="motion_forward", text=text, phone="")
    return voices.social_report_create(
        actor=actor, title=motion.title, text=motion.text, source_label=motion.number or str(motion.pk)
    )


@transaction.atomic
def motion_merge(*, actor: Actor, motion: Motion, into: Motion, expected_state: str | None = None) -> Motion:
    """并案: ``motion`` is handled as part of ``into``; its proposers are answered with it."""
    if into.pk == motion.pk:
        raise ValidationFailedError(_("An item cannot be merged into itself."), field="into")
    target = rows_locked(Motion).get(pk=into.pk)
    if target.jurisdiction_id != motion.jurisdiction_id or (target.kind == MotionKind.PROPOSAL) != (
        motion.kind == MotionKind.PROPOSAL
    ):
        raise ValidationFailedError(_("Only items of the same kind and place can be merged."), field="into")
    if target.status not in (S.SUBMITTED, S.FILED, S.ASSIGNED):
        raise ValidationFailedError(
            _("The item to merge into must be awaiting review, filed or being handled."), field="into"
        )
    if not actor.has_perm("motions.review_motion", target):
        raise PermissionDeniedError()
    fresh = motion_transition_apply(
        obj=motion,
        action="merge",
        actor=actor,
        expected_state=expected_state,
        changes={"merged_into": target},
        payload={"into": target.pk},
    )
    moved = list(Motion.objects.filter(merged_into=fresh).values_list("pk", flat=True))
    Motion.objects.filter(pk__in=moved).update(merged_into=target)
    event_record(
        actor=actor,
        verb="merge_in",
        target=target,
        from_state=target.status,
        to_state=target.status,
        payload={"merged": [fresh.pk, *moved]},
    )
    notify_later(
        proposer_users(target),
        _("“%(title)s” is handled together with “%(into)s”; you will receive its answer.")
        % {"title": fresh.title, "into": target.title},
        motion_link(target),
    )
    return fresh


@guard
def can_convert(user: Actor, motion: Motion) -> DomainError | None:
    """Office staff may have a bill that does not go on the agenda handled as a suggestion."""
    refusal = transition_refusal(table=MOTION_TRANSITIONS, obj=motion, action="convert", actor=user)
    if refusal is None and motion.kind != MotionKind.BILL:
        return ValidationFailedError(_("Only a bill can be converted into a suggestion."), field="kind")
    return refusal


@transaction.atomic
def motion_convert(*, actor: Actor, motion: Motion, expected_state: str | None = S.SUBMITTED) -> Motion:
    """A bill that does not go on the agenda is handled as a suggestion."""
    fresh = motion_transition_apply(
        obj=motion,
        action="convert",
        actor=actor,
        expected_state=expected_state,
        guard=can_convert,
        changes={"kind": MotionKind.SUGGESTION},
        payload={"from": MotionKind.BILL, "to": MotionKind.SUGGESTION},
    )
    notify_later(
        proposer_users(fresh),
        _("“%(title)s” will be handled as a suggestion.") % {"title": fresh.title},
        motion_link(fresh),
    )
    return fresh


BILL_DECIDERS = ("presidium", "chairs_meeting")
"""Who decides on a bill: the presidium (主席团) in a session, the chair's meeting (主任会议) between them."""


def _bill_refusal(user: Actor, motion: Motion, action: str) -> DomainError | None:
    refusal = transition_refusal(table=MOTION_TRANSITIONS, obj=motion, action=action, actor=user)
    if refusal is None and motion.kind != MotionKind.BILL:
        return ValidationFailedError(
            _("Only a bill goes to the presidium or the chair's meeting."), field="kind"
        )
    return refusal


@guard
def can_put_on_agenda(user: Actor, motion: Motion) -> DomainError | None:
    """Office staff record that the presidium or the chair's meeting put a bill on an agenda."""
    return _bill_refusal(user, motion, "put_on_agenda")


@guard
def can_refer(user: Actor, motion: Motion) -> DomainError | None:
    """Office staff record that a bill goes to a special committee for review and report first."""
    return _bill_refusal(user, motion, "refer")


def _decider_checked(decided_by: str) -> None:
    if decided_by not in BILL_DECIDERS:
        raise ValidationFailedError(
            _("Say who decided: the presidium or the chair's meeting."), field="decided_by"
        )


@transaction.atomic
def bill_put_on_agenda(
    *, actor: Actor, motion: Motion, meeting: Any, decided_by: str, expected_state: str | None = None
) -> Motion:
    """The presidium or the chair's meeting puts a bill on a meeting's agenda, as an item with its own
    vote (made by the meetings app); the signers are told."""
    _decider_checked(decided_by)
    fresh = motion_transition_apply(
        obj=motion,
        action="put_on_agenda",
        actor=actor,
        expected_state=expected_state,
        guard=can_put_on_agenda,
        payload={"decided_by": decided_by, "meeting": meeting.pk},
    )
    from minsheng.meetings import services as meetings  # the meetings app's public interface

    meetings.bill_item_add(actor=actor, meeting=meeting, motion=fresh)
    notify_later(
        proposer_users(fresh),
        _("Your bill “%(title)s” is on the agenda of %(meeting)s.")
        % {"title": fresh.title, "meeting": meeting.title},
        motion_link(fresh),
        send_message=True,
    )
    return fresh


@transaction.atomic
def bill_refer(
    *, actor: Actor, motion: Motion, committee: Body, decided_by: str, expected_state: str | None = None
) -> Motion:
    """The bill goes to a special committee for review and report first; the signers are told."""
    _decider_checked(decided_by)
    if committee.kind != BodyKind.SPECIAL_COMMITTEE or committee.jurisdiction_id != motion.jurisdiction_id:
        raise ValidationFailedError(_("Choose a special committee of this congress."), field="committee")
    fresh = motion_transition_apply(
        obj=motion,
        action="refer",
        actor=actor,
        expected_state=expected_state,
        guard=can_refer,
        payload={"decided_by": decided_by, "committee": committee.pk},
    )
    notify_later(
        proposer_users(fresh),
        _("Your bill “%(title)s” is referred to %(committee)s for review and report.")
        % {"title": fresh.title, "committee": committee.name},
        motion_link(fresh),
        send_message=True,
    )
    return fresh
