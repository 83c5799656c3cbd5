"""Issue 12.17: two people saving the same draft: the second gets a conflict, nothing is lost."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.utils import translation

from minsheng.core.errors import ConflictError, version_of
from minsheng.motions import services
from minsheng.motions.models import Motion
from minsheng.org.services import api_token_create
from tests.motions.builders import Accounts, draft

pytestmark = pytest.mark.django_db


def test_the_second_save_of_the_same_version_is_a_conflict(accounts: Accounts) -> None:
    motion = draft(accounts)
    opened = version_of(motion.updated_at)  # both editors opened this version
    services.motion_update(
        actor=accounts["deputy"],
        motion=motion,
        title="第一位的标题",
        text="第一位的正文",
        expected_version=opened,
    )
    with translation.override("zh-hans"), pytest.raises(ConflictError) as conflict:
        services.motion_update(
            actor=accounts["deputy"],
            motion=motion,
            title="第二位的标题",
            text="第二位的正文",
            expected_version=opened,
        )
    assert "请刷新" in conflict.value.message or "刷新" in conflict.value.message
    kept = Motion.objects.get(pk=motion.pk)
    assert (kept.title, kept.text) == ("第一位的标题", "第一位的正文")


def test_the_api_answers_409_to_a_stale_edit(accounts: Accounts) -> None:
    motion = draft(accounts)
    _token, key = api_token_create(actor=accounts["deputy"], user=accounts["deputy"], name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client = Client()
    version = client.get(f"/api/motions/{motion.pk}", **auth).json()["version"]

    def edit(title: str):
        return client.post(
            f"/api/motions/{motion.pk}/edit",
            {"title": title, "text": "正文", "expected_version": version},
            content_type="application/json",
            **auth,
        )

    first = edit("甲")
    assert first.status_code == 200 and first.json()["version"] != version
    second = edit("乙")
    assert second.status_code == 409 and second.json()["code"] == "conflict"
    assert Motion.objects.get(pk=motion.pk).title == "甲"


def test_the_web_form_carries_the_version(accounts: Accounts) -> None:
    motion = draft(accounts)
    browser = Client()
    browser.force_login(accounts["deputy"])
    page = browser.get(f"/motions/{motion.pk}/").content.decode()
    # The first action's fields, as the browser loads them when the action is opened.
    first_action = re.search(r'hx-get="([^"]+)"', page)
    assert first_action is not None
    fields = browser.get(html.unescape(first_action.group(1)), headers={"HX-Request": "true"})
    assert version_of(motion.updated_at) in fields.content.decode()
