"""Menu entries of the org app (see ``minsheng.web.nav``)."""

from __future__ import annotations

import rules
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minsheng.web.nav import NavItem


def items(request: HttpRequest) -> list[NavItem]:
    entries = [NavItem(_("Directory"), reverse("org:directory"), "public", 70)]
    # The admin configures the organisation; only administrators hold a role there. Asked of the
    # rule itself: user.has_perm would also ask Django's table of model permissions (two queries on
    # every page), which grants no menu entry here.
    if rules.has_perm("org.change_jurisdiction", request.user):
        entries.append(NavItem(_("Administration"), reverse("admin:index"), "work", 900))
    return entries
