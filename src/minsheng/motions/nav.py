"""Menu entries of the motions app (see ``minsheng.web.nav``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minsheng.web.nav import NavItem


def items(request: HttpRequest) -> list[NavItem]:
    entries = [NavItem(_("Published replies"), reverse("motions:public_list"), "public", 40)]
    user = request.user
    if user.has_perm("motions.list_motion"):
        entries.append(NavItem(_("Suggestions, proposals and bills"), reverse("motions:list"), "work", 130))
    if user.has_perm("motions.view_dashboard"):
        entries.append(NavItem(_("Dashboard"), reverse("motions:dashboard"), "work", 140))
    return entries
