"""Menu entries of the org app (see ``minsheng.web.nav``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minsheng.web.nav import NavItem


def items(request: HttpRequest) -> list[NavItem]:
    entries = [NavItem(_("Directory"), reverse("org:directory"), "public", 70)]
    # The admin configures the organisation; only administrators hold a role there.
    if request.user.has_perm("org.change_jurisdiction"):
        entries.append(NavItem(_("Administration"), reverse("admin:index"), "work", 900))
    return entries
