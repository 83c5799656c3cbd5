"""Consultation meetings: scheduling, holding (attendance and minutes), cancelling."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor
from minsheng.core.errors import (
    DomainError,
    InvalidTransitionError,
    ValidationFailedError,
)
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.text import plain_text_checked
from minsheng.core.transitions import guard, transition_apply
from minsheng.deliberation.models import (
    Attendance,
    AttendeeKind,
    Meeting,
    Topic,
)
from minsheng.deliberation.services.common import (
    REASON_MAX_LENGTH,
    refusal_unless_perm,
    require_perm,
)
from minsheng.deliberation.services.workflow import (
    MEETING_STATES,
    MEETING_TRANSITIONS,
)
from minsheng.org.models import REPRESENTATIVE_ROLES, Membership


@guard
def can_schedule_meeting(user: Actor, topic: Topic) -> DomainError | None:
    """Staff schedule a consultation meeting on a topic taken up and not yet concluded."""
    refusal = refusal_unless_perm(user, "deliberation.change_meeting", topic)
    if refusal is None and topic.status not in MEETING_STATES:
        return InvalidTransitionError(action="schedule_meeting", state=topic.status)
    return refusal


def meeting_schedule(*, actor: Actor, topic: Topic, starts_at: dt.datetime, place: str) -> Meeting:
    require_perm(actor, "deliberation.change_meeting", topic)
    clean_place = plain_text_checked(place, field="place", max_length=200)
    if timezone.is_naive(starts_at):
        raise ValidationFailedError(_("Give the meeting's time with its time zone."), field="starts_at")
    with transaction.atomic():
        locked = rows_locked(Topic).get(pk=topic.pk)
        can_schedule_meeting.check(actor, locked)
        meeting = Meeting.objects.create(topic=locked, starts_at=starts_at, place=clean_place)
        event_record(actor=actor, verb="schedule", target=meeting, to_state=meeting.status,
                     payload={"starts_at": starts_at.isoformat(), "place": clean_place})  # fmt: skip
    return meeting


@dataclass(frozen=True)
class AttendeeIn:
    name: str
    kind: str
    affiliation: str = ""
    present: bool = True


def meeting_hold(
    *,
    actor: Actor,
    meeting: Meeting,
    minutes: str,
    attendees: Sequence[AttendeeIn],
    expected_state: str | None = None,
) -> Meeting:
    """Record that the meeting took place: who came in what capacity, and the minutes."""
    clean_minutes = plain_text_checked(minutes, field="minutes", max_length=20000)
    rows = []
    for attendee in attendees:
        if attendee.kind not in AttendeeKind.values:
            raise ValidationFailedError(
                _("Choose the capacity in which each person attended."), field="attendees"
            )
        rows.append(
            Attendance(
                name=plain_text_checked(attendee.name, field="attendees", max_length=64),
                kind=attendee.kind,
                affiliation=plain_text_checked(
                    attendee.affiliation, field="attendees", max_length=100, required=False
                ),
                present=attendee.present,
            )
        )
    if not any(row.present for row in rows):
        raise ValidationFailedError(_("Record at least one person who attended."), field="attendees")
    with transaction.atomic():
        meeting = transition_apply(
            table=MEETING_TRANSITIONS,
            obj=meeting,
            action="hold",
            actor=actor,
            expected_state=expected_state,
            changes={"minutes": clean_minutes},
            payload={
                "attendees": len(rows),
                "present": sum(row.present for row in rows),
                "members": members_present(meeting.topic, rows),
            },
        )
        for row in rows:
            row.meeting = meeting
        Attendance.objects.bulk_create(rows)
    return meeting


def members_present(topic: Topic, rows: Sequence[Attendance]) -> list[int]:
    """The CPPCC members (or deputies) on the list who came, as people, for the duty record: a name
    counts when exactly one representative of the topic's body or jurisdiction bears it (two members of
    the same name are left out rather than guessed)."""
    names = {row.name for row in rows if row.present and row.kind == AttendeeKind.MEMBER}
    if not names:
        return []
    seats = Membership.objects.filter(person__name__in=names, role__in=REPRESENTATIVE_ROLES).filter(
        Q(body=topic.body_id) | Q(body__jurisdiction=topic.jurisdiction_id)
    )
    people: dict[str, set[int]] = {}
    for person_id, name in seats.values_list("person_id", "person__name"):
        people.setdefault(name, set()).add(person_id)
    return sorted(next(iter(found)) for found in people.values() if len(found) == 1)


def meeting_cancel(*, actor: Actor, meeting: Meeting, reason: str) -> Meeting:
    clean = plain_text_checked(reason, field="reason", max_length=REASON_MAX_LENGTH)
    with transaction.atomic():
        return transition_apply(
            table=MEETING_TRANSITIONS, obj=meeting, action="cancel", actor=actor, payload={"reason": clean}
        )
