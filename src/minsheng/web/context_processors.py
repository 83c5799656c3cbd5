"""Values every template needs."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def site(request: HttpRequest) -> dict[str, object]:
    return {"site_name": _("Minsheng"), "site_tagline": _("Whole-process people's democracy, online")}
