"""Blocks of the role home (/me/): a unit's items, staff's reviews and overdue items, a team member's
activities, an owner's projects and the leaders' figures."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.org.selectors import today
from minsheng.oversight.models import ActivityStatus
from minsheng.oversight.rules import scope_of
from minsheng.oversight.selectors import (
    ballots_awaiting,
    dashboard_for,
    is_overdue,
    items_for_handler,
    items_visible_to,
    overdue_condition,
    projects_visible_to,
    reports_to_review,
)
from minsheng.web.views import DeskPanel

TEMPLATE = "oversight/_desk.html"
ROWS = 10


@dataclass(frozen=True)
class Row:
    url: str
    title: str
    note: str = ""
    overdue: bool = False


def _day(value: object) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""  # type: ignore[attr-defined]


def _item_row(item: object, day: object) -> Row:
    return Row(
        reverse("oversight:item", args=[item.pk]),  # type: ignore[attr-defined]
        item.task[:60],  # type: ignore[attr-defined]
        _("%(unit)s · due %(day)s") % {"unit": item.unit.name, "day": _day(item.due)},  # type: ignore[attr-defined]
        overdue=is_overdue(item, day),  # type: ignore[arg-type]
    )


def panels(request: HttpRequest) -> list[DeskPanel]:
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return []
    scope = scope_of(user)
    day = today()
    result: list[DeskPanel] = []
    if scope.handler_units:
        rows = [_item_row(i, day) for i in items_for_handler(user)[:ROWS]]
        result.append(
            DeskPanel(
                TEMPLATE,
                {
                    "kind": "unit",
                    "title": _("Rectification items of my unit"),
                    "sections": [{"title": _("By deadline"), "rows": rows}],
                    "links": [{"label": _("All items"), "url": reverse("oversight:items")}],
                },
            )
        )
    finished = (ActivityStatus.CLOSED, ActivityStatus.CANCELLED)
    teams = sorted(
        (seat for seat in scope.team_seats if seat.activity.status not in finished),
        key=lambda seat: seat.activity.start_date,
    )[:ROWS]
    if scope.is_staff or teams:
        sections = []
        if teams:
            sections.append(
                {
                    "title": _("Activities I am on the team of"),
                    "rows": [
                        Row(
                            reverse("oversight:activity", args=[t.activity_id]),
                            t.activity.title,
                            t.activity.get_status_display(),
                        )
                        for t in teams
                    ],
                }
            )
        review = [_item_row(i, day) for i in reports_to_review(user)[:ROWS]]
        if scope.is_staff or review:
            sections.append({"title": _("Reports to review"), "rows": review})
        if scope.is_staff:
            overdue = (
                items_visible_to(user)
                .filter(overdue_condition(day))
                .select_related("unit")
                .order_by("due", "id")
            )
            sections.append(
                {"title": _("Overdue items"), "rows": [_item_row(i, day) for i in overdue[:ROWS]]}
            )
        links = [{"label": _("Supervision"), "url": reverse("oversight:index")}]
        if scope.is_staff:
            links.append({"label": _("Dashboard"), "url": reverse("oversight:dashboard")})
        result.append(
            DeskPanel(
                TEMPLATE, {"kind": "staff", "title": _("Supervision"), "sections": sections, "links": links}
            )
        )
    awaiting = ballots_awaiting(user)
    if awaiting:
        rows = [
            Row(reverse("oversight:ballot", args=[b.pk]), b.unit.name, b.activity.title) for b in awaiting
        ]
        result.append(
            DeskPanel(
                TEMPLATE,
                {
                    "kind": "ballots",
                    "title": _("Satisfaction ballots awaiting my vote"),
                    "sections": [{"title": "", "rows": rows}],
                    "links": [],
                },
            )
        )
    owned = (
        list(projects_visible_to(user).filter(owner_contacts__pk=scope.person_id or 0)[:ROWS])
        if scope.person_id
        else []
    )
    if owned:
        result.append(
            DeskPanel(
                TEMPLATE,
                {
                    "kind": "owner",
                    "title": _("My projects"),
                    "sections": [
                        {
                            "title": "",
                            "rows": [
                                Row(reverse("oversight:project", args=[p.pk]), p.name, p.get_status_display())
                                for p in owned
                            ],
                        }
                    ],
                    "links": [],
                },
            )
        )
    if scope.is_leader and not scope.is_staff:
        board = dashboard_for(user, day)
        result.append(
            DeskPanel(
                TEMPLATE,
                {
                    "kind": "leader",
                    "title": _("Supervision at a glance"),
                    "board": board,
                    "sections": [],
                    "links": [{"label": _("Open the dashboard"), "url": reverse("oversight:dashboard")}],
                },
            )
        )
    return result
