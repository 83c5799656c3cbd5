"""Menu entries of the meetings app (the contract of ``minsheng.web.nav``: ``items(request)``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _


def _nav_item(**fields: Any) -> Any:
    """A ``minsheng.web.nav.NavItem`` once that module exists; a plain record until then."""
    try:
        from minsheng.web.nav import NavItem  # type: ignore[import-not-found,unused-ignore]
    except ModuleNotFoundError:
        from types import SimpleNamespace

        return SimpleNamespace(**fields)
    return NavItem(**fields)


def items(request: HttpRequest) -> list[Any]:
    """Everyone: the published meetings; members and staff: their meetings (work)."""
    entries = [
        _nav_item(label=_("Sessions and meetings"), url=reverse("meetings:list"), section="public", order=60)
    ]
    user = request.user
    if user.is_authenticated and (getattr(user, "person_id", None) or user.has_perm("meetings.add_meeting")):
        entries.append(
            _nav_item(label=_("My meetings"), url=reverse("meetings:mine"), section="work", order=60)
        )
    return entries
