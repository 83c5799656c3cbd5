"""Issue 12.11: no input makes a 5xx. Huge integers, huge bodies and broken multipart get the usual
JSON error (400/413), and the OpenAPI document states the bounds."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from minsheng.org.models import User
from minsheng.org.services import api_token_create

pytestmark = pytest.mark.django_db
HUGE = 2**64 + 7  # above every integer column (2⁶³ − 1)


def bearer(username: str) -> dict[str, str]:
    user = User.objects.get(username=username)
    _token, key = api_token_create(actor=user, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def assert_json_error(response: Any, statuses: set[int]) -> dict[str, Any]:
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    body = json.loads(response.content)
    assert set(body) == {"detail", "code", "field"} and body["detail"]
    return body


GETS = [
    f"/api/people/{HUGE}",
    f"/api/motions/{HUGE}",
    f"/api/motions/public/{HUGE}",
    f"/api/motions/?unit={HUGE}&term={HUGE}",
    f"/api/voices/{HUGE}",
    f"/api/voices/?unit_id={HUGE}",
    f"/api/legislation/tasks/{HUGE}",
    f"/api/legislation/tasks/1/diff?from_version={HUGE}&to_version={HUGE}",
    f"/api/deliberation/topics/{HUGE}",
    f"/api/deliberation/topics/{HUGE}/statements",
]

POSTS = [
    (f"/api/voices/{HUGE}/forward", {"unit_id": HUGE, "expected_state": "received"}),
    ("/api/voices/1/merge", {"into_id": HUGE}),
    (
        "/api/voices/reception-days",
        {
            "station_id": HUGE,
            "date": "2030-01-01",
            "start_time": "09:00",
            "end_time": "11:00",
            "place": "联络站",
            "deputy_ids": [HUGE],
        },
    ),
    ("/api/motions/1/invite", {"person_ids": [HUGE]}),
    ("/api/motions/1/merge", {"into": HUGE, "expected_state": "filed"}),
    ("/api/motions/1/assign", {"lead_unit": HUGE, "co_units": [HUGE], "expected_state": "filed"}),
    ("/api/motions/assignments/1/reassign", {"unit": HUGE}),
    ("/api/deliberation/topics", {"body": HUGE, "title": "题", "question": "问？"}),
    ("/api/deliberation/topics/1/accept", {"sector": HUGE, "people": [HUGE]}),
    ("/api/deliberation/topics/1/votes", {"statement": HUGE, "vote": 1}),
    ("/api/deliberation/meetings/1/outcomes", {"unit": HUGE, "text": "落实"}),
]


@pytest.mark.parametrize("url", GETS)
def test_huge_ids_in_paths_and_queries_are_bad_input(url: str) -> None:
    assert_json_error(Client().get(url), {400, 401})  # signed out: a private read asks to sign in first
    assert_json_error(Client().get(url, **bearer("admin")), {400})


@pytest.mark.parametrize(("url", "payload"), POSTS)
def test_huge_ids_in_bodies_are_bad_input(url: str, payload: dict[str, Any]) -> None:
    response = Client().post(url, payload, content_type="application/json", **bearer("admin"))
    assert_json_error(response, {400})


def test_a_body_over_the_limit_is_413() -> None:
    body = json.dumps({"text": "字" * (1024 * 1024)})  # 3 MB of UTF-8
    response = Client().post("/api/voices/codes", body, content_type="application/json")
    assert_json_error(response, {413})


def test_multipart_without_a_boundary_is_bad_input() -> None:
    response = Client().post(
        "/api/voices/", b"--x\r\n", content_type="multipart/form-data", **bearer("admin")
    )
    assert_json_error(response, {400, 415})


def test_the_document_states_the_bounds() -> None:
    document = Client().get("/api/openapi.json").json()
    parameters = document["paths"]["/api/people/{id}"]["get"]["parameters"]
    schema = next(p["schema"] for p in parameters if p["name"] == "id")
    assert schema["maximum"] == 2**63 - 1 and schema["minimum"] == 1
