"""Every write of the motions app. Statuses change only through the two transition tables below.

Motion:      draft → submitted → filed → assigned → replied → closed
                        ↘ declined / merged        ↘ rehandling → replied
                                                   ↘ follow_up (B items) → replied
Assignment:  pending → views_sent (co-unit) | replied (lead/separate) | returned (misassigned)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.attachments import attachments_save, uploads_check
from minsheng.core.calendar import deadline_compute
from minsheng.core.errors import (
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import event_record
from minsheng.core.notifications import notify
from minsheng.core.search import search_index
from minsheng.core.text import plain_text_checked
from minsheng.core.transitions import Transition, TransitionTable, transition_apply
from minsheng.motions.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Category,
    Disclosure,
    Evaluation,
    HandlingMode,
    KeySupervision,
    Motion,
    MotionKind,
    MotionStatus,
    ProposerKind,
    Rating,
    Reply,
    Signature,
    SignatureRole,
    SignatureStatus,
    UnitView,
)
from minsheng.motions.rules import memberships_of, proposer_ids
from minsheng.motions.selectors import motion_settings_for
from minsheng.org.models import LEADER_ROLES, BodyKind, Membership, Person, Role, Term, Unit, User
from minsheng.org.selectors import today

S = MotionStatus
A = AssignmentStatus

MOTION_TRANSITIONS = TransitionTable(
    Transition("submit", {S.DRAFT}, S.SUBMITTED, "motions.submit_motion"),
    Transition("withdraw", {S.DRAFT, S.SUBMITTED}, S.WITHDRAWN, "motions.withdraw_motion"),
    Transition("file", {S.SUBMITTED}, S.FILED, "motions.review_motion"),
    Transition("decline", {S.SUBMITTED}, S.DECLINED, "motions.review_motion"),
    Transition("merge", {S.SUBMITTED, S.FILED}, S.MERGED, "motions.review_motion"),
    Transition("convert", {S.SUBMITTED}, S.SUBMITTED, "motions.review_motion"),
    Transition("assign", {S.FILED}, S.ASSIGNED, "motions.assign_motion"),
    Transition("reassign", {S.ASSIGNED}, S.ASSIGNED, "motions.assign_motion"),
    Transition(
        "replies_complete", {S.ASSIGNED, S.REHANDLING, S.FOLLOW_UP}, S.REPLIED, "motions.reply_motion"
    ),
    Transition("review_category", {S.REPLIED}, S.REPLIED, "motions.review_motion"),
    Transition("rehandle", {S.REPLIED}, S.REHANDLING, "motions.rate_motion"),
    Transition("follow_up", {S.REPLIED}, S.FOLLOW_UP, "motions.rate_motion"),
    Transition("close", {S.REPLIED}, S.CLOSED, "motions.rate_motion"),
)
ASSIGNMENT_TRANSITIONS = TransitionTable(
    Transition("return", {A.PENDING}, A.RETURNED, "motions.handle_assignment"),
    Transition("send_views", {A.PENDING}, A.VIEWS_SENT, "motions.handle_assignment"),
    Transition("reply", {A.PENDING}, A.REPLIED, "motions.handle_assignment"),
    Transition("extend", {A.PENDING}, A.PENDING, "motions.extend_assignment"),
    Transition("reopen", {A.REPLIED}, A.PENDING, "motions.reopen_assignment"),
)
SIGNATURE_TRANSITIONS = TransitionTable(
    Transition("accept", {SignatureStatus.INVITED}, SignatureStatus.ACCEPTED, "motions.sign_signature"),
    Transition("decline", {SignatureStatus.INVITED}, SignatureStatus.DECLINED, "motions.sign_signature"),
)

HANDLING_STATES = (S.ASSIGNED, S.REHANDLING, S.FOLLOW_UP)
REASON_MAX_LENGTH = 2000
MAX_INVITEES = 50
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>|javascript:", re.IGNORECASE)
KIND_PREFIX = {MotionKind.SUGGESTION: "建议", MotionKind.PROPOSAL: "提案", MotionKind.BILL: "议案"}


# --- helpers ------------------------------------------------------------------------------------


def _cn_day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _reason_checked(value: str, *, field: str = "reason") -> str:
    return plain_text_checked(value, field=field, label=_("The reason"), max_length=REASON_MAX_LENGTH)


def _users_of(person_ids: Iterable[int]) -> list[User]:
    return list(User.objects.filter(person_id__in=list(person_ids), is_active=True))


def _unit_handlers(unit_ids: Iterable[int]) -> list[User]:
    people = Membership.objects.active_on(today()).filter(role=Role.HANDLER, unit_id__in=list(unit_ids))
    return list(User.objects.filter(person__in=people.values("person_id"), is_active=True))


def _office_staff(motion: Motion) -> list[User]:
    kinds = (
        (BodyKind.CPPCC_SPECIAL_COMMITTEE,)
        if motion.kind == MotionKind.PROPOSAL
        else (BodyKind.WORKING_BODY,)
    )
    people = Membership.objects.active_on(today()).filter(
        role=Role.STAFF, body__kind__in=kinds, body__jurisdiction_id=motion.jurisdiction_id
    )
    return list(User.objects.filter(person__in=people.values("person_id"), is_active=True))


def _link(motion: Motion) -> str:
    return reverse("motions:detail", args=[motion.pk])


def _notify_later(users: Sequence[User], text: str, link: str, *, send_message: bool = False) -> None:
    transaction.on_commit(partial(notify, users=list(users), text=text, link=link, send_message=send_message))


def _index(motion: Motion) -> None:
    search_index(motion, motion.title, motion.text, motion.number, motion.lead_signer.name)


def _seat_for(actor: Any, kind: str) -> Membership:
    """The actor's representative seat that allows drafting ``kind`` (deputy for suggestions/bills)."""
    wanted = Role.CPPCC_MEMBER if kind == MotionKind.PROPOSAL else Role.DEPUTY
    body_kind = BodyKind.CPPCC_COMMITTEE if kind == MotionKind.PROPOSAL else BodyKind.CONGRESS
    for membership in memberships_of(actor):
        if (
            membership.role == wanted
            and membership.body
            and membership.body.kind == body_kind
            and membership.term_id
        ):
            return membership
    if kind == MotionKind.PROPOSAL:
        raise PermissionDeniedError(_("Only CPPCC members can draft proposals."))
    raise PermissionDeniedError(_("Only deputies can draft suggestions and bills."))


