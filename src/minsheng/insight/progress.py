"""Progress of long work (training a model, computing hot issues), shared through the cache: the
work runs in a task worker, the page that started it polls this."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

PROGRESS_SECONDS = 3600


def _key(name: str) -> str:
    return f"insight:progress:{name}"


def progress_set(
    name: str, *, state: str, stage: str = "", done: int = 0, total: int = 0, message: str = ""
) -> None:
    """``state``: queued, running, done or failed."""
    value = {"state": state, "stage": stage, "done": done, "total": total, "message": message}
    cache.set(_key(name), value, PROGRESS_SECONDS)


def progress_get(name: str) -> dict[str, Any] | None:
    value = cache.get(_key(name))
    return value if isinstance(value, dict) else None


def progress_reporter(name: str) -> Any:
    """A ``progress(stage, done, total)`` callback for the text algorithms (writes now and then)."""

    def report(stage: str, done: int, total: int) -> None:
        progress_set(name, state="running", stage=stage, done=done, total=total)

    return report
