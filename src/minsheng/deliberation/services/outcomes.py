"""Outcomes of meetings: units, progress, completion, and conversion into proposals or reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor, account_required
from minsheng.core.errors import (
    ConflictError,
    DomainError,
    ValidationFailedError,
)
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.privacy import mask_text
from minsheng.core.text import plain_text_checked
from minsheng.core.transitions import guard, transition_apply
from minsheng.deliberation.models import (
    ConversionKind,
    Meeting,
    MeetingStatus,
    Outcome,
    OutcomeProgress,
)
from minsheng.deliberation.services.common import (
    refusal_unless_perm,
    require_perm,
)
from minsheng.deliberation.services.workflow import (
    OUTCOME_TRANSITIONS,
    NotOpenError,
)
from minsheng.org.models import Person, Unit


@guard
def can_add_outcome(user: Actor, meeting: Meeting) -> DomainError | None:
    """Staff record the outcomes a held meeting agreed."""
    refusal = refusal_unless_perm(user, "deliberation.add_outcome", meeting.topic)
    if refusal is None and meeting.status != MeetingStatus.HELD:
        return NotOpenError(
            _("Record outcomes once the meeting has been held."), action="add_outcome", state=meeting.status
        )
    return refusal


def outcome_add(*, actor: Actor, meeting: Meeting, text: str, unit: Unit, due: dt.date) -> Outcome:
    """An agreed outcome of a held meeting, with the unit responsible and its deadline."""
    require_perm(actor, "deliberation.add_outcome", meeting.topic)
    clean = mask_text(plain_text_checked(text, field="text", max_length=1000))  # published
    if due < timezone.localdate():
        raise ValidationFailedError(_("The deadline cannot be in the past."), field="due")
    with transaction.atomic():
        locked = rows_locked(Meeting).select_related("topic").get(pk=meeting.pk)
        can_add_outcome.check(actor, locked)
        outcome = Outcome.objects.create(topic=locked.topic, meeting=locked, text=clean, unit=unit, due=due)
        event_record(actor=actor, verb="agree", target=outcome, to_state=outcome.status,
                     payload={"unit": unit.pk, "due": due.isoformat()})  # fmt: skip
    return outcome


def outcome_progress(*, actor: Actor, outcome: Outcome, text: str) -> OutcomeProgress:
    clean = mask_text(plain_text_checked(text, field="text", max_length=1000))
    with transaction.atomic():
        outcome = transition_apply(
            table=OUTCOME_TRANSITIONS, obj=outcome, action="progress", actor=actor, payload={"text": clean}
        )
        return OutcomeProgress.objects.create(
            outcome=outcome, text=clean, author=account_required(actor), at=timezone.now()
        )


def outcome_complete(*, actor: Actor, outcome: Outcome, text: str) -> Outcome:
    clean = mask_text(plain_text_checked(text, field="text", max_length=1000))
    with transaction.atomic():
        outcome = transition_apply(
            table=OUTCOME_TRANSITIONS, obj=outcome, action="complete", actor=actor, payload={"text": clean}
        )
        OutcomeProgress.objects.create(
            outcome=outcome, text=clean, author=account_required(actor), at=timezone.now()
        )
    return outcome


def outcome_convert(
    *,
    actor: Actor,
    outcome: Outcome,
    kind: str,
    text: str = "",
    title: str = "",
    lead_signer: Person | None = None,
) -> Outcome:
    """Turn an outcome into a social-conditions report or a CPPCC proposal draft, linked both ways.

    A proposal needs a CPPCC member as lead signer: the actor when they are one, otherwise the member
    the staff hand it to. It starts as that member's draft, for them to co-sign and submit.
    """
    require_perm(actor, "deliberation.convert_outcome", outcome)
    if kind not in ConversionKind.values:
        raise ValidationFailedError(_("Choose a proposal or a social-conditions report."), field="kind")
    body = plain_text_checked(text or outcome.text, field="text", max_length=5000)
    with transaction.atomic():
        locked = rows_locked(Outcome).select_related("topic").get(pk=outcome.pk)
        if locked.converted_kind:
            raise ConflictError(message=_("This outcome has already been turned into another record."))
        if kind == ConversionKind.SOCIAL_REPORT:
            from minsheng.voices.services import social_report_create

            report = social_report_create(
                actor=actor, title=locked.topic.title[:100], text=body, source_label=_("Consultation outcome")
            )
            converted_id = report.pk
        else:
            converted_id = _proposal_draft(
                actor=actor, outcome=locked, title=title, text=body, lead_signer=lead_signer
            ).pk
        locked.converted_kind = kind
        locked.converted_id = converted_id
        locked.save(update_fields=["converted_kind", "converted_id", "updated_at"])
        event_record(actor=actor, verb="convert", target=locked,
                     payload={"kind": kind, "id": converted_id, "text": body})  # fmt: skip
    return locked


def _proposal_title(outcome: Outcome) -> str:
    """关于<topic>的提案, shortened to what the place allows for a proposal title (60 by default)."""
    from minsheng.motions.selectors import motion_settings_for

    limit = motion_settings_for(outcome.topic.jurisdiction).title_max_length
    title = _("Proposal on %(topic)s") % {"topic": outcome.topic.title}
    if len(title) <= limit:
        return title
    spare = len(title) - len(outcome.topic.title)
    return _("Proposal on %(topic)s") % {"topic": outcome.topic.title[: max(1, limit - spare - 1)] + "…"}


def _proposal_draft(
    *, actor: Actor, outcome: Outcome, title: str, text: str, lead_signer: Person | None
) -> Any:
    from minsheng.motions import services as motions
    from minsheng.motions.models import MotionKind

    clean_title = title.strip() or _proposal_title(outcome)
    if lead_signer is None or lead_signer.pk == getattr(actor, "person_id", None):
        return motions.motion_create(actor=actor, kind=MotionKind.PROPOSAL, title=clean_title, text=text)
    source = {"outcome": outcome.pk, "topic": outcome.topic_id}
    return motions.motion_draft_for(
        actor=actor, lead_signer=lead_signer, kind=MotionKind.PROPOSAL, title=clean_title, text=text,
        source=source,
    )  # fmt: skip
