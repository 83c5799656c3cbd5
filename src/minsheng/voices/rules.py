"""Permissions of the voices app, as django-rules predicates: ``voices.<verb>_<model>``.

Who may do what comes from memberships (org.Membership), read once per user object:

- the deputy or member a voice is addressed to, the staff of its station, the staff of a body whose
  jurisdiction covers the voice's, and administrators *triage* it (answer, forward, refer, merge, adopt);
- handlers (Role.HANDLER) of the unit that holds its work order reply to it;
- the submitter (signed in, or proven by tracking code and phone: ``TrackingActor``) rates the answer.
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib.auth.models import AnonymousUser

from minsheng.org.models import LEADER_ROLES, STATION_KINDS, Role
from minsheng.org.rules import has_admin_role
from minsheng.org.selectors import memberships_of


class TrackingActor(AnonymousUser):
    """A person without an account who proved, with tracking code and phone, that a voice is theirs."""

    def __init__(self, voice_id: int) -> None:
        super().__init__()
        self.tracking_voice_id = voice_id


def _scope_ids(jurisdiction: Any) -> set[int]:
    """The jurisdiction and its ancestors: a staff member of any of them covers it."""
    ids: set[int] = set()
    node = jurisdiction
    while node is not None and node.pk not in ids:
        ids.add(node.pk)
        node = node.parent
    return ids


def station_ids_of(user: Any) -> set[int]:
    return {m.body_id for m in memberships_of(user) if m.role == Role.STATION_STAFF and m.body_id}


def handler_unit_ids_of(user: Any) -> set[int]:
    return {m.unit_id for m in memberships_of(user) if m.role == Role.HANDLER and m.unit_id}


def staff_jurisdiction_ids_of(user: Any) -> set[int]:
    """Jurisdictions where the user is staff of a (non-station) body."""
    return {
        m.body.jurisdiction_id
        for m in memberships_of(user)
        if m.role == Role.STAFF and m.body is not None and m.body.kind not in STATION_KINDS
    }


def representative_ids_of(user: Any) -> set[int]:
    return {m.pk for m in memberships_of(user) if m.role in (Role.DEPUTY, Role.CPPCC_MEMBER)}


@rules.predicate
def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def is_addressee(user: Any, voice: Any) -> bool:
    return (
        voice is not None
        and voice.addressed_to_id is not None
        and any(m.pk == voice.addressed_to_id for m in memberships_of(user))
    )


@rules.predicate
def is_station_staff_of(user: Any, voice: Any) -> bool:
    return voice is not None and voice.station_id is not None and voice.station_id in station_ids_of(user)


@rules.predicate
def is_staff_in_scope(user: Any, obj: Any) -> bool:
    if obj is None:
        return False
    mine = staff_jurisdiction_ids_of(user)
    return bool(mine) and bool(mine & _scope_ids(obj.jurisdiction))


@rules.predicate
def is_handler_of(user: Any, voice: Any) -> bool:
    """A handler in the unit of the voice's current (latest) work order."""
    if voice is None:
        return False
    units = handler_unit_ids_of(user)
    if not units:
        return False
    latest = voice.work_orders.order_by("-id").values_list("unit_id", flat=True).first()
    return latest in units


@rules.predicate
def is_submitter(user: Any, voice: Any) -> bool:
    if voice is None:
        return False
    if getattr(user, "tracking_voice_id", None) == voice.pk:
        return True
    return bool(getattr(user, "is_authenticated", False)) and voice.submitter_id == user.pk


@rules.predicate
def is_station_staff(user: Any) -> bool:
    return bool(station_ids_of(user))


@rules.predicate
def is_station_staff_of_body(user: Any, station: Any) -> bool:
    return station is not None and station.pk in station_ids_of(user)


@rules.predicate
def is_body_staff(user: Any) -> bool:
    return bool(staff_jurisdiction_ids_of(user))


@rules.predicate
def is_cppcc_member(user: Any) -> bool:
    return any(m.role == Role.CPPCC_MEMBER for m in memberships_of(user))


@rules.predicate
def is_report_author(user: Any, report: Any) -> bool:
    return report is not None and is_signed_in(user) and report.author_id == user.pk


@rules.predicate
def is_leader(user: Any) -> bool:
    return any(m.role in LEADER_ROLES for m in memberships_of(user))


@rules.predicate
def is_representative(user: Any) -> bool:
    return bool(representative_ids_of(user))


is_triager = is_addressee | is_station_staff_of | is_staff_in_scope | has_admin_role

rules.add_perm("voices.view_voice", is_triager | is_handler_of | is_submitter)
# Phone and name of the resident: only those who must contact them.
rules.add_perm("voices.view_contact_voice", is_triager | is_handler_of)
rules.add_perm("voices.answer_voice", is_triager)
rules.add_perm("voices.forward_voice", is_triager)
rules.add_perm("voices.refer_voice", is_triager)
rules.add_perm("voices.merge_voice", is_triager)
rules.add_perm("voices.adopt_voice", is_triager)
rules.add_perm("voices.reply_voice", is_handler_of)
rules.add_perm("voices.remind_voice", is_triager)
rules.add_perm("voices.rate_voice", is_submitter)
# Lists: anyone who has a queue of voices (the list shows only what each may see).
rules.add_perm(
    "voices.list_voice", is_representative | is_station_staff | is_body_staff | has_admin_role | is_leader
)
rules.add_perm("voices.export_voice", is_station_staff | is_body_staff | has_admin_role)
# Staff entry on a reception day, on the person's behalf.
rules.add_perm("voices.enter_voice", is_station_staff | is_body_staff | has_admin_role)
rules.add_perm("voices.add_receptionday", is_station_staff | is_body_staff | has_admin_role)
# On a station (org.Body): publish and cancel its reception days, see its voices' queue.
rules.add_perm("voices.manage_station", is_station_staff_of_body | is_staff_in_scope | has_admin_role)
rules.add_perm("voices.add_socialreport", is_cppcc_member | is_body_staff | has_admin_role)
rules.add_perm("voices.view_socialreport", is_report_author | is_body_staff | has_admin_role)
rules.add_perm("voices.change_socialreport", is_body_staff | has_admin_role)
# Work orders queue of a unit.
rules.add_perm("voices.list_workorder", rules.predicate(lambda user: bool(handler_unit_ids_of(user))))
