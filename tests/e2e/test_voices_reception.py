"""A station's reception day (接待日): staff change the announced time on a phone, the public list shows
it, on the day a visitor's voice is recorded against it, and the staff record that the day was held."""

from __future__ import annotations

import pytest
from django.utils import timezone

from minsheng.voices import demo as voices_demo
from minsheng.voices.models import ReceptionDay, ReceptionDayStatus, Voice, VoiceChannel
from tests.conftest import demo_seed_once
from tests.e2e.conftest import screenshot
from tests.e2e.test_voices_desk import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_station_changes_a_reception_day_and_records_a_visit_on_it(live_server, page):
    demo_seed_once()
    voices_demo.seed()
    # The demo's coming day (its other day is already held).
    day = ReceptionDay.objects.select_related("station").get(status=ReceptionDayStatus.PUBLISHED)

    sign_in(page, live_server.url, "station")
    page.goto(live_server.url + "/voices/reception/")
    page.locator(f"a[href$='/voices/reception/{day.pk}/edit/']").click()
    page.wait_for_url(f"**/voices/reception/{day.pk}/edit/")
    assert "变更接待日" in page.locator("h1").inner_text()
    page.fill("#id_start_time", "14:00")
    page.fill("#id_end_time", "16:30")
    page.fill("#id_place", "代表之家二楼会议室")
    screenshot(page, "voices-reception-01-change")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/voices/reception/")
    assert "接待日已变更" in page.inner_text("body")

    page.context.clear_cookies()
    page.goto(live_server.url + "/voices/reception/")
    card = page.locator("section.card", has_text=day.station.name)
    assert "14:00–16:30" in card.inner_text() and "代表之家二楼会议室" in card.inner_text()
    screenshot(page, "voices-reception-02-public")

    # The day comes: the station records a visitor's voice against it.
    ReceptionDay.objects.filter(pk=day.pk).update(date=timezone.localdate())
    sign_in(page, live_server.url, "station")
    page.goto(live_server.url + f"/voices/enter/?day={day.pk}")
    page.locator("#id_text").fill("来访群众反映：小区电梯加装意见不统一，希望社区组织协商。")
    page.locator("#id_phone").fill("13700002222")
    screenshot(page, "voices-reception-03-visit")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/voices/*/")
    voice = Voice.objects.get(reception_day=day)
    assert voice.channel == VoiceChannel.RECEPTION
    assert voice.tracking_code in page.inner_text("body")

    # The staff record on the day's page that it was held: it now counts in the deputy's record.
    page.goto(live_server.url + f"/voices/reception/{day.pk}/")
    page.get_by_role("button", name="记录接待日已举行").click()
    page.wait_for_url(f"**/voices/reception/{day.pk}/")
    assert "已记录接待日已举行" in page.inner_text("body") and "登记来访" in page.inner_text("main")
    screenshot(page, "voices-reception-04-held")
    assert ReceptionDay.objects.get(pk=day.pk).status == ReceptionDayStatus.HELD
