"""Journeys of a session in Chromium, on a phone and a desktop: a member asks for leave; another signs in
by the door's QR code and votes on the phone; the hall screen shows the result when the chair closes the
vote, without a reload; staff appoint two officials person by person and download the certificates."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import docx
import pytest

from minsheng.meetings import services
from minsheng.meetings.models import Appointment, Attendee, ItemKind, MeetingKind, Poll, PollKind
from tests.e2e.conftest import screenshot
from tests.meetings.conftest import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
LOCAL = ("http://localhost", "http://127.0.0.1", "data:")


def sign_in(page: Any, base: str, user: Any, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.fill("#id_login", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"**{next_path}")


@pytest.fixture
def people(page: Any) -> Any:
    """Other people's browsers (fresh contexts of the page's size), watched like the main page: nothing
    may load from the internet; closed at the end."""
    contexts: list[Any] = []
    external: list[str] = []

    def new_page() -> Any:
        context = page.context.browser.new_context(
            viewport=page.viewport_size, locale="zh-CN", is_mobile=page.viewport_name == "phone"
        )
        contexts.append(context)
        other = context.new_page()
        other.viewport_name = page.viewport_name
        other.on("request", lambda req: None if req.url.startswith(LOCAL) else external.append(req.url))
        return other

    yield new_page
    for context in contexts:
        context.close()
    assert external == [], f"requests left the machine: {external}"


def test_leave_qr_sign_in_phone_vote_and_the_hall_screen(live_server: Any, page: Any, people: Any) -> None:
    world = build_world()
    meeting = services.meeting_notify(actor=world.staff, meeting=world.meeting())
    poll = world.decision(meeting)
    base = live_server.url

    # A member asks for leave before the meeting; staff approve it.
    absent = world.deputies[8]
    sign_in(page, base, absent, f"/meetings/{meeting.pk}/")
    page.fill("#leave-reason", "参加市里的培训")
    page.locator("#ask-leave").click()
    page.wait_for_load_state()
    assert "等待工作人员审批" in page.locator("#my-seat").inner_text()
    screenshot(page, "meetings-01-leave")
    staff = people()
    sign_in(staff, base, world.staff, f"/meetings/{meeting.pk}/roster/")
    staff.locator(f"#approve-{absent.person_id}").click()
    staff.wait_for_load_state()
    assert Attendee.objects.get(meeting=meeting, person=absent.person).leave_status == "approved"

    # The session opens; six members sign in; one more scans the door's code on the phone.
    meeting = services.meeting_open(actor=world.staff, meeting=meeting)
    for user in world.deputies[:6]:
        services.attendee_sign_in(actor=user, meeting=meeting)
    member = world.deputies[6]
    phone = people()
    sign_in(phone, base, member, "/meetings/mine/")
    phone.goto(f"{base}/meetings/checkin/?t={services.checkin_token(meeting)}")
    phone.locator("#checkin").click()
    phone.wait_for_url(f"**/meetings/{meeting.pk}/")
    assert Attendee.objects.get(meeting=meeting, person=member.person).signed_in_via == "qr"

    # The hall screen is up; the chair opens the vote from the console.
    screen = people()
    screen.goto(f"{base}/meetings/{meeting.pk}/screen/{meeting.screen_key}/")
    chair = people()
    sign_in(chair, base, world.chair, f"/meetings/{meeting.pk}/console/")
    chair.locator(f"#open-{poll.pk}").click()
    chair.wait_for_load_state()
    screen.locator("#screen-voting").wait_for(timeout=5000)

    # The member votes on the phone: a big button, a confirmation, a clear state.
    phone.goto(f"{base}/meetings/{meeting.pk}/vote/")
    phone.wait_for_url(f"**/meetings/polls/{poll.pk}/vote/")
    phone.locator("#choose-yes").click()
    phone.locator("#confirm").wait_for()
    screenshot(phone, "meetings-02-confirm")
    phone.locator("#confirm-vote").click()
    phone.locator("#voted").wait_for()
    assert "已表决，可在表决结束前修改" in phone.locator("#voted").inner_text()
    screenshot(phone, "meetings-03-voted")
    for user, value in zip(world.deputies[:6], ["yes", "yes", "yes", "yes", "no", "abstain"], strict=True):
        services.ballot_submit(actor=user, poll_id=poll.pk, choice=value)

    # The chair closes the vote; the hall screen shows the result by itself (no reload).
    chair.locator("#close-current").click()
    chair.wait_for_load_state()
    screen.locator("#screen-result").wait_for(timeout=3000)
    text = screen.locator("#screen-result").inner_text()
    assert "通过" in text and "应到9人，实到7人" in text
    assert screen.locator("#screen-yes").inner_text() == "5"
    screenshot(screen, "meetings-04-hall-screen")
    assert Poll.objects.get(pk=poll.pk).passed is True


def test_staff_appoint_two_officials_person_by_person_and_download_certificates(
    live_server: Any, page: Any, people: Any
) -> None:
    world = build_world()
    meeting = world.meeting(kind=MeetingKind.STANDING_COMMITTEE, title="区人大常委会第二十五次会议")
    item = services.item_add(
        actor=world.staff, meeting=meeting, kind=ItemKind.APPOINTMENT, title="人事任免事项"
    )
    meeting = world.in_session(meeting, present=world.sc_members)
    base = live_server.url

    # Staff prepare the vote on the item's page: two nominees, voted person by person.
    sign_in(page, base, world.staff, f"/meetings/items/{item.pk}/")
    page.select_option("#id_kind", "appointment")
    page.fill("#id_title", "人事任免（逐人表决）")
    page.select_option("#id_mode", "each")
    page.fill(
        "#id_nominees",
        "王敏 | 区财政局局长 | 任命 | 区人民政府区长提请\n李强 | 区教育局局长 | 任命 | 区人民政府区长提请",
    )
    page.locator("#prepare-poll").click()
    page.wait_for_load_state()
    poll = Poll.objects.get(item=item)
    assert poll.kind == PollKind.APPOINTMENT and poll.nominees.count() == 2
    screenshot(page, "meetings-05-prepare")

    # The chair opens it; members vote a row per nominee; the chair closes and announces.
    services.poll_open(actor=world.chair, poll=poll)
    wang, li = [str(pk) for pk in poll.nominees.order_by("position").values_list("id", flat=True)]
    member = world.sc_members[4]
    phone = people()
    sign_in(phone, base, member, f"/meetings/polls/{poll.pk}/vote/")
    phone.locator(f"#row-{wang}-yes").check()
    phone.locator(f"#row-{li}-yes").check()
    phone.locator("#submit-ballot").click()
    phone.locator("#confirm-vote").click()
    phone.locator("#voted").wait_for()
    for user in world.sc_members[:4]:
        services.ballot_submit(actor=user, poll_id=poll.pk, choice={"rows": {wang: "yes", li: "yes"}})
    chair = people()
    sign_in(chair, base, world.chair, f"/meetings/polls/{poll.pk}/")
    chair.locator("#poll-close").click()
    chair.wait_for_load_state()
    chair.locator("#poll-announce").click()
    chair.wait_for_load_state()
    records = list(Appointment.objects.order_by("id"))
    assert [r.name for r in records] == ["王敏", "李强"]

    # Staff download each certificate from the meeting's page.
    page.goto(f"{base}/meetings/{meeting.pk}/")
    screenshot(page, "meetings-06-appointments")
    for record in records:
        with page.expect_download() as info:
            page.locator(f"#certificate-{record.pk}").click()
        path = info.value.path()
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(Path(path).read_bytes())).paragraphs)
        assert "任命书" in text and f"任命{record.name}为{record.office}" in text
