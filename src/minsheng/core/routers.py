"""Read replicas: reads go to the replica, except where they must see the primary.

With ``MINSHENG_REPLICA_DATABASE_URL`` set, the ``replica`` alias exists and ``ReplicaRouter`` sends a
read there unless

- it happens inside a transaction on the primary (a service's reads decide what it writes: a stale
  row would be written back, or a transition checked against an old state);
- this request (or thread) has already written: it must read its own writes;
- the client wrote within the last few seconds (``ReplicaPinMiddleware`` sets a short cookie after a
  write, so the page a form redirects to shows what was just saved despite replication lag);
- the model lives on the primary only: the Event log and its chain head, sessions, the cache, the
  task queue, job runs and heartbeats (all read to decide a write, or written by every request).

Writes always go to the primary, and migrations run there only (a replica copies the primary's schema).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA = "replica"
PIN_COOKIE = "minsheng_primary"
PIN_SECONDS = 10

# Models whose reads must see the primary, by "app_label.model_name".
PRIMARY_ONLY = frozenset(
    {
        "core.event",
        "core.eventchainhead",
        "core.jobrun",
        "core.workerheartbeat",
        "sessions.session",
        "django_cache.cacheentry",
        "django_tasks_database.dbtaskresult",
    }
)

_pinned: ContextVar[bool] = ContextVar("minsheng_read_primary", default=False)
_wrote: ContextVar[bool] = ContextVar("minsheng_wrote", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES and bool(settings.MINSHENG.get("READ_REPLICA"))


def primary_pin() -> None:
    """Read from the primary for the rest of this request (or thread)."""
    _pinned.set(True)


def primary_pinned() -> bool:
    return _pinned.get()


class ReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        if not replica_configured():
            return PRIMARY
        if _pinned.get() or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        if f"{model._meta.app_label}.{model._meta.model_name}" in PRIMARY_ONLY:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        _pinned.set(True)
        _wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == PRIMARY or not replica_configured()


class ReplicaPinMiddleware:
    """Per request: start unpinned (unless the client wrote moments ago); after a write, pin the client."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pinned = _pinned.set(PIN_COOKIE in request.COOKIES)
        wrote = _wrote.set(False)
        try:
            response = self.get_response(request)
            written = _wrote.get()
        finally:
            _pinned.reset(pinned)
            _wrote.reset(wrote)
        if written and replica_configured():
            response.set_cookie(PIN_COOKIE, "1", max_age=PIN_SECONDS, httponly=True, samesite="Lax")
        return response
