"""Background work of the voices app: the daily reminders of its clocks (a periodic job, core.jobs).

- Routing: a voice not yet routed the day before its routing date (``triage_due``: 7 days at a
  liaison station, ``voice_station_reply``; 10 days otherwise, ``voice_forward``) or after it: those
  who route it are reminded.
- Replies: a work order the day before its reply date, or after it: the unit's handlers, and once it
  is overdue those who route the voice too.

Each reminder is a notice, a text message and an Event on the voice; at most one per voice, clock and
day, however many workers run the job.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from minsheng.core.events import event_record
from minsheng.core.jobs import DailyAt, job_register
from minsheng.core.locking import rows_locked
from minsheng.core.models import Event
from minsheng.core.notifications import notify
from minsheng.org.selectors import today
from minsheng.voices.models import Voice, VoiceStatus, WorkOrder, WorkOrderStatus
from minsheng.voices.services import unit_handler_users, voice_router_users

REMIND_DAYS_BEFORE = 1  # the voices' clocks are days long, not months


def _day(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _remind_once(*, voice: Voice, verb: str, day: dt.date, due: dt.date, users: list[Any], text: str) -> bool:
    with transaction.atomic():
        locked = rows_locked(Voice).get(pk=voice.pk)  # one run at a time per voice
        done = Event.objects.filter(
            verb=verb, target_type__model="voice", target_id=str(voice.pk), payload__day=day.isoformat()
        )
        if done.exists():
            return False
        notify(users=users, text=text, link=f"/voices/{voice.pk}/", send_message=True)
        event_record(
            actor=None,
            verb=verb,
            target=locked,
            from_state=locked.status,
            to_state=locked.status,
            payload={"day": day.isoformat(), "due": due, "overdue": due < day},
        )
    return True


def routing_reminders_send(day: dt.date | None = None) -> int:
    day = day or today()
    voices = (
        Voice.objects.filter(
            status=VoiceStatus.RECEIVED,
            triage_due__isnull=False,
            triage_due__lte=day + dt.timedelta(days=REMIND_DAYS_BEFORE),
        )
        .select_related("addressed_to", "station", "jurisdiction")
        .order_by("triage_due", "id")
    )
    sent = 0
    for voice in voices:
        assert voice.triage_due is not None
        template = (
            _("Overdue: route the voice (due %(day)s): %(summary)s")
            if voice.triage_due < day
            else _("Route the voice by %(day)s: %(summary)s")
        )
        sent += _remind_once(
            voice=voice,
            verb="remind_routing",
            day=day,
            due=voice.triage_due,
            users=voice_router_users(voice),
            text=template % {"day": _day(voice.triage_due), "summary": voice.summary},
        )
    return sent


def reply_reminders_send(day: dt.date | None = None) -> int:
    day = day or today()
    orders = (
        WorkOrder.objects.filter(
            status=WorkOrderStatus.OPEN, due__lte=day + dt.timedelta(days=REMIND_DAYS_BEFORE)
        )
        .select_related("voice__addressed_to", "voice__station", "voice__jurisdiction", "unit")
        .order_by("due", "id")
    )
    sent = 0
    for order in orders:
        overdue = order.due < day
        users = [*unit_handler_users(order.unit_id), *(voice_router_users(order.voice) if overdue else [])]
        template = (
            _("Overdue: the reply to a voice was due on %(day)s (%(unit)s): %(summary)s")
            if overdue
            else _("Reply to a voice by %(day)s (%(unit)s): %(summary)s")
        )
        sent += _remind_once(
            voice=order.voice,
            verb="remind_reply",
            day=day,
            due=order.due,
            users=users,
            text=template % {"day": _day(order.due), "unit": order.unit.name, "summary": order.voice.summary},
        )
    return sent


@task()
def voices_remind_task() -> dict[str, int]:
    return {"routing": routing_reminders_send(), "replies": reply_reminders_send()}


# Once a day, in the morning before offices open (after the motions' reminders).
job_register("voices.reminders", task=voices_remind_task, schedule=DailyAt(dt.time(7, 40)))
