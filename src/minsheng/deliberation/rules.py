"""Permissions of the deliberation app, as django-rules predicates: ``deliberation.<verb>_<model>``.

- Staff (Role.STAFF) of a CPPCC committee, consultation room or members' studio whose jurisdiction
  covers the topic's, and administrators, run a topic: accept it, open and close voting, moderate,
  hold the meeting and record outcomes.
- Handlers of the responsible unit report progress on an outcome.
- Anyone may read a topic once it is open; before that only its staff and its proposer.
"""

from __future__ import annotations

from typing import Any

import rules

from minsheng.deliberation.models import Meeting, Outcome, Statement, Topic, TopicStatus
from minsheng.org.models import BodyKind, Membership, Role
from minsheng.org.selectors import jurisdiction_tree, memberships_of

STAFF_BODY_KINDS: tuple[str, ...] = (
    BodyKind.CPPCC_COMMITTEE,
    BodyKind.CONSULTATION_ROOM,
    BodyKind.MEMBERS_STUDIO,
)
PUBLIC_STATUSES = (TopicStatus.OPEN, TopicStatus.CLOSED, TopicStatus.CONCLUDED)


def _topic_of(obj: Any) -> Topic | None:
    if isinstance(obj, Topic):
        return obj
    if isinstance(obj, Statement | Meeting | Outcome):
        return obj.topic
    return None


def staff_memberships(user: Any) -> list[Membership]:
    return [
        m
        for m in memberships_of(user)
        if m.role == Role.STAFF and m.body is not None and str(m.body.kind) in STAFF_BODY_KINDS
    ]


@rules.predicate
def is_deliberation_staff(user: Any, obj: Any = None) -> bool:
    """Staff of a consultation body; with an object, of one whose jurisdiction covers the topic."""
    seats = staff_memberships(user)
    topic = _topic_of(obj)
    if topic is None or not seats:
        return bool(seats)
    scope = set(jurisdiction_tree().lineage(topic.jurisdiction_id))
    return any(m.body is not None and m.body.jurisdiction_id in scope for m in seats)


@rules.predicate
def is_admin(user: Any) -> bool:
    """Administrators, from the same cached memberships (one query per request, not per row)."""
    return bool(getattr(user, "is_superuser", False)) or any(
        m.role == Role.ADMIN for m in memberships_of(user)
    )


@rules.predicate
def is_outcome_handler(user: Any, obj: Any = None) -> bool:
    if not isinstance(obj, Outcome):
        return False
    return any(m.role == Role.HANDLER and m.unit_id == obj.unit_id for m in memberships_of(user))


@rules.predicate
def is_public_topic(user: Any, obj: Any = None) -> bool:
    topic = _topic_of(obj)
    return topic is not None and topic.status in PUBLIC_STATUSES


@rules.predicate
def is_proposer(user: Any, obj: Any = None) -> bool:
    topic = _topic_of(obj)
    return (
        topic is not None
        and getattr(user, "is_authenticated", False)
        and topic.proposer_id is not None
        and topic.proposer_id == user.pk
    )


@rules.predicate
def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


runs_topic = is_deliberation_staff | is_admin

rules.add_perm("deliberation.propose_topic", is_signed_in)
rules.add_perm("deliberation.view_topic", is_public_topic | is_proposer | runs_topic)
rules.add_perm("deliberation.accept_topic", runs_topic)
rules.add_perm("deliberation.reject_topic", runs_topic)
rules.add_perm("deliberation.open_topic", runs_topic)
rules.add_perm("deliberation.close_topic", runs_topic)
rules.add_perm("deliberation.conclude_topic", runs_topic)
rules.add_perm("deliberation.change_topic", runs_topic)
rules.add_perm("deliberation.moderate_statement", runs_topic)
rules.add_perm("deliberation.change_meeting", runs_topic)
rules.add_perm("deliberation.hold_meeting", runs_topic)
rules.add_perm("deliberation.cancel_meeting", runs_topic)
rules.add_perm("deliberation.add_outcome", runs_topic)
rules.add_perm("deliberation.progress_outcome", runs_topic | is_outcome_handler)
rules.add_perm("deliberation.complete_outcome", runs_topic)
rules.add_perm("deliberation.convert_outcome", runs_topic)
rules.add_perm("deliberation.view_participants", runs_topic)
