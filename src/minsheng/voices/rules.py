"""Permissions of the voices app, as django-rules predicates: ``voices.<verb>_<model>``.

Who may do what comes from memberships (org.Membership), read once per user object:

- the deputy or member a voice is addressed to, the staff of its station, the staff of the office
  the voice belongs to whose jurisdiction covers the voice's, and administrators *triage* it (answer,
  forward, refer, merge, adopt). A voice to a CPPCC member belongs to the CPPCC's office (its
  committee and special committees); every other voice to the congress's (the standing committee
  and its working bodies: ``org.models.CONGRESS_OFFICE_KINDS``). Staff of a legislative contact
  point, a consultation room or a members' studio have no voices to handle;
- handlers (Role.HANDLER) of the unit that holds its work order reply to it, return it or ask for
  more time; those who triage the voice decide on the request;
- the submitter (signed in, or proven by tracking code and phone: ``TrackingActor``) rates the answer.
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib.auth.models import AnonymousUser

from minsheng.org.models import (
    CONGRESS_OFFICE_KINDS,
    CPPCC_OFFICE_KINDS,
    CPPCC_PLACE_KINDS,
    LEADER_ROLES,
    Role,
)
from minsheng.org.rules import has_admin_role
from minsheng.org.selectors import jurisdiction_tree, memberships_of


class TrackingActor(AnonymousUser):
    """A person without an account who proved, with tracking code and phone, that a voice is theirs."""

    def __init__(self, voice_id: int) -> None:
        super().__init__()
        self.tracking_voice_id = voice_id


def _scope_ids(user: Any, jurisdiction_id: int | None) -> set[int]:
    """The jurisdiction and its ancestors: a staff member of any of them covers it."""
    return set(jurisdiction_tree().lineage(jurisdiction_id))


def station_ids_of(user: Any) -> set[int]:
    return {m.body_id for m in memberships_of(user) if m.role == Role.STATION_STAFF and m.body_id}


def handler_unit_ids_of(user: Any) -> set[int]:
    return {m.unit_id for m in memberships_of(user) if m.role == Role.HANDLER and m.unit_id}


def _office_jurisdiction_ids(user: Any, kinds: tuple[str, ...]) -> set[int]:
    return {
        m.body.jurisdiction_id
        for m in memberships_of(user)
        if m.role == Role.STAFF and m.body is not None and m.body.kind in kinds
    }


def congress_office_ids_of(user: Any) -> set[int]:
    """Jurisdictions where the user is staff of the congress's office (voices to deputies, stations)."""
    return _office_jurisdiction_ids(user, CONGRESS_OFFICE_KINDS)


def cppcc_office_ids_of(user: Any) -> set[int]:
    """Jurisdictions where the user is staff of the CPPCC's office (voices to members, reports)."""
    return _office_jurisdiction_ids(user, CPPCC_OFFICE_KINDS)


def staff_jurisdiction_ids_of(user: Any) -> set[int]:
    """Jurisdictions where the user is staff of an office that handles voices (either one)."""
    return congress_office_ids_of(user) | cppcc_office_ids_of(user)


def voice_is_cppcc(voice: Any) -> bool:
    """A voice to a CPPCC member belongs to the CPPCC's office; every other one to the congress's."""
    return voice.addressed_to_id is not None and voice.addressed_to.role == Role.CPPCC_MEMBER


def office_ids_for(user: Any, obj: Any) -> set[int]:
    """The user's office jurisdictions that count for ``obj``: a voice's office, or the congress's for
    a station (deputies' homes and liaison stations are the congress's)."""
    if hasattr(obj, "addressed_to_id") and voice_is_cppcc(obj):
        return cppcc_office_ids_of(user)
    return congress_office_ids_of(user)


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
    """Staff of the office ``obj`` (a voice or a station) belongs to, in a jurisdiction covering it."""
    if obj is None:
        return False
    mine = office_ids_for(user, obj)
    return bool(mine) and bool(mine & _scope_ids(user, obj.jurisdiction_id))


@rules.predicate
def is_handler_of(user: Any, voice: Any) -> bool:
    """A handler in the unit of the voice's current (latest) work order; a returned one is not theirs."""
    if voice is None:
        return False
    units = handler_unit_ids_of(user)
    if not units:
        return False
    latest = (
        voice.work_orders.exclude(status="returned").order_by("-id").values_list("unit_id", flat=True).first()
    )
    return latest in units


@rules.predicate
def is_handler_of_work_order(user: Any, work_order: Any) -> bool:
    return work_order is not None and work_order.unit_id in handler_unit_ids_of(user)


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
    """Staff of an office that handles voices (the congress's or the CPPCC's)."""
    return bool(staff_jurisdiction_ids_of(user))


