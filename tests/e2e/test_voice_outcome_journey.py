"""Journeys of issue 11: the resident learns what became of their message (11.2), and a unit returns a
work order that is not its business and asks for more time, which the deputy grants (11.14)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import AnonymousUser

from minsheng.core.messaging import outbox
from minsheng.motions import services
from minsheng.motions.models import HandlingMode, MotionKind, ResidentRating
from minsheng.org.models import Membership, Role, Unit, User
from minsheng.voices.models import Voice, VoiceChannel, VoiceStatus, WorkOrder
from minsheng.voices.services import voice_create, voice_forward
from tests.conftest import demo_seed_once
from tests.e2e.conftest import screenshot
from tests.e2e.test_voices_desk import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = "13912345678"


def _voice_to_deputy(text: str) -> Voice:
    deputy = User.objects.select_related("person").get(username="deputy")
    return voice_create(
        actor=AnonymousUser(),
        channel=VoiceChannel.WEB,
        text=text,
        phone=PHONE,
        name="王女士",
        addressed_to=Membership.objects.get(person=deputy.person, role=Role.DEPUTY),
    )


def test_resident_follows_their_message_into_the_suggestion_and_rates_the_outcome(live_server, page):
    demo_seed_once()
    users = {name: User.objects.get(username=name) for name in ("deputy", "staff", "handler")}
    voice = _voice_to_deputy("学校门口的路口没有信号灯，孩子上学过马路很危险，希望增设。")
    motion = services.motion_create_from_voice(
        actor=users["deputy"],
        voice=voice,
        kind=MotionKind.SUGGESTION,
        title="关于学校路口增设信号灯的建议",
        text="群众反映学校路口没有信号灯，建议增设信号灯和人行横道。",
    )
    motion = services.motion_submit(actor=users["deputy"], motion=motion)
    motion = services.motion_file(actor=users["staff"], motion=motion)
    transport = Unit.objects.get(name="区交通运输局")
    motion = services.motion_assign(
        actor=users["staff"], motion=motion, mode=HandlingMode.SEPARATE, units=[transport]
    )
    reply = services.assignment_reply(
        actor=users["handler"],
        assignment=motion.assignments.get(),
        category="A",
        text="信号灯和人行横道已于本月建成投用。联系人：王科长，电话13811112222。",
    )
    services.reply_disclose(actor=users["staff"], reply=reply, disclosure="full")
    services.motion_rate(actor=users["deputy"], motion=motion, overall="satisfied")
    # The resident was told by text message as it moved, each time with the tracking code.
    assert sum(1 for m in outbox if m.to == PHONE and voice.tracking_code in m.body) >= 5

    page.goto(f"{live_server.url}/voices/track/")
    page.fill("#id_code", voice.tracking_code)
    page.fill("#id_phone", PHONE)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/voices/track/*/")
    outcome = page.get_by_test_id("voice-outcome")
    text = outcome.inner_text()
    assert "关于学校路口增设信号灯的建议" in text and "区交通运输局" in text
    assert "已于本月建成投用" in text and "138****2222" in text and "13811112222" not in text
    assert "满意" in text  # the deputy's rating
    outcome.scroll_into_view_if_needed()
    screenshot(page, "voice-outcome-01-tracking")

    outcome.locator("input[name=rating][value=basically]").check()
    outcome.locator("textarea[name=comment]").fill("希望再加一个减速带。")
    outcome.locator("button[type=submit]").click()
    page.wait_for_url("**/voices/track/*/#outcome")
    assert ResidentRating.objects.get(voice=voice).rating == "basically"
    outcome = page.get_by_test_id("voice-outcome")
    assert "基本满意" in outcome.inner_text() and outcome.locator("input[name=rating]").count() == 0
    # The thank-you is where the person is looking, not far above the viewport.
    assert page.locator("main").get_by_text("感谢您对办理结果的评价").is_visible()
    screenshot(page, "voice-outcome-02-rated")


def test_unit_returns_a_work_order_and_asks_for_more_time(live_server, page):
    demo_seed_once()
    deputy = User.objects.get(username="deputy")
    transport = Unit.objects.get(name="区交通运输局")
    wrong = voice_forward(
        actor=deputy, voice=_voice_to_deputy("小区路灯坏了一个月，晚上出行很不方便。"), unit=transport
    )
    slow = voice_forward(
        actor=deputy, voice=_voice_to_deputy("公交站台没有遮雨棚，下雨天候车很难。"), unit=transport
    )

    # The clerk returns the first: street lights are not the transport bureau's.
    sign_in(page, live_server.url, "handler")
    page.goto(f"{live_server.url}/voices/{wrong.pk}/")
    page.get_by_test_id("voice-action-return").locator("summary").click()  # one action open at a time
    form = page.locator(f"form[action$='/voices/{wrong.pk}/return/']")
    form.locator("textarea[name=reason]").fill("路灯由城市管理局负责，不属于交通运输局职责。")
    screenshot(page, "work-order-01-return")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/voices/**")
    assert Voice.objects.get(pk=wrong.pk).status == VoiceStatus.RECEIVED

    # … and asks for more time on the second.
    order = WorkOrder.objects.get(voice=slow)
    page.goto(f"{live_server.url}/voices/{slow.pk}/")
    page.get_by_test_id("voice-action-request_extension").locator(
        "summary"
    ).click()  # one action open at a time
    form = page.locator(f"form[action$='/voices/{slow.pk}/request_extension/']")
    until = order.due + dt.timedelta(days=5)
    form.locator("input[name=until]").fill(until.isoformat())
    form.locator("textarea[name=reason]").fill("需要与公交公司协调候车亭选址。")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/voices/{slow.pk}/")

    # The deputy sees both on the desk and grants the time.
    sign_in(page, live_server.url, "deputy")
    assert "公交站台没有遮雨棚" in page.locator("[data-panel=voices-extensions]").inner_text()
    screenshot(page, "work-order-02-desk")
    page.goto(f"{live_server.url}/voices/{slow.pk}/")
    page.get_by_test_id("voice-action-extend").locator("summary").click()  # one action open at a time
    form = page.locator(f"form[action$='/voices/{slow.pk}/extend/']")
    assert form.locator("input[name=until]").input_value() == until.isoformat()
    form.locator("textarea[name=reason]").fill("情况属实，同意延期。")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/voices/{slow.pk}/")
    assert WorkOrder.objects.get(voice=slow).due == until
    assert re.search(r"同意延期", page.locator("main").inner_text())
    screenshot(page, "work-order-03-granted")
