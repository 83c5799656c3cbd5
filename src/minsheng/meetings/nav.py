"""Menu entries of the meetings app (see ``minsheng.web.nav``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minsheng.meetings.services import KIND_ROLES
from minsheng.org.selectors import memberships_of
from minsheng.web.nav import NavItem

SEATED_ROLES = frozenset(role for roles in KIND_ROLES.values() for role in roles)
"""Roles that put a person on some meeting's roster."""


def items(request: HttpRequest) -> list[NavItem]:
    """Everyone: sessions and meetings (the published ones to the public); members and staff: theirs."""
    entries = [NavItem(_("Sessions and meetings"), reverse("meetings:list"), "public", 65)]
    user = request.user
    seated = any(m.role in SEATED_ROLES for m in memberships_of(user))
    if user.is_authenticated and (seated or user.has_perm("meetings.add_meeting")):
        entries.append(NavItem(_("My meetings"), reverse("meetings:mine"), "work", 165))
    return entries
