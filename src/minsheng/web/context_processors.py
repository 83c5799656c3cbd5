"""Values every template needs."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from minsheng.web.display import display_is_large


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "site_name": _("Minsheng"),
        "site_tagline": _("Whole-process people's democracy, online"),
        "display_large": display_is_large(request),
    }


def nav(request: HttpRequest) -> dict[str, object]:
    """The site-wide menu (see ``minsheng.web.nav``), built only if the page shows it."""
    from minsheng.web.nav import Menu

    return {"nav": Menu(request)}
