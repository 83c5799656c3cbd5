"""Permissions of the motions app, as django-rules predicates named ``motions.<verb>_<model>``.

Roles come from today's memberships; scope from the jurisdiction of the body or unit they are held in.
A user's memberships are read once per user object (one request) and kept on it.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from minsheng.core.queries import kept_on
from minsheng.motions.models import (
    Assignment,
    AssignmentStatus,
    Motion,
    MotionKind,
    Signature,
    SignatureStatus,
)
from minsheng.org.models import LEADER_ROLES, BodyKind, Membership, Role
from minsheng.org.selectors import memberships_of

SUGGESTION_OFFICE_KINDS = (BodyKind.WORKING_BODY,)
PROPOSAL_OFFICE_KINDS = (BodyKind.CPPCC_SPECIAL_COMMITTEE,)


def _jurisdiction_id(membership: Membership) -> int:
    place = membership.body if membership.body_id else membership.unit
    return place.jurisdiction_id if place is not None else 0


def office_kinds(kind: str) -> tuple[str, ...]:
    """Whose staff review and assign a motion of ``kind``: the working body, or the proposal committee."""
    return PROPOSAL_OFFICE_KINDS if kind == MotionKind.PROPOSAL else SUGGESTION_OFFICE_KINDS


def staff_jurisdictions(user: Any, kind: str) -> set[int]:
    return {
        _jurisdiction_id(m)
        for m in memberships_of(user)
        if m.role == Role.STAFF and m.body is not None and m.body.kind in office_kinds(kind)
    }


def handler_unit_ids(user: Any) -> set[int]:
    return {m.unit_id for m in memberships_of(user) if m.role == Role.HANDLER and m.unit_id}


def roles(user: Any) -> set[str]:
    return {m.role for m in memberships_of(user)}


@rules.predicate
def is_deputy(user: Any) -> bool:
    return Role.DEPUTY in roles(user)


@rules.predicate
def is_cppcc_member(user: Any) -> bool:
    return Role.CPPCC_MEMBER in roles(user)


@rules.predicate
def is_leader(user: Any) -> bool:
    return bool(set(LEADER_ROLES) & roles(user))


@rules.predicate
def is_any_office_staff(user: Any) -> bool:
    return bool(
        staff_jurisdictions(user, MotionKind.SUGGESTION) | staff_jurisdictions(user, MotionKind.PROPOSAL)
    )


@rules.predicate
def is_handler(user: Any) -> bool:
    return bool(handler_unit_ids(user))


@rules.predicate
def is_lead_signer(user: Any, motion: Motion | None) -> bool:
    return (
        motion is not None
        and bool(getattr(user, "person_id", None))
        and motion.lead_signer_id == user.person_id
    )


def proposer_ids(motion: Motion) -> set[int]:
    """Everyone who must be answered: the signers of the motion and of every item merged into it.

    One query, kept on the motion object: an item's page asks several rules that need it (four
    queries a view before). A service that changes the signers works on a freshly read row."""

    def read() -> set[int]:
        rows = Signature.objects.filter(status=SignatureStatus.ACCEPTED).filter(
            Q(motion_id=motion.pk) | Q(motion__merged_into_id=motion.pk)
        )
        return set(rows.values_list("person_id", flat=True))

    return kept_on(motion, "proposer_ids", read)


@rules.predicate
def is_proposer(user: Any, motion: Motion | None) -> bool:
    person_id = getattr(user, "person_id", None)
    return motion is not None and bool(person_id) and person_id in proposer_ids(motion)


@rules.predicate
def is_office_staff(user: Any, motion: Motion | None) -> bool:
    return motion is not None and motion.jurisdiction_id in staff_jurisdictions(user, motion.kind)


@rules.predicate
def is_assigned_handler(user: Any, motion: Motion | None) -> bool:
    """A handler in a unit that holds a live (not returned) assignment of the motion."""
    if motion is None:
        return False
    units = handler_unit_ids(user)
    if not units:
        return False
    return motion.assignments.filter(unit_id__in=units).exclude(status=AssignmentStatus.RETURNED).exists()


@rules.predicate
def is_handler_of_assignment(user: Any, assignment: Assignment | None) -> bool:
    return assignment is not None and assignment.unit_id in handler_unit_ids(user)


@rules.predicate
def is_office_staff_of_assignment(user: Any, assignment: Assignment | None) -> bool:
    return assignment is not None and is_office_staff(user, assignment.motion)


@rules.predicate
def is_invitee(user: Any, signature: Signature | None) -> bool:
    person_id = getattr(user, "person_id", None)
    return signature is not None and bool(person_id) and signature.person_id == person_id


@rules.predicate
def is_proposer_of_assignment(user: Any, assignment: Assignment | None) -> bool:
    return assignment is not None and is_proposer(user, assignment.motion)


@rules.predicate
def is_signer(user: Any, motion: Motion | None) -> bool:
    """Lead signer, co-signer or invitee (an invitee reads the draft before signing)."""
    person_id = getattr(user, "person_id", None) or 0
    return motion is not None and bool(person_id) and motion.signatures.filter(person_id=person_id).exists()


@rules.predicate
def is_leader_in_scope(user: Any, motion: Motion | None) -> bool:
    """Congress leaders read suggestions and bills, CPPCC leaders proposals, of their place; no drafts."""
    if motion is None or motion.status == "draft":
        return False
    wanted = (
        (Role.CPPCC_CHAIR, Role.CPPCC_VICE_CHAIR)
        if motion.kind == MotionKind.PROPOSAL
        else (Role.SC_CHAIR, Role.SC_VICE_CHAIR)
    )
    return any(
        m.role in wanted and m.body is not None and m.body.jurisdiction_id == motion.jurisdiction_id
        for m in memberships_of(user)
    )


can_draft = is_deputy | is_cppcc_member
rules.add_perm("motions.add_motion", can_draft)
rules.add_perm("motions.change_motion", is_lead_signer)
rules.add_perm("motions.invite_motion", is_lead_signer)
rules.add_perm("motions.submit_motion", is_lead_signer)
rules.add_perm("motions.withdraw_motion", is_lead_signer)
rules.add_perm("motions.sign_signature", is_invitee)
rules.add_perm("motions.review_motion", is_office_staff)
rules.add_perm("motions.decide_bill", is_office_staff)
rules.add_perm("motions.assign_motion", is_office_staff)
rules.add_perm("motions.supervise_motion", is_office_staff)
rules.add_perm("motions.disclose_motion", is_office_staff)
rules.add_perm("motions.reply_motion", is_assigned_handler)
rules.add_perm("motions.rate_motion", is_proposer)
rules.add_perm("motions.handle_assignment", is_handler_of_assignment)
rules.add_perm("motions.extend_assignment", is_office_staff_of_assignment)
rules.add_perm("motions.reopen_assignment", is_proposer_of_assignment)
rules.add_perm(
    "motions.view_motion",
    is_signer | is_proposer | is_office_staff | is_assigned_handler | is_leader_in_scope,
)
rules.add_perm("motions.view_dashboard", is_leader | is_any_office_staff)
rules.add_perm("motions.list_motion", can_draft | is_any_office_staff | is_handler | is_leader)
