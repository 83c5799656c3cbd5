"""Menu entries of the oversight app (see ``minsheng.web.nav``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.web.nav import NavItem

PUBLIC_ORDER = 65
WORK_ORDER = 160


def items(request: HttpRequest) -> list[NavItem]:
    """The public record for everyone; the supervision pages for those who may open them."""
    entries = [
        NavItem(
            label=_("Supervision in public"),
            url=reverse("oversight:public"),
            section="public",
            order=PUBLIC_ORDER,
        )
    ]
    user = request.user
    if user.has_perm("oversight.list_activity"):
        entries.append(
            NavItem(label=_("Supervision"), url=reverse("oversight:index"), section="work", order=WORK_ORDER)
        )
    if user.has_perm("oversight.list_budgettable"):
        entries.append(
            NavItem(
                label=_("Budget execution"),
                url=reverse("oversight:budget_index"),
                section="work",
                order=WORK_ORDER + 1,
            )
        )
    if user.has_perm("oversight.list_enterprise"):
        entries.append(
            NavItem(
                label=_("Enterprise needs"),
                url=reverse("oversight:enterprise"),
                section="work",
                order=WORK_ORDER + 2,
            )
        )
    return entries
