"""Permissions of the meetings app, as django-rules predicates: ``meetings.<verb>_<model>``.

A congress, its standing committee, its working bodies and special committees form one tree (rooted
at the congress); a CPPCC committee and its organs another. Roles come only from memberships:

- **Meeting staff** (Role.STAFF in a body of the meeting body's tree) and administrators prepare and
  run meetings: agenda, documents, roster, leave, clerk sign-in, polls, show-of-hands results,
  appointment records.
- **The chair** (a leader of the tree: 主任/副主任, 主席/副主席) presides: opens, closes and announces
  polls from the console (staff may operate the console on the chair's instruction).
- **Attendees** (on the meeting's roster) see the meeting before publication, ask for leave, sign in
  and, when entitled, vote. Everyone sees a published meeting.
"""

from __future__ import annotations

from typing import Any

import rules

from minsheng.meetings.models import (
    AgendaItem,
    Appointment,
    Attendee,
    Document,
    Meeting,
    MeetingStatus,
    Nominee,
    Poll,
)
from minsheng.org.models import LEADER_ROLES, Body, BodyKind, Role
from minsheng.org.rules import has_admin_role
from minsheng.org.selectors import memberships_of

_ROOTS_CACHE = "_minsheng_meeting_roots"
# Organs whose staff run meetings; staff of stations, studios and consultation rooms do not.
ORGAN_KINDS = frozenset(
    {
        BodyKind.CONGRESS,
        BodyKind.STANDING_COMMITTEE,
        BodyKind.WORKING_BODY,
        BodyKind.SPECIAL_COMMITTEE,
        BodyKind.CPPCC_COMMITTEE,
        BodyKind.CPPCC_SPECIAL_COMMITTEE,
    }
)
_ATTENDING_CACHE = "_minsheng_attending"


def meeting_of(obj: Any) -> Meeting | None:
    if isinstance(obj, Meeting):
        return obj
    if isinstance(obj, AgendaItem | Poll | Attendee):
        return obj.meeting
    if isinstance(obj, Document):
        return obj.item.meeting
    if isinstance(obj, Nominee):
        return obj.poll.meeting
    if isinstance(obj, Appointment):
        return obj.nominee.poll.meeting
    return None


def body_root_id(body: Body) -> int:
    """The top of the body's tree (a congress, a CPPCC committee): bodies are at most three deep."""
    node = body
    seen = {node.pk}
    while node.parent_id is not None and node.parent_id not in seen:
        seen.add(node.parent_id)
        parent = node.parent
        assert parent is not None
        node = parent
    return node.pk


def roots_by_role(user: Any) -> dict[str, set[int]]:
    """Tree roots of the user's body memberships, by role; computed once per user object."""
    cached = getattr(user, _ROOTS_CACHE, None)
    if cached is not None:
        return cached
    seats = [m for m in memberships_of(user) if m.body is not None and m.body.kind in ORGAN_KINDS]
    roots: dict[str, set[int]] = {}
    for seat in seats:  # memberships_of loads each body's parent chain
        assert seat.body is not None
        roots.setdefault(str(seat.role), set()).add(body_root_id(seat.body))
    if user is not None and getattr(user, "is_authenticated", False):
        setattr(user, _ROOTS_CACHE, roots)
    return roots


def _meeting_root(meeting: Meeting) -> int:
    return body_root_id(meeting.body)


@rules.predicate
def is_meeting_staff(user: Any, obj: Any = None) -> bool:
    """Staff of a body of the meeting's (or the body's) tree; without an object, staff of any tree."""
    roots = roots_by_role(user).get(Role.STAFF, set())
    if isinstance(obj, Body):
        return body_root_id(obj) in roots
    meeting = meeting_of(obj)
    if meeting is None:
        return bool(roots)
    return _meeting_root(meeting) in roots


@rules.predicate
def is_presiding(user: Any, obj: Any = None) -> bool:
    """A leader (主任/副主任, 主席/副主席) of the meeting's tree."""
    meeting = meeting_of(obj)
    if meeting is None:
        return False
    roles = roots_by_role(user)
    return any(_meeting_root(meeting) in roles.get(role, set()) for role in LEADER_ROLES)


def attendee_of(user: Any, meeting: Meeting) -> Attendee | None:
    """The user's row on the meeting's roster (cached on the user object for the request)."""
    person_id = getattr(user, "person_id", None)
    if person_id is None or not getattr(user, "is_authenticated", False):
        return None
    cache: dict[int, Attendee | None] = getattr(user, _ATTENDING_CACHE, None) or {}
    if meeting.pk not in cache:
        cache[meeting.pk] = Attendee.objects.filter(meeting_id=meeting.pk, person_id=person_id).first()
        setattr(user, _ATTENDING_CACHE, cache)
    return cache[meeting.pk]


@rules.predicate
def is_attendee(user: Any, obj: Any = None) -> bool:
    meeting = meeting_of(obj)
    return meeting is not None and attendee_of(user, meeting) is not None


@rules.predicate
def is_voting_attendee(user: Any, obj: Any = None) -> bool:
    meeting = meeting_of(obj)
    if meeting is None:
        return False
    seat = attendee_of(user, meeting)
    return seat is not None and seat.voting


@rules.predicate
def is_published(user: Any, obj: Any = None) -> bool:
    meeting = meeting_of(obj)
    return meeting is not None and meeting.status == MeetingStatus.PUBLISHED


@rules.predicate
def is_public_document(user: Any, obj: Any = None) -> bool:
    return isinstance(obj, Document) and obj.public and obj.item.meeting.status == MeetingStatus.PUBLISHED


@rules.predicate
def is_notified(user: Any, obj: Any = None) -> bool:
    """Attendees see a meeting once they have been notified of it, not while staff draft it."""
    meeting = meeting_of(obj)
    return meeting is not None and meeting.status != MeetingStatus.DRAFT


runs_meeting = is_meeting_staff | has_admin_role
presides = is_presiding | runs_meeting
# Attendees first: one cached query answers for the thousands of members; staff and chairs come after.
knows_meeting = (is_attendee & is_notified) | runs_meeting | is_presiding

rules.add_perm("meetings.add_meeting", runs_meeting)
rules.add_perm("meetings.view_meeting", is_published | knows_meeting)
rules.add_perm("meetings.change_meeting", runs_meeting)
rules.add_perm("meetings.notify_meeting", runs_meeting)
rules.add_perm("meetings.open_meeting", runs_meeting)
rules.add_perm("meetings.close_meeting", runs_meeting)
rules.add_perm("meetings.publish_meeting", runs_meeting)
rules.add_perm("meetings.view_document", is_public_document | knows_meeting)
rules.add_perm("meetings.view_roster", knows_meeting)
rules.add_perm("meetings.request_leave", is_voting_attendee)
rules.add_perm("meetings.decide_leave", runs_meeting)
rules.add_perm("meetings.sign_in", is_attendee)
rules.add_perm("meetings.sign_in_others", runs_meeting)
rules.add_perm("meetings.view_console", presides)
rules.add_perm("meetings.change_poll", runs_meeting)
rules.add_perm("meetings.open_poll", presides)
rules.add_perm("meetings.close_poll", presides)
rules.add_perm("meetings.announce_poll", presides)
rules.add_perm("meetings.record_show_of_hands", runs_meeting)
rules.add_perm("meetings.vote_poll", is_voting_attendee)
rules.add_perm("meetings.view_results", is_published | knows_meeting)
rules.add_perm("meetings.export_roll_call", runs_meeting)
rules.add_perm("meetings.change_appointment", runs_meeting)
