"""Error pages: 400, 403 (and CSRF failure), 404, 429 and 500 in the user's language, in the site's layout.

Django calls the ``handler…`` views named in ``minsheng.urls``; ``csrf_failure`` is ``CSRF_FAILURE_VIEW``;
``DomainErrorMiddleware`` turns a refusal a view did not catch (``core.errors.DomainError``) into the
page of its status. Requests under ``/api/`` keep the API's JSON error shape (``{"detail", "code",
"field"}``), whichever of these answers them. A page that cannot render in the layout (the database is
down, the template itself fails) falls back to a plain page that needs nothing but the translation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from minsheng.core.errors import DomainError, http_status_of
from minsheng.core.middleware import request_id_get

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


@dataclass(frozen=True)
class ErrorKind:
    status: int
    code: str
    title: StrOrPromise
    text: StrOrPromise


ERRORS: dict[int, ErrorKind] = {
    400: ErrorKind(
        400,
        "bad_request",
        gettext_lazy("The request could not be understood"),
        gettext_lazy("Something in the address or the form was not valid. Go back and try again."),
    ),
    403: ErrorKind(
        403,
        "permission_denied",
        gettext_lazy("You cannot open this page"),
        gettext_lazy(
            "This page belongs to another office or role. If you think you should see it, ask your "
            "administrator."
        ),
    ),
    404: ErrorKind(
        404,
        "not_found",
        gettext_lazy("Page not found"),
        gettext_lazy("The page does not exist, has moved, or is not public."),
    ),
    409: ErrorKind(
        409,
        "conflict",
        gettext_lazy("Someone else changed this first"),
        gettext_lazy("Reload the page to see the current state, then try again."),
    ),
    429: ErrorKind(
        429,
        "rate_limited",
        gettext_lazy("Too many attempts"),
        gettext_lazy("Wait a few minutes, then try again."),
    ),
    500: ErrorKind(
        500,
        "server_error",
        gettext_lazy("Something went wrong on our side"),
        gettext_lazy(
            "The error has been recorded. Please try again later; if it happens again, tell us the "
            "error number below."
        ),
    ),
}

CSRF_FAILED = ErrorKind(
    403,
    "csrf_failed",
    gettext_lazy("This form has expired"),
    gettext_lazy(
        "For your safety, a form is valid only for a while and needs cookies. Go back, reload the "
        "page and send it again."
    ),
)


def _back_url(request: HttpRequest) -> str:
    """Where "back" leads: the page the user came from on this site, else the home page."""
    referer = request.headers.get("Referer", "")
    try:
        host = request.get_host()
    except Exception:  # a disallowed Host header is itself the error being shown
        return "/"
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={host}):
        return referer
    return "/"


def error_page(request: HttpRequest, kind: ErrorKind, *, detail: str = "") -> HttpResponse:
    """The error in the user's language: JSON under /api/, else the site's layout with the menu."""
    if request.path.startswith(API_PREFIX):
        body = {"detail": detail or str(kind.title), "code": kind.code, "field": None}
        return JsonResponse(body, status=kind.status, json_dumps_params={"ensure_ascii": False})
    request_id = request_id_get() or str(getattr(request, "request_id", ""))
    context = {"error": kind, "detail": detail, "back_url": _back_url(request), "request_id": request_id}
    html: str
    try:
        html = loader.render_to_string("web/error.html", context, request=request)
    except Exception:  # the page must answer even when the layout cannot render
        logger.exception("The %s page could not render in the layout", kind.status)
        html = _plain_page(kind, request_id)
    return HttpResponse(html, status=kind.status)


def _plain_page(kind: ErrorKind, request_id: str) -> str:
    number = _("Error number: %(number)s") % {"number": escape(request_id)} if request_id else ""
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(kind.title)}</title></head><body>"
        f"<h1>{escape(kind.title)}</h1><p>{escape(kind.text)}</p><p>{number}</p>"
        f'<p><a href="/">{escape(_("Home page"))}</a></p></body></html>'
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, ERRORS[400])


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, ERRORS[403])


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, ERRORS[404])


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, ERRORS[500])


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(request, CSRF_FAILED)


class DomainErrorMiddleware:
    """A refusal (``DomainError``) that escaped a view becomes the error page of its status, with its
    message, instead of a 500. The API answers its own errors before this runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        status = http_status_of(exception)
        kind = ERRORS.get(status, ERRORS[400])
        return error_page(request, kind, detail=exception.message)