# --- drafting and co-signing --------------------------------------------------------------------


@transaction.atomic
def motion_draft_for(
    *, actor: Any, lead_signer: Person, kind: str, title: str, text: str, source: dict[str, Any]
) -> Motion:
    """A draft prepared by staff for a deputy or member, who stays in charge of it.

    Used when a consultation outcome becomes a proposal: the office writes it up, the member it is
    handed to edits, co-signs and submits it (or withdraws it). The caller has checked that the actor
    may hand the matter over; ``source`` says where it came from and goes into the Event.
    """
    author = User.objects.filter(person=lead_signer, is_active=True).first()
    if author is None:
        raise ValidationFailedError(
            _("%(name)s has no account and cannot take over a draft.") % {"name": lead_signer.name},
            field="lead_signer",
        )
    motion = motion_create(actor=actor, author=author, kind=kind, title=title, text=text)
    event_record(
        actor=actor,
        verb="hand_over",
        target=motion,
        from_state=motion.status,
        to_state=motion.status,
        payload={"lead_signer": lead_signer.pk, **source},
    )
    _notify_later(
        [author],
        _("A draft was prepared for you to review and submit: %(title)s") % {"title": motion.title},
        _link(motion),
    )
    return motion


@transaction.atomic
def motion_create(
    *,
    actor: Any,
    kind: str,
    title: str,
    text: str,
    session: int | None = None,
    proposer_kind: str = ProposerKind.INDIVIDUAL,
    proposer_sector_id: int | None = None,
    proposer_body_id: int | None = None,
    proposer_org: str = "",
    files: Sequence[UploadedFile] = (),
    author: Any = None,
) -> Motion:
    """A new draft with the actor as lead signer (领衔). Everything is checked before anything is saved.

    With ``author`` (see ``motion_draft_for``) the draft is the author's, their seat and their lead
    signature; ``actor`` is who typed it in.
    """
    author = author or actor
    if kind not in MotionKind.values:
        raise ValidationFailedError(_("Choose a suggestion, a proposal or a bill."), field="kind")
    seat = _seat_for(author, kind)
    assert seat.body is not None and seat.term_id is not None
    settings = motion_settings_for(seat.body.jurisdiction)
    title = plain_text_checked(
        title, field="title", label=_("The title"), max_length=settings.title_max_length
    )
    text = plain_text_checked(text, field="text", label=_("The text"), max_length=settings.text_max_length)
    if proposer_kind not in ProposerKind.values:
        raise ValidationFailedError(_("Choose who puts the item forward."), field="proposer_kind")
    group_kinds = (ProposerKind.SECTOR, ProposerKind.PARTY_ORG, ProposerKind.SPECIAL_COMMITTEE)
    if kind != MotionKind.PROPOSAL and proposer_kind in group_kinds:
        raise ValidationFailedError(
            _("Only CPPCC proposals can come from a sector, an organisation or a committee."),
            field="proposer_kind",
        )
    sector_id = body_id = None
    if proposer_kind == ProposerKind.SECTOR:
        if seat.sector_id is None or proposer_sector_id not in (None, seat.sector_id):
            raise ValidationFailedError(
                _("You can only propose for your own sector."), field="proposer_sector"
            )
        sector_id = seat.sector_id
    if proposer_kind == ProposerKind.SPECIAL_COMMITTEE:
        committees = {
            m.body_id
            for m in memberships_of(author)
            if m.body is not None and m.body.kind == BodyKind.CPPCC_SPECIAL_COMMITTEE
        }
        if proposer_body_id not in committees:
            raise ValidationFailedError(
                _("You can only propose for a special committee you belong to."), field="proposer_body"
            )
        body_id = proposer_body_id
    proposer_org = (proposer_org or "").strip()[:64]
    if proposer_kind == ProposerKind.PARTY_ORG and not proposer_org:
        raise ValidationFailedError(_("Name the party or organisation."), field="proposer_org")
    checked_files = uploads_check(list(files))
    if session is not None and not 1 <= session <= 99:
        raise ValidationFailedError(_("The session number is not valid."), field="session")

    motion = Motion.objects.create(
        kind=kind,
        jurisdiction=seat.body.jurisdiction,
        term_id=seat.term_id,
        session=session,
        title=title,
        text=text,
        lead_signer_id=author.person_id,
        proposer_kind=proposer_kind,
        proposer_sector_id=sector_id,
        proposer_body_id=body_id,
        proposer_org=proposer_org if proposer_kind == ProposerKind.PARTY_ORG else "",
    )
    Signature.objects.create(
        motion=motion,
        person_id=author.person_id,
        role=SignatureRole.LEAD,
        status=SignatureStatus.ACCEPTED,
        answered_at=timezone.now(),
    )
    attachments_save(actor=actor, owner=motion, files=checked_files)
    event_record(
        actor=actor,
        verb="create",
        target=motion,
        to_state=motion.status,
        payload={"kind": kind, "files": len(checked_files)},
    )
    _index(motion)
    return motion


