"""The annual report (docx) carries the person's words and the record's figures; the body's xlsx has every
person, their counts and points, and no cell that a spreadsheet would run as a formula. The points
scheme's admin raises the version on every change and records it."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook

from minsheng.core.models import Event
from minsheng.org.models import Membership, Role
from minsheng.records import services
from minsheng.records.engine import record_update
from minsheng.records.models import PointRule, PointsScheme
from minsheng.records.selectors import this_year
from tests.records.conftest import account

pytestmark = pytest.mark.django_db


@pytest.fixture
def seat() -> Membership:
    return (
        Membership.objects.filter(person__user__username="deputy", role=Role.DEPUTY)
        .select_related("body", "person")
        .first()
    )


def test_the_annual_report_docx(seat):
    deputy = account("deputy")
    report = services.annual_report_start(actor=deputy, person=seat.person, body=seat.body, year=this_year())
    services.annual_report_edit(actor=deputy, report=report, text="一年来我接待选民十二次。\n第二段。")
    client = Client()
    client.force_login(deputy)
    response = client.get(f"/records/reports/{report.pk}/report.docx")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert seat.person.name in text and "一年来我接待选民十二次。" in text and "第二段。" in text


def test_the_body_xlsx_neutralises_formulas(seat):
    record_update()
    seat.person.name = '=HYPERLINK("http://x")'
    seat.person.save(update_fields=["name"])
    scheme = PointsScheme.objects.create(body=seat.body, year=this_year())
    PointRule.objects.create(scheme=scheme, kind="voice_received", points=Decimal(1))
    client = Client()
    client.force_login(account("staff"))
    response = client.get(f"/records/bodies/{seat.body_id}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://x")' in names and not any(str(n).startswith("=") for n in names)
    assert (
        sheet.max_row - 1
        == Membership.objects.filter(body=seat.body, role=Role.DEPUTY).values("person").distinct().count()
    )


def test_changing_a_scheme_in_the_admin_raises_its_version(seat):
    scheme = PointsScheme.objects.create(body=seat.body, year=this_year())
    rule = PointRule.objects.create(scheme=scheme, kind="reception_day", points=Decimal(2))
    client = Client()
    client.force_login(account("staff"))
    form = {
        "body": seat.body_id, "year": this_year(), "note": "",
        "rules-TOTAL_FORMS": 2, "rules-INITIAL_FORMS": 1,
        "rules-0-id": rule.pk, "rules-0-scheme": scheme.pk, "rules-0-kind": "reception_day",
        "rules-0-points": "3", "rules-0-bonus_points": "0",
        "rules-1-scheme": scheme.pk, "rules-1-bonus_points": "0",
    }  # fmt: skip
    response = client.post(f"/admin/records/pointsscheme/{scheme.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    scheme.refresh_from_db()
    rule.refresh_from_db()
    assert scheme.version == 2 and rule.points == 3
    assert Event.objects.filter(verb="version", target_id=str(scheme.pk)).exists()
    assert Event.objects.filter(
        verb="admin_changed", payload__parent=f"records.pointsscheme:{scheme.pk}"
    ).exists()
