"""Menu entries of the records app (see ``minsheng.web.nav``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minsheng.web.nav import NavItem


def items(request: HttpRequest) -> list[NavItem]:
    entries = [
        NavItem(_("Duty records"), reverse("records:search"), "public", 75),
        NavItem(_("Reading groups"), reverse("records:reading"), "public", 85),
    ]
    if request.user.has_perm("records.view_inbox"):
        entries.append(NavItem(_("My duties"), reverse("records:mine"), "work", 105))
    if request.user.has_perm("records.manage_records"):
        entries.append(NavItem(_("Duty records and reports"), reverse("records:staff"), "work", 480))
    return entries
