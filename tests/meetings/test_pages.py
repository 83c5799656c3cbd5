"""The pages: who sees what, the phone voting flow (confirmation, client key), the screens, the files."""

from __future__ import annotations

import io
from typing import Any

import docx
import openpyxl
import pytest
from django.test import Client
from django.utils import translation

from minsheng.core.models import BallotVoter
from minsheng.meetings import services
from minsheng.meetings.models import Meeting, Poll
from tests.meetings.conftest import World

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_who_sees_a_meeting(world: World) -> None:
    meeting = world.meeting()
    url = f"/meetings/{meeting.pk}/"
    assert client_of(world.staff).get(url).status_code == 200
    assert client_of(world.chair).get(url).status_code == 200  # presides: sees the draft
    assert client_of(world.deputies[6]).get(url).status_code == 404  # not yet notified
    assert Client().get(url).status_code == 404
    services.meeting_notify(actor=world.staff, meeting=meeting)
    page = client_of(world.deputies[6]).get(url)
    assert page.status_code == 200 and "请假" in page.content.decode()
    assert client_of(world.cppcc_members[0]).get(url).status_code == 404
    assert "区十八届人大三次会议" not in Client().get("/meetings/").content.decode()


def test_staff_build_a_meeting_through_the_pages(world: World) -> None:
    staff = client_of(world.staff)
    created = staff.post(
        "/meetings/new/",
        {"body": world.congress.pk, "kind": "congress_session", "title": "区十八届人大四次会议",
         "starts_on": "2027-01-10", "ends_on": "2027-01-12", "venue": "区人民会堂", "description": ""},
    )  # fmt: skip
    assert created.status_code == 302
    meeting = Meeting.objects.get(title="区十八届人大四次会议")
    staff.post(f"/meetings/{meeting.pk}/items/new/", {"kind": "decision", "title": "关于预算的决议"})
    item = meeting.items.get()
    prepared = staff.post(
        f"/meetings/items/{item.pk}/polls/new/",
        {
            "kind": "decision",
            "title": "关于预算的决议",
            "secret": "",
            "seats": 1,
            "mode": "each",
            "nominees": "",
        },
    )
    assert prepared.status_code == 302 and Poll.objects.filter(item=item).exists()
    bad = staff.post(
        "/meetings/new/",
        {"body": world.congress.pk, "kind": "standing_committee", "title": "x", "starts_on": "2027-01-10",
         "ends_on": "2027-01-12", "venue": "会堂"},
    )  # fmt: skip
    assert bad.status_code == 200 and "不能由" in bad.content.decode()
    assert client_of(world.deputies[1]).get("/meetings/new/").status_code == 403


def test_phone_voting_confirms_then_counts_a_resubmission_once(world: World) -> None:
    meeting = world.in_session(world.meeting(), present=world.deputies[:7])
    poll = services.poll_open(actor=world.chair, poll=world.decision(meeting))
    phone = client_of(world.deputies[2])
    assert phone.get(f"/meetings/{meeting.pk}/vote/").url == f"/meetings/polls/{poll.pk}/vote/"
    page = phone.get(f"/meetings/polls/{poll.pk}/vote/").content.decode()
    assert "赞成" in page and "反对" in page and "弃权" in page
    confirm = phone.post(f"/meetings/polls/{poll.pk}/vote/", {"choice": "no"})
    text = confirm.content.decode()
    assert "请确认您的表决" in text and not BallotVoter.objects.exists()
    client_key = confirm.context["client_key"]
    submit = {"choice": "no", "confirm": "1", "client_key": client_key}
    assert phone.post(f"/meetings/polls/{poll.pk}/vote/", submit).status_code == 302
    assert phone.post(f"/meetings/polls/{poll.pk}/vote/", submit).status_code == 302  # resent by the browser
    after = phone.get(f"/meetings/polls/{poll.pk}/vote/").content.decode()
    assert "已表决，可在表决结束前修改。" in after and "反对" in after
    assert BallotVoter.objects.count() == 1
    poll = services.poll_close(actor=world.chair, poll=Poll.objects.get(pk=poll.pk))
    assert poll.result["no"] == 1 and poll.cast_count == 1


def test_a_refused_ballot_shows_why(world: World) -> None:
    meeting = world.in_session(world.meeting(), present=world.deputies[:7])
    poll = services.poll_open(actor=world.chair, poll=world.decision(meeting))
    page = client_of(world.deputies[8]).post(
        f"/meetings/polls/{poll.pk}/vote/", {"choice": "yes"}, follow=True
    )
    assert "请先签到再表决。" in page.content.decode()


def test_the_hall_screen_and_the_console(world: World) -> None:
    meeting = world.in_session(world.meeting(), present=world.deputies[:7])
    poll = services.poll_open(actor=world.chair, poll=world.decision(meeting))
    screen_url = f"/meetings/{meeting.pk}/screen/{meeting.screen_key}/"
    assert Client().get(f"/meetings/{meeting.pk}/screen/wrong/").status_code == 404
    page = Client().get(screen_url).content.decode()
    assert 'hx-trigger="every 1s"' in page and "表决中" in page
    for user in world.deputies[:5]:
        services.ballot_submit(actor=user, poll_id=poll.pk, choice="yes")
    console = client_of(world.chair).get(f"/meetings/{meeting.pk}/console/live/").content.decode()
    assert 'id="voted-count">5<' in console and 'id="not-voted-count">2<' in console
    assert client_of(world.deputies[5]).get(f"/meetings/{meeting.pk}/console/").status_code == 403
    services.poll_close(actor=world.chair, poll=Poll.objects.get(pk=poll.pk))
    live = Client().get(screen_url + "live/")
    assert live["Cache-Control"] == "no-store"
    text = live.content.decode()
    assert "通过" in text and 'id="screen-yes">5<' in text and "应到9人，实到7人" in text


