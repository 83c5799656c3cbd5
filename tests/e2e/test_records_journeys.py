"""Journeys of the duty record, on a phone and a desktop: a resident finds their deputy and opens the
record; a deputy works through three items of my duties; staff publish the annual reports."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from minsheng.motions import services as motions
from minsheng.motions.models import MotionKind, SignatureStatus
from minsheng.org.models import Membership, Role, User
from minsheng.records import services as records
from minsheng.records.engine import record_rebuild
from minsheng.records.models import AnnualReport, ReportStatus
from minsheng.records.selectors import this_year
from minsheng.voices.models import Voice, VoiceChannel, VoiceStatus
from minsheng.voices.services import voice_create
from tests.conftest import demo_seed_once
from tests.e2e.conftest import screenshot
from tests.e2e.test_voices_desk import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _deputy() -> tuple[User, Membership]:
    user = User.objects.select_related("person").get(username="deputy")
    return user, Membership.objects.get(person=user.person, role=Role.DEPUTY)


def _voice_to(seat: Membership) -> Voice:
    return voice_create(
        actor=AnonymousUser(), channel=VoiceChannel.QR, text="小区门口的路灯坏了一个月，晚上出行不便。",
        phone="13912345678", addressed_to=seat,
    )  # fmt: skip


def test_a_resident_finds_their_deputy_and_opens_the_record(live_server, page):
    demo_seed_once()
    user, seat = _deputy()
    _voice_to(seat)
    record_rebuild()
    page.goto(live_server.url + "/")
    page.select_option("#place-select", label="湖塘镇")
    deputies = page.get_by_test_id("deputy-list")
    deputies.wait_for()
    row = deputies.locator("li", has_text=user.person.name)
    row.get_by_role("link", name=user.person.name).click()  # the deputy's page links the duty record
    page.wait_for_url(f"**/people/{user.person_id}/")
    page.locator("main").get_by_role("link", name="履职档案").click()
    page.wait_for_url(f"**/records/people/{user.person_id}/")
    main = page.locator("main").inner_text()
    assert user.person.name in main and "收到的群众留言" in main and "超过" in main
    assert "小区门口的路灯" not in main, "a resident's voice is counted, never shown"
    screenshot(page, "records-01-profile")


def test_a_deputy_works_through_three_items(live_server, page):
    demo_seed_once()
    user, seat = _deputy()
    other = Membership.objects.filter(role=Role.DEPUTY, body=seat.body).exclude(person=user.person).first()
    lead = User.objects.filter(person=other.person).first() or User.objects.create_user(
        username="lead-deputy", password="a-long-password", person=other.person
    )
    draft = motions.motion_create(actor=lead, kind=MotionKind.SUGGESTION, title="关于增设社区健身步道的建议",
                                  text="建议在湖塘镇沿河绿地增设健身步道，方便居民锻炼。")  # fmt: skip
    motions.motion_invite(actor=lead, motion=draft, people=[user.person])
    voice = _voice_to(seat)
    report = records.annual_report_start(actor=user, person=user.person, body=seat.body, year=this_year())

    sign_in(page, live_server.url, "deputy")
    page.goto(live_server.url + "/records/mine/")
    inbox = page.locator("ol.inbox")
    for title in ("关于增设社区健身步道的建议", voice.summary, str(this_year())):
        assert title in inbox.inner_text()
    screenshot(page, "records-02-inbox")

    inbox.locator("li", has_text="关于增设社区健身步道的建议").get_by_role("link").click()
    page.wait_for_url(f"**/motions/{draft.pk}/")
    page.get_by_test_id("invitation").get_by_role("button", name="联名").click()
    page.wait_for_url(f"**/motions/{draft.pk}/")
    assert draft.signatures.get(person=user.person).status == SignatureStatus.ACCEPTED

    page.goto(live_server.url + "/records/mine/")
    page.locator("ol.inbox li", has_text=voice.summary).get_by_role("link").click()
    page.wait_for_url(f"**/voices/{voice.pk}/")
    page.get_by_test_id("voice-action-answer").locator("summary").click()  # one action open at a time
    answer = page.locator(f"form[action$='/voices/{voice.pk}/answer/']")
    answer.locator("textarea[name=text]").fill("已联系物业，本周内修复路灯。")
    answer.locator("button[type=submit]").click()
    page.wait_for_url(f"**/voices/{voice.pk}/")
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.REPLIED

    page.goto(live_server.url + "/records/mine/")
    page.locator("ol.inbox li", has_text=str(this_year())).get_by_role("link").click()
    page.wait_for_url(f"**/records/reports/{report.pk}/")
    page.fill("textarea[name=text]", "一年来，我坚持每月接待选民。")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url(f"**/records/reports/{report.pk}/")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.text == "一年来，我坚持每月接待选民。"
    page.goto(live_server.url + "/records/mine/")
    assert "关于增设社区健身步道的建议" not in page.locator("ol.inbox").inner_text()
    screenshot(page, "records-03-inbox-done")


def test_staff_publish_the_annual_reports(live_server, page):
    """Staff tick the submitted reports and publish them at once; the public reads each on the profile."""
    demo_seed_once()
    user, seat = _deputy()
    other = Membership.objects.filter(role=Role.DEPUTY, body=seat.body).exclude(person=user.person).first()
    colleague = User.objects.filter(person=other.person).first() or User.objects.create_user(
        username="colleague-deputy", password="a-long-password", person=other.person
    )
    reports = []
    for author, text in (
        (user, "一年来，我坚持每月接待选民。"),
        (colleague, "一年来，我参加了三次专题视察。"),
    ):
        report = records.annual_report_start(
            actor=author, person=author.person, body=seat.body, year=this_year()
        )
        records.annual_report_edit(actor=author, report=report, text=text)
        reports.append(records.annual_report_submit(actor=author, report=report))
    report = reports[0]

    sign_in(page, live_server.url, "staff")
    page.goto(live_server.url + "/records/staff/")
    for submitted in reports:
        page.get_by_label(f"公布{submitted.person.name}的{this_year()}年度报告").check()
    screenshot(page, "records-04-approve")
    page.get_by_role("button", name="公布所选报告").click()
    page.wait_for_url("**/records/staff/")
    assert "已公布 2 份报告" in page.locator("body").inner_text()
    statuses = set(
        AnnualReport.objects.filter(pk__in=[r.pk for r in reports]).values_list("status", flat=True)
    )
    assert statuses == {ReportStatus.PUBLISHED}

    page.context.clear_cookies()
    page.goto(live_server.url + f"/records/people/{user.person_id}/")
    page.get_by_role("link", name=f"{this_year()}年度向{seat.body.name}的履职报告").click()
    page.wait_for_url(f"**/records/reports/{report.pk}/")
    assert "一年来，我坚持每月接待选民。" in page.locator("main").inner_text()
    screenshot(page, "records-05-published")


def test_a_deputy_puts_a_photo_on_the_public_profile(live_server, page, tmp_path):
    """On a phone too: the deputy uploads a photo on their profile; the public sees it, without GPS."""
    from tests.factories import image_bytes

    demo_seed_once()
    user, _seat = _deputy()
    photo = tmp_path / "我的照片.jpg"
    photo.write_bytes(image_bytes("JPEG", size=(300, 400)))
    sign_in(page, live_server.url, "deputy")
    page.goto(live_server.url + f"/records/people/{user.person_id}/")
    page.get_by_label("添加照片").set_input_files(str(photo))
    page.get_by_role("button", name="上传").click()
    page.wait_for_url(f"**/records/people/{user.person_id}/")
    page.context.clear_cookies()
    page.goto(live_server.url + f"/records/people/{user.person_id}/")
    image = page.get_by_role("img", name=f"{user.person.name}的照片")
    image.wait_for()
    box = image.bounding_box()
    assert box is not None and 0 < box["width"] <= page.viewport_size["width"] * 0.5
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle())
    screenshot(page, "records-06-photo")
