"""Bills on the agenda: the presidium or the chair's meeting puts a bill on the agenda (an item with its
own vote), refers it to a special committee, or has it handled as a suggestion; the signers are told."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from minsheng.core.errors import DomainError, PermissionDeniedError, ValidationFailedError
from minsheng.core.events import events_for
from minsheng.core.models import Notification
from minsheng.meetings.models import AgendaItem, Poll
from minsheng.motions import services as motions
from minsheng.motions.models import Motion, MotionKind, MotionSettings, MotionStatus
from minsheng.org.models import BodyKind
from tests.factories import BodyFactory
from tests.meetings.conftest import World
from tests.meetings.test_api import bearer

pytestmark = pytest.mark.django_db


def _bill(world: World, title: str = "关于制定武进区河道管理办法的议案") -> Motion:
    lead = world.deputies[1]
    bill = motions.motion_create(
        actor=lead, kind=MotionKind.BILL, title=title, text="建议区人大常委会制定河道管理办法。"
    )
    MotionSettings.objects.get_or_create(jurisdiction=bill.jurisdiction, defaults={"bill_min_signers": 3})
    cosigners = world.deputies[2:4]
    motions.motion_invite(actor=lead, motion=bill, people=[u.person for u in cosigners])
    for user in cosigners:
        motions.signature_respond(actor=user, signature=bill.signatures.get(person=user.person), accept=True)
    return motions.motion_submit(actor=lead, motion=bill)


def test_a_bill_put_on_the_agenda_gets_an_item_with_its_own_vote(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    bill = _bill(world)
    assert bill.kind == MotionKind.BILL and bill.status == MotionStatus.SUBMITTED
    meeting = world.meeting()
    with django_capture_on_commit_callbacks(execute=True):
        bill = motions.bill_put_on_agenda(
            actor=world.staff, motion=bill, meeting=meeting, decided_by="presidium"
        )
    assert bill.status == MotionStatus.ON_AGENDA
    item = AgendaItem.objects.get(motion=bill)
    assert item.meeting == meeting and item.kind == "decision" and "河道管理办法" in item.title
    assert Poll.objects.get(item=item).kind == "decision"
    assert [e.verb for e in events_for(bill)][-1] == "put_on_agenda"
    assert events_for(bill).last().payload == {"decided_by": "presidium", "meeting": meeting.pk}
    told = Notification.objects.filter(user=world.deputies[2]).first()
    assert told is not None and "议程" in told.text
    with pytest.raises(DomainError):
        motions.bill_put_on_agenda(actor=world.staff, motion=bill, meeting=meeting, decided_by="presidium")


def test_a_bill_referred_to_a_special_committee_then_goes_on_the_agenda(world: World) -> None:
    committee = BodyFactory(
        jurisdiction=world.congress.jurisdiction, kind=BodyKind.SPECIAL_COMMITTEE, name="测试区人大法制委员会"
    )
    bill = _bill(world)
    bill = motions.bill_refer(
        actor=world.staff, motion=bill, committee=committee, decided_by="chairs_meeting"
    )
    assert bill.status == MotionStatus.REFERRED
    with pytest.raises(ValidationFailedError):
        motions.bill_refer(
            actor=world.staff, motion=_bill(world, "另一议案"), committee=world.office, decided_by="presidium"
        )
    meeting = world.meeting()
    bill = motions.bill_put_on_agenda(actor=world.staff, motion=bill, meeting=meeting, decided_by="presidium")
    assert bill.status == MotionStatus.ON_AGENDA


def test_a_bill_can_be_handled_as_a_suggestion_and_others_cannot_decide(world: World) -> None:
    bill = _bill(world)
    meeting = world.meeting()
    for user in (world.deputies[1], world.chair, world.cppcc_staff):
        with pytest.raises(PermissionDeniedError):
            motions.bill_put_on_agenda(actor=user, motion=bill, meeting=meeting, decided_by="presidium")
    assert Motion.objects.get(pk=bill.pk).status == MotionStatus.SUBMITTED and not AgendaItem.objects.filter(
        motion=bill
    )
    with pytest.raises(ValidationFailedError):
        motions.bill_put_on_agenda(actor=world.staff, motion=bill, meeting=meeting, decided_by="the mayor")
    bill = motions.motion_convert(actor=world.staff, motion=bill)
    assert bill.kind == MotionKind.SUGGESTION and bill.status == MotionStatus.SUBMITTED
    plenary = world.meeting(kind="cppcc_plenary", title="政协全会")
    other = _bill(world, "第三件议案")
    with pytest.raises(ValidationFailedError):
        motions.bill_put_on_agenda(actor=world.staff, motion=other, meeting=plenary, decided_by="presidium")
    assert Motion.objects.get(pk=other.pk).status == MotionStatus.SUBMITTED


def test_bills_through_the_page_and_the_api(world: World) -> None:
    bill = _bill(world)
    meeting = world.meeting()
    staff = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    staff.force_login(world.staff)
    page = staff.get("/meetings/bills/").content.decode()
    assert bill.title in page and meeting.title in page
    api = bearer(world.staff)
    assert api.get("/api/meetings/bills").json()[0]["id"] == bill.pk
    answer = api.post(
        f"/api/meetings/bills/{bill.pk}/decision",
        data=json.dumps({"decision": "agenda", "decided_by": "presidium", "meeting": meeting.pk}),
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["status"] == "on_agenda"
    second = _bill(world, "第二件议案")
    staff.post(f"/meetings/bills/{second.pk}/decide/", {"decision": "suggestion", "state": "submitted"})
    assert Motion.objects.get(pk=second.pk).kind == MotionKind.SUGGESTION
