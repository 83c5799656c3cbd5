"""The large-text, high-contrast display mode (适老化): a cookie the server reads, so pages never flash.

The choice is a preference, not personal data: it lives in a long-lived cookie that the base template
reads when it renders ``<html class="large">``; it works without JavaScript (a form posts the choice).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DISPLAY_COOKIE = "minsheng_display"
LARGE = "large"
STANDARD = "standard"
DISPLAY_COOKIE_MAX_AGE = 365 * 24 * 3600


def display_is_large(request: HttpRequest) -> bool:
    return request.COOKIES.get(DISPLAY_COOKIE) == LARGE


def display_remember(response: HttpResponse, mode: str) -> HttpResponse:
    """Remember the chosen mode (anything but "large" means the standard display)."""
    if mode == LARGE:
        response.set_cookie(
            DISPLAY_COOKIE,
            LARGE,
            max_age=DISPLAY_COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
        )
    else:
        response.delete_cookie(DISPLAY_COOKIE, samesite="Lax")
    return response
