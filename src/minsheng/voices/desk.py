"""Blocks of the signed-in user's home (/me/): what each role has to do with voices."""

from __future__ import annotations

from django.http import HttpRequest

from minsheng.voices import selectors
from minsheng.voices.rules import (
    handler_unit_ids_of,
    representative_ids_of,
    staff_jurisdiction_ids_of,
    station_ids_of,
)
from minsheng.web.views import DeskPanel

PANEL_ROWS = 10


def panels(request: HttpRequest) -> list[DeskPanel]:
    user = request.user
    if not user.is_authenticated:
        return []
    today = selectors.today()
    result: list[DeskPanel] = []
    if representative_ids_of(user):
        result.append(
            DeskPanel(
                template="voices/desk_addressed.html",
                context={
                    "voices": list(selectors.voices_addressed_to_user(user, PANEL_ROWS)),
                    "today": today,
                },
            )
        )
    if station_ids_of(user):
        result.append(
            DeskPanel(
                template="voices/desk_station.html",
                context={
                    "voices": list(selectors.voices_of_stations(user, PANEL_ROWS)),
                    "days": list(selectors.reception_days_of_user(user).filter(date__gte=today)[:5]),
                    "today": today,
                },
            )
        )
    if handler_unit_ids_of(user):
        result.append(
            DeskPanel(
                template="voices/desk_work_orders.html",
                context={
                    "orders": list(selectors.work_orders_for_handler(user)[:PANEL_ROWS]),
                    "today": today,
                },
            )
        )
    if staff_jurisdiction_ids_of(user):
        counts = selectors.voices_counts_by_status(user)
        overdue = selectors.voices_search(user, selectors.VoiceFilters(overdue=True)).count()
        result.append(
            DeskPanel(
                template="voices/desk_staff.html",
                context={
                    "counts": counts,
                    "overdue": overdue,
                    "runs_stations": user.has_perm("voices.add_receptionday"),
                },
            )
        )
    requests = selectors.extension_requests_for(user, PANEL_ROWS)
    if requests:
        result.append(
            DeskPanel(template="voices/desk_extensions.html", context={"orders": requests, "today": today})
        )
    return result
