"""Replies, the office's review and disclosure, proposers' ratings and what follows them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor, account_required
from minsheng.core.calendar import deadline_compute
from minsheng.core.errors import (
    ConflictError,
    DomainError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.text import plain_text_checked
from minsheng.core.transitions import allowed_in_person, guard, transition_apply, transition_refusal
from minsheng.motions.models import (
    Assignment,
    AssignmentRole,
    Category,
    Disclosure,
    Evaluation,
    Motion,
    Rating,
    Reply,
    ResidentRating,
)
from minsheng.motions.rules import proposer_ids
from minsheng.motions.selectors import motion_settings_for, voice_outcomes
from minsheng.motions.services.common import (
    REASON_MAX_LENGTH,
    handling_refusal,
    motion_link,
    motion_transition_apply,
    notify_later,
    office_staff,
    proposer_users,
    resident_tell,
    unit_handlers,
    users_of,
)
from minsheng.motions.services.workflow import (
    ASSIGNMENT_TRANSITIONS,
    DISCLOSABLE_STATES,
    MOTION_TRANSITIONS,
    A,
    S,
)
from minsheng.org.selectors import today

RESIDENT_COMMENT_MAX_LENGTH = 500
DISCLOSURE_RULE = "motion_disclosure"


@guard
def can_reply(user: Actor, assignment: Assignment) -> DomainError | None:
    """The lead unit, or each unit of a separate assignment, replies while the item is being handled."""
    refusal = transition_refusal(table=ASSIGNMENT_TRANSITIONS, obj=assignment, action="reply", actor=user)
    if refusal is not None:
        return refusal
    if assignment.role == AssignmentRole.CO:
        return ValidationFailedError(_("A co-unit sends its views to the lead unit; the lead unit replies."))
    return handling_refusal(assignment, "reply")


@guard
def can_review_category(user: Actor, reply: Reply) -> DomainError | None:
    """Office staff review the category of a reply of the current round, once every reply is in."""
    refusal = transition_refusal(
        table=MOTION_TRANSITIONS, obj=reply.motion, action="review_category", actor=user
    )
    if refusal is None and reply.round != reply.motion.round:
        return ValidationFailedError(_("Only the replies of the current round can be reviewed."))
    return refusal


@guard
def can_disclose(user: Actor, reply: Reply) -> DomainError | None:
    """Office staff decide each reply's public disclosure once the item has been answered."""
    motion = reply.motion
    if motion.status not in DISCLOSABLE_STATES:
        return InvalidTransitionError(action="disclose", state=motion.status)
    if not user.has_perm("motions.disclose_motion", motion):
        return PermissionDeniedError()
    return None


@guard
def can_rate(user: Actor, motion: Motion) -> DomainError | None:
    """Each proposer rates the replies of the current round once."""
    if motion.status != S.REPLIED:
        return InvalidTransitionError(action="rate", state=motion.status)
    person_id = getattr(user, "person_id", None)
    if person_id is None or not allowed_in_person(user, "motions.rate_motion", motion):
        return PermissionDeniedError()
    if any(e.round == motion.round and e.proposer_id == person_id for e in motion.evaluations.all()):
        return ValidationFailedError(_("You have already rated this reply."))
    return None


def _replying(motion: Motion) -> list[Assignment]:
    return list(
        motion.assignments.filter(role__in=(AssignmentRole.LEAD, AssignmentRole.SEPARATE)).exclude(
            status=A.RETURNED
        )
    )


