"""Menu entries of the deliberation app (see ``minsheng.web.nav``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minsheng.web.nav import NavItem


def items(request: HttpRequest) -> list[NavItem]:
    return [NavItem(_("Deliberation"), reverse("deliberation:list"), "public", 60)]
