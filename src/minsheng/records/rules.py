"""Permissions of the records app, as django-rules predicates: ``records.<verb>_<model>``.

Who sees what (tests/records/test_permissions.py):
- the public record of a deputy or member (counts, published acts, published reports): everyone;
- rankings and the body's points table: the body's staff and administrators, everyone once the body
  publishes them (``PointsScheme.rankings_public``);
- an annual report draft: its person (who edits it while it is a draft) and the body's staff (who
  approve it); a published report: everyone;
- the my-duties inbox: every signed-in user (it lists only their own work).

A staff seat covers the representative bodies of its own organisation: the congress or CPPCC
committee at the top of its body's parent chain (a working body of the standing committee → the
congress).
"""

from __future__ import annotations

from typing import Any

import rules

from minsheng.org.models import REPRESENTATIVE_ROLES, Body, Role
from minsheng.org.rules import has_admin_role, is_signed_in
from minsheng.org.selectors import memberships_of
from minsheng.records.models import AnnualReport, PointsScheme, ReportStatus

STAFF_ROLES = (Role.STAFF,)


def root_body_id(body: Body) -> int:
    """The top of a body's parent chain (the congress or CPPCC committee it belongs to)."""
    node = body
    while node.parent_id is not None and node.parent is not None:
        node = node.parent
    return node.pk


def staff_root_ids(user: Any) -> set[int]:
    return {
        root_body_id(m.body) for m in memberships_of(user) if m.role in STAFF_ROLES and m.body is not None
    }


def staff_covers(user: Any, body: Body | None) -> bool:
    return body is not None and root_body_id(body) in staff_root_ids(user)


@rules.predicate
def is_body_staff(user: Any, obj: Any) -> bool:
    body = obj if isinstance(obj, Body) else getattr(obj, "body", None)
    return staff_covers(user, body)


@rules.predicate
def is_any_records_staff(user: Any) -> bool:
    return bool(staff_root_ids(user))


@rules.predicate
def rankings_published(user: Any, obj: Any) -> bool:
    if isinstance(obj, PointsScheme):
        return obj.rankings_public
    if isinstance(obj, Body):
        return PointsScheme.objects.filter(body=obj, rankings_public=True).exists()
    return False


@rules.predicate
def is_report_person(user: Any, report: AnnualReport | None) -> bool:
    person_id = getattr(user, "person_id", None)
    return report is not None and person_id is not None and report.person_id == person_id


@rules.predicate
def is_draft(user: Any, report: AnnualReport | None) -> bool:
    return report is not None and report.status == ReportStatus.DRAFT


@rules.predicate
def is_submitted(user: Any, report: AnnualReport | None) -> bool:
    return report is not None and report.status == ReportStatus.SUBMITTED


@rules.predicate
def is_published(user: Any, report: AnnualReport | None) -> bool:
    return report is not None and report.status == ReportStatus.PUBLISHED


rules.add_perm("records.view_record", rules.always_allow)
rules.add_perm("records.view_rankings", has_admin_role | is_body_staff | rankings_published)
rules.add_perm("records.manage_records", has_admin_role | is_any_records_staff)
rules.add_perm("records.export_body", has_admin_role | is_body_staff)
rules.add_perm("records.view_annualreport", is_published | is_report_person | is_body_staff | has_admin_role)
rules.add_perm("records.change_annualreport", is_report_person & is_draft)
rules.add_perm("records.submit_annualreport", is_report_person & is_draft)
rules.add_perm("records.approve_annualreport", (is_body_staff | has_admin_role) & is_submitted)
rules.add_perm(
    "records.return_annualreport", (is_body_staff | has_admin_role) & (is_submitted | is_published)
)
rules.add_perm("records.view_inbox", is_signed_in)


@rules.predicate
def may_configure(user: Any, obj: Any) -> bool:
    """Points schemes and reading groups: a body's staff for that body (any records staff on the lists)."""
    if obj is None:
        return is_any_records_staff(user)
    body = getattr(obj, "body", None) or getattr(getattr(obj, "scheme", None), "body", None)
    return staff_covers(user, body) if body is not None else is_any_records_staff(user)


# The admin asks view/add/change/delete of each model (core.admin.RulesAdminMixin).
for _model in ("pointsscheme", "pointrule", "readinggroup", "book"):
    for _action in ("view", "add", "change", "delete"):
        rules.add_perm(f"records.{_action}_{_model}", has_admin_role | may_configure)
rules.add_perm("records.view_recordentry", has_admin_role | is_any_records_staff)
rules.add_perm("records.add_readingnote", is_signed_in)


@rules.predicate
def holds_seat_in_group_body(user: Any, group: Any) -> bool:
    """A deputy or member of the reading group's body (or a body under the same congress or committee)."""
    body = getattr(group, "body", None)
    if body is None:
        return False
    root = root_body_id(body)
    return any(
        m.role in REPRESENTATIVE_ROLES and m.body is not None and root_body_id(m.body) == root
        for m in memberships_of(user)
    )


rules.add_perm("records.join_readinggroup", is_signed_in & holds_seat_in_group_body)
rules.add_perm("records.approve_annualreports", has_admin_role | is_any_records_staff)


@rules.predicate
def is_group_member(user: Any, group: Any) -> bool:
    person_id = getattr(user, "person_id", None)
    return person_id is not None and group is not None and group.members.filter(pk=person_id).exists()


rules.add_perm("records.view_readingnotes", is_signed_in & (is_group_member | is_body_staff | has_admin_role))


@rules.predicate
def is_the_person_or_their_staff(user: Any, person: Any) -> bool:
    """The person themselves, or staff of a body where the person holds a seat."""
    if person is None:
        return False
    if getattr(user, "person_id", None) == person.pk:
        return True
    roots = staff_root_ids(user)
    if not roots:
        return False
    from minsheng.org.models import Membership

    seats = Membership.objects.filter(person=person, role__in=REPRESENTATIVE_ROLES, body__isnull=False)
    bodies = [seat.body for seat in seats.select_related("body") if seat.body is not None]
    return any(root_body_id(body) in roots for body in bodies)


rules.add_perm("records.change_photo", is_signed_in & (is_the_person_or_their_staff | has_admin_role))