@transaction.atomic
def motion_update(*, actor: Any, motion: Motion, title: str, text: str) -> Motion:
    fresh = Motion.objects.select_for_update().get(pk=motion.pk)
    if fresh.status != S.DRAFT:
        raise InvalidTransitionError(action="edit", state=fresh.status)
    if not actor.has_perm("motions.change_motion", fresh):
        raise PermissionDeniedError()
    settings = motion_settings_for(fresh.jurisdiction)
    fresh.title = plain_text_checked(
        title, field="title", label=_("The title"), max_length=settings.title_max_length
    )
    fresh.text = plain_text_checked(
        text, field="text", label=_("The text"), max_length=settings.text_max_length
    )
    fresh.save(update_fields=["title", "text", "updated_at"])
    event_record(actor=actor, verb="edit", target=fresh, from_state=fresh.status, to_state=fresh.status)
    _index(fresh)
    return fresh


@transaction.atomic
def motion_invite(*, actor: Any, motion: Motion, people: Sequence[Person]) -> list[Signature]:
    """Invite co-signers (联名); each answers within the configured number of days."""
    fresh = Motion.objects.select_for_update().get(pk=motion.pk)
    if fresh.status != S.DRAFT:
        raise InvalidTransitionError(action="invite", state=fresh.status)
    if not actor.has_perm("motions.invite_motion", fresh):
        raise PermissionDeniedError()
    if not people:
        raise ValidationFailedError(_("Choose at least one person to invite."), field="people")
    if len(people) > MAX_INVITEES:
        raise ValidationFailedError(
            _("At most %(limit)s people can be invited at once.") % {"limit": MAX_INVITEES}, field="people"
        )
    role = Role.CPPCC_MEMBER if fresh.kind == MotionKind.PROPOSAL else Role.DEPUTY
    eligible = set(
        Membership.objects.active_on(today())
        .filter(role=role, term_id=fresh.term_id, person__in=[p.pk for p in people])
        .values_list("person_id", flat=True)
    )
    outsiders = [p.name for p in people if p.pk not in eligible]
    if outsiders:
        raise ValidationFailedError(
            _("Only deputies or members of the same term can co-sign: %(names)s.")
            % {"names": "、".join(outsiders)},
            field="people",
        )
    existing = set(fresh.signatures.values_list("person_id", flat=True))
    answer_by = today() + dt.timedelta(days=motion_settings_for(fresh.jurisdiction).invitation_days)
    next_order = fresh.signatures.count()
    created = []
    for person in people:
        if person.pk in existing:
            continue
        next_order += 1
        created.append(
            Signature.objects.create(
                motion=fresh,
                person=person,
                role=SignatureRole.CO,
                status=SignatureStatus.INVITED,
                order=next_order,
                answer_by=answer_by,
            )
        )
    if not created:
        raise ValidationFailedError(_("Everyone chosen has already been invited."), field="people")
    event_record(
        actor=actor,
        verb="invite",
        target=fresh,
        from_state=fresh.status,
        to_state=fresh.status,
        payload={"people": [s.person_id for s in created], "answer_by": answer_by},
    )
    _notify_later(
        _users_of(s.person_id for s in created),
        _("%(name)s invites you to co-sign “%(title)s”.")
        % {"name": fresh.lead_signer.name, "title": fresh.title},
        _link(fresh),
    )
    return created


@transaction.atomic
def signature_respond(*, actor: Any, signature: Signature, accept: bool) -> Signature:
    motion = Motion.objects.select_for_update().get(pk=signature.motion_id)
    if motion.status != S.DRAFT:
        raise InvalidTransitionError(action="accept" if accept else "decline", state=motion.status)
    if signature.answer_by and today() > signature.answer_by:
        raise ValidationFailedError(_("The invitation expired; ask the lead signer to invite you again."))
    fresh = transition_apply(
        table=SIGNATURE_TRANSITIONS,
        obj=signature,
        action="accept" if accept else "decline",
        actor=actor,
        expected_state=SignatureStatus.INVITED,
        changes={"answered_at": timezone.now()},
    )
    event_record(
        actor=actor,
        verb="cosign" if accept else "cosign_decline",
        target=motion,
        from_state=motion.status,
        to_state=motion.status,
        payload={"person": signature.person_id},
    )
    return fresh


def accepted_deputy_signatures(motion: Motion) -> int:
    signers = motion.signatures.filter(status=SignatureStatus.ACCEPTED).values("person_id")
    return (
        Membership.objects.active_on(today())
        .filter(role=Role.DEPUTY, term_id=motion.term_id, person_id__in=signers)
        .values("person_id")
        .distinct()
        .count()
    )


