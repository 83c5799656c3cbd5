"""Menu entries of the legislation app (see ``minsheng.web.nav``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minsheng.web.nav import NavItem


def items(request: HttpRequest) -> list[NavItem]:
    return [NavItem(_("Legislative consultation"), reverse("legislation:index"), "public", 50)]
