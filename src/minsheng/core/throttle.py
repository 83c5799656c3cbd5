"""Counting attempts in a time window (public forms, codes, sign-ins) and the client's address.

Counters live in the database (``core.Counter``), not the cache: each attempt locks its counter's row
(``core.locking.rows_locked``; SQLite serialises writers anyway), so simultaneous attempts are all counted,
whatever cache a deployment runs. A counter is written in its own transaction when the caller is
outside one; callers count *before* the work they guard and never inside a transaction that may be
rolled back because the attempt failed (a wrong code must stay counted).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise

from minsheng.core.errors import RateLimitedError
from minsheng.core.locking import rows_locked
from minsheng.core.models import Counter


def client_ip(request: HttpRequest) -> str:
    """The peer address; behind a proxy, configure it to set REMOTE_ADDR (we never trust X-Forwarded-For)."""
    return str(request.META.get("REMOTE_ADDR", ""))


@dataclass(frozen=True)
class Count:
    """A counter's value in its current window."""

    count: int
    window_ends: dt.datetime


def counter_add(key: str, *, seconds: int, now: dt.datetime | None = None) -> Count:
    """Count one attempt under ``key``; a window of ``seconds`` starts with the first attempt."""
    now = now or timezone.now()
    fresh_end = now + dt.timedelta(seconds=seconds)
    with transaction.atomic():
        row = rows_locked(Counter).filter(key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = Counter.objects.create(key=key, count=1, window_ends=fresh_end)
                return Count(1, fresh_end)
            except IntegrityError:  # another attempt created it first: count on its row
                row = rows_locked(Counter).get(key=key)
        if row.window_ends <= now:
            row.count, row.window_ends = 1, fresh_end
        else:
            row.count += 1
        row.save(update_fields=["count", "window_ends"])
        return Count(row.count, row.window_ends)


def counter_value(key: str, *, now: dt.datetime | None = None) -> Count | None:
    """The counter under ``key`` in its current window, or None (never counted, or the window ended)."""
    now = now or timezone.now()
    row = Counter.objects.filter(key=key, window_ends__gt=now).first()
    return Count(row.count, row.window_ends) if row else None


def counters_clear(*keys: str) -> None:
    Counter.objects.filter(key__in=keys).delete()


def counters_prune(*, now: dt.datetime | None = None) -> int:
    """Delete counters whose window has ended. Returns how many."""
    deleted, _ = Counter.objects.filter(window_ends__lte=now or timezone.now()).delete()
    return deleted


def minutes_until(moment: dt.datetime, *, now: dt.datetime | None = None) -> int:
    return max(1, math.ceil((moment - (now or timezone.now())).total_seconds() / 60))


def throttle_count(key: str, *, limit: int, seconds: int, message: str | Promise | None = None) -> None:
    """Count one attempt under ``key``; RateLimitedError (saying when to try again) once more than
    ``limit`` fall in the window."""
    counted = counter_add(key, seconds=seconds)
    if counted.count > limit:
        raise RateLimitedError(message, retry_at=counted.window_ends)


def throttle_exceeded(key: str, *, limit: int) -> bool:
    counted = counter_value(key)
    return counted is not None and counted.count >= limit


def throttle_refuse_if_exceeded(key: str, *, limit: int, message: str | Promise | None = None) -> None:
    """RateLimitedError (saying when to try again) if ``limit`` attempts already fell in the window."""
    counted = counter_value(key)
    if counted is not None and counted.count >= limit:
        raise RateLimitedError(message, retry_at=counted.window_ends)