@transaction.atomic
def motion_submit(
    *, actor: Any, motion: Motion, as_suggestion: bool = False, expected_state: str | None = S.DRAFT
) -> Motion:
    """Submit for filing review. A bill without the configured number of deputies' signatures can
    only go in as a suggestion (``as_suggestion``)."""
    changes: dict[str, Any] = {"submitted_at": timezone.now()}
    payload: dict[str, Any] = {}
    if motion.kind == MotionKind.BILL:
        needed = motion_settings_for(motion.jurisdiction).bill_min_signers
        signed = accepted_deputy_signatures(motion)
        if signed < needed:
            if not as_suggestion:
                raise ValidationFailedError(
                    _(
                        "A bill needs at least %(needed)s deputies' signatures; it has %(signed)s. "
                        "Submit it as a suggestion instead, or wait for more co-signers."
                    )
                    % {"needed": needed, "signed": signed},
                    field="kind",
                )
            changes["kind"] = MotionKind.SUGGESTION
            payload = {"converted_from": MotionKind.BILL, "signatures": signed, "needed": needed}
    deadline = deadline_compute(rule_name="motion_assign", start=today(), jurisdiction=motion.jurisdiction)
    changes |= {"assign_due": deadline.due, "assign_due_rule": deadline.rule_name}
    fresh = transition_apply(
        table=MOTION_TRANSITIONS,
        obj=motion,
        action="submit",
        actor=actor,
        expected_state=expected_state,
        changes=changes,
        payload={**payload, "assign_due": deadline.due},
    )
    _notify_later(
        _office_staff(fresh),
        _("New item for filing review: “%(title)s”.") % {"title": fresh.title},
        _link(fresh),
    )
    return fresh


@transaction.atomic
def motion_withdraw(*, actor: Any, motion: Motion, expected_state: str | None = None) -> Motion:
    return transition_apply(
        table=MOTION_TRANSITIONS, obj=motion, action="withdraw", actor=actor, expected_state=expected_state
    )


# --- filing review ------------------------------------------------------------------------------


def _proposer_users(motion: Motion) -> list[User]:
    return _users_of(proposer_ids(motion))


@transaction.atomic
def motion_file(*, actor: Any, motion: Motion, expected_state: str | None = S.SUBMITTED) -> Motion:
    # Numbers are handed out in order per term and kind: lock the term so two reviewers filing at once
    # cannot both take the same number (the unique constraint is the last line of defence).
    Term.objects.select_for_update().filter(pk=motion.term_id).first()
    filed_before = Motion.objects.filter(term_id=motion.term_id, kind=motion.kind).exclude(number="").count()
    # An official document number, always written the Chinese way (建议第12号), whatever the UI language.
    number = f"{KIND_PREFIX[MotionKind(motion.kind)]}第{filed_before + 1}号"
    fresh = transition_apply(
        table=MOTION_TRANSITIONS,
        obj=motion,
        action="file",
        actor=actor,
        expected_state=expected_state,
        changes={"number": number},
    )
    _index(fresh)
    _notify_later(_proposer_users(fresh), _("“%(title)s” was filed.") % {"title": fresh.title}, _link(fresh))
    return fresh


FORWARD_CHOICES = ("", "voice", "social_report")


