"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from minsheng.core.errors import ConflictError, RateLimitedError
from minsheng.urls import handler400, handler403, handler404, handler500
from minsheng.urls import urlpatterns as site_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("tampered")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def throttled(request: HttpRequest) -> HttpResponse:
    raise RateLimitedError("请于 14:05 后再试。")


def conflict(request: HttpRequest) -> HttpResponse:
    raise ConflictError()


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/suspicious/", suspicious),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/throttled/", throttled),
    path("test-errors/conflict/", conflict),
    path("api/test-errors/boom/", boom),
    *site_urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