@transaction.atomic
def assignment_reply(
    *, actor: Actor, assignment: Assignment, category: str, text: str, expected_state: str | None = A.PENDING
) -> Reply:
    """The lead unit's (or a separate unit's) reply with its result category."""
    motion = rows_locked(Motion).get(pk=assignment.motion_id)
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
        guard=can_reply,  # after the part's own state: a stale page is a conflict
    )
    # Staff decide whether and how the public reads it by a rule's date (20 working days by default).
    disclose = deadline_compute(rule_name=DISCLOSURE_RULE, start=today(), jurisdiction=motion.jurisdiction)
    reply = Reply.objects.create(
        motion=motion,
        assignment=fresh,
        round=motion.round,
        category=category,
        text=text,
        disclose_by=disclose.due,
        disclose_rule=disclose.rule_name,
    )
    if all(a.status == A.REPLIED for a in _replying(motion)):
        motion = motion_transition_apply(
            obj=motion,
            action="replies_complete",
            actor=actor,
            payload={"round": motion.round},
        )
        notify_later(
            proposer_users(motion),
            _("“%(title)s” has been answered. Please rate the reply.") % {"title": motion.title},
            motion_link(motion),
            send_message=True,
        )
    return reply


@transaction.atomic
def reply_review(*, actor: Actor, reply: Reply, category: str) -> Reply:
    """The office's review of the category; a change is recorded with the old and new category."""
    motion = rows_locked(Motion).get(pk=reply.motion_id)
    settings = motion_settings_for(motion.jurisdiction)
    if category not in settings.categories:
        raise ValidationFailedError(
            _("Choose a category among %(set)s.") % {"set": "/".join(settings.categories)}, field="category"
        )
    reply.motion = motion
    can_review_category.check(actor, reply)
    motion_transition_apply(
        obj=motion,
        action="review_category",
        actor=actor,
        expected_state=S.REPLIED,
        payload={"reply": reply.pk, "from": reply.final_category, "to": category},
    )
    Reply.objects.filter(pk=reply.pk).update(reviewed_category=category)
    reply.refresh_from_db()
    return reply


MAX_PRIVATE_NAMES = 20


