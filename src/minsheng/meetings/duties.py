"""What sessions and meetings give the duty record and the my-duties inbox
(the contract: ``minsheng.records.contract``).

Attendance (signed in), leave (approved) and absence (on the roster with a vote, neither signed in nor
on leave when the meeting closed) are credited; a vote counts as participation only: at the close of
a poll the record reads who voted (``core.ballots.BallotVoter``, one row per voter with neither the
choice nor the time) and never a ballot.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minsheng.core.models import BallotVoter
from minsheng.meetings.models import Attendee, LeaveStatus, Meeting, MeetingStatus, Poll, PollStatus
from minsheng.meetings.selectors import meetings_of_person
from minsheng.records.contract import ActPage, Credit, EventRow, InboxItem, Mark, RecordKind, Seats

GROUP = _("Sessions and meetings")
SEAT = "meetings.attendee"
MEETING = "meetings.meeting"
POLL = "meetings.poll"
RECORD_KINDS = (
    RecordKind("meeting_attended", _("meetings attended"), GROUP),
    RecordKind("meeting_leave", _("meetings on leave"), GROUP, frozenset({"revoked"})),
    RecordKind("meeting_absent", _("meetings missed without leave"), GROUP),
    RecordKind("votes_cast", _("votes taken part in"), GROUP),
)
HANDLES = {
    SEAT: frozenset({"sign_in", "approve_leave", "revoke_leave"}),
    MEETING: frozenset({"close"}),
    POLL: frozenset({"close"}),
}
ACT_URLS = {MEETING: ActPage("meetings:detail", "meetings:detail")}


def credits(events: list[EventRow], seats: Seats) -> Iterator[Credit | Mark]:
    seat_ids = {int(e.target_id) for e in events if e.target_type == SEAT}
    meeting_ids = {int(e.target_id) for e in events if e.target_type == MEETING}
    poll_ids = {int(e.target_id) for e in events if e.target_type == POLL}
    attendees = {
        row["pk"]: row
        for row in Attendee.objects.filter(pk__in=seat_ids).values(
            "pk", "person_id", "meeting_id", "meeting__body_id", "meeting__title"
        )
    }
    absent: dict[int, list[int]] = {}
    for meeting_id, person_id in (
        Attendee.objects.filter(meeting_id__in=meeting_ids, voting=True, present=False)
        .exclude(leave_status=LeaveStatus.APPROVED)
        .values_list("meeting_id", "person_id")
    ):
        absent.setdefault(meeting_id, []).append(person_id)
    meetings = {
        m["pk"]: m for m in Meeting.objects.filter(pk__in=meeting_ids).values("pk", "body_id", "title")
    }
    polls = {
        p["pk"]: p
        for p in Poll.objects.filter(pk__in=poll_ids).values("pk", "box_id", "title", "meeting__body_id")
    }
    voters: dict[int, list[int]] = {}
    for box_id, voter_id in BallotVoter.objects.filter(
        box_id__in=[p["box_id"] for p in polls.values() if p["box_id"]]
    ).values_list("box_id", "voter_id"):
        voters.setdefault(box_id, []).append(voter_id)
    for event in events:
        if event.target_type == SEAT:
            seat = attendees.get(int(event.target_id))
            if seat is None:
                continue
            # The act is the meeting: one line per person and meeting, whatever the seat's history.
            member: int = seat["person_id"]
            act = str(seat["meeting_id"])
            leave = frozenset({"meeting_leave"})
            if event.verb == "sign_in":
                yield Credit(member, "meeting_attended", event.at, event.seq, MEETING, act,
                             seat["meeting__title"], seat["meeting__body_id"])  # fmt: skip
            elif event.verb == "approve_leave":
                yield Credit(member, "meeting_leave", event.at, event.seq, MEETING, act,
                             seat["meeting__title"], seat["meeting__body_id"])  # fmt: skip
                yield Mark(MEETING, act, outcome="", kinds=leave, person_id=member)
            else:
                yield Mark(MEETING, act, outcome="revoked", kinds=leave, person_id=member)
        elif event.target_type == MEETING:
            meeting = meetings.get(int(event.target_id))
            if meeting is None:
                continue
            for person_id in absent.get(meeting["pk"], ()):
                yield Credit(person_id, "meeting_absent", event.at, event.seq, MEETING, event.target_id,
                             meeting["title"], meeting["body_id"])  # fmt: skip
        else:
            poll = polls.get(int(event.target_id))
            if poll is None or not poll["box_id"]:
                continue
            for voter in voters.get(poll["box_id"], ()):
                yield Credit(voter, "votes_cast", event.at, event.seq, POLL, event.target_id,
                             poll["title"], poll["meeting__body_id"])  # fmt: skip


def inbox(user: Any) -> list[InboxItem]:
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    upcoming = meetings_of_person(person_id).filter(
        status__in=(MeetingStatus.NOTIFIED, MeetingStatus.IN_SESSION)
    )
    items = [
        InboxItem(
            app="meetings",
            kind=_("Meeting (sign in or ask for leave)"),
            title=meeting.title,
            url=reverse("meetings:detail", args=[meeting.pk]),
            action=_("Open the meeting"),
            due=meeting.starts_on,
            order=5,
        )
        for meeting in upcoming[:10]
    ]
    open_polls = Poll.objects.filter(
        status=PollStatus.OPEN, meeting__attendees__person_id=person_id, meeting__attendees__voting=True
    ).exclude(box_id__in=BallotVoter.objects.filter(voter_id=person_id).values("box_id"))
    items += [
        InboxItem(
            app="meetings",
            kind=_("Vote open now"),
            title=poll.title,
            url=reverse("meetings:vote_current", args=[poll.meeting_id]),
            action=_("Vote"),
            order=1,
        )
        for poll in open_polls[:5]
    ]
    return items
