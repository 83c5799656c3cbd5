"""Template filters of the oversight pages: timeline verbs and states in words, amounts, dates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from minsheng.oversight.models import ActivityStatus, ItemStatus, PlanStatus, ProjectStatus, ReportStatus

register = template.Library()

VERBS = {
    "create": _("created"),
    "publish": _("published"),
    "unpublish": _("withdrawn from the public page"),
    "start": _("started"),
    "report": _("reported"),
    "close": _("closed"),
    "cancel": _("cancelled"),
    "team": _("chose the team"),
    "attendance": _("recorded who took part"),
    "documents": _("added documents"),
    "visit": _("recorded a visit"),
    "question": _("recorded a question"),
    "answer": _("recorded an answer"),
    "assigned": _("handed to the unit"),
    "accept_progress": _("accepted a progress report"),
    "send_back": _("sent the report back"),
    "extend": _("extended the deadline"),
    "reopen": _("to be rectified again"),
    "remind": _("reminder sent"),
    "overdue": _("overdue alert sent"),
    "progress": _("posted progress"),
    "milestone": _("milestone reached"),
    "milestone_add": _("added a milestone"),
    "milestone_replan": _("moved a planned date"),
    "outcome": _("recorded an outcome"),
    "suspend": _("suspended"),
    "resume": _("resumed"),
    "produce": _("production started"),
    "complete": _("completed"),
    "import": _("imported"),
    "accept": _("approved"),
    "ballot_open": _("opened a satisfaction ballot"),
    "oversight_sweep": _("daily reminders sent"),
    "demo_backdate": _("demo data: dates moved back"),
    "admin_changed": _("changed in the administration"),
    "admin_created": _("created in the administration"),
}
STATES = {
    **dict(ActivityStatus.choices),
    **dict(ItemStatus.choices),
    **dict(PlanStatus.choices),
    **dict(ProjectStatus.choices),
    **dict(ReportStatus.choices),
    "overdue": _("overdue"),
}


@register.filter
def verb_label(verb: str) -> str:
    return str(VERBS.get(verb, verb))


@register.filter
def state_label(state: str) -> str:
    return str(STATES.get(state, state))


@register.filter
def cn_date(value: Any) -> str:
    """A date the Chinese way (2025年3月1日), empty for none."""
    if not value:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def amount(value: Any) -> str:
    """An amount with thousands separators and at most two decimals (143,000 / 1,234.5)."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value))
    text = f"{number:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def percent(part: Any, whole: Any) -> str:
    try:
        if not whole:
            return "—"
        return f"{Decimal(str(part)) / Decimal(str(whole)) * 100:.1f}%"
    except (ArithmeticError, ValueError):
        return "—"
