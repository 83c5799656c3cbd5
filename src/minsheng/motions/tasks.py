"""Background work: reminders before deadlines and overdue alerts (django-tasks, database backend)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from minsheng.core.events import event_record
from minsheng.core.jobs import DailyAt, job_register
from minsheng.core.locking import rows_locked
from minsheng.core.models import Event
from minsheng.core.notifications import notify
from minsheng.motions.models import Assignment, AssignmentStatus, KeySupervision
from minsheng.motions.services import office_staff, unit_handlers, users_of
from minsheng.org.selectors import today

REMIND_DAYS_BEFORE = 7


def _already_reminded(assignment: Assignment, day: dt.date) -> bool:
    return Event.objects.filter(
        verb="remind",
        target_id=str(assignment.pk),
        target_type__model="assignment",
        payload__day=day.isoformat(),
    ).exists()


def _day(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def reminders_send(day: dt.date | None = None) -> dict[str, int]:
    """Remind units of deadlines within a week; alert units, the office and supervising leaders of
    overdue items. Idempotent per assignment and day (an Event marks each reminder)."""
    day = day or today()
    soon = day + dt.timedelta(days=REMIND_DAYS_BEFORE)
    open_items = (
        Assignment.objects.filter(
            status=AssignmentStatus.PENDING,
            due__lte=soon,
            motion__status__in=("assigned", "rehandling", "follow_up"),
        )
        .select_related("motion", "unit")
        .order_by("due")
    )
    counts = {"reminded": 0, "overdue": 0}
    leaders = dict(KeySupervision.objects.values_list("motion_id", "leader_id"))
    for assignment in open_items:
        if _already_reminded(assignment, day):
            continue
        overdue = assignment.due < day
        link = reverse("motions:detail", args=[assignment.motion_id])
        with transaction.atomic():
            # Two runs at once (a manual ``motions_remind`` beside the scheduled job) must not both
            # remind: the row lock makes the second wait, then see the first one's Event.
            rows_locked(Assignment).filter(pk=assignment.pk).first()
            if _already_reminded(assignment, day):
                continue
            if overdue:
                text = _("Overdue: “%(title)s” was due on %(day)s (%(unit)s).") % {
                    "title": assignment.motion.title,
                    "day": _day(assignment.due),
                    "unit": assignment.unit.name,
                }
                users = [*unit_handlers([assignment.unit_id]), *office_staff(assignment.motion)]
                if assignment.motion_id in leaders:
                    users += users_of([leaders[assignment.motion_id]])
            else:
                text = _("Reminder: “%(title)s” is due on %(day)s.") % {
                    "title": assignment.motion.title,
                    "day": _day(assignment.due),
                }
                users = unit_handlers([assignment.unit_id])
            notify(users=users, text=text, link=link, send_message=True)
            event_record(
                actor=None,
                verb="remind",
                target=assignment,
                from_state=assignment.status,
                to_state=assignment.status,
                payload={"day": day.isoformat(), "overdue": overdue, "due": assignment.due},
            )
        counts["overdue" if overdue else "reminded"] += 1
    return counts


@task()
def motions_remind_task() -> dict[str, int]:
    return reminders_send()


# Reminders and overdue alerts once a day, in the morning before offices open.
job_register("motions.reminders", task=motions_remind_task, schedule=DailyAt(dt.time(7, 30)))
