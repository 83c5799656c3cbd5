"""Menu entries of the voices app (see ``minsheng.web.nav``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minsheng.web.nav import NavItem


def items(request: HttpRequest) -> list[NavItem]:
    entries = [
        NavItem(_("Tell us your concern"), reverse("voices:new"), "public", 20),
        NavItem(_("Follow my message"), reverse("voices:track"), "public", 30),
    ]
    user = request.user
    if user.has_perm("voices.list_voice"):
        entries.append(NavItem(_("Voices"), reverse("voices:list"), "work", 110))
    if user.has_perm("voices.list_workorder"):
        entries.append(NavItem(_("Work orders"), reverse("voices:work_orders"), "work", 120))
    return entries