@rules.predicate
def is_congress_office_staff(user: Any) -> bool:
    """Staff of the congress's office: they run stations and record visits on reception days."""
    return bool(congress_office_ids_of(user))


@rules.predicate
def is_cppcc_office_staff(user: Any) -> bool:
    return bool(cppcc_office_ids_of(user))


@rules.predicate
def is_cppcc_place_staff(user: Any) -> bool:
    """Staff of a consultation room or members' studio: with the social-conditions information point,
    the CPPCC's three-in-one grassroots platform."""
    return any(
        m.role == Role.STAFF and m.body is not None and m.body.kind in CPPCC_PLACE_KINDS
        for m in memberships_of(user)
    )


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


@rules.predicate
def routes_work_order(user: Any, work_order: Any) -> bool:
    """Those who route the work order's voice decide on its unit's request for more time."""
    return work_order is not None and bool(is_triager(user, work_order.voice))


@rules.predicate
def is_submitter_of_work_order(user: Any, work_order: Any) -> bool:
    return work_order is not None and bool(is_submitter(user, work_order.voice))


rules.add_perm("voices.view_voice", is_triager | is_handler_of | is_submitter)
# Phone and name of the resident: only those who must contact them.
rules.add_perm("voices.view_contact_voice", is_triager | is_handler_of)
rules.add_perm("voices.answer_voice", is_triager)
rules.add_perm("voices.forward_voice", is_triager)
rules.add_perm("voices.refer_voice", is_triager)
rules.add_perm("voices.merge_voice", is_triager)
rules.add_perm("voices.adopt_voice", is_triager)
rules.add_perm("voices.reply_voice", is_handler_of)
rules.add_perm("voices.return_voice", is_handler_of)
# A unit's work order: reply, return it or ask for more time (the unit's own acts); grant or refuse
# more time (those who route the voice); reopen after a dissatisfied rating (the person's).
rules.add_perm("voices.handle_workorder", is_handler_of_work_order)
rules.add_perm("voices.decide_workorder", routes_work_order)
rules.add_perm("voices.reopen_workorder", is_submitter_of_work_order)
rules.add_perm("voices.remind_voice", is_triager)
rules.add_perm("voices.rate_voice", is_submitter)
# Lists: anyone who has a queue of voices (the list shows only what each may see).
rules.add_perm(
    "voices.list_voice", is_representative | is_station_staff | is_body_staff | has_admin_role | is_leader
)
rules.add_perm("voices.export_voice", is_station_staff | is_body_staff | has_admin_role)
# Staff entry on a reception day, on the person's behalf (stations are the congress's).
rules.add_perm("voices.enter_voice", is_station_staff | is_congress_office_staff | has_admin_role)
rules.add_perm("voices.add_receptionday", is_station_staff | is_congress_office_staff | has_admin_role)
# On a station (org.Body): publish and cancel its reception days, see its voices' queue.
rules.add_perm("voices.manage_station", is_station_staff_of_body | is_staff_in_scope | has_admin_role)


@rules.predicate
def manages_station_of_day(user: Any, day: Any) -> bool:
    """Staff of the day's station, or of the congress's office over it (as ``voices.manage_station``)."""
    if day is None:
        return False
    station = day.station
    return bool(is_station_staff_of_body(user, station) or is_staff_in_scope(user, station))


@rules.predicate
def receives_on_day(user: Any, day: Any) -> bool:
    """One of the deputies announced to receive on the day."""
    seats = {m.pk for m in memberships_of(user) if m.role == Role.DEPUTY}
    return day is not None and bool(seats) and day.deputies.filter(pk__in=seats).exists()


# On a reception day: its receiving deputies and the station's staff record that it was held (the
# duty record counts held days only); the station's staff cancel it.
rules.add_perm("voices.hold_receptionday", receives_on_day | manages_station_of_day | has_admin_role)
rules.add_perm("voices.cancel_receptionday", manages_station_of_day | has_admin_role)
# Social-conditions reports (社情民意) are the CPPCC's: its members and grassroots places file them (and
# the congress's office, forwarding a declined suggestion's content); the CPPCC's office adopts them.
files_reports = is_cppcc_member | is_cppcc_office_staff | is_cppcc_place_staff | is_congress_office_staff
rules.add_perm("voices.add_socialreport", files_reports | has_admin_role)
rules.add_perm("voices.view_socialreport", is_report_author | is_cppcc_office_staff | has_admin_role)
rules.add_perm("voices.change_socialreport", is_cppcc_office_staff | has_admin_role)
# Work orders queue of a unit.
rules.add_perm("voices.list_workorder", rules.predicate(lambda user: bool(handler_unit_ids_of(user))))
