"""The people who answer: the deputy sees the voice on their desk and forwards it; the unit clerk sees
the work order by deadline and replies; staff filter and search the list."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from minsheng.org.demo import DEMO_PASSWORD
from minsheng.org.models import Membership, Role, User
from minsheng.voices import demo as voices_demo
from minsheng.voices.models import Voice, VoiceChannel, VoiceStatus
from minsheng.voices.services import voice_create
from tests.conftest import demo_seed_once
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/me/")


def test_deputy_forwards_clerk_replies_staff_searches(live_server, page):
    demo_seed_once()
    voices_demo.seed()
    deputy = User.objects.select_related("person").get(username="deputy")
    voice = voice_create(
        actor=AnonymousUser(),
        channel=VoiceChannel.QR,
        text="学校门口上下学时段车辆乱停，孩子过马路很危险，希望增设护学岗。",
        phone="13912345678",
        addressed_to=Membership.objects.get(person=deputy.person, role=Role.DEPUTY),
    )

    sign_in(page, live_server.url, "deputy")
    panel = page.locator("[data-panel=voices-addressed]")
    assert voice.summary in panel.inner_text()
    screenshot(page, "voices-desk-01-deputy")
    panel.get_by_text(voice.summary).click()
    page.wait_for_url(f"**/voices/{voice.pk}/")
    # One action at a time, disclosed on demand; the forty-odd units grouped by kind and filterable.
    assert page.locator("details.action").count() >= 4
    assert page.locator("details.action[open]").count() == 0
    page.get_by_test_id("voice-action-forward").locator("summary").click()
    form = page.locator(f"form[action$='/voices/{voice.pk}/forward/']")
    form.locator("select[name=unit]").wait_for()  # the fields load when the action is opened
    assert form.locator("select[name=unit] optgroup").count() >= 2
    form.locator("input.select-filter").fill("交通")
    shown = form.locator("select[name=unit] optgroup option:not([hidden])")
    assert shown.all_inner_texts() == ["区交通运输局"]
    form.locator("select[name=unit]").select_option(label="区交通运输局")
    screenshot(page, "voices-desk-02-detail")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/voices/{voice.pk}/")
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.FORWARDED

    sign_in(page, live_server.url, "handler")
    orders = page.locator("[data-panel=voices-work-orders]")
    assert voice.summary in orders.inner_text()
    screenshot(page, "voices-desk-03-clerk")
    orders.get_by_text(voice.summary).click()
    page.wait_for_url(f"**/voices/{voice.pk}/")
    page.get_by_test_id("voice-action-reply").locator("summary").click()
    reply = page.locator(f"form[action$='/voices/{voice.pk}/reply/']")
    reply.locator("textarea[name=text]").fill("已联合交警在校门口设置护学岗和临时停车区。")
    reply.locator("button[type=submit]").click()
    page.wait_for_url(f"**/voices/{voice.pk}/")
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.REPLIED

    sign_in(page, live_server.url, "staff")
    page.goto(live_server.url + "/voices/?q=护学岗")
    rows = page.locator("#voice-rows")
    assert voice.summary in rows.inner_text()
    assert Voice.objects.count() > rows.locator("tbody tr").count()
    screenshot(page, "voices-desk-04-search")
