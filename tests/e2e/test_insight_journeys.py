"""Text intelligence in the browser: staff accept a routing suggestion; a member drafting sees a
similar past proposal; a resident sees a similar open voice and supports it instead."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser

from minsheng.core.messaging import outbox
from minsheng.insight import demo as insight_demo
from minsheng.insight.models import VoiceSupport
from minsheng.motions import demo as motions_demo
from minsheng.voices import demo as voices_demo
from minsheng.voices.models import Voice, VoiceChannel, VoiceStatus
from minsheng.voices.services import voice_create
from tests.conftest import demo_seed_once
from tests.e2e.conftest import screenshot
from tests.e2e.test_voices_desk import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_accept_a_routing_suggestion(live_server, page):
    demo_seed_once()
    voices_demo.seed()
    insight_demo.seed()  # the first model, trained on the demo's confirmed assignments
    voice = voice_create(
        actor=AnonymousUser(),
        channel=VoiceChannel.WEB,
        text="我家楼下的烧烤店每天油烟很大，噪音吵到半夜，希望城管部门管一管。",
        phone="13912340000",
    )
    sign_in(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/voices/{voice.pk}/")
    page.get_by_test_id("voice-action-forward").locator("summary").click()  # one action open at a time
    panel = page.locator("[data-testid=routing-suggestion]")
    assert "区城市管理局" in panel.inner_text()
    screenshot(page, "insight-01-routing-suggestion")
    panel.locator("[data-testid=use-suggestion]").first.click()
    form = page.locator(f"form[action$='/voices/{voice.pk}/forward/']")
    chosen = form.locator("select[name=unit] option:checked").inner_text()
    assert chosen.strip() == "区城市管理局"
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/voices/{voice.pk}/")
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.FORWARDED
    assert voice.work_orders.get().unit.name == "区城市管理局"


def test_member_drafting_sees_a_similar_past_proposal(live_server, page):
    demo_seed_once()
    motions_demo.seed()
    sign_in(page, live_server.url, "member")
    page.goto(f"{live_server.url}/motions/new/")
    page.select_option("#id_kind", "proposal")
    page.fill("#id_title", "关于进一步提升中小学课后服务质量的提案")
    page.fill("#id_text", "建议丰富课后服务内容，引入社会专业力量参与，建立课后服务质量评价机制。")
    panel = page.locator("[data-testid=similar-motions]")
    panel.wait_for()
    assert "课后服务" in panel.inner_text()
    screenshot(page, "insight-02-similar-proposals")
    # Having read them, the member continues: the draft is saved as written.
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/motions/\d+/$"))


def test_resident_sees_a_similar_open_voice_and_supports_it(live_server, page):
    demo_seed_once()
    voices_demo.seed()
    open_voice = Voice.objects.get(text__startswith="小区楼下的烧烤店油烟和噪音")
    page.goto(f"{live_server.url}/voices/new/")
    page.fill("#id_text", "小区楼下的烧烤店油烟和噪音一直到凌晨两点，反映了好几次都没用，请有关部门管一管。")
    similar = page.locator("[data-testid=similar-voice]")
    similar.first.wait_for()
    screenshot(page, "insight-03-similar-voice")
    page.fill("#id_phone", "13955556666")
    page.get_by_role("button", name="发送验证码").click()
    page.wait_for_load_state()
    code = re.search(r"\d{6}", outbox[-1].body).group(0)
    page.fill("#id_code", code)
    page.locator("[data-testid=similar-voice] [data-testid=support]").first.click()
    page.locator("[data-testid=supported]").wait_for()
    screenshot(page, "insight-04-supported")
    assert VoiceSupport.objects.filter(voice=open_voice).count() == 1
    assert Voice.objects.filter(phone="13955556666").count() == 0  # no second message was written
