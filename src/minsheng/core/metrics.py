"""``/metrics`` in the Prometheus text format: requests and latencies (counted in every web process),
the task queue, workers and overdue items (read from the database when scraped).

Under ``minsheng serve`` the gunicorn processes share their counters through files in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode, set up by ``serve``), so any
process answers a scrape with the totals of all. Apps add database gauges in a ``metrics.py`` module
of their own, e.g. ``overdue_register("motions.assignments", lambda: <count>)``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUESTS = Counter(
    "minsheng_http_requests", "HTTP requests answered, by view and status.", ["method", "view", "status"]
)
LATENCY = Histogram(
    "minsheng_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by view.",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

_OVERDUE: dict[str, Callable[[], int]] = {}
_discovered = False


def overdue_register(kind: str, count: Callable[[], int]) -> None:
    """Publish a count as ``minsheng_overdue_items{kind=...}`` (call it in ``<app>/metrics.py``)."""
    _OVERDUE[kind] = count


def request_observe(*, method: str, view: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method=method, view=view, status=str(status)).inc()
    LATENCY.labels(view=view).observe(seconds)


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time: queue, workers, overdue items."""

    def collect(self) -> Iterator[Any]:
        from django.db.models import Count
        from django_tasks_db.models import DBTaskResult

        from minsheng.core.models import WorkerHeartbeat

        tasks = GaugeMetricFamily("minsheng_tasks", "Task results stored, by status.", labels=["status"])
        counts = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")).order_by())
        for status in ("READY", "RUNNING", "SUCCESSFUL", "FAILED"):
            tasks.add_metric([status.lower()], counts.get(status, 0))
        yield tasks
        yield GaugeMetricFamily(
            "minsheng_tasks_queue_depth",
            "Tasks ready to run now (queued and due).",
            value=DBTaskResult.objects.ready().count(),
        )
        failed = CounterMetricFamily(
            "minsheng_worker_task_failures",
            "Tasks failed, per live worker since its start.",
            labels=["worker"],
        )
        run = CounterMetricFamily(
            "minsheng_worker_tasks", "Tasks run, per live worker since it started.", labels=["worker"]
        )
        newest = None
        for beat in WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - dt.timedelta(hours=1)):
            failed.add_metric([beat.worker], beat.tasks_failed)
            run.add_metric([beat.worker], beat.tasks_run)
            newest = beat.seen_at if newest is None or beat.seen_at > newest else newest
        yield failed
        yield run
        if newest is not None:
            yield GaugeMetricFamily(
                "minsheng_worker_heartbeat_age_seconds",
                "Seconds since the most recent heartbeat of any worker.",
                value=(timezone.now() - newest).total_seconds(),
            )
        overdue = GaugeMetricFamily(
            "minsheng_overdue_items", "Items past their deadline, by kind.", labels=["kind"]
        )
        for kind, count in sorted(_overdue_counters().items()):
            try:
                overdue.add_metric([kind], count())
            except Exception:
                logger.exception("overdue count failed", extra={"kind": kind})
        yield overdue


def _overdue_counters() -> dict[str, Callable[[], int]]:
    global _discovered
    if not _discovered:
        autodiscover_modules("metrics")
        _discovered = True
    return _OVERDUE


def metrics_text() -> bytes:
    """The whole exposition: every web process's counters, then the database gauges."""
    database = CollectorRegistry(auto_describe=True)
    database.register(DatabaseCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
        web = generate_latest(processes)
    else:
        web = generate_latest(REGISTRY)
    return web + generate_latest(database)
