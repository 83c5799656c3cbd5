"""Issue 12.16: a participant token obtained with an API token dies with that API token."""

from __future__ import annotations

from typing import Any

from django.test import Client

from minsheng.deliberation.models import Statement
from minsheng.org.services import api_token_create, api_token_revoke


def test_a_participant_token_dies_with_the_api_token_that_joined(world: Any, topic: Any) -> None:
    api_token, key = api_token_create(actor=world.member, user=world.member, name="投票脚本")
    client = Client()
    joined = client.post(f"/api/deliberation/topics/{topic.pk}/join", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert joined.status_code == 200, joined.content
    participant_token = joined.json()["token"]
    statement = Statement.objects.filter(topic=topic).first()

    def vote() -> Any:
        return client.post(
            f"/api/deliberation/topics/{topic.pk}/votes",
            {"statement": statement.pk, "vote": 1},
            content_type="application/json",
            HTTP_X_PARTICIPANT_TOKEN=participant_token,
        )

    assert vote().status_code == 200
    api_token_revoke(actor=world.member, token=api_token)
    refused = vote()
    assert refused.status_code == 403 and refused.json()["code"] == "invalid_participant_token"


def test_a_token_from_the_browser_is_not_tied_to_any_api_token(world: Any, topic: Any) -> None:
    browser = Client()
    browser.force_login(world.member)
    joined = browser.post(f"/api/deliberation/topics/{topic.pk}/join")
    assert joined.status_code == 200
    statement = Statement.objects.filter(topic=topic).first()
    response = Client().post(
        f"/api/deliberation/topics/{topic.pk}/votes",
        {"statement": statement.pk, "vote": -1},
        content_type="application/json",
        HTTP_X_PARTICIPANT_TOKEN=joined.json()["token"],
    )
    assert response.status_code == 200