@transaction.atomic
def reply_disclose(
    *,
    actor: Actor,
    reply: Reply,
    disclosure: str,
    summary: str = "",
    private_names: Sequence[str] = (),
) -> Reply:
    """Staff decide per reply: full text, a summary, or not public. Nothing is public before this.

    ``private_names`` are private persons named in the text; the public sees them masked."""
    motion = rows_locked(Motion).get(pk=reply.motion_id)
    reply.motion = motion
    can_disclose.check(actor, reply)
    if disclosure not in (Disclosure.FULL, Disclosure.SUMMARY, Disclosure.NONE):
        raise ValidationFailedError(_("Choose full text, summary or not public."), field="disclosure")
    if disclosure == Disclosure.SUMMARY:
        summary = plain_text_checked(summary, field="summary", label=_("The summary"), max_length=2000)
    else:
        summary = ""
    names = [
        plain_text_checked(name, field="private_names", label=_("The name"), max_length=64)
        for name in private_names
        if (name or "").strip()
    ]
    if len(names) > MAX_PRIVATE_NAMES:
        raise ValidationFailedError(
            _("At most %(limit)s names."), field="private_names", params={"limit": MAX_PRIVATE_NAMES}
        )
    Reply.objects.filter(pk=reply.pk).update(
        disclosure=disclosure,
        summary=summary,
        private_names=names,
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
    if disclosure != Disclosure.NONE:
        resident_tell(motion, "disclose")
    reply.refresh_from_db()
    return reply


@transaction.atomic
def motion_rate(
    *,
    actor: Actor,
    motion: Motion,
    overall: str,
    process: str = "",
    result: str = "",
    comment: str = "",
    expected_state: str | None = S.REPLIED,
) -> Evaluation:
    """A proposer's rating. 不满意 from any proposer → re-handling at once; once everyone has rated:
    a B reply → follow-up until solved; else closed."""
    fresh = rows_locked(Motion).get(pk=motion.pk)
    if expected_state is not None and fresh.status != expected_state:
        raise ConflictError(expected=str(expected_state), actual=fresh.status)
    can_rate.check(actor, fresh)
    for name, value in (("overall", overall), ("process", process), ("result", result)):
        if (value and value not in Rating.values) or (name == "overall" and not value):
            raise ValidationFailedError(
                _("Choose satisfied, basically satisfied or dissatisfied."), field=name
            )
    proposer_id = account_required(actor).person_id
    if proposer_id is None:  # can_rate passes proposers only, who are people
        raise PermissionDeniedError()
    comment = (comment or "").strip()
    if comment:
        comment = plain_text_checked(
            comment, field="comment", label=_("The comment"), max_length=REASON_MAX_LENGTH
        )
    evaluation = Evaluation.objects.create(
        motion=fresh,
        round=fresh.round,
        proposer_id=proposer_id,
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


def _after_ratings(*, actor: Actor, motion: Motion, overall: list[str]) -> None:
    replies = list(motion.replies.filter(round=motion.round))
    if Rating.DISSATISFIED in overall:
        action, rule = "rehandle", "motion_rehandle"
        reopen = [r.assignment for r in replies]
    elif any(r.final_category == Category.B for r in replies):
        action, rule = "follow_up", "motion_reply_max"
        reopen = [r.assignment for r in replies if r.final_category == Category.B]
    else:
        motion_transition_apply(obj=motion, action="close", actor=actor)
        return
    next_round = motion.round + 1
    motion_transition_apply(
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
    notify_later(
        unit_handlers(a.unit_id for a in reopen),
        _("“%(title)s” must be handled again.") % {"title": motion.title}
        if action == "rehandle"
        else _("“%(title)s” is followed until solved; send a final reply.") % {"title": motion.title},
        motion_link(motion),
        send_message=True,
    )


@transaction.atomic
def motion_resident_rate(
    *, actor: Actor, voice: Any, rating: str, comment: str = "", motion_id: int | None = None
) -> ResidentRating:
    """The resident whose voice became a suggestion or proposal rates its outcome, once per round of
    replies (proven by tracking code and phone: ``voices.rules.TrackingActor``). The rating is the
    voice's own step (an Event on the voice); the lead signer and the office are told."""
    from minsheng.voices import services as voices

    if not allowed_in_person(actor, "voices.rate_voice", voice):
        raise PermissionDeniedError()
    if rating not in Rating.values:
        raise ValidationFailedError(
            _("Choose satisfied, basically satisfied or dissatisfied."), field="rating"
        )
    comment = (comment or "").strip()
    if comment:
        comment = plain_text_checked(
            comment, field="comment", label=_("The comment"), max_length=RESIDENT_COMMENT_MAX_LENGTH
        )
    outcome = next((o for o in voice_outcomes(voice) if motion_id in (None, o.motion_id)), None)
    if outcome is None or outcome.rate_round is None:
        raise ValidationFailedError(_("There is no answer to rate yet, or you have already rated it."))
    # The voice's step locks the voice: two ratings sent at once are counted once.
    transition_apply(
        table=voices.VOICE_TRANSITIONS,
        obj=voice,
        action="rate_outcome",
        actor=actor,
        payload={"motion_id": outcome.motion_id, "round": outcome.rate_round, "outcome_rating": rating},
    )
    rated = ResidentRating.objects.filter(motion_id=outcome.motion_id, voice=voice, round=outcome.rate_round)
    if rated.exists():
        raise ValidationFailedError(_("There is no answer to rate yet, or you have already rated it."))
    record = ResidentRating.objects.create(
        motion_id=outcome.motion_id, voice=voice, round=outcome.rate_round, rating=rating, comment=comment
    )
    motion = Motion.objects.select_related("lead_signer").get(pk=outcome.motion_id)
    notify_later(
        [*users_of([motion.lead_signer_id]), *office_staff(motion)],
        _("The resident whose message became “%(title)s” rated its outcome: %(rating)s.")
        % {"title": motion.title, "rating": Rating(rating).label},
        motion_link(motion),
    )
    return record
