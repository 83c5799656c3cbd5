"""Request ids: one id per request, in the response header, the logs and every Event it writes."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from minsheng.core.queries import request_memo_bound

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is reused only when it is a short token that is safe in logs and headers.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")

_current_request_id: ContextVar[str] = ContextVar("minsheng_request_id", default="")


def request_id_get() -> str:
    """The id of the request being served, or "" outside a request (commands, tasks)."""
    return _current_request_id.get()


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_from_header(value: str | None) -> str:
    """The caller's id when it is a safe short token, else a fresh one."""
    if value and _SAFE_REQUEST_ID.fullmatch(value):
        return value
    return request_id_new()


@contextmanager
def request_id_bound(value: str) -> Iterator[str]:
    """Bind a request id for a block of work outside the request cycle (a task, a command)."""
    token = _current_request_id.set(value)
    try:
        yield value
    finally:
        _current_request_id.reset(token)


class RequestIdMiddleware:
    """Sets ``request.request_id`` and echoes it in the ``X-Request-ID`` response header, and binds the
    request's memo for ``core.queries.once_per_request``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from_header(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        with request_id_bound(request_id), request_memo_bound():
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


request_logger = logging.getLogger("minsheng.request")


class RequestLogMiddleware:
    """One log line and one metrics observation per request (after RequestIdMiddleware: the id is bound).

    The path is logged without its query string (searches may hold names or phone numbers); the view
    label is the URL pattern's name, so that metrics do not grow with every distinct URL.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from minsheng.core.metrics import request_observe

        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        match = request.resolver_match
        view = (match.view_name or match.route) if match is not None else "unmatched"
        request_observe(method=request.method or "", view=view, status=response.status_code, seconds=seconds)
        user = getattr(request, "user", None)
        request_logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "view": view,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 2),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "client": request.META.get("REMOTE_ADDR", ""),
            },
        )
        return response
