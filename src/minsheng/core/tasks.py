"""Background work of the core: housekeeping of the queue, the job log and worker heartbeats."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from minsheng.core.checkpoints import checkpoint_sign
from minsheng.core.codes import codes_prune
from minsheng.core.jobs import DailyAt, Every, job_register
from minsheng.core.models import JobRun, WorkerHeartbeat
from minsheng.core.throttle import counters_prune

TASK_RESULTS_KEPT = dt.timedelta(days=14)
JOB_RUNS_KEPT = dt.timedelta(days=90)
HEARTBEATS_KEPT = dt.timedelta(days=2)


def housekeeping(now: dt.datetime | None = None) -> dict[str, int]:
    """Delete finished task results, old job runs, heartbeats of workers long gone, attempt counters
    whose window ended and expired one-time codes."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    finished, _ = DBTaskResult.objects.filter(
        status__in=("SUCCESSFUL", "FAILED"), finished_at__lt=now - TASK_RESULTS_KEPT
    ).delete()
    runs, _ = JobRun.objects.filter(slot__lt=now - JOB_RUNS_KEPT).delete()
    heartbeats, _ = WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEATS_KEPT).delete()
    return {
        "task_results": finished,
        "job_runs": runs,
        "heartbeats": heartbeats,
        "counters": counters_prune(now=now),
        "codes": codes_prune(now=now),
    }


@task()
def housekeeping_task() -> dict[str, int]:
    return housekeeping()


job_register("core.housekeeping", task=housekeeping_task, schedule=DailyAt(dt.time(3, 0)))


CHECKPOINT_EVERY = dt.timedelta(hours=1)


@task()
def event_checkpoint_task() -> dict[str, object]:
    """Sign the Event chain head (core.checkpoints); the day's checkpoint file is the published report."""
    checkpoint = checkpoint_sign()
    return {"seq": checkpoint.seq, "hash": checkpoint.hash} if checkpoint else {"seq": None}


job_register("core.event_checkpoint", task=event_checkpoint_task, schedule=Every(CHECKPOINT_EVERY))
