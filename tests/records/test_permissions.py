"""Who sees rankings and drafts: role × state × action, through the rules and through the pages; a refusal
changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from minsheng.org.models import Membership, Role, User
from minsheng.records import services
from minsheng.records.models import AnnualReport, PointsScheme, ReportStatus
from minsheng.records.selectors import this_year
from tests.records.conftest import account

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "deputy", "other_deputy", "staff", "cppcc_staff", "admin")


def _user(role: str):
    if role == "anonymous":
        return AnonymousUser()
    if role == "other_deputy":
        seat = (
            Membership.objects.filter(role=Role.DEPUTY, body__kind="congress")
            .exclude(person__user__username="deputy")
            .select_related("person")
            .order_by("id")
            .first()
        )
        return User.objects.filter(person=seat.person).first() or User.objects.create_user(
            username="other-deputy", password="a-long-password", person=seat.person
        )
    return account(role)


@pytest.fixture
def report() -> AnnualReport:
    deputy = account("deputy")
    seat = Membership.objects.filter(person=deputy.person, role=Role.DEPUTY, body__kind="congress").first()
    return services.annual_report_start(actor=deputy, person=deputy.person, body=seat.body, year=this_year())


# (role, state) → allowed, for each permission on the deputy's report. The demo administrator is a
# superuser, whom Django grants every permission: the services' transition tables still refuse an
# approval of a draft or an edit of a submitted report (test_services).
SUPERUSER = "admin"
VIEW_DRAFT = {"deputy", "staff", SUPERUSER}
EDIT_DRAFT = {"deputy", SUPERUSER}
APPROVE_SUBMITTED = {"staff", SUPERUSER}


@pytest.mark.parametrize("role", ROLES)
def test_report_permissions_by_role_and_state(role, report):
    user = _user(role)
    assert user.has_perm("records.view_annualreport", report) == (role in VIEW_DRAFT)
    assert user.has_perm("records.change_annualreport", report) == (role in EDIT_DRAFT)
    assert user.has_perm("records.approve_annualreport", report) == (role == SUPERUSER)
    report.status = ReportStatus.SUBMITTED
    assert user.has_perm("records.approve_annualreport", report) == (role in APPROVE_SUBMITTED)
    assert user.has_perm("records.change_annualreport", report) == (role == SUPERUSER)
    report.status = ReportStatus.PUBLISHED
    assert user.has_perm("records.view_annualreport", report), "a published report is public"


@pytest.mark.parametrize("role", ROLES)
def test_rankings_are_for_staff_until_published(role, report):
    user = _user(role)
    scheme = PointsScheme.objects.create(body=report.body, year=this_year())
    staff_like = role in {"staff", "admin"}
    assert user.has_perm("records.view_rankings", scheme) == staff_like
    assert user.has_perm("records.export_body", report.body) == staff_like
    scheme.rankings_public = True
    assert user.has_perm("records.view_rankings", scheme)


@pytest.mark.parametrize("role", ROLES)
def test_pages_refuse_and_change_nothing(role, report):
    client = Client()
    user = _user(role)
    if role != "anonymous":
        client.force_login(user)
    PointsScheme.objects.create(body=report.body, year=this_year())
    body_page = client.get(f"/records/bodies/{report.body_id}/")
    assert body_page.status_code == (200 if role in {"staff", "admin"} else 404)
    draft_page = client.get(f"/records/reports/{report.pk}/")
    assert draft_page.status_code == (200 if role in VIEW_DRAFT else 404)
    export = client.get(f"/records/bodies/{report.body_id}/export.xlsx")
    assert export.status_code == (200 if role in {"staff", "admin"} else 404)
    if role not in EDIT_DRAFT:
        client.post(f"/records/reports/{report.pk}/", {"text": "别人写的"})
        client.post(f"/records/reports/{report.pk}/submit/", {"state": "draft"})
        report.refresh_from_db()
        assert (report.text, report.status) == ("", ReportStatus.DRAFT), "a refusal changes nothing"
