"""Reads of the meetings app: only what the user may see, with query counts that do not grow with rows."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from minsheng.core import ballots
from minsheng.core.attachments import attachments_listed
from minsheng.core.models import Attachment, BallotBox, BallotVoter
from minsheng.meetings.models import (
    AgendaItem,
    Appointment,
    Attendee,
    Document,
    Meeting,
    MeetingStatus,
    Nominee,
    Poll,
    PollStatus,
)
from minsheng.meetings.rules import roots_by_role
from minsheng.meetings.services import AttendanceCounts, attendance_counts
from minsheng.org.models import LEADER_ROLES, Body, Role
from minsheng.org.rules import has_admin_role

PUBLIC_POLL_STATES = (PollStatus.CLOSED, PollStatus.ANNOUNCED)


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    """Staff and chairs: every meeting of their trees; attendees: their notified meetings; all: published."""
    meetings = Meeting.objects.select_related("body", "body__jurisdiction").order_by("-starts_on", "-id")
    if has_admin_role(user):
        return meetings
    visible = Q(status=MeetingStatus.PUBLISHED)
    roles = roots_by_role(user) if getattr(user, "is_authenticated", False) else {}
    roots = set(roles.get(Role.STAFF, set()))
    for role in LEADER_ROLES:
        roots |= roles.get(role, set())
    if roots:  # a meeting's body is a tree's root (congress, CPPCC) or just under it (standing committee)
        visible |= Q(body_id__in=roots) | Q(body__parent_id__in=roots) | Q(body__parent__parent_id__in=roots)
    person_id = getattr(user, "person_id", None) if getattr(user, "is_authenticated", False) else None
    if person_id is not None:
        visible |= Q(attendees__person_id=person_id) & ~Q(status=MeetingStatus.DRAFT)
    return meetings.filter(visible).distinct()


def meetings_public() -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(status=MeetingStatus.PUBLISHED).select_related("body").order_by("-starts_on")
    )


def meeting_detail(user: Any, pk: int) -> Meeting | None:
    meeting = (
        Meeting.objects.select_related("body", "body__parent", "term", "created_by").filter(pk=pk).first()
    )
    if meeting is None or not user.has_perm("meetings.view_meeting", meeting):
        return None
    return meeting


def meeting_for_screen(pk: int, key: str) -> Meeting | None:
    """The meeting whose hall-screen key is ``key`` (a kiosk URL: no sign-in on the hall's screen)."""
    meeting = Meeting.objects.select_related("body").filter(pk=pk).first()
    if meeting is None or not secrets.compare_digest(meeting.screen_key.encode(), key.encode()):
        return None
    return meeting


def meetings_of_person(person_id: int | None) -> QuerySet[Meeting]:
    """The meetings a person is called to, newest first (for their desk)."""
    if person_id is None:
        return Meeting.objects.none()
    return (
        Meeting.objects.filter(attendees__person_id=person_id)
        .exclude(status=MeetingStatus.DRAFT)
        .select_related("body")
        .order_by("-starts_on", "-id")
    )


@dataclass
class ItemView:
    item: AgendaItem
    number: str
    children: list[ItemView]
    documents: list[Document]
    polls: list[Poll]


def agenda(meeting: Meeting, *, public_only: bool = False) -> list[ItemView]:
    """The agenda tree with documents (and their versions) and polls: four queries whatever its size."""
    documents = Document.objects.order_by("id")
    if public_only:
        documents = documents.filter(public=True)
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("motion")
        .prefetch_related(
            Prefetch("documents", queryset=documents),
            Prefetch("polls", queryset=Poll.objects.order_by("id").prefetch_related("nominees")),
        )
        .order_by("position", "id")
    )
    _attach_versions([d for item in items for d in item.documents.all()])
    by_parent: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        by_parent.setdefault(item.parent_id, []).append(item)

    def view(item: AgendaItem, number: str) -> ItemView:
        children = [
            view(child, f"{number}.{n}") for n, child in enumerate(by_parent.get(item.pk, []), start=1)
        ]
        return ItemView(item, number, children, list(item.documents.all()), list(item.polls.all()))

    return [view(item, str(n)) for n, item in enumerate(by_parent.get(None, []), start=1)]


def _attach_versions(documents: list[Document]) -> None:
    """Each document's versions (attachments), newest last, in one query."""
    from django.contrib.contenttypes.models import ContentType

    if not documents:
        return
    rows = Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(Document), owner_id__in=[str(d.pk) for d in documents]
    ).order_by("created_at", "id")
    by_owner: dict[str, list[Attachment]] = {}
    for row in rows:
        by_owner.setdefault(row.owner_id, []).append(row)
    for document in documents:
        document.versions = by_owner.get(str(document.pk), [])  # type: ignore[attr-defined]


def document_versions(document: Document) -> list[Attachment]:
    return attachments_listed(document)


def roster(meeting: Meeting) -> QuerySet[Attendee]:
    return (
        Attendee.objects.filter(meeting=meeting)
        .select_related("person")
        .order_by("-voting", "person__pinyin", "person_id")
    )


def leave_requests(meeting: Meeting) -> QuerySet[Attendee]:
    return roster(meeting).filter(leave_status="requested")


def own_seat(user: Any, meeting: Meeting) -> Attendee | None:
    person_id = getattr(user, "person_id", None)
    if person_id is None or not getattr(user, "is_authenticated", False):
        return None
    return Attendee.objects.filter(meeting=meeting, person_id=person_id).first()


def polls_of(meeting: Meeting) -> QuerySet[Poll]:
    return (
        Poll.objects.filter(meeting=meeting)
        .select_related("item")
        .prefetch_related("nominees")
        .order_by("id")
    )