@transaction.atomic
def motion_decline(
    *, actor: Any, motion: Motion, reason: str, forward: str = "", expected_state: str | None = S.SUBMITTED
) -> Motion:
    """Not filed (不予立案), with the reason the proposers are told; optionally forward the content."""
    reason = _reason_checked(reason)
    if forward not in FORWARD_CHOICES:
        raise ValidationFailedError(_("Choose how to forward the content."), field="forward")
    fresh = transition_apply(
        table=MOTION_TRANSITIONS,
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
    _notify_later(
        _proposer_users(fresh),
        _("“%(title)s” was not filed: %(reason)s") % {"title": fresh.title, "reason": reason},
        _link(fresh),
        send_message=True,
    )
    return fresh


def _forward_content(*, actor: Any, motion: Motion, forward: str) -> Any:
    from minsheng.voices import services as voices  # the voices app's public interface

    text = f"{motion.title}\n{motion.text}"
    if forward == "voice":
        return voices.voice_create(actor=actor, channel="motion_forward", text=text, phone="")
    return voices.social_report_create(
        actor=actor, title=motion.title, text=motion.text, source_label=motion.number or str(motion.pk)
    )


@transaction.atomic
def motion_merge(*, actor: Any, motion: Motion, into: Motion, expected_state: str | None = None) -> Motion:
    """并案: ``motion`` is handled as part of ``into``; its proposers are answered with it."""
    if into.pk == motion.pk:
        raise ValidationFailedError(_("An item cannot be merged into itself."), field="into")
    target = Motion.objects.select_for_update().get(pk=into.pk)
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
    fresh = transition_apply(
        table=MOTION_TRANSITIONS,
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
    _notify_later(
        _proposer_users(target),
        _("“%(title)s” is handled together with “%(into)s”; you will receive its answer.")
        % {"title": fresh.title, "into": target.title},
        _link(target),
    )
    return fresh


@transaction.atomic
def motion_convert(*, actor: Any, motion: Motion, expected_state: str | None = S.SUBMITTED) -> Motion:
    """A bill that does not go on the agenda is handled as a suggestion."""
    if motion.kind != MotionKind.BILL:
        raise ValidationFailedError(_("Only a bill can be converted into a suggestion."), field="kind")
    fresh = transition_apply(
        table=MOTION_TRANSITIONS,
        obj=motion,
        action="convert",
        actor=actor,
        expected_state=expected_state,
        changes={"kind": MotionKind.SUGGESTION},
        payload={"from": MotionKind.BILL, "to": MotionKind.SUGGESTION},
    )
    _notify_later(
        _proposer_users(fresh),
        _("“%(title)s” will be handled as a suggestion.") % {"title": fresh.title},
        _link(fresh),
    )
    return fresh


# --- assignment and handling ------------------------------------------------------------------


def _units_checked(motion: Motion, units: Sequence[Unit]) -> None:
    place_ids = {motion.jurisdiction_id, *motion.jurisdiction.children.values_list("pk", flat=True)}
    outside = [u.name for u in units if u.jurisdiction_id not in place_ids]
    if outside:
        raise ValidationFailedError(
            _("These units are outside the item's jurisdiction: %(names)s.") % {"names": "、".join(outside)},
            field="units",
        )
    if len({u.pk for u in units}) != len(units):
        raise ValidationFailedError(_("A unit appears twice."), field="units")


def _new_assignment(motion: Motion, unit: Unit, role: str, start: dt.date) -> Assignment:
    rule = "motion_co_unit_views" if role == AssignmentRole.CO else "motion_reply"
    due = deadline_compute(rule_name=rule, start=start, jurisdiction=motion.jurisdiction)
    latest = deadline_compute(rule_name="motion_reply_max", start=start, jurisdiction=motion.jurisdiction)
    return_by = deadline_compute(rule_name="motion_return", start=start, jurisdiction=motion.jurisdiction)
    return Assignment.objects.create(
        motion=motion,
        unit=unit,
        role=role,
        assigned_on=start,
        due=due.due,
        due_rule=due.rule_name,
        max_due=max(latest.due, due.due),
        return_by=return_by.due,
    )


@transaction.atomic
def motion_assign(
    *,
    actor: Any,
    motion: Motion,
    mode: str,
    lead_unit: Unit | None = None,
    co_units: Sequence[Unit] = (),
    units: Sequence[Unit] = (),
    expected_state: str | None = S.FILED,
) -> Motion:
    """交办: one lead unit with co-units (主办/协办) or several units each replying (分办)."""
    if mode == HandlingMode.LEAD_CO:
        if lead_unit is None:
            raise ValidationFailedError(_("Choose the lead unit."), field="lead_unit")
        chosen = [(lead_unit, AssignmentRole.LEAD), *((u, AssignmentRole.CO) for u in co_units)]
    elif mode == HandlingMode.SEPARATE:
        if len(units) < 1:
            raise ValidationFailedError(_("Choose at least one unit."), field="units")
        chosen = [(u, AssignmentRole.SEPARATE) for u in units]
    else:
        raise ValidationFailedError(_("Choose a handling mode."), field="mode")
    _units_checked(motion, [u for u, _r in chosen])
    fresh = transition_apply(
        table=MOTION_TRANSITIONS,
        obj=motion,
        action="assign",
        actor=actor,
        expected_state=expected_state,
        changes={"handling_mode": mode},
        payload={"mode": mode, "units": [{"unit": u.pk, "role": r} for u, r in chosen]},
    )
    start = today()
    created = [_new_assignment(fresh, unit, role, start) for unit, role in chosen]
    for assignment in created:
        event_record(
            actor=actor,
            verb="assigned",
            target=assignment,
            to_state=assignment.status,
            payload={"due": assignment.due, "rule": assignment.due_rule, "role": assignment.role},
        )
    _notify_later(
        _unit_handlers(u.pk for u, _r in chosen),
        _("New item assigned to your unit: “%(title)s”.") % {"title": fresh.title},
        _link(fresh),
        send_message=True,
    )
    return fresh


@transaction.atomic
def assignment_return(
    *, actor: Any, assignment: Assignment, reason: str, expected_state: str | None = A.PENDING
) -> Assignment:
    """退回: the unit says the item is not its business, within the configured period."""
    reason = _reason_checked(reason)
    if today() > assignment.return_by:
        raise ValidationFailedError(
            _("The period for returning this item ended on %(day)s.") % {"day": _cn_day(assignment.return_by)}
        )
    motion_status = Motion.objects.filter(pk=assignment.motion_id).values_list("status", flat=True).get()
    if motion_status != S.ASSIGNED:
        raise InvalidTransitionError(action="return", state=motion_status)
    fresh = transition_apply(
        table=ASSIGNMENT_TRANSITIONS,
        obj=assignment,
        action="return",
        actor=actor,
        expected_state=expected_state,
        changes={"return_reason": reason},
        payload={"reason": reason},
    )
    _notify_later(
        _office_staff(fresh.motion),
        _("%(unit)s returned “%(title)s”: %(reason)s")
        % {"unit": fresh.unit.name, "title": fresh.motion.title, "reason": reason},
        _link(fresh.motion),
    )
    return fresh


@transaction.atomic
def motion_reassign(*, actor: Any, assignment: Assignment, unit: Unit) -> Assignment:
    """Give a returned part to another unit, in the same role, with a fresh deadline."""
    assignment = Assignment.objects.select_for_update().select_related("motion").get(pk=assignment.pk)
    if assignment.status != A.RETURNED or assignment.replacement_id:
        raise ValidationFailedError(_("Only a returned part can be given to another unit."))
    if unit.pk == assignment.unit_id:
        raise ValidationFailedError(_("Choose a different unit."), field="unit")
    motion = assignment.motion
    _units_checked(motion, [unit])
    if motion.assignments.filter(unit=unit).exclude(status=A.RETURNED).exists():
        raise ValidationFailedError(_("This unit already handles the item."), field="unit")
    transition_apply(
        table=MOTION_TRANSITIONS,
        obj=motion,
        action="reassign",
        actor=actor,
        expected_state=S.ASSIGNED,
        payload={"from_unit": assignment.unit_id, "to_unit": unit.pk, "role": assignment.role},
    )
    created = _new_assignment(motion, unit, assignment.role, today())
    Assignment.objects.filter(pk=assignment.pk).update(replacement=created)
    event_record(
        actor=actor,
        verb="assigned",
        target=created,
        to_state=created.status,
        payload={
            "due": created.due,
            "rule": created.due_rule,
            "role": created.role,
            "replaces": assignment.pk,
        },
    )
    _notify_later(
        _unit_handlers([unit.pk]),
        _("New item assigned to your unit: “%(title)s”.") % {"title": motion.title},
        _link(motion),
    )
    return created


@transaction.atomic
def assignment_send_views(
    *, actor: Any, assignment: Assignment, text: str, expected_state: str | None = A.PENDING
) -> Assignment:
    """A co-unit's written views to the lead unit (协办意见)."""
    if assignment.role != AssignmentRole.CO:
        raise ValidationFailedError(_("Only a co-unit sends views to the lead unit."))
    motion_status = Motion.objects.filter(pk=assignment.motion_id).values_list("status", flat=True).get()
    if motion_status not in HANDLING_STATES:
        raise InvalidTransitionError(action="send_views", state=motion_status)
    settings = motion_settings_for(assignment.motion.jurisdiction)
    text = plain_text_checked(text, field="text", label=_("The views"), max_length=settings.text_max_length)
    fresh = transition_apply(
        table=ASSIGNMENT_TRANSITIONS,
        obj=assignment,
        action="send_views",
        actor=actor,
        expected_state=expected_state,
    )
    UnitView.objects.create(assignment=fresh, text=text)
    lead_units = assignment.motion.assignments.filter(role=AssignmentRole.LEAD).exclude(status=A.RETURNED)
    _notify_later(
        _unit_handlers(lead_units.values_list("unit_id", flat=True)),
        _("%(unit)s sent its views on “%(title)s”.") % {"unit": fresh.unit.name, "title": fresh.motion.title},
        _link(fresh.motion),
    )
    return fresh


def _replying(motion: Motion) -> list[Assignment]:
    return list(
        motion.assignments.filter(role__in=(AssignmentRole.LEAD, AssignmentRole.SEPARATE)).exclude(
            status=A.RETURNED
        )
    )


@transaction.atomic
def assignment_reply(
    *, actor: Any, assignment: Assignment, category: str, text: str, expected_state: str | None = A.PENDING
) -> Reply:
    """The lead unit's (or a separate unit's) reply with its result category."""
    motion = Motion.objects.select_for_update().get(pk=assignment.motion_id)
    if assignment.role == AssignmentRole.CO:
        raise ValidationFailedError(_("A co-unit sends its views to the lead unit; the lead unit replies."))
    settings = motion_settings_for(motion.jurisdiction)
    if category not in settings.categories:
        raise ValidationFailedError(
            _("Choose a category among %(set)s.") % {"set": "/".join(settings.categories)}, field="category"
        )
    text = plain_text_checked(text, field="text", label=_("The reply"), max_length=settings.text_max_length)
    fresh = transition_apply(
        table=ASSIGNMENT_TRANSITIONS,
        obj=assignment,
        action="reply",
        actor=actor,
        expected_state=expected_state,
        payload={"category": category, "round": motion.round},
    )
    if (
        motion.status not in HANDLING_STATES
    ):  # checked after the assignment's own state: a stale page is a conflict
        raise InvalidTransitionError(action="reply", state=motion.status)
    reply = Reply.objects.create(
        motion=motion, assignment=fresh, round=motion.round, category=category, text=text
    )
    if all(a.status == A.REPLIED for a in _replying(motion)):
        motion = transition_apply(
            table=MOTION_TRANSITIONS,
            obj=motion,
            action="replies_complete",
            actor=actor,
            payload={"round": motion.round},
        )
        _notify_later(
            _proposer_users(motion),
            _("“%(title)s” has been answered. Please rate the reply.") % {"title": motion.title},
            _link(motion),
            send_message=True,
        )
    return reply


def _deadline_checked(assignment: Assignment, until: dt.date) -> None:
    if until <= assignment.due:
        raise ValidationFailedError(_("The new deadline must be later than the current one."), field="until")
    if until > assignment.max_due:
        raise ValidationFailedError(
            _("The deadline cannot go beyond %(day)s (6 months from assignment).")
            % {"day": _cn_day(assignment.max_due)},
            field="until",
        )


@transaction.atomic
def assignment_extension_request(
    *, actor: Any, assignment: Assignment, until: dt.date, reason: str
) -> Assignment:
    """The unit asks the office for more time on a broad or hard matter; the office decides."""
    fresh = Assignment.objects.select_for_update().select_related("motion").get(pk=assignment.pk)
    if fresh.status != A.PENDING or fresh.motion.status not in HANDLING_STATES:
        raise InvalidTransitionError(action="request_extension", state=fresh.status)
    if not actor.has_perm("motions.handle_assignment", fresh):
        raise PermissionDeniedError()
    reason = _reason_checked(reason)
    _deadline_checked(fresh, until)
    fresh.extension_requested_to = until
    fresh.extension_request_reason = reason
    fresh.save(update_fields=["extension_requested_to", "extension_request_reason"])
    event_record(
        actor=actor,
        verb="request_extension",
        target=fresh,
        from_state=fresh.status,
        to_state=fresh.status,
        payload={"until": until, "reason": reason},
    )
    _notify_later(
        _office_staff(fresh.motion),
        _("%(unit)s asks to extend “%(title)s” to %(day)s: %(reason)s")
        % {"unit": fresh.unit.name, "title": fresh.motion.title, "day": _cn_day(until), "reason": reason},
        _link(fresh.motion),
    )
    return fresh


@transaction.atomic
def assignment_extend(
    *, actor: Any, assignment: Assignment, until: dt.date, reason: str, expected_state: str | None = A.PENDING
) -> Assignment:
    """An approved extension: later than the current deadline, never beyond the legal maximum."""
    reason = _reason_checked(reason)
    _deadline_checked(assignment, until)
    return transition_apply(
        table=ASSIGNMENT_TRANSITIONS,
        obj=assignment,
        action="extend",
        actor=actor,
        expected_state=expected_state,
        changes={
            "due": until,
            "extension_reason": reason,
            "due_rule": "motion_reply_max",
            "extension_requested_to": None,
        },
        payload={"due_from": assignment.due, "due_to": until, "reason": reason},
    )


@transaction.atomic
def reply_review(*, actor: Any, reply: Reply, category: str) -> Reply:
    """The office's review of the category; a change is recorded with the old and new category."""
    motion = reply.motion
    settings = motion_settings_for(motion.jurisdiction)
    if category not in settings.categories:
        raise ValidationFailedError(
            _("Choose a category among %(set)s.") % {"set": "/".join(settings.categories)}, field="category"
        )
    transition_apply(
        table=MOTION_TRANSITIONS,
        obj=motion,
        action="review_category",
        actor=actor,
        expected_state=S.REPLIED,
        payload={"reply": reply.pk, "from": reply.final_category, "to": category},
    )
    Reply.objects.filter(pk=reply.pk).update(reviewed_category=category)
    reply.refresh_from_db()
    return reply


DISCLOSABLE_STATES = (S.REPLIED, S.REHANDLING, S.FOLLOW_UP, S.CLOSED)


@transaction.atomic
def reply_disclose(*, actor: Any, reply: Reply, disclosure: str, summary: str = "") -> Reply:
    """Staff decide per reply: full text, a summary, or not public. Nothing is public before this."""
    motion = Motion.objects.select_for_update().get(pk=reply.motion_id)
    if motion.status not in DISCLOSABLE_STATES:
        raise InvalidTransitionError(action="disclose", state=motion.status)
    if not actor.has_perm("motions.disclose_motion", motion):
        raise PermissionDeniedError()
    if disclosure not in (Disclosure.FULL, Disclosure.SUMMARY, Disclosure.NONE):
        raise ValidationFailedError(_("Choose full text, summary or not public."), field="disclosure")
    if disclosure == Disclosure.SUMMARY:
        summary = plain_text_checked(summary, field="summary", label=_("The summary"), max_length=2000)
    else:
        summary = ""
    Reply.objects.filter(pk=reply.pk).update(
        disclosure=disclosure,
        summary=summary,
        disclosed_at=timezone.now() if disclosure != Disclosure.NONE else None,
    )
    event_record(
        actor=actor,
        verb="disclose",
        target=motion,
        from_state=motion.status,
        to_state=motion.status,
        payload={"reply": reply.pk, "disclosure": disclosure},
    )
    reply.refresh_from_db()
    return reply


@transaction.atomic
def motion_rate(
    *,
    actor: Any,
    motion: Motion,
    overall: str,
    process: str = "",
    result: str = "",
    comment: str = "",
    expected_state: str | None = S.REPLIED,
) -> Evaluation:
    """A proposer's rating. 不满意 from any proposer → re-handling at once; once everyone has rated:
    a B reply → follow-up until solved; else closed."""
    fresh = Motion.objects.select_for_update().get(pk=motion.pk)
    if expected_state is not None and fresh.status != expected_state:
        raise ConflictError(expected=str(expected_state), actual=fresh.status)
    if fresh.status != S.REPLIED:
        raise InvalidTransitionError(action="rate", state=fresh.status)
    if not actor.has_perm("motions.rate_motion", fresh):
        raise PermissionDeniedError()
    for name, value in (("overall", overall), ("process", process), ("result", result)):
        if (value and value not in Rating.values) or (name == "overall" and not value):
            raise ValidationFailedError(
                _("Choose satisfied, basically satisfied or dissatisfied."), field=name
            )
    if fresh.evaluations.filter(round=fresh.round, proposer_id=actor.person_id).exists():
        raise ValidationFailedError(_("You have already rated this reply."))
    comment = (comment or "").strip()
    if comment:
        comment = plain_text_checked(
            comment, field="comment", label=_("The comment"), max_length=REASON_MAX_LENGTH
        )
    evaluation = Evaluation.objects.create(
        motion=fresh,
        round=fresh.round,
        proposer_id=actor.person_id,
        overall=overall,
        process=process,
        result=result,
        comment=comment,
    )
    event_record(
        actor=actor,
        verb="rate",
        target=fresh,
        from_state=fresh.status,
        to_state=fresh.status,
        payload={"round": fresh.round, "overall": overall, "process": process, "result": result},
    )
    ratings = list(fresh.evaluations.filter(round=fresh.round).values_list("proposer_id", "overall"))
    # One 不满意 is enough to send the item back at once; otherwise it waits for every proposer.
    if overall == Rating.DISSATISFIED or {pid for pid, _o in ratings} >= proposer_ids(fresh):
        _after_ratings(actor=actor, motion=fresh, overall=[o for _p, o in ratings])
    return evaluation


def _after_ratings(*, actor: Any, motion: Motion, overall: list[str]) -> None:
    replies = list(motion.replies.filter(round=motion.round))
    if Rating.DISSATISFIED in overall:
        action, rule = "rehandle", "motion_rehandle"
        reopen = [r.assignment for r in replies]
    elif any(r.final_category == Category.B for r in replies):
        action, rule = "follow_up", "motion_reply_max"
        reopen = [r.assignment for r in replies if r.final_category == Category.B]
    else:
        transition_apply(table=MOTION_TRANSITIONS, obj=motion, action="close", actor=actor)
        return
    next_round = motion.round + 1
    transition_apply(
        table=MOTION_TRANSITIONS,
        obj=motion,
        action=action,
        actor=actor,
        changes={"round": next_round},
        payload={"round": next_round},
    )
    for assignment in reopen:
        if rule == "motion_rehandle":
            due = deadline_compute(rule_name=rule, start=today(), jurisdiction=motion.jurisdiction).due
        else:  # B items are followed up to the longest legal period, never less than today
            due = max(assignment.max_due, today())
        # The Event records both dates, so a deadline that moves earlier says why.
        transition_apply(
            table=ASSIGNMENT_TRANSITIONS,
            obj=assignment,
            action="reopen",
            actor=actor,
            expected_state=A.REPLIED,
            changes={"due": due, "due_rule": rule},
            payload={"due_from": assignment.due, "due_to": due, "reason": action, "round": next_round},
        )
    _notify_later(
        _unit_handlers(a.unit_id for a in reopen),
        _("“%(title)s” must be handled again.") % {"title": motion.title}
        if action == "rehandle"
        else _("“%(title)s” is followed until solved; send a final reply.") % {"title": motion.title},
        _link(motion),
        send_message=True,
    )


@transaction.atomic
def motion_supervise(*, actor: Any, motion: Motion, leader: Person, note: str = "") -> KeySupervision:
    """重点督办 with a named supervising leader."""
    fresh = Motion.objects.select_for_update().get(pk=motion.pk)
    if not actor.has_perm("motions.supervise_motion", fresh):
        raise PermissionDeniedError()
    if fresh.status in (S.DRAFT, S.DECLINED, S.MERGED, S.WITHDRAWN, S.CLOSED):
        raise InvalidTransitionError(action="supervise", state=fresh.status)
    is_leader = Membership.objects.active_on(today()).filter(person=leader, role__in=LEADER_ROLES).exists()
    if not is_leader:
        raise ValidationFailedError(
            _("The supervising leader must be a chair or vice-chair."), field="leader"
        )
    note = (note or "").strip()[:200]
    if note and _HTML.search(note):
        raise ValidationFailedError(_("The note must not contain HTML tags or scripts."), field="note")
    if KeySupervision.objects.filter(motion=fresh).exists():
        raise ValidationFailedError(_("This item is already under key supervision."))
    supervision = KeySupervision.objects.create(motion=fresh, leader=leader, note=note)
    event_record(
        actor=actor,
        verb="supervise",
        target=fresh,
        from_state=fresh.status,
        to_state=fresh.status,
        payload={"leader": leader.pk, "note": note},
    )
    _notify_later(
        _users_of([leader.pk]),
        _("You supervise the key item “%(title)s”.") % {"title": fresh.title},
        _link(fresh),
    )
    return supervision


@transaction.atomic
def motion_create_from_voice(
    *, actor: Any, voice: Any, kind: str, title: str, text: str, lead_signer: Person | None = None
) -> Motion:
    """Adopt a voice into a suggestion or proposal drafted by the actor, linked both ways."""
    if lead_signer is not None and lead_signer.pk != getattr(actor, "person_id", None):
        raise PermissionDeniedError(_("Only the lead signer can adopt a voice into their own draft."))
    motion = motion_create(actor=actor, kind=kind, title=title, text=text)
    Motion.objects.filter(pk=motion.pk).update(source_voice=voice)
    motion.source_voice = voice
    from minsheng.voices import services as voices

    voices.voice_adopt(
        actor=actor, voice=voice, motion_label=f"{KIND_PREFIX[MotionKind(kind)]}：{motion.title}"
    )
    event_record(
        actor=actor,
        verb="adopt_voice",
        target=motion,
        from_state=motion.status,
        to_state=motion.status,
        payload={"voice": voice.pk},
    )
    return motion


def motion_get(pk: int) -> Motion:
    motion = Motion.objects.select_related("jurisdiction", "lead_signer").filter(pk=pk).first()
    if motion is None:
        raise NotFoundError()
    return motion
