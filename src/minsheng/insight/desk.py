"""The text-intelligence block of a role's home: the hottest issues where the user may see them."""

from __future__ import annotations

from django.http import HttpRequest

from minsheng.insight.selectors import hot_jurisdictions_for, hot_report_latest
from minsheng.web.views import DeskPanel

PANEL_ISSUES = 3


def panels(request: HttpRequest) -> list[DeskPanel]:
    if not request.user.is_authenticated:
        return []
    places = hot_jurisdictions_for(request.user)
    if not places:
        return []
    report = hot_report_latest(places[0])
    issues = report.issues[:PANEL_ISSUES] if report is not None else []
    return [DeskPanel(template="insight/_desk.html", context={"jurisdiction": places[0], "issues": issues})]
