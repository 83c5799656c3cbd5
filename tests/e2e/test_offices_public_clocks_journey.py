"""Journeys of issue 11 where a person would notice: legislation staff no longer meet residents' voices
and numbers (11.4); a member of the public finds a published reply by search and filters and reads the
suggestion beside it, masked (11.11); a unit sees and records the handling consultation with a
proposal's proposers, the office sees by when to decide on disclosure, and a liaison station sees
the 7-day clock of a voice left there (11.13)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from minsheng.core.calendar import deadline_compute
from minsheng.legislation import demo as legislation_demo
from minsheng.motions import services
from minsheng.motions.models import Motion, MotionKind, Reply
from minsheng.org.models import Body, Membership, Role, User
from minsheng.voices.models import VoiceChannel
from minsheng.voices.services import voice_create
from tests.conftest import demo_seed_once
from tests.e2e.conftest import screenshot
from tests.e2e.test_voices_desk import sign_in
from tests.motions.builders import Accounts, assigned, lead_assignment, office, replied

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
RESIDENT_PHONE = "13912345678"
MOBILE = re.compile(r"1[3-9]\d{9}")


def test_legislation_staff_meet_no_resident_voices_the_congress_office_does(live_server, page):
    demo_seed_once()
    if not legislation_demo.exists():  # the legislative contact point and its staff, lawstaff
        legislation_demo.seed()
    deputy = User.objects.select_related("person").get(username="deputy")
    voice = voice_create(
        actor=AnonymousUser(),
        channel=VoiceChannel.WEB,
        text="小区门口的下水道堵了一周，雨天积水很深。",
        phone=RESIDENT_PHONE,
        name="李先生",
        addressed_to=Membership.objects.get(person=deputy.person, role=Role.DEPUTY),
    )

    sign_in(page, live_server.url, "lawstaff")
    desk = page.locator("main").inner_text()
    assert voice.summary not in desk and not MOBILE.search(desk)
    assert page.locator("a[href='/voices/']").count() == 0  # no way into the voices queue
    response = page.goto(f"{live_server.url}/voices/")
    assert response is not None and response.status == 403
    response = page.goto(f"{live_server.url}/voices/{voice.pk}/")
    assert response is not None and response.status == 404
    body = page.locator("body").inner_text()
    assert RESIDENT_PHONE not in body and "下水道堵了" not in body
    screenshot(page, "offices-01-lawstaff")

    # The congress's office still handles it, number and forms included.
    sign_in(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/voices/{voice.pk}/")
    assert RESIDENT_PHONE in page.locator("main").inner_text()
    assert page.locator(f"form[action$='/voices/{voice.pk}/forward/']").count() == 1


def _published(accounts: Accounts, title: str, text: str, **kwargs: str) -> Motion:
    motion = replied(accounts, title=title, **kwargs)
    Motion.objects.filter(pk=motion.pk).update(text=text)
    reply = Reply.objects.get(motion=motion)
    services.reply_disclose(actor=office(accounts, motion), reply=reply, disclosure="full")
    return motion


def test_the_public_finds_a_reply_and_reads_the_suggestion_beside_it(live_server, page):
    demo_seed_once()
    accounts = Accounts()
    lights = _published(
        accounts,
        "关于湖塘镇学校路口增设信号灯的建议",
        "湖塘镇学校路口没有信号灯，家长（电话13912345678）多次反映，孩子上学很危险。",
    )
    _published(
        accounts,
        "关于加强公交站台遮雨设施建设的提案",
        "多个公交站台没有遮雨棚，老年人候车不便。",
        kind=MotionKind.PROPOSAL,
        category="B",
    )

    page.goto(f"{live_server.url}/motions/public/")
    form = page.get_by_role("search")
    form.locator("input[name=q]").fill("信号灯")
    form.locator("select[name=kind]").select_option("suggestion")
    form.locator("select[name=category]").select_option("A")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/motions/public/?*")
    results = page.get_by_test_id("public-list")
    assert "关于湖塘镇学校路口增设信号灯的建议" in results.inner_text()
    assert "公交站台" not in results.inner_text()
    screenshot(page, "public-01-search")

    # A filter that finds nothing says so.
    form = page.get_by_role("search")
    form.locator("select[name=category]").select_option("B")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "没有找到" in page.get_by_test_id("public-list").inner_text()

    page.goto(f"{live_server.url}/motions/public/{lights.pk}/")
    suggestion = page.get_by_test_id("public-text")
    reply = page.get_by_test_id("public-reply").first
    assert "湖塘镇学校路口没有信号灯" in suggestion.inner_text()
    assert "139****5678" in suggestion.inner_text()
    assert "区交通运输局" in reply.inner_text()
    body = page.locator("body").inner_text()
    assert "13912345678" not in body and "13812345678" not in body
    if page.viewport_name == "phone":  # the suggestion comes first, then the answer, both readable
        assert suggestion.bounding_box()["y"] < reply.bounding_box()["y"]
    screenshot(page, "public-02-detail")


def test_a_unit_consults_the_proposers_and_the_office_sees_the_disclosure_clock(live_server, page):
    demo_seed_once()
    accounts = Accounts()
    proposal = assigned(accounts, kind=MotionKind.PROPOSAL, title="关于完善老旧小区停车设施的提案")
    lead = lead_assignment(proposal)
    assert lead.consult_by is not None

    sign_in(page, live_server.url, "handler")
    desk = page.locator("main").inner_text()
    assert "关于完善老旧小区停车设施的提案" in desk and "协商" in desk
    page.goto(f"{live_server.url}/motions/{proposal.pk}/")
    assigned_table = page.get_by_test_id("assignments").inner_text()
    assert "前与提案人办理协商" in assigned_table
    action = page.get_by_test_id("action-consult")
    if action.get_attribute("open") is None:
        action.locator("summary").click()
    action.locator(".action-fields [name]").first.wait_for(state="attached")  # loaded when opened
    action.locator("input[name$=held_on]").fill(lead.assigned_on.isoformat())
    action.locator("textarea[name$=note]").fill("召开办理协商会，提案人到会并同意办理方案。")
    screenshot(page, "clocks-01-consult")
    action.locator("button[type=submit]").click()
    page.wait_for_url(f"**/motions/{proposal.pk}/**")
    lead.refresh_from_db()
    assert lead.consulted_on == lead.assigned_on
    assert "与提案人办理协商" in page.get_by_test_id("assignments").inner_text()
    assert "已于" in page.get_by_test_id("assignments").inner_text()

    # After the reply the proposal office's desk shows by when to decide on publishing it.
    services.assignment_reply(
        actor=accounts["handler"], assignment=lead, category="A", text="经协商，年内新增停车位二百个。"
    )
    reply = Reply.objects.get(motion=proposal)
    assert reply.disclose_by is not None
    sign_in(page, live_server.url, "cppcc_staff")
    day = f"{reply.disclose_by.year}年{reply.disclose_by.month}月{reply.disclose_by.day}日"
    row = page.locator("main li", has_text="关于完善老旧小区停车设施的提案").filter(has_text=day)
    assert row.count() >= 1
    screenshot(page, "clocks-02-office-desk")


def test_a_station_sees_the_seven_day_clock_of_a_voice_left_there(live_server, page):
    demo_seed_once()
    station = Body.objects.get(
        memberships__person__user__username="station", memberships__role=Role.STATION_STAFF
    )
    voice = voice_create(
        actor=AnonymousUser(),
        channel=VoiceChannel.WEB,
        text="社区健身器材的扶手松动了，老人锻炼时容易摔倒。",
        phone=RESIDENT_PHONE,
        station=station,
    )
    start = timezone.localdate(voice.created_at)
    due = deadline_compute(rule_name="voice_station_reply", start=start, jurisdiction=voice.jurisdiction).due
    assert (voice.triage_rule, voice.triage_due) == ("voice_station_reply", due)

    sign_in(page, live_server.url, "station")
    row = page.locator("[data-panel=voices-station] li", has_text="社区健身器材的扶手松动了")
    assert f"{due.month}月{due.day}日前分办" in row.inner_text()
    screenshot(page, "clocks-03-station-desk")
