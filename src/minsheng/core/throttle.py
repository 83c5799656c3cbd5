"""Counting attempts in a time window (public forms, codes, votes) and the client's address."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.functional import Promise

from minsheng.core.errors import RateLimitedError


def client_ip(request: HttpRequest) -> str:
    """The peer address; behind a proxy, configure it to set REMOTE_ADDR (we never trust X-Forwarded-For)."""
    return str(request.META.get("REMOTE_ADDR", ""))


def throttle_count(key: str, *, limit: int, seconds: int, message: str | Promise | None = None) -> None:
    """Count one attempt under ``key``; RateLimitedError once more than ``limit`` fall in the window."""
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=seconds)
        count = 1
    if count > limit:
        raise RateLimitedError(message)


def throttle_exceeded(key: str, *, limit: int) -> bool:
    return int(cache.get(key, 0)) >= limit
