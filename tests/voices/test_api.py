"""The voices API: the same actions as the web, the same permissions, errors in the documented shape."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from minsheng.core.messaging import outbox
from minsheng.org.services import api_token_create
from minsheng.voices.models import SocialReport, Voice, VoiceStatus
from tests.voices.conftest import RESIDENT_PHONE, account


def bearer(username: str) -> dict[str, str]:
    user = account(username)
    _token, key = api_token_create(actor=user, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def post(client: Client, url: str, data: dict, **headers):
    return client.post(url, data, content_type="application/json", **headers)


def test_resident_submits_follows_and_rates_through_the_api(db, deputy_seat, transport_unit):
    client = Client()
    assert post(client, "/api/voices/codes", {"phone": RESIDENT_PHONE}).status_code == 200
    code = re.search(r"\d{6}", outbox[-1].body).group(0)
    response = client.post(
        "/api/voices/",
        {
            "text": "公交站台没有遮雨棚。",
            "phone": RESIDENT_PHONE,
            "code": code,
            "to": f"deputy:{deputy_seat.person_id}",
        },
    )
    assert response.status_code == 201, response.content
    tracking = response.json()["tracking_code"]
    voice = Voice.objects.get(tracking_code=tracking)
    assert voice.addressed_to == deputy_seat

    deputy = bearer("deputy")
    response = post(
        client,
        f"/api/voices/{voice.pk}/forward",
        {"unit_id": transport_unit.pk, "expected_state": "received"},
        **deputy,
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "forwarded"
    assert response.json()["phone"] == RESIDENT_PHONE  # the deputy may contact the person

    handler = bearer("handler")
    orders = client.get("/api/voices/work-orders", **handler).json()
    assert any(order["voice_id"] == voice.pk for order in orders)
    response = post(client, f"/api/voices/{voice.pk}/reply", {"text": "将于下月增设雨棚。"}, **handler)
    assert response.status_code == 200 and response.json()["status"] == "replied"

    tracked = post(client, "/api/voices/track", {"code": tracking, "phone": RESIDENT_PHONE}).json()
    assert tracked["can_rate"] and tracked["phone"] == "139****5678"
    assert [row["label"] for row in tracked["timeline"]][-1]
    response = post(
        client, "/api/voices/track/rate", {"code": tracking, "phone": RESIDENT_PHONE, "rating": "satisfied"}
    )
    assert response.status_code == 200
    assert Voice.objects.get(pk=voice.pk).status == VoiceStatus.CLOSED


def test_api_permissions_match_the_web(db, make_voice, transport_unit):
    voice = make_voice()
    client = Client()
    member = bearer("member")
    assert client.get(f"/api/voices/{voice.pk}", **member).status_code == 404
    response = post(client, f"/api/voices/{voice.pk}/forward", {"unit_id": transport_unit.pk}, **member)
    assert response.status_code == 404
    handler = bearer("handler")
    response = post(client, f"/api/voices/{voice.pk}/answer", {"text": "好的"}, **handler)
    assert response.status_code == 404  # handlers do not even see voices not forwarded to them
    assert client.get("/api/voices/").status_code == 401
    assert client.get("/api/voices/", **handler).status_code == 403
    assert Voice.objects.get(pk=voice.pk).status == VoiceStatus.RECEIVED


def test_api_conflict_and_wrong_state(db, make_voice, transport_unit):
    voice = make_voice()
    client = Client()
    staff = bearer("staff")
    ok = post(
        client,
        f"/api/voices/{voice.pk}/forward",
        {"unit_id": transport_unit.pk, "expected_state": "received"},
        **staff,
    )
    assert ok.status_code == 200
    again = post(
        client,
        f"/api/voices/{voice.pk}/refer",
        {"reason": "litigation", "expected_state": "received"},
        **staff,
    )
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    wrong = post(client, f"/api/voices/{voice.pk}/answer", {"text": "答复"}, **staff)
    assert wrong.status_code == 409 and wrong.json()["code"] == "invalid_transition"


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"text": "", "phone": RESIDENT_PHONE, "code": "123456"}, 400, "text"),
        ({"text": "<script>x</script>", "phone": RESIDENT_PHONE, "code": "123456"}, 400, "text"),
        ({"text": "路灯", "phone": "123", "code": "123456"}, 400, "phone"),
        ({"text": "路灯", "phone": RESIDENT_PHONE, "code": ""}, 403, "code"),
        ({"text": "路灯", "phone": RESIDENT_PHONE, "code": "000000"}, 403, "code"),
    ],
)
def test_api_bad_submissions(db, payload, status, field):
    client = Client()
    post(client, "/api/voices/codes", {"phone": RESIDENT_PHONE})
    response = client.post("/api/voices/", payload)
    assert response.status_code == status
    assert response.json()["field"] == field
    assert Voice.objects.count() == 0


def test_api_list_filters_and_search(db, make_voice, transport_unit):
    make_voice(text="垃圾分类投放点太远")
    make_voice(text="路灯不亮")
    client = Client()
    staff = bearer("staff")
    result = client.get("/api/voices/", {"q": "垃圾"}, **staff).json()
    assert result["count"] == 1 and "垃圾" in result["items"][0]["text"]
    assert client.get("/api/voices/", {"status": "closed"}, **staff).json()["count"] == 0


def test_api_reception_days_and_social_reports(db, home_station, deputy_seat):
    client = Client()
    station = bearer("station")
    day = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    body = {
        "station_id": home_station.pk,
        "date": day,
        "start_time": "09:00",
        "end_time": "11:00",
        "place": "代表之家一楼",
        "deputy_ids": [deputy_seat.pk],
    }
    response = post(client, "/api/voices/reception-days", body, **station)
    assert response.status_code == 201, response.content
    assert deputy_seat.person.name in response.json()["deputies"]
    public = client.get("/api/voices/reception-days").json()
    assert any(item["date"] == day for item in public)
    too_soon = {**body, "date": dt.date.today().isoformat()}
    assert post(client, "/api/voices/reception-days", too_soon, **station).status_code == 400
    handler = bearer("handler")
    assert post(client, "/api/voices/reception-days", body, **handler).status_code == 403

    member = bearer("member")
    response = post(client, "/api/voices/social-reports", {"title": "助餐点", "text": "覆盖不足"}, **member)
    assert response.status_code == 201
    report_id = response.json()["id"]
    assert post(client, f"/api/voices/social-reports/{report_id}/adopt", {}, **member).status_code == 403
    cppcc = bearer("cppcc_staff")
    assert post(client, f"/api/voices/social-reports/{report_id}/adopt", {}, **cppcc).status_code == 200
    assert SocialReport.objects.get(pk=report_id).status == "adopted"
    assert (
        post(client, "/api/voices/social-reports", {"title": "x", "text": "y"}, **handler).status_code == 403
    )


def test_api_export_follows_the_filters_and_permissions(db, make_voice):
    make_voice(text="垃圾分类投放点太远")
    make_voice(text="路灯不亮")
    client = Client()
    response = client.get("/api/voices/export.xlsx", {"q": "路灯"}, **bearer("staff"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and "路灯" in rows[1][-1]
    assert client.get("/api/voices/export.xlsx", **bearer("handler")).status_code == 403


def test_formula_text_is_neutralised_in_both_exports(db, make_voice):
    """The voices export (page and API) writes a resident's =HYPERLINK(...) as text (issue 12.6)."""
    from io import BytesIO

    from django.urls import reverse
    from openpyxl import load_workbook

    text = '=HYPERLINK("http://example.invalid/","路灯照片")'
    make_voice(text=text)
    staff = Client()
    staff.force_login(account("staff"))
    for response in (
        Client().get("/api/voices/export.xlsx", {"q": "路灯"}, **bearer("staff")),
        staff.get(reverse("voices:export"), {"q": "路灯"}),
    ):
        assert response.status_code == 200
        cells = [cell for row in load_workbook(BytesIO(response.content)).active.iter_rows() for cell in row]
        assert "'" + text in [cell.value for cell in cells]
        assert all(cell.data_type != "f" for cell in cells)
