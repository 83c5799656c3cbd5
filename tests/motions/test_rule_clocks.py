"""Rules that were configured and never applied (issue 11.13), for suggestions and proposals: the
20-working-day disclosure decision and the 2-week handling consultation with a proposal's proposers
are clocks stored with their rule, reminded by the daily job, and listed on the desks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minsheng.core.calendar import deadline_compute
from minsheng.core.errors import DomainError
from minsheng.core.events import events_for
from minsheng.core.jobs import job_get
from minsheng.core.models import Event, Notification
from minsheng.motions import services
from minsheng.motions.models import Assignment, MotionKind, Reply
from minsheng.motions.tasks import consultation_reminders_send, disclosure_reminders_send
from tests.demo_roles import demo_user
from tests.motions.builders import assigned, lead_assignment, replied

pytestmark = pytest.mark.django_db


def _desk(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.get("/me/").content.decode()


def test_a_reply_carries_its_disclosure_clock_and_the_office_is_reminded(accounts: Any) -> None:
    motion = replied(accounts)
    reply = Reply.objects.get(motion=motion)
    start = timezone.localdate(reply.created_at)
    expected = deadline_compute(rule_name="motion_disclosure", start=start, jurisdiction=motion.jurisdiction)
    assert (reply.disclose_by, reply.disclose_rule) == (expected.due, "motion_disclosure")
    assert "前决定是否公开" in _desk(accounts["staff"])
    assert reply.disclose_by is not None
    week_before = reply.disclose_by - dt.timedelta(days=7)
    assert disclosure_reminders_send(week_before - dt.timedelta(days=1)) == 0  # not yet
    assert disclosure_reminders_send(week_before) == 1
    assert disclosure_reminders_send(week_before) == 0, "once a day"
    notice = Notification.objects.filter(user=accounts["staff"], text__contains=motion.title).latest("id")
    assert "公开" in notice.text
    assert not Notification.objects.filter(user=accounts["handler"], text__contains="公开").exists()
    late = reply.disclose_by + dt.timedelta(days=1)
    assert disclosure_reminders_send(late) == 1
    last = [e for e in events_for(reply) if e.verb == "remind_disclosure"][-1]
    assert last.payload["overdue"] is True and last.actor is None
    # Any decision stops the clock, "not public" too.
    services.reply_disclose(actor=accounts["staff"], reply=reply, disclosure="none")
    assert disclosure_reminders_send(late + dt.timedelta(days=1)) == 0


def test_a_proposal_s_replying_unit_consults_the_proposers_within_two_weeks(accounts: Any) -> None:
    motion = assigned(accounts, kind=MotionKind.PROPOSAL)
    lead = lead_assignment(motion)
    co = Assignment.objects.get(motion=motion, role="co")
    assert lead.consult_rule == "proposal_handling_consultation"
    assert (
        lead.consult_by
        == deadline_compute(
            rule_name="proposal_handling_consultation",
            start=lead.assigned_on,
            jurisdiction=motion.jurisdiction,
        ).due
    )
    assert co.consult_by is None  # a co-unit sends views to the lead unit; the lead unit consults
    suggestion = assigned(accounts)
    assert lead_assignment(suggestion).consult_by is None  # suggestions have no such rule

    handler = accounts["handler"]
    page = Client()
    page.force_login(handler)
    html = page.get(reverse("motions:detail", args=[motion.pk])).content.decode()
    assert f"/motions/{motion.pk}/act/consult/" in html and "与提案人办理协商" in html
    assert "协商" in _desk(handler)

    assert lead.consult_by is not None
    assert consultation_reminders_send(lead.consult_by - dt.timedelta(days=4)) == 0
    assert consultation_reminders_send(lead.consult_by - dt.timedelta(days=3)) == 1
    assert Notification.objects.filter(user=handler, text__contains=motion.title).exists()
    staff = accounts["cppcc_staff"]
    assert not Notification.objects.filter(user=staff, text__contains="协商").exists()
    assert consultation_reminders_send(lead.consult_by + dt.timedelta(days=1)) == 1
    assert Notification.objects.filter(user=staff, text__contains="协商").exists()  # overdue: the office too
    assert "协商" in _desk(staff)

    services.assignment_consult(
        actor=handler, assignment=lead, held_on=lead.assigned_on, note="召开办理协商会，提案人到会。"
    )
    lead.refresh_from_db()
    assert lead.consulted_on == lead.assigned_on
    assert [e.verb for e in events_for(lead)][-1] == "consult"
    assert consultation_reminders_send(lead.consult_by + dt.timedelta(days=2)) == 0


@pytest.mark.parametrize(
    "who", ["admin", "cppcc_staff", "member", "co_handler", "lawstaff", "jumin", "anonymous", "staff"]
)
def test_only_the_replying_unit_records_the_consultation(accounts: Any, who: str) -> None:
    motion = assigned(accounts, kind=MotionKind.PROPOSAL)
    lead = lead_assignment(motion)
    co_unit = accounts.unit("区住房和城乡建设局")
    actor = accounts.handler_of(co_unit) if who == "co_handler" else demo_user(who)
    events = Event.objects.count()
    with pytest.raises(DomainError):
        services.assignment_consult(actor=actor, assignment=lead, held_on=lead.assigned_on, note="协商。")
    lead.refresh_from_db()
    assert lead.consulted_on is None and Event.objects.count() == events


def test_bad_consultations_are_refused(accounts: Any) -> None:
    motion = assigned(accounts, kind=MotionKind.PROPOSAL)
    lead = lead_assignment(motion)
    handler = accounts["handler"]
    for held_on, note in (
        (lead.assigned_on + dt.timedelta(days=400), "协商。"),  # in the future
        (lead.assigned_on - dt.timedelta(days=1), "协商。"),  # before the assignment
        (lead.assigned_on, ""),
        (lead.assigned_on, "<b>协商</b>"),
        (lead.assigned_on, "长" * 501),
    ):
        with pytest.raises(DomainError):
            services.assignment_consult(actor=handler, assignment=lead, held_on=held_on, note=note)
        lead.refresh_from_db()
        assert lead.consulted_on is None
    services.assignment_consult(actor=handler, assignment=lead, held_on=lead.assigned_on, note="电话沟通。")
    with pytest.raises(DomainError):  # once
        services.assignment_consult(actor=handler, assignment=lead, held_on=lead.assigned_on, note="再次。")


def test_the_daily_jobs_are_registered() -> None:
    assert job_get("motions.reminders").schedule.describe().startswith("daily")
    assert job_get("voices.reminders").schedule.describe().startswith("daily")
