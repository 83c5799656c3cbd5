"""What deliberation gives the duty record (the contract: ``minsheng.records.contract``).

A deputy or member who joins a topic signed in, or writes a statement in it, takes part in the
consultation; a consultation meeting counts for the members on its attendance list who came, as the
meeting's ``hold`` Event names them (``services.meetings.members_present``: a name borne by exactly
one representative of the topic's body or jurisdiction). A meeting held before the Event named them
is credited from its attendance list by the same rule (the list is written once, with the Event).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.utils.translation import gettext_lazy as _

from minsheng.deliberation.models import Meeting, Statement, Topic
from minsheng.records.contract import ActPage, Credit, EventRow, Mark, RecordKind, Seats

GROUP = _("Deliberation")
RECORD_KINDS = (
    RecordKind("deliberation_joined", _("deliberations joined"), GROUP),
    RecordKind("deliberation_statement", _("deliberation statements written"), GROUP),
    RecordKind("deliberation_meeting", _("consultation meetings attended"), GROUP),
)
TOPIC = "deliberation.topic"
STATEMENT = "deliberation.statement"
MEETING = "deliberation.meeting"
HANDLES = {TOPIC: frozenset({"join"}), STATEMENT: frozenset({"write"}), MEETING: frozenset({"hold"})}


def _topics_of_statements(ids: Sequence[str]) -> dict[str, int]:
    rows = Statement.objects.filter(pk__in=[int(i) for i in ids]).values_list("pk", "topic_id")
    return {str(pk): topic_id for pk, topic_id in rows}


def _topics_of_meetings(ids: Sequence[str]) -> dict[str, int]:
    rows = Meeting.objects.filter(pk__in=[int(i) for i in ids]).values_list("pk", "topic_id")
    return {str(pk): topic_id for pk, topic_id in rows}


# A statement and a meeting have no page of their own: their lines open the topic's page, where the
# statements and the meetings are. No deliberation line is public, so only the private record links.
ACT_URLS = {
    TOPIC: ActPage("deliberation:detail", "deliberation:detail"),
    STATEMENT: ActPage("deliberation:detail", via=_topics_of_statements),
    MEETING: ActPage("deliberation:detail", via=_topics_of_meetings),
}


def _members_of_old_meetings(ids: set[int]) -> dict[int, list[int]]:
    """The members present at meetings whose ``hold`` Event predates the list of them, from the
    attendance rows the hold wrote (one query per such meeting: only meetings of that time)."""
    from minsheng.deliberation.services.meetings import members_present  # services import the models

    found: dict[int, list[int]] = {}
    for meeting in Meeting.objects.filter(pk__in=ids).select_related("topic").prefetch_related("attendances"):
        found[meeting.pk] = members_present(meeting.topic, list(meeting.attendances.all()))
    return found


def _meeting_credits(events: list[EventRow], seats: Seats) -> Iterator[Credit]:
    ids = {int(e.target_id) for e in events if e.target_type == MEETING}
    titles = dict(Meeting.objects.filter(pk__in=ids).values_list("pk", "topic__title"))
    old = _members_of_old_meetings(
        {int(e.target_id) for e in events if e.target_type == MEETING and "members" not in e.payload}
    )
    for event in events:
        if event.target_type != MEETING:
            continue
        members = (
            event.payload["members"] if "members" in event.payload else old.get(int(event.target_id), [])
        )
        for person_id in members:
            body_id = seats.body(int(person_id), event.at)
            if body_id is not None:
                yield Credit(int(person_id), "deliberation_meeting", event.at, event.seq, MEETING,
                             event.target_id, titles.get(int(event.target_id), ""), body_id)  # fmt: skip


def credits(events: list[EventRow], seats: Seats) -> Iterator[Credit | Mark]:
    yield from _meeting_credits(events, seats)
    events = [e for e in events if e.target_type != MEETING]
    topic_ids = {int(e.target_id) for e in events if e.target_type == TOPIC}
    statement_ids = {int(e.target_id) for e in events if e.target_type == STATEMENT}
    titles = dict(Topic.objects.filter(pk__in=topic_ids).values_list("pk", "title"))
    statements = {
        pk: (topic_id, title)
        for pk, topic_id, title in Statement.objects.filter(pk__in=statement_ids).values_list(
            "pk", "topic_id", "topic__title"
        )
    }
    for event in events:
        person_id = seats.person(event.actor_id)
        body_id = seats.body(person_id, event.at) if person_id else None
        if person_id is None or body_id is None:
            continue
        if event.target_type == TOPIC:
            title = titles.get(int(event.target_id), "")
            kind = "deliberation_joined"
        else:
            title = statements.get(int(event.target_id), (0, ""))[1]
            kind = "deliberation_statement"
        yield Credit(person_id, kind, event.at, event.seq, event.target_type, event.target_id, title, body_id)
