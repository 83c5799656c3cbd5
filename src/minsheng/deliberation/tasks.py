"""Background work: the opinion map is recomputed by a task, debounced, never inside a vote's request."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import default_task_backend, task

from minsheng.core.jobs import Every, job_register
from minsheng.deliberation.models import Topic

# A map whose refresh was asked for this long ago and has not run was lost (a node died between a
# vote's commit and its enqueue); the sweep queues it again.
STALE_AFTER = dt.timedelta(minutes=2)


@task()
def analysis_refresh(topic_id: int) -> None:
    from minsheng.deliberation.services import analysis_compute

    analysis_compute(topic_id=topic_id)


def analysis_enqueue(topic_id: int) -> None:
    """Queue a map update, at the earliest ANALYSIS_MIN_INTERVAL after the previous one.

    Backends that cannot defer (the tests' ImmediateBackend) run it at once.
    """
    from minsheng.deliberation.services import ANALYSIS_MIN_INTERVAL

    runner = analysis_refresh
    if default_task_backend.supports_defer:
        last = Topic.objects.filter(pk=topic_id).values_list("analysed_at", flat=True).first()
        now = timezone.now()
        run_after: dt.datetime = max(now, (last or now) + ANALYSIS_MIN_INTERVAL)
        if run_after > now:
            runner = analysis_refresh.using(run_after=run_after)
    runner.enqueue(topic_id)


def _refreshes_queued() -> set[int]:
    """Topics with a refresh waiting or running in the database queue (empty for other backends)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(default_task_backend, DatabaseBackend):
        return set()
    queued = DBTaskResult.objects.filter(
        task_path=analysis_refresh.module_path, status__in=("READY", "RUNNING")
    ).values_list("args_kwargs", flat=True)
    return {int(row["args"][0]) for row in queued if row.get("args")}


def maps_stale_refresh(now: dt.datetime | None = None) -> list[int]:
    """Queue again every map refresh that was asked for but neither queued nor run for STALE_AFTER."""
    now = now or timezone.now()
    stale = Topic.objects.filter(analysis_pending=True).exclude(analysed_at__gt=now - STALE_AFTER)
    topic_ids = sorted(set(stale.values_list("pk", flat=True)) - _refreshes_queued())
    for topic_id in topic_ids:
        analysis_refresh.enqueue(topic_id)
    return topic_ids


@task()
def maps_stale_refresh_task() -> list[int]:
    return maps_stale_refresh()


job_register("deliberation.maps_stale_refresh", task=maps_stale_refresh_task, schedule=Every(STALE_AFTER))
