"""Deadlines in working days across the Spring Festival and National Day; overdue flags and reminders.

Working days come from the State Council schedules packaged in chinese_calendar (2025: Spring
Festival 28 Jan–4 Feb with make-up working days Sun 26 Jan and Sat 8 Feb; National Day 1–8 Oct with
make-up working days Sun 28 Sep and Sat 11 Oct).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from minsheng.core.models import DeadlineRule, DeadlineUnit, Event, Notification
from minsheng.oversight import services
from minsheng.oversight.models import RectificationItem
from minsheng.oversight.selectors import items_visible_to, overdue_condition
from minsheng.oversight.tasks import overdue_sweep
from tests.oversight.builders import TASK, World, activity, problem

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def assign_on(world: World, day: dt.date, rule: str = "oversight_rectify_short") -> RectificationItem:
    with time_machine.travel(at(day), tick=False):
        act = activity(world)
        (made,) = services.problem_assign(
            actor=world["staff"],
            problem=problem(world, act),
            units=[world.unit("区交通运输局")],
            task=TASK,
            due_rule=rule,
        )
    return made


def test_ten_working_days_across_the_spring_festival(world: World):
    # Fri 24 Jan 2025: Sun 26, Mon 27, (28 Jan–4 Feb off), 5, 6, 7, Sat 8, 10, 11, 12, 13 Feb.
    made = assign_on(world, dt.date(2025, 1, 24))
    assert made.due == dt.date(2025, 2, 13) and made.due_rule == "oversight_rectify_short"


def test_ten_working_days_across_national_day(world: World):
    # Fri 26 Sep 2025: Sun 28, 29, 30, (1–8 Oct off), 9, 10, Sat 11, 13, 14, 15, 16 Oct.
    made = assign_on(world, dt.date(2025, 9, 26))
    assert made.due == dt.date(2025, 10, 16)


def test_a_districts_own_rule_wins(world: World):
    district = world.standing_committee().jurisdiction
    DeadlineRule.objects.create(
        jurisdiction=district, name="oversight_rectify", amount=5, unit=DeadlineUnit.WORKING_DAYS
    )
    made = assign_on(world, dt.date(2025, 9, 26), rule="oversight_rectify")
    assert made.due == dt.date(2025, 10, 10)  # Sun 28, 29, 30, (holiday), 9, 10


def test_overdue_the_day_after_the_deadline_and_reminded_once(
    world: World, django_capture_on_commit_callbacks
):
    made = assign_on(world, dt.date(2025, 1, 24))
    handler = world["handler"]
    with time_machine.travel(at(made.due), tick=False):
        assert not items_visible_to(world["staff"]).filter(overdue_condition(), pk=made.pk).exists()
        counts = overdue_sweep()
        assert counts["due_soon"] == 1 and counts["overdue"] == 0
    day_after = made.due + dt.timedelta(days=1)
    with time_machine.travel(at(day_after), tick=False):
        assert items_visible_to(world["staff"]).filter(overdue_condition(), pk=made.pk).exists()
        before = Notification.objects.filter(user=handler).count()
        first = overdue_sweep()
        again = overdue_sweep()
    assert first["overdue"] == 1 and first["units"] == 1
    assert again == {"units": 0, "bodies": 0, "due_soon": 0, "overdue": 0}  # once a day
    notes = Notification.objects.filter(user=handler).order_by("-id")
    assert notes.count() == before + 1 and "status=overdue" in notes[0].link
    assert Notification.objects.filter(user=world["staff"], link__contains="status=overdue").exists()
    assert Event.objects.filter(verb="oversight_sweep", payload__day=day_after.isoformat()).count() == 1


def test_a_closed_item_is_never_overdue(world: World):
    made = assign_on(world, dt.date(2025, 1, 24))
    with time_machine.travel(at(dt.date(2025, 2, 10)), tick=False):
        services.item_report(actor=world["handler"], item=made, text="已完成。", is_final=True)
        services.item_review(
            actor=world["staff"], item=RectificationItem.objects.get(pk=made.pk), accept=True
        )
    with time_machine.travel(at(dt.date(2025, 3, 1)), tick=False):
        assert not RectificationItem.objects.filter(overdue_condition(), pk=made.pk).exists()
        assert overdue_sweep()["overdue"] == 0
