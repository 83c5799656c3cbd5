"""The task worker: runs queued tasks, enqueues due periodic jobs, writes a heartbeat and keeps the
database in shape.

One loop, one thread: between two tasks it enqueues the due periodic jobs (``core.jobs``), records
a ``WorkerHeartbeat`` that ``/healthz`` and ``/metrics`` read, and does SQLite's upkeep
(``core.upkeep``: index merges and log checkpoints that requests would otherwise pay for). Tasks
are claimed with django-tasks-db's row lock (``SELECT … FOR UPDATE SKIP LOCKED``; SQLite serialises
claims), so any number of workers on any number of machines share one queue and each task runs once.
A worker killed in the middle of a task leaves that task "running": tasks are run at most once, never
twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from dataclasses import dataclass, field

from django.db import OperationalError, close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from minsheng.core.conf import setting
from minsheng.core.jobs import jobs_schedule
from minsheng.core.models import WorkerHeartbeat
from minsheng.core.upkeep import UPKEEP_SECONDS, database_upkeep

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10.0
JOBS_TICK_SECONDS = 15.0


def worker_id_new() -> str:
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(6)}"


def heartbeat_beat(*, worker: str, started_at: dt.datetime, tasks_run: int, tasks_failed: int) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker=worker,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
            "tasks_run": tasks_run,
            "tasks_failed": tasks_failed,
        },
    )


@dataclass
class _Clock:
    every: float
    last: float = field(default=float("-inf"))

    def due(self, now: float) -> bool:
        if now - self.last >= self.every:
            self.last = now
            return True
        return False


class JobWorker(Worker):
    """django-tasks-db's worker loop plus the periodic jobs and the heartbeat."""

    def __init__(self, *, worker_id: str, interval: float = 1.0, max_tasks: int | None = None) -> None:
        super().__init__(
            queue_names=["*"],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        self.started_at = timezone.now()
        self.tasks_failed = 0
        self._heartbeat = _Clock(float(setting("WORKER_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)))
        self._jobs = _Clock(float(setting("JOBS_TICK_SECONDS", JOBS_TICK_SECONDS)))
        self._upkeep = _Clock(float(setting("UPKEEP_SECONDS", UPKEEP_SECONDS)))

    def housekeeping(self) -> None:
        """Heartbeat, periodic jobs and database upkeep, when their clocks say so; a database hiccup is
        logged, not fatal."""
        now = time.monotonic()
        try:
            if self._heartbeat.due(now):
                heartbeat_beat(
                    worker=self.worker_id,
                    started_at=self.started_at,
                    tasks_run=self._run_tasks,
                    tasks_failed=self.tasks_failed,
                )
            if self._jobs.due(now):
                jobs_schedule(worker=self.worker_id)
            if self._upkeep.due(now):
                database_upkeep()
        except OperationalError:
            logger.exception("worker housekeeping failed", extra={"worker": self.worker_id})

    def claim_next(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
            except OperationalError as error:
                if is_locked_database_exception(error):
                    return None
                raise
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if db_task_result.status == "FAILED":
            self.tasks_failed += 1
            logger.error(
                "task failed",
                extra={
                    "task": db_task_result.task_path,
                    "task_id": str(db_task_result.id),
                    "exception": db_task_result.exception_class_path,
                    "traceback": db_task_result.traceback,
                },
            )

    def run(self) -> None:
        logger.info("worker started", extra={"worker": self.worker_id})
        while self.running:
            close_old_connections()
            self.housekeeping()
            task_result = self.claim_next()
            if task_result is not None:
                self.run_task(task_result)
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)
