"""The API covers every action; members vote through it; bad input gets a clear 400 and changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minsheng.core.models import BallotVoter, Event
from minsheng.meetings.models import Attendee, Meeting, Poll
from minsheng.org.services import api_token_create
from tests.meetings.conftest import World

pytestmark = pytest.mark.django_db


def bearer(user: Any) -> Client:
    _token, key = api_token_create(actor=user, user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="zh-hans")


def post(client: Client, path: str, payload: Any = None) -> Any:
    return client.post(
        f"/api/meetings{path}", data=json.dumps(payload or {}), content_type="application/json"
    )


def test_a_session_through_the_api(world: World) -> None:
    staff, chair = bearer(world.staff), bearer(world.chair)
    created = post(
        staff,
        "",
        {"body": world.congress.pk, "kind": "congress_session", "title": "区十八届人大三次会议",
         "starts_on": "2026-03-10", "ends_on": "2026-03-12", "venue": "区人民会堂"},
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    meeting_id = created.json()["id"]
    item = post(staff, f"/{meeting_id}/items", {"kind": "decision", "title": "关于2026年预算的决议"})
    assert item.status_code == 201
    item_id = item.json()["id"]
    docx_bytes = _docx()
    upload = staff.post(
        f"/api/meetings/items/{item_id}/documents",
        {"title": "预算报告", "public": "true", "file": SimpleUploadedFile("预算.docx", docx_bytes)},
    )
    assert upload.status_code == 201, upload.json()
    poll = post(staff, f"/items/{item_id}/polls", {"kind": "decision", "title": "关于2026年预算的决议"})
    assert poll.status_code == 201 and poll.json()["secret"] is True
    poll_id = poll.json()["id"]
    assert post(staff, f"/{meeting_id}/transitions/notify").status_code == 200
    assert post(staff, f"/{meeting_id}/transitions/open").json()["status"] == "in_session"
    voters = [bearer(user) for user in world.deputies[:7]]
    for voter in voters:
        assert post(voter, f"/{meeting_id}/sign-in", {"method": "phone"}).json()["present"] is True
    assert staff.get(f"/api/meetings/{meeting_id}/attendance").json()["present"] == 7
    assert post(chair, f"/polls/{poll_id}/transitions/open").json()["status"] == "open"
    for n, voter in enumerate(voters):
        answer = post(
            voter, f"/polls/{poll_id}/ballot", {"choice": "yes" if n < 5 else "no", "client_key": f"k{n}"}
        )
        assert answer.status_code == 200 and answer.json()["counted"] and answer.json()["first"]
    retry = post(voters[0], f"/polls/{poll_id}/ballot", {"choice": "yes", "client_key": "k0"})
    assert retry.json()["replayed"] is True
    mine = voters[5].get(f"/api/meetings/polls/{poll_id}/ballot").json()
    assert mine == {"poll": poll_id, "status": "open", "voted": True, "choice": "no"}
    progress = chair.get(f"/api/meetings/polls/{poll_id}/progress").json()
    assert (progress["voted"], progress["not_voted"], progress["not_voted_names"]) == (7, 0, None)
    # Results are not shown while voting is open.
    assert voters[0].get(f"/api/meetings/polls/{poll_id}").json()["result"] is None
    closed = post(chair, f"/polls/{poll_id}/transitions/close").json()
    assert closed["result"]["yes"] == 5 and closed["passed"] is True and closed["cast_count"] == 7
    assert (
        voters[5].get(f"/api/meetings/polls/{poll_id}/ballot").json()["choice"] is None
    )  # gone with the key
    key = Meeting.objects.get(pk=meeting_id).screen_key
    screen = Client().get(f"/api/meetings/{meeting_id}/screen", {"key": key}).json()
    assert screen["result"]["passed"] is True and screen["attendance"]["present"] == 7
    assert Client().get(f"/api/meetings/{meeting_id}/screen", {"key": "wrong"}).status_code == 404
    assert post(chair, f"/polls/{poll_id}/transitions/announce").json()["status"] == "announced"
    agenda = staff.get(f"/api/meetings/{meeting_id}/agenda").json()
    assert agenda[0]["documents"][0]["versions"][0]["name"] == "预算.docx"
    # The public sees nothing until publication, then the public documents and the result.
    assert Client().get(f"/api/meetings/{meeting_id}").status_code == 404
    post(staff, f"/{meeting_id}/transitions/close")
    post(staff, f"/{meeting_id}/transitions/publish")
    public = Client().get(f"/api/meetings/polls/{poll_id}").json()
    assert public["result"]["yes"] == 5
    assert Client().get(f"/api/meetings/{meeting_id}/agenda").json()[0]["documents"][0]["title"] == "预算报告"


def _docx() -> bytes:
    import io

    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("关于2026年预算的报告")
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def voting(world: World) -> tuple[Meeting, Poll]:
    meeting = world.in_session(world.meeting(), present=world.deputies[:7])
    from minsheng.meetings import services

    poll = services.poll_open(actor=world.chair, poll=world.decision(meeting))
    return meeting, poll


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"choice": "maybe"},
        {"choice": "yes", "voter": 1},
        {"choice": "yes", "client_key": "有空格 "},
        {"choice": "yes", "client_key": "k" * 65},
        {"rows": {"1": "perhaps"}},
        "yes",
        [],
    ],
)
def test_bad_ballots_get_a_clear_400_and_count_nothing(
    world: World, voting: tuple[Meeting, Poll], payload: Any
) -> None:
    _meeting, poll = voting
    response = post(bearer(world.deputies[0]), f"/polls/{poll.pk}/ballot", payload)
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert not BallotVoter.objects.exists()


def test_ballots_need_a_signed_in_member(world: World, voting: tuple[Meeting, Poll]) -> None:
    _meeting, poll = voting
    assert post(Client(), f"/polls/{poll.pk}/ballot", {"choice": "yes"}).status_code == 401
    refused = post(bearer(world.deputies[8]), f"/polls/{poll.pk}/ballot", {"choice": "yes"})
    assert refused.status_code == 403 and refused.json()["detail"] == "请先签到再表决。"
    session = Client(enforce_csrf_checks=True)
    session.force_login(world.deputies[0])
    assert post(session, f"/polls/{poll.pk}/ballot", {"choice": "yes"}).status_code == 403  # no CSRF token
    assert not BallotVoter.objects.exists()


def test_leave_and_clerk_sign_in_through_the_api(world: World) -> None:
    meeting = world.meeting()
    staff = bearer(world.staff)
    post(staff, f"/{meeting.pk}/transitions/notify")
    member = bearer(world.deputies[8])
    assert post(member, f"/{meeting.pk}/leave", {"reason": ""}).status_code == 400
    asked = post(member, f"/{meeting.pk}/leave", {"reason": "出差"})
    assert asked.json()["leave_status"] == "requested"
    attendee = Attendee.objects.get(meeting=meeting, person=world.deputies[8].person)
    assert post(staff, f"/attendees/{attendee.pk}/leave/refuse", {"note": ""}).status_code == 400
    assert post(staff, f"/attendees/{attendee.pk}/leave/approve", {}).json()["leave_status"] == "approved"
    post(staff, f"/{meeting.pk}/transitions/open")
    clerk = post(staff, f"/{meeting.pk}/sign-in", {"method": "clerk", "person": world.deputies[3].person_id})
    assert clerk.json()["signed_in_via"] == "clerk"
    token = staff.get(f"/api/meetings/{meeting.pk}/checkin-token").json()["token"]
    assert (
        post(
            bearer(world.deputies[4]), f"/{meeting.pk}/sign-in", {"method": "qr", "token": token}
        ).status_code
        == 200
    )
    assert (
        post(bearer(world.deputies[5]), f"/{meeting.pk}/sign-in", {"method": "qr", "token": "x"}).status_code
        == 400
    )
    assert staff.get(f"/api/meetings/{meeting.pk}/roster").status_code == 200
    assert bearer(world.cppcc_members[0]).get(f"/api/meetings/{meeting.pk}/roster").status_code == 404


def test_a_body_that_is_not_an_object_signs_nobody_in(world: World) -> None:
    """Every field of a sign-in has a default: a body of [null, null] or "x" must not act on them."""
    meeting = world.in_session(world.meeting(), present=[])
    member = bearer(world.deputies[2])
    for body in ("[null, null]", "[]", '"phone"', "null", "7"):
        response = member.post(
            f"/api/meetings/{meeting.pk}/sign-in", data=body, content_type="application/json"
        )
        assert response.status_code == 400, body
        assert set(response.json()) == {"detail", "code", "field"}
    assert not Attendee.objects.filter(meeting=meeting, present=True).exists()


def test_refused_transitions_change_nothing(world: World) -> None:
    meeting = world.meeting()
    deputy, cppcc_staff = bearer(world.deputies[3]), bearer(world.cppcc_staff)
    events = Event.objects.count()
    assert post(deputy, f"/{meeting.pk}/transitions/notify").status_code == 404  # not visible to them
    assert post(cppcc_staff, f"/{meeting.pk}/transitions/notify").status_code == 404
    assert Meeting.objects.get(pk=meeting.pk).status == "draft" and Event.objects.count() == events
    assert post(bearer(world.staff), f"/{meeting.pk}/transitions/open").status_code == 409
    bad = post(
        bearer(world.staff),
        "",
        {"body": world.congress.pk, "kind": "congress_session", "title": "<b>x</b>",
         "starts_on": "2026-03-10", "ends_on": "2026-03-12", "venue": "会堂"},
    )  # fmt: skip
    assert bad.status_code == 400 and Meeting.objects.count() == 1
    dates = post(
        bearer(world.staff),
        "",
        {"body": world.congress.pk, "kind": "congress_session", "title": "x", "starts_on": "2026-03-10",
         "ends_on": str(dt.date(2026, 3, 9)), "venue": "会堂"},
    )  # fmt: skip
    assert dates.status_code == 400 and Meeting.objects.count() == 1
