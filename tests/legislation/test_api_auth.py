"""Issue 12.16: public reads see a bearer token, so an author reads their own unpublished draft."""

from __future__ import annotations

from typing import Any

from django.test import Client

from minsheng.org.services import api_token_create


def test_an_author_reads_their_own_draft_with_a_token(make_task: Any, staff: Any) -> None:
    task = make_task()  # accepted, not yet published for comment
    _token, key = api_token_create(actor=staff, user=staff, name="脚本")
    client = Client()
    assert client.get(f"/api/legislation/tasks/{task.pk}").status_code == 404
    response = client.get(f"/api/legislation/tasks/{task.pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200, response.content
    assert response.json()["task"]["title"] == task.title


def test_a_bad_token_on_a_public_read_is_refused_not_ignored(make_task: Any) -> None:
    task = make_task()
    response = Client().get(f"/api/legislation/tasks/{task.pk}", HTTP_AUTHORIZATION="Bearer ms_not-a-token")
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"
