"""Reminders before deadlines and overdue alerts: notices to units, the office and the supervising leader."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from minsheng.core.events import events_for
from minsheng.core.models import Notification
from minsheng.motions import services
from minsheng.motions.tasks import motions_remind_task, reminders_send
from tests.motions.builders import assigned, lead_assignment, leader_person

pytestmark = pytest.mark.django_db


def test_overdue_alert_reaches_unit_office_and_leader_once_a_day(accounts):
    motion = assigned(accounts, with_co=False)
    services.motion_supervise(actor=accounts["staff"], motion=motion, leader=leader_person())
    lead = lead_assignment(motion)
    late = lead.due + dt.timedelta(days=1)
    counts = reminders_send(late)
    assert counts == {"reminded": 0, "overdue": 1}
    for username in ("handler", "staff", "leader"):
        assert Notification.objects.filter(user=accounts[username], text__contains=motion.title).exists(), (
            username
        )
    assert reminders_send(late) == {"reminded": 0, "overdue": 0}, "one alert per item and day"
    assert [e.verb for e in events_for(lead)][-1] == "remind"


def test_reminder_before_the_deadline_goes_to_the_unit(accounts):
    motion = assigned(accounts, with_co=False)
    lead = lead_assignment(motion)
    counts = reminders_send(lead.due - dt.timedelta(days=3))
    assert counts == {"reminded": 1, "overdue": 0}
    assert Notification.objects.filter(user=accounts["handler"], text__contains=motion.title).exists()
    assert not Notification.objects.filter(user=accounts["staff"], text__contains=motion.title).exists()


def test_task_and_command_run(accounts, capsys):
    assigned(accounts, with_co=False)
    result = motions_remind_task.enqueue()
    assert result.return_value == {"reminded": 0, "overdue": 0, "disclosure": 0, "consultation": 0}
    call_command("motions_remind", "--now")
    assert "reminded=0" in capsys.readouterr().out
