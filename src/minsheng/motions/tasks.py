"""Background work: reminders before deadlines and overdue alerts (django-tasks, database backend)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from minsheng.core.events import event_record
from minsheng.core.jobs import DailyAt, job_register
from minsheng.core.locking import rows_locked
from minsheng.core.models import Event
from minsheng.core.notifications import notify
from minsheng.motions.models import Assignment, AssignmentStatus, Disclosure, KeySupervision, Reply
from minsheng.motions.services import office_staff, unit_handlers, users_of
from minsheng.org.selectors import today

REMIND_DAYS_BEFORE = 7
CONSULT_REMIND_DAYS_BEFORE = 3  # the consultation clock is two weeks long


def _already_reminded(target: Assignment | Reply, day: dt.date, verb: str = "remind") -> bool:
    return Event.objects.filter(
        verb=verb,
        target_id=str(target.pk),
        target_type__model=target._meta.model_name,
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


def _clock_reminder(
    *, target: Assignment | Reply, verb: str, day: dt.date, due: dt.date, users: list[Any], text: str
) -> bool:
    """One reminder of a clock (a notice, a message, an Event), at most once per object and day."""
    with transaction.atomic():
        rows_locked(type(target)).filter(pk=target.pk).first()  # one run at a time
        if _already_reminded(target, day, verb):
            return False
        link = reverse("motions:detail", args=[target.motion_id])
        notify(users=users, text=text, link=link, send_message=True)
        event_record(
            actor=None,
            verb=verb,
            target=target,
            payload={"day": day.isoformat(), "due": due, "overdue": due < day},
        )
    return True


def disclosure_reminders_send(day: dt.date | None = None) -> int:
    """Remind the office of disclosure decisions due within a week or overdue (rule ``motion_disclosure``:
    20 working days from the reply). Idempotent per reply and day."""
    day = day or today()
    replies = (
        Reply.objects.filter(
            disclosure=Disclosure.UNDECIDED,
            disclose_by__isnull=False,
            disclose_by__lte=day + dt.timedelta(days=REMIND_DAYS_BEFORE),
        )
        .select_related("motion", "assignment__unit")
        .order_by("disclose_by", "id")
    )
    sent = 0
    for reply in replies:
        if _already_reminded(reply, day, "remind_disclosure"):
            continue
        assert reply.disclose_by is not None
        template = (
            _("Overdue: decide whether to publish the reply to “%(title)s” (due %(day)s).")
            if reply.disclose_by < day
            else _("Decide by %(day)s whether to publish the reply to “%(title)s”.")
        )
        sent += _clock_reminder(
            target=reply,
            verb="remind_disclosure",
            day=day,
            due=reply.disclose_by,
            users=office_staff(reply.motion),
            text=template % {"title": reply.motion.title, "day": _day(reply.disclose_by)},
        )
    return sent


def consultation_reminders_send(day: dt.date | None = None) -> int:
    """Remind a proposal's replying unit to consult the proposers (rule
    ``proposal_handling_consultation``: 2 weeks from assignment) within three days of the date, and
    the office too once it is overdue. Idempotent per part and day."""
    day = day or today()
    parts = (
        Assignment.objects.filter(
            consult_by__isnull=False,
            consulted_on__isnull=True,
            consult_by__lte=day + dt.timedelta(days=CONSULT_REMIND_DAYS_BEFORE),
            status=AssignmentStatus.PENDING,
            motion__status__in=("assigned", "rehandling", "follow_up"),
        )
        .select_related("motion", "unit")
        .order_by("consult_by", "id")
    )
    sent = 0
    for part in parts:
        if _already_reminded(part, day, "remind_consultation"):
            continue
        assert part.consult_by is not None
        overdue = part.consult_by < day
        users = [*unit_handlers([part.unit_id]), *(office_staff(part.motion) if overdue else [])]
        template = (
            _("Overdue: consult the proposers of “%(title)s” (due %(day)s, %(unit)s).")
            if overdue
            else _("Consult the proposers of “%(title)s” by %(day)s (%(unit)s).")
        )
        sent += _clock_reminder(
            target=part,
            verb="remind_consultation",
            day=day,
            due=part.consult_by,
            users=users,
            text=template
            % {"title": part.motion.title, "day": _day(part.consult_by), "unit": part.unit.name},
        )
    return sent


def reminders_all(day: dt.date | None = None) -> dict[str, int]:
    """Every reminder of the motions' clocks: replies, disclosure decisions, consultations."""
    counts = reminders_send(day)
    counts["disclosure"] = disclosure_reminders_send(day)
    counts["consultation"] = consultation_reminders_send(day)
    return counts


@task()
def motions_remind_task() -> dict[str, int]:
    return reminders_all()


# Reminders and overdue alerts once a day, in the morning before offices open.
job_register("motions.reminders", task=motions_remind_task, schedule=DailyAt(dt.time(7, 30)))
