"""Background work: the daily overdue sweep, a periodic job (``core.jobs``) run by the worker.

Overdue is a query (``selectors.overdue_condition``); the sweep only tells people. Each unit gets one
digest a day (items due soon, items overdue) rather than one message per item, and each supervising
body's staff one digest of their overdue items: a district with tens of thousands of open items is
reminded in one pass of grouped counts, not one Event and one message per item. One Event records
each day's sweep (with what it sent), which also keeps a second run on the same day from sending twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from minsheng.core.events import event_record
from minsheng.core.jobs import DailyAt, job_register
from minsheng.core.models import Event
from minsheng.core.notifications import notify
from minsheng.org.models import Jurisdiction, Unit
from minsheng.org.selectors import today
from minsheng.oversight.models import OPEN_ITEM_STATES, RectificationItem
from minsheng.oversight.selectors import OVERDUE, settings_for
from minsheng.oversight.services.common import body_staff, unit_handlers

SWEEP_VERB = "oversight_sweep"


def _already_swept(day: dt.date) -> bool:
    # Only the last days' Events are read (the time index), whatever the length of the log.
    recent = timezone.now() - dt.timedelta(days=2)
    return Event.objects.filter(at__gte=recent, verb=SWEEP_VERB, payload__day=day.isoformat()).exists()


def _items_link(**query: Any) -> str:
    return f"{reverse('oversight:items')}?{urlencode(query)}"


def overdue_sweep(day: dt.date | None = None) -> dict[str, int]:
    """Tell units of items due within their jurisdiction's reminder window and of overdue items, and
    tell staff of their bodies' overdue items. Once a day: a second run the same day sends nothing."""
    day = day or today()
    counts = {"units": 0, "bodies": 0, "due_soon": 0, "overdue": 0}
    if _already_swept(day):
        return counts
    open_items = RectificationItem.objects.filter(status__in=OPEN_ITEM_STATES)
    per_unit: dict[int, dict[str, int]] = defaultdict(lambda: {"soon": 0, "overdue": 0})
    per_body: dict[int, int] = defaultdict(int)
    places = open_items.values_list("jurisdiction_id", flat=True).distinct()
    for place in Jurisdiction.objects.filter(pk__in=places).select_related("parent"):
        window = day + dt.timedelta(days=settings_for(place).remind_days_before)
        rows = (
            open_items.filter(jurisdiction=place, due__lte=window)
            .values("unit_id", "body_id")
            .annotate(overdue=Count("id", filter=Q(due__lt=day)), soon=Count("id", filter=Q(due__gte=day)))
        )
        for row in rows:
            per_unit[row["unit_id"]]["soon"] += row["soon"]
            per_unit[row["unit_id"]]["overdue"] += row["overdue"]
            per_body[row["body_id"]] += row["overdue"]
    names = dict(Unit.objects.filter(pk__in=per_unit).values_list("pk", "name"))
    with transaction.atomic():
        for unit_id, numbers in sorted(per_unit.items()):
            if numbers["overdue"]:
                text = _("%(unit)s: %(overdue)s rectification items are overdue, %(soon)s more are due soon.")
                link = _items_link(unit=unit_id, status=OVERDUE)
            else:
                text = _("%(unit)s: %(soon)s rectification items are due within days.")
                link = _items_link(unit=unit_id, status="open")
            message = text % {
                "unit": names.get(unit_id, ""),
                "overdue": numbers["overdue"],
                "soon": numbers["soon"],
            }
            notify(
                users=unit_handlers([unit_id]), text=message, link=link, send_message=bool(numbers["overdue"])
            )
            counts["units"] += 1
            counts["due_soon"] += numbers["soon"]
            counts["overdue"] += numbers["overdue"]
        for body_id, overdue in sorted(per_body.items()):
            if overdue:
                notify(
                    users=body_staff(body_id),
                    text=_("%(count)s rectification items of your body are overdue.") % {"count": overdue},
                    link=_items_link(status=OVERDUE),
                )
                counts["bodies"] += 1
        event_record(actor=None, verb=SWEEP_VERB, payload={"day": day.isoformat(), **counts})
    return counts


@task()
def overdue_sweep_task() -> dict[str, int]:
    return overdue_sweep()


# After the motions reminders (07:30): units find the day's digest when they start work.
job_register("oversight.overdue_sweep", task=overdue_sweep_task, schedule=DailyAt(dt.time(7, 45)))
