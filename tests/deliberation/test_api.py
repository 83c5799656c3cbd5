"""The API: bad input gets a clear 400 and changes nothing; every action has an endpoint."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from minsheng.deliberation.models import Statement, Topic, TopicStatus

pytestmark = pytest.mark.django_db


def _post(client, path, payload):
    return client.post(f"/api/deliberation{path}", data=json.dumps(payload), content_type="application/json")


@pytest.mark.parametrize(
    "payload",
    [
        {"title": "", "question": "问题"},
        {"title": "标" * 101, "question": "问题"},
        {"title": "标题", "question": "问" * 301},
        {"title": "标题"},
    ],
)
def test_bad_proposals_are_refused(world, payload):
    client = Client()
    client.force_login(world.member)
    response = _post(client, "/topics", {"body": world.committee.pk, **payload})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"
    assert not Topic.objects.exists()


def test_markup_is_refused_and_strangers_must_sign_in(world):
    assert (
        _post(Client(), "/topics", {"body": world.committee.pk, "title": "t", "question": "q"}).status_code
        == 401
    )
    client = Client()
    client.force_login(world.member)
    response = _post(
        client,
        "/topics",
        {"body": world.committee.pk, "title": "<script>alert(1)</script>路灯", "question": "修吗？"},
    )
    assert response.status_code == 400 and "HTML" in response.json()["detail"]
    assert response.json()["field"] == "title" and not Topic.objects.exists()
    assert _post(client, "/topics", {"body": 999999, "title": "t", "question": "q"}).status_code == 400


def test_the_topic_lifecycle_through_the_api(world):
    member, staff = Client(), Client()
    member.force_login(world.member)
    staff.force_login(world.staff)
    topic = _post(
        member, "/topics", {"body": world.committee.pk, "title": "公园", "question": "怎么改？"}
    ).json()
    assert _post(member, f"/topics/{topic['id']}/accept", {"seeds": ["甲"]}).status_code == 403
    accepted = _post(staff, f"/topics/{topic['id']}/accept", {"seeds": ["甲", "乙"], "moderation": "pre"})
    assert accepted.json()["status"] == TopicStatus.ACCEPTED
    assert _post(staff, f"/topics/{topic['id']}/seeds", {"texts": ["丙"]}).status_code == 201
    assert staff.post(f"/api/deliberation/topics/{topic['id']}/open").json()["status"] == "open"
    joined = member.post(f"/api/deliberation/topics/{topic['id']}/join").json()
    written = Client().post(
        f"/api/deliberation/topics/{topic['id']}/statements",
        data=json.dumps({"text": "增加健身器材"}),
        content_type="application/json",
        HTTP_X_PARTICIPANT_TOKEN=joined["token"],
    )
    assert written.status_code == 201 and written.json()["status"] == "pending"
    public = Client().get(f"/api/deliberation/topics/{topic['id']}/statements").json()
    assert "增加健身器材" not in [s["text"] for s in public]
    moderated = _post(staff, f"/statements/{written.json()['id']}/moderate", {"action": "publish"})
    assert moderated.json()["status"] == "published"
    assert Statement.objects.filter(topic_id=topic["id"], status="published").count() == 4
    assert _post(staff, f"/topics/{topic['id']}/reject", {"reason": "x"}).status_code == 409