def poll_detail(user: Any, pk: int) -> Poll | None:
    poll = (
        Poll.objects.select_related("meeting", "meeting__body", "item", "previous_round")
        .prefetch_related(Prefetch("nominees", queryset=Nominee.objects.order_by("position", "id")))
        .filter(pk=pk)
        .first()
    )
    if poll is None or not user.has_perm("meetings.view_meeting", poll.meeting):
        return None
    return poll


def open_poll(meeting: Meeting | int) -> Poll | None:
    meeting_id = meeting if isinstance(meeting, int) else meeting.pk
    return (
        Poll.objects.filter(meeting_id=meeting_id, status=PollStatus.OPEN)
        .prefetch_related(Prefetch("nominees", queryset=Nominee.objects.order_by("position", "id")))
        .first()
    )


def latest_result(meeting: Meeting | int) -> Poll | None:
    """The poll the hall screen shows after a close: the most recently closed."""
    meeting_id = meeting if isinstance(meeting, int) else meeting.pk
    return (
        Poll.objects.filter(meeting_id=meeting_id, status__in=PUBLIC_POLL_STATES)
        .prefetch_related(Prefetch("nominees", queryset=Nominee.objects.order_by("position", "id")))
        .order_by("-closed_at", "-id")
        .first()
    )


@dataclass(frozen=True)
class Progress:
    """How a vote stands while open: for secret polls counts only."""

    voted: int
    present: int
    not_voted_names: list[str] | None
    """Named polls only: who of those present has not voted yet."""

    @property
    def not_voted(self) -> int:
        return max(self.present - self.voted, 0)


def poll_progress(poll: Poll, counts: AttendanceCounts | None = None) -> Progress:
    counts = counts or attendance_counts(poll.meeting_id)
    if poll.box_id is None:
        return Progress(voted=poll.cast_count or 0, present=counts.present, not_voted_names=None)
    voted = ballots.ballot_voter_count(box_id=poll.box_id)
    names = None
    if not poll.secret and poll.status == PollStatus.OPEN:
        voter_ids = ballots.ballot_voter_ids(box_id=poll.box_id)
        names = [
            seat.person.name
            for seat in Attendee.objects.filter(meeting_id=poll.meeting_id, voting=True, present=True)
            .select_related("person")
            .order_by("person__pinyin")
            if seat.person_id not in voter_ids
        ]
    return Progress(voted=voted, present=counts.present, not_voted_names=names)


def my_ballot(user: Any, poll: Poll) -> Any | None:
    """The member's own ballot while the poll is open (secret: through the seal; named: the record)."""
    person_id = getattr(user, "person_id", None)
    if person_id is None or poll.box_id is None or poll.status != PollStatus.OPEN:
        return None
    box = BallotBox.objects.filter(pk=poll.box_id).first()
    if box is None:
        return None
    return ballots.ballot_of(box=box, voter_id=person_id)


def has_voted(user: Any, poll: Poll) -> bool:
    person_id = getattr(user, "person_id", None)
    if person_id is None or poll.box_id is None:
        return False
    return BallotVoter.objects.filter(box_id=poll.box_id, voter_id=person_id).exists()


def roll_call(poll: Poll) -> list[tuple[Attendee, Any]]:
    """Named polls: every entitled attendee with their choice (None = did not vote)."""
    if poll.secret or poll.box_id is None:
        return []
    record = ballots.named_ballots(box_id=poll.box_id)
    seats = roster(poll.meeting).filter(voting=True)
    return [(seat, record.get(seat.person_id)) for seat in seats]


def appointments_of(meeting: Meeting) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(nominee__poll__meeting=meeting)
        .select_related("nominee", "nominee__poll", "body")
        .order_by("id")
    )


def appointment_detail(user: Any, pk: int) -> Appointment | None:
    record = Appointment.objects.select_related("nominee__poll__meeting__body", "body").filter(pk=pk).first()
    if record is None or not user.has_perm("meetings.view_meeting", record.nominee.poll.meeting):
        return None
    return record


def attendance_record(person_id: int) -> QuerySet[Attendee]:
    """A member's attendance per meeting (for duty records): signed in, on leave, or absent."""
    return (
        Attendee.objects.filter(person_id=person_id, voting=True)
        .exclude(meeting__status__in=[MeetingStatus.DRAFT, MeetingStatus.NOTIFIED])
        .select_related("meeting", "meeting__body")
        .order_by("-meeting__starts_on")
    )


BILL_PENDING_STATES = ("submitted", "referred")


def bills_awaiting_decision(user: Any) -> list[Any]:
    """Bills the user may put before the presidium or the chair's meeting (submitted or referred)."""
    from minsheng.motions import services as motions
    from minsheng.motions.selectors import motions_visible_to

    bills = (
        motions_visible_to(user)
        .filter(kind="bill", status__in=BILL_PENDING_STATES)
        .select_related("jurisdiction")
    )
    return [
        bill for bill in bills[:200] if motions.can_put_on_agenda(user, bill) or motions.can_refer(user, bill)
    ]


def meetings_for_bills(user: Any) -> QuerySet[Meeting]:
    """Meetings of congresses and standing committees whose agenda can still change."""
    from minsheng.org.models import BodyKind

    return meetings_visible_to(user).filter(
        status__in=[MeetingStatus.DRAFT, MeetingStatus.NOTIFIED, MeetingStatus.IN_SESSION],
        body__kind__in=[BodyKind.CONGRESS, BodyKind.STANDING_COMMITTEE],
    )


def special_committees(jurisdiction_ids: set[int]) -> QuerySet[Body]:
    from minsheng.org.models import BodyKind

    return Body.objects.filter(
        kind=BodyKind.SPECIAL_COMMITTEE, jurisdiction_id__in=jurisdiction_ids
    ).order_by("name")
