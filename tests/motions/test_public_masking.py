"""Issue 12.10 / 11.5: a published reply never shows a phone number (written any way) or the name of a
private person, on any public surface: the API list and detail, the public pages."""

from __future__ import annotations

import pytest
from django.test import Client

from minsheng.motions import services
from minsheng.motions.models import Motion
from tests.motions.builders import Accounts, assigned, lead_assignment

pytestmark = pytest.mark.django_db
REPLY = "经研究，已安排维修。请联系居民王小明（电话139.1234.5678，或一三九一二三四五六七八），经办人李建国。"
LEAKS = ["139.1234.5678", "一三九一二三四五六七八", "王小明", "1234"]


@pytest.fixture
def disclosed(accounts: Accounts) -> Motion:
    motion = assigned(accounts)
    services.assignment_reply(
        actor=accounts["handler"], assignment=lead_assignment(motion), category="A", text=REPLY
    )
    reply = Motion.objects.get(pk=motion.pk).replies.get()
    services.reply_disclose(actor=accounts["staff"], reply=reply, disclosure="full", private_names=["王小明"])
    return motion


@pytest.mark.parametrize(
    "url",
    ["/api/motions/public", "/api/motions/public/{pk}", "/motions/public/", "/motions/public/{pk}/"],
)
def test_no_surface_shows_the_phone_or_the_private_name(disclosed: Motion, url: str) -> None:
    response = Client().get(url.format(pk=disclosed.pk))
    assert response.status_code == 200
    page = response.content.decode("unicode_escape" if url.startswith("/api/") else "utf-8")
    assert "经办人李建国" in page or "经办人" in page  # the reply is there (officials stay named)
    for leak in LEAKS:
        assert leak not in page, leak
    assert "王**" in page


def test_staff_can_still_read_the_whole_reply(disclosed: Motion, accounts: Accounts) -> None:
    assert disclosed.replies.get().text == REPLY
