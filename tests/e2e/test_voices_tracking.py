"""Journey (4): a resident writes to their deputy through the deputy's QR link, then follows the voice
by tracking code and phone number, reads the unit's reply in the timeline and rates it."""

from __future__ import annotations

import re

import pytest

from minsheng.core.messaging import outbox
from minsheng.org.models import Membership, Role, Unit, User
from minsheng.voices.models import Voice, VoiceStatus
from minsheng.voices.services import voice_forward, voice_reply
from tests.conftest import demo_seed_once
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = "13912345678"


def test_resident_follows_their_voice_by_tracking_code(live_server, page):
    demo_seed_once()
    deputy = User.objects.select_related("person").get(username="deputy")
    seat = Membership.objects.get(person=deputy.person, role=Role.DEPUTY)

    # 1. The QR code on the poster leads to the form addressed to the deputy.
    page.goto(f"{live_server.url}/voices/new/?to=deputy:{seat.person_id}&via=qr")
    assert deputy.person.name in page.locator("main").inner_text()
    page.fill("#id_text", "湖塘镇花园街公交站没有遮雨棚，下雨天候车的老人孩子淋雨，希望加装。")
    page.fill("#id_name", "王女士")
    page.fill("#id_phone", PHONE)
    page.locator("button[name=action][value=send_code]").click()
    page.wait_for_load_state()
    code = re.search(r"\d{6}", outbox[-1].body).group(0)
    page.fill("#id_code", code)
    screenshot(page, "voices-01-form")
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_url("**/voices/sent/")
    tracking = page.get_by_test_id("tracking-code").inner_text().strip()
    voice = Voice.objects.get(tracking_code=tracking)
    assert voice.addressed_to == seat
    screenshot(page, "voices-02-tracking-code")

    # 2. The deputy forwards it; the transport bureau replies (their own journeys are tested elsewhere).
    voice = voice_forward(actor=deputy, voice=voice, unit=Unit.objects.get(name="区交通运输局"))
    voice_reply(
        actor=User.objects.get(username="handler"),
        voice=voice,
        text="已列入今年候车亭改造计划，月底前完成加装。",
    )

    # 3. Later, on any device: the tracking code and the phone number open the timeline.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/voices/track/")
    page.fill("#id_code", tracking.lower())
    page.fill("#id_phone", PHONE)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/voices/track/*/")
    main = page.locator("main").inner_text()
    assert "区交通运输局" in main and "月底前完成加装" in main
    assert "139****5678" in main and PHONE not in main
    screenshot(page, "voices-03-timeline")

    # 4. The resident rates the reply; the voice is closed and the timeline says so.
    page.locator("input[name=rating][value=satisfied]").check()
    page.locator("form[action$='/rate/'] button[type=submit]").click()
    page.wait_for_url("**/voices/track/*/")
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.CLOSED
    assert page.locator("input[name=rating]").count() == 0
    screenshot(page, "voices-04-rated")
