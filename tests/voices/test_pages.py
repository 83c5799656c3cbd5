"""Every page renders for the roles that use it, in Chinese, within a query budget independent of rows."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from minsheng.voices import demo
from minsheng.voices.models import Voice, WorkOrder
from minsheng.voices.services import voice_forward
from tests.voices.conftest import account


@pytest.fixture
def seeded(db):
    demo.seed()


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(account(username))
    return client


LIST_PAGES = [
    ("staff", "voices:list", {}),
    ("staff", "voices:list", {"q": "红绿灯"}),
    ("staff", "voices:list", {"status": "forwarded", "overdue": "on"}),
    ("deputy", "voices:list", {}),
    ("station", "voices:list", {}),
    ("handler", "voices:work_orders", {}),
    ("station", "voices:reception", {}),
    ("member", "voices:reports", {}),
    ("station", "voices:qr_index", {}),
    ("staff", "web:me", {}),
    ("handler", "web:me", {}),
    ("station", "web:me", {}),
    ("deputy", "web:me", {}),
]


def _more_voices(make_voice, transport_unit, count: int) -> None:
    staff = account("staff")
    for i in range(count):
        voice = make_voice(text=f"第{i}条测试诉求：道路需要维修。")
        voice_forward(actor=staff, voice=voice, unit=transport_unit)


# The role home gathers one panel set from every app's desk.py (voices, motions, legislation, deliberation,
# oversight, meetings, …): its budget grows with the apps, never with the rows.
DESK_QUERY_BUDGET = 45


@pytest.mark.parametrize(("username", "name", "params"), LIST_PAGES)
def test_list_pages_have_a_query_budget_independent_of_rows(
    seeded, make_voice, transport_unit, django_assert_max_num_queries, username, name, params
):
    client = client_for(username)
    url = reverse(name)
    budget = DESK_QUERY_BUDGET if name == "web:me" else 30
    with django_assert_max_num_queries(budget) as small:
        response = client.get(url, params)
    assert response.status_code == 200
    _more_voices(make_voice, transport_unit, 30)
    with django_assert_max_num_queries(budget) as large:
        response = client.get(url, params)
    assert response.status_code == 200
    assert len(large.captured_queries) <= len(small.captured_queries)


def test_resident_form_and_tracking_pages_are_public(seeded, deputy_seat):
    client = Client()
    response = client.get(reverse("voices:new"), {"to": f"deputy:{deputy_seat.person_id}", "via": "qr"})
    assert response.status_code == 200
    assert deputy_seat.person.name in response.content.decode()
    assert client.get(reverse("voices:track")).status_code == 200
    assert client.get(reverse("voices:reception")).status_code == 200


def test_detail_page_shows_timeline_and_actions(seeded):
    voice = Voice.objects.get(tracking_code=demo.DEMO_TRACKING_CODE)
    response = client_for("handler").get(reverse("voices:detail", args=[voice.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert voice.phone in body  # the handler must be able to call the person
    assert "区交通运输局" in body


def test_detail_is_hidden_from_unrelated_roles(seeded):
    voice = Voice.objects.get(tracking_code=demo.DEMO_TRACKING_CODE)
    assert client_for("member").get(reverse("voices:detail", args=[voice.pk])).status_code == 404
    assert Client().get(reverse("voices:detail", args=[voice.pk])).status_code == 302


def test_export_is_an_xlsx_of_the_filtered_list(seeded):
    from io import BytesIO

    from openpyxl import load_workbook

    response = client_for("staff").get(reverse("voices:export"), {"q": "红绿灯"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) >= 2
    assert all("红绿灯" in row[-1] for row in rows[1:])


def test_export_denied_to_handlers(seeded):
    assert client_for("handler").get(reverse("voices:export")).status_code == 403


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_qr_codes_encode_the_form_link(seeded, deputy_seat, home_station, fmt):
    client = Client()
    response = client.get(reverse("voices:qr_image", args=["deputy", deputy_seat.person_id, fmt]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    response = client.get(reverse("voices:qr_image", args=["station", home_station.pk, fmt]))
    assert response.status_code == 200
    assert client.get(reverse("voices:qr_image", args=["station", 999999, fmt])).status_code == 404


def test_handler_desk_marks_overdue_work_orders_red(seeded):
    WorkOrder.objects.filter(unit__name="区交通运输局", status="open").update(due="2020-01-01")
    body = client_for("handler").get(reverse("web:me")).content.decode()
    assert 'class="overdue"' in body


def test_only_those_who_may_draft_a_motion_are_offered_to_draft_from_a_voice(make_voice):
    voice = make_voice()
    draft = f"/motions/new/?voice={voice.pk}"
    staff = client_for("staff").get(reverse("voices:detail", args=[voice.pk])).content.decode()
    assert draft not in staff  # staff triage voices but do not draft motions: the link would answer 404
    deputy = client_for("deputy")
    assert draft in deputy.get(reverse("voices:detail", args=[voice.pk])).content.decode()
    assert deputy.get(draft).status_code == 200