def test_door_qr_and_checkin(world: World) -> None:
    meeting = world.in_session(world.meeting())
    door = client_of(world.staff).get(f"/meetings/{meeting.pk}/door/").content.decode()
    assert "<svg" in door and 'hx-trigger="every 30s"' in door
    token = services.checkin_token(meeting)
    member = client_of(world.deputies[3])
    assert "签到" in member.get(f"/meetings/checkin/?t={token}").content.decode()
    assert member.post("/meetings/checkin/", {"t": token}).status_code == 302
    assert meeting.attendees.get(person=world.deputies[3].person).signed_in_via == "qr"
    assert member.get("/meetings/checkin/?t=bad").status_code == 400
    assert client_of(world.cppcc_members[0]).get(f"/meetings/checkin/?t={token}").status_code == 403
    assert client_of(world.deputies[3]).get(f"/meetings/{meeting.pk}/door/").status_code == 403


def test_roster_leave_and_clerk_sign_in_pages(world: World) -> None:
    meeting = services.meeting_notify(actor=world.staff, meeting=world.meeting())
    member = client_of(world.deputies[8])
    member.post(f"/meetings/{meeting.pk}/leave/", {"reason": "外出学习"})
    seat = meeting.attendees.get(person=world.deputies[8].person)
    assert seat.leave_status == "requested"
    staff = client_of(world.staff)
    roster = staff.get(f"/meetings/{meeting.pk}/roster/").content.decode()
    assert "外出学习" in roster and "批准" in roster
    staff.post(f"/meetings/attendees/{seat.pk}/leave/approve/")
    seat.refresh_from_db()
    assert seat.leave_status == "approved"
    services.meeting_open(actor=world.staff, meeting=meeting)
    staff.post(f"/meetings/{meeting.pk}/roster/sign-in/", {"person": world.deputies[2].person_id})
    assert meeting.attendees.get(person=world.deputies[2].person).signed_in_via == "clerk"


def test_documents_out(world: World) -> None:
    meeting = world.in_session(world.meeting(), present=world.deputies[:7])
    named = services.poll_open(actor=world.chair, poll=world.decision(meeting, secret=False))
    for user in world.deputies[:6]:
        services.ballot_submit(actor=user, poll_id=named.pk, choice="yes")
    named = services.poll_close(actor=world.chair, poll=Poll.objects.get(pk=named.pk))
    Poll.objects.filter(pk=named.pk).update(title='=HYPERLINK("http://x","预算")')  # as if typed so
    staff = client_of(world.staff)
    sheet = staff.get(f"/meetings/polls/{named.pk}/roll-call.xlsx")
    assert sheet.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(sheet.content))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    voted = [row for row in rows[1:] if row[3] == "赞成"]
    assert rows[0] == ("姓名", "签到", "请假", "投票") and len(voted) == 6 and len(rows) == 1 + 9
    about = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert about[1] == (meeting.title, '\'=HYPERLINK("http://x","预算")')  # shown, never run
    Poll.objects.filter(pk=named.pk).update(title="关于2026年预算的决议")
    resolution = staff.get(f"/meetings/polls/{named.pk}/resolution.docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(resolution.content)).paragraphs)
    assert "关于2026年预算的决议" in text and "赞成6票" in text
    minutes = staff.get(f"/meetings/{meeting.pk}/minutes.docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(minutes.content)).paragraphs)
    assert "会议纪要" in text and "应到9人，实到7人" in text
    assert client_of(world.deputies[1]).get(f"/meetings/polls/{named.pk}/roll-call.xlsx").status_code == 403


@pytest.mark.parametrize("size", [3, 30])
def test_lists_and_screens_have_a_constant_query_count(
    world: World, size: int, django_assert_max_num_queries: Any
) -> None:
    meeting = world.in_session(world.meeting(), present=world.deputies[:7])
    for n in range(size):
        world.decision(meeting, title=f"第{n}项决议")
    for n in range(size):
        world.meeting(title=f"第{n}次会议")
    staff = client_of(world.staff)
    with django_assert_max_num_queries(16):
        assert staff.get("/meetings/").status_code == 200
    with django_assert_max_num_queries(24):
        assert staff.get(f"/meetings/{meeting.pk}/").status_code == 200
    with django_assert_max_num_queries(8):
        assert Client().get(f"/meetings/{meeting.pk}/screen/{meeting.screen_key}/live/").status_code == 200


def test_the_menu_offers_my_meetings_to_those_who_sit_or_run_them(world: World) -> None:
    from django.test import RequestFactory

    from minsheng.meetings.nav import items

    def labels(user: Any) -> list[str]:
        request = RequestFactory().get("/")
        request.user = user
        with translation.override("zh-hans"):
            return [str(item.label) for item in items(request)]

    assert "我的会议" in labels(world.deputies[3]) and "我的会议" in labels(world.staff)
    assert labels(world.outsider) == ["会议"]
    from django.contrib.auth.models import AnonymousUser

    assert labels(AnonymousUser()) == ["会议"]
