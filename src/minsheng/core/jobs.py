"""Periodic jobs: each app registers ``(name, task, schedule)``; the worker enqueues each due job once.

An app registers its jobs in its ``tasks.py`` (the module that holds its django-tasks tasks)::

    from minsheng.core.jobs import DailyAt, Every, job_register

    @task()
    def reminders_task() -> dict[str, int]: ...

    job_register("motions.reminders", task=reminders_task, schedule=DailyAt(dt.time(8, 0)))

Every schedule divides time into slots (``Every(period)``: aligned to the Unix epoch; ``DailyAt``:
one a day at a local time). ``jobs_schedule`` — run by every worker every few seconds — inserts a
``JobRun`` row keyed by (job, slot) and enqueues the task in the same transaction: the unique key
lets exactly one of any number of workers, on any number of machines, enqueue a slot, and a crash
between the insert and the enqueue leaves neither. A worker that was down for several slots enqueues
only the current one (no burst of catch-up runs). The task runs with no arguments.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from minsheng.core.models import JobRun

logger = logging.getLogger(__name__)


class Schedule(Protocol):
    def slot(self, now: dt.datetime) -> dt.datetime:
        """The start of the slot that contains ``now`` (the latest boundary at or before it)."""
        ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class Every:
    """Once per ``period``; slots are aligned to the Unix epoch, so every node computes the same ones."""

    period: dt.timedelta

    def __post_init__(self) -> None:
        if self.period.total_seconds() < 1 or self.period.total_seconds() % 1:
            raise ValueError("a job period is a whole number of seconds, at least one")

    def slot(self, now: dt.datetime) -> dt.datetime:
        seconds = int(self.period.total_seconds())
        stamp = int(now.timestamp())
        return dt.datetime.fromtimestamp(stamp - stamp % seconds, tz=dt.UTC)

    def describe(self) -> str:
        return f"every {int(self.period.total_seconds())} s"


@dataclass(frozen=True)
class DailyAt:
    """Once a day at ``at`` in the site's time zone (``TIME_ZONE``, Asia/Shanghai by default)."""

    at: dt.time

    def slot(self, now: dt.datetime) -> dt.datetime:
        zone = timezone.get_default_timezone()
        local = timezone.localtime(now, zone)
        candidate = dt.datetime.combine(local.date(), self.at, tzinfo=zone)
        if candidate > local:
            candidate = dt.datetime.combine(local.date() - dt.timedelta(days=1), self.at, tzinfo=zone)
        return candidate.astimezone(dt.UTC)

    def describe(self) -> str:
        return f"daily at {self.at:%H:%M}"


@dataclass(frozen=True)
class Job:
    name: str
    task: Any  # a django_tasks Task that takes no arguments
    schedule: Schedule


_REGISTRY: dict[str, Job] = {}
_discovered = False


def job_register(name: str, *, task: Any, schedule: Schedule) -> Job:
    """Register a periodic job (call at import time of an app's ``tasks.py``). Idempotent per name."""
    job = Job(name=name, task=task, schedule=schedule)
    existing = _REGISTRY.get(name)
    if existing is not None and existing.task.module_path != task.module_path:
        raise ValueError(f"periodic job {name!r} is already registered for {existing.task.module_path}")
    _REGISTRY[name] = job
    return job


def jobs_all() -> list[Job]:
    """Every registered job, after importing each installed app's ``tasks`` module once."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True
    return sorted(_REGISTRY.values(), key=lambda job: job.name)


def job_get(name: str) -> Job:
    for job in jobs_all():
        if job.name == name:
            return job
    raise KeyError(name)


def _job_enqueue_once(job: Job, slot: dt.datetime, worker: str) -> JobRun | None:
    if JobRun.objects.filter(job=job.name, slot=slot).exists():
        return None
    try:
        with transaction.atomic():
            run = JobRun.objects.create(job=job.name, slot=slot, worker=worker[:64])
            result = job.task.enqueue()
            run.task_id = str(result.id)[:64]
            JobRun.objects.filter(pk=run.pk).update(task_id=run.task_id)
    except IntegrityError:
        return None  # another worker took this slot first
    logger.info("job queued", extra={"job": job.name, "slot": slot.isoformat(), "task_id": run.task_id})
    return run


def jobs_schedule(*, now: dt.datetime | None = None, worker: str = "") -> list[JobRun]:
    """Enqueue every job whose current slot has not been enqueued yet (by anyone). Returns the new runs.

    One failing job (its task cannot be enqueued) is logged and does not stop the others.
    """
    now = now or timezone.now()
    runs: list[JobRun] = []
    for job in jobs_all():
        try:
            run = _job_enqueue_once(job, job.schedule.slot(now), worker)
        except Exception:
            logger.exception("job could not be queued", extra={"job": job.name})
            continue
        if run is not None:
            runs.append(run)
    return runs


def job_enqueue_now(name: str) -> Any:
    """Run a job outside its schedule (an operator's ``minsheng jobs run NAME``); no slot is taken."""
    return job_get(name).task.enqueue()
