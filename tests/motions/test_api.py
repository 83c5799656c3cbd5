"""The motions API: the same services and permissions as the pages, errors in the API's format."""

from __future__ import annotations

import pytest

from minsheng.motions.models import Motion, MotionStatus
from tests.motions.builders import TEXT, assigned, lead_assignment, replied, submitted

pytestmark = pytest.mark.django_db


def as_user(client, accounts, username):
    client.force_login(accounts[username])
    return client


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_draft_submit_file_assign_reply_rate_over_the_api(client, accounts):
    as_user(client, accounts, "deputy")
    created = post(
        client, "/api/motions/", {"kind": "suggestion", "title": "关于增设路灯的建议", "text": TEXT}
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert post(client, f"/api/motions/{pk}/submit", {"state": "draft"}).json()["status"] == "submitted"
    as_user(client, accounts, "staff")
    assert post(client, f"/api/motions/{pk}/file", {"state": "submitted"}).json()["status"] == "filed"
    unit = accounts.unit("区交通运输局").pk
    body = post(client, f"/api/motions/{pk}/assign", {"mode": "lead_co", "lead_unit": unit})
    assert body.json()["status"] == "assigned"
    assignment = body.json()["assignments"][0]["id"]
    as_user(client, accounts, "handler")
    reply = post(
        client, f"/api/motions/assignments/{assignment}/reply", {"category": "A", "text": "已办结。"}
    )
    assert reply.status_code == 200, reply.content
    as_user(client, accounts, "deputy")
    rated = post(client, f"/api/motions/{pk}/rate", {"overall": "satisfied"})
    assert rated.json()["status"] == "closed"
    timeline = client.get(f"/api/motions/{pk}/timeline").json()
    assert [e["verb"] for e in timeline][-1] == "close"


def test_permission_denied_is_403_and_changes_nothing(client, accounts):
    motion = submitted(accounts, kind="proposal")
    as_user(client, accounts, "staff")  # the congress office may not review a CPPCC proposal
    response = post(client, f"/api/motions/{motion.pk}/file", {})
    assert response.status_code in (403, 404)
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.SUBMITTED


def test_stale_state_is_409(client, accounts):
    motion = assigned(accounts)
    as_user(client, accounts, "staff")
    response = post(client, f"/api/motions/{motion.pk}/decline", {"reason": "重复", "state": "submitted"})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_bad_input_is_400_with_a_field(client, accounts):
    as_user(client, accounts, "deputy")
    response = post(client, "/api/motions/", {"kind": "suggestion", "title": "标题", "text": "<b>粗体</b>"})
    assert response.status_code == 400 and response.json()["field"] == "text"
    response = post(client, "/api/motions/", {"kind": "suggestion", "title": "", "text": TEXT})
    assert response.status_code == 400 and response.json()["field"] == "title"


def test_public_api_masks_phones_and_needs_disclosure(client, accounts):
    motion = replied(accounts)
    assert client.get(f"/api/motions/public/{motion.pk}").status_code == 404
    as_user(client, accounts, "staff")
    reply = motion.replies.get()
    assert (
        post(client, f"/api/motions/replies/{reply.pk}/disclose", {"disclosure": "full"}).status_code == 200
    )
    client.logout()
    rows = client.get(f"/api/motions/public/{motion.pk}").json()
    assert "138****5678" in rows[0]["text"] and "13812345678" not in rows[0]["text"]


def test_list_is_scoped_to_the_user(client, accounts):
    motion = assigned(accounts)
    as_user(client, accounts, "handler")
    ids = [row["id"] for row in client.get("/api/motions/").json()["results"]]
    assert motion.pk in ids
    as_user(client, accounts, "member")
    ids = [row["id"] for row in client.get("/api/motions/").json()["results"]]
    assert motion.pk not in ids
    assert client.get(f"/api/motions/{motion.pk}").status_code == 404
    assert lead_assignment(motion).status == "pending"


def test_openapi_documents_the_motion_actions(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/motions/{pk}/submit",
        "/api/motions/{pk}/assign",
        "/api/motions/assignments/{pk}/reply",
        "/api/motions/{pk}/rate",
        "/api/motions/replies/{pk}/disclose",
        "/api/motions/public",
    ):
        assert path in paths


@pytest.mark.parametrize(
    ("username", "path", "body"),
    [
        ("member", "/api/motions/{pk}/file", {}),
        ("handler", "/api/motions/{pk}/decline", {"reason": "不符合条件"}),
        ("deputy", "/api/motions/{pk}/assign", {"mode": "separate", "units": []}),
        ("leader", "/api/motions/{pk}/merge", {"into": 1}),
        ("cppcc_staff", "/api/motions/{pk}/convert", {}),
        ("deputy", "/api/motions/{pk}/supervise", {"leader_id": 1}),
    ],
)
def test_api_refusals_change_nothing(client, accounts, username, path, body):
    from minsheng.core.models import Event

    motion = submitted(accounts)
    events = Event.objects.count()
    as_user(client, accounts, username)
    response = post(client, path.format(pk=motion.pk), body)
    assert response.status_code in (400, 403, 404, 409), response.content
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.SUBMITTED
    assert Event.objects.count() == events
