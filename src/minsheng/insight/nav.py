"""Menu entries of the text-intelligence app (see ``minsheng.web.nav``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minsheng.insight.selectors import hot_jurisdictions_for
from minsheng.web.nav import NavItem


def items(request: HttpRequest) -> list[NavItem]:
    user = request.user
    if not user.is_authenticated:
        return []
    entries = []
    if hot_jurisdictions_for(user):
        entries.append(NavItem(_("Hot issues"), reverse("insight:hot"), "work", 180))
    if user.has_perm("insight.view_routingmodel"):
        entries.append(NavItem(_("Routing models"), reverse("insight:routing"), "work", 190))
    return entries
