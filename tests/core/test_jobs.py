"""Periodic jobs: slots, exactly one enqueue per slot (also from several workers at once), the worker."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks import task

from minsheng.core import jobs
from minsheng.core.models import JobRun, WorkerHeartbeat
from minsheng.core.worker import JobWorker
from tests.core.thread_database import threads_with_own_connections

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
RUNS: list[str] = []


@task()
def probe_task() -> str:
    RUNS.append("ran")
    return "ran"


@task()
def failing_task() -> None:
    raise RuntimeError("断言：任务失败")


@pytest.fixture
def probe_job() -> Iterator[jobs.Job]:
    RUNS.clear()
    job = jobs.job_register("tests.probe", task=probe_task, schedule=jobs.Every(dt.timedelta(minutes=5)))
    yield job
    jobs._REGISTRY.pop("tests.probe", None)


def test_every_slots_are_aligned_to_the_epoch_so_every_node_agrees():
    every = jobs.Every(dt.timedelta(minutes=5))
    at = dt.datetime(2025, 3, 1, 10, 7, 31, tzinfo=SHANGHAI)
    assert every.slot(at) == dt.datetime(2025, 3, 1, 10, 5, tzinfo=SHANGHAI)
    assert every.slot(at + dt.timedelta(minutes=2)) == every.slot(at)
    assert every.slot(at + dt.timedelta(minutes=3)) == dt.datetime(2025, 3, 1, 10, 10, tzinfo=SHANGHAI)


def test_every_refuses_a_period_below_a_second():
    with pytest.raises(ValueError):
        jobs.Every(dt.timedelta(milliseconds=500))


def test_daily_slot_is_today_after_the_hour_and_yesterday_before_it_in_local_time():
    daily = jobs.DailyAt(dt.time(7, 30))
    before = dt.datetime(2025, 3, 1, 7, 29, tzinfo=SHANGHAI)
    after = dt.datetime(2025, 3, 1, 7, 30, tzinfo=SHANGHAI)
    assert daily.slot(after) == dt.datetime(2025, 3, 1, 7, 30, tzinfo=SHANGHAI)
    assert daily.slot(before) == dt.datetime(2025, 2, 28, 7, 30, tzinfo=SHANGHAI)
    # Just after midnight UTC is already 08:00 in Shanghai: today's slot, not yesterday's.
    assert daily.slot(dt.datetime(2025, 3, 1, 0, 1, tzinfo=dt.UTC)) == after


def test_registering_a_name_twice_for_another_task_is_refused(probe_job):
    with pytest.raises(ValueError):
        jobs.job_register("tests.probe", task=failing_task, schedule=jobs.Every(dt.timedelta(minutes=1)))
    assert jobs.job_register("tests.probe", task=probe_task, schedule=probe_job.schedule).task is probe_task


def test_every_app_job_is_discovered():
    names = {job.name for job in jobs.jobs_all()}
    assert {"motions.reminders", "deliberation.maps_stale_refresh", "core.housekeeping"} <= names


def _recent_slot_start() -> dt.datetime:
    """Two minutes into a five-minute slot of yesterday (recent: housekeeping keeps its runs)."""
    yesterday = timezone.now() - dt.timedelta(days=1)
    return jobs.Every(dt.timedelta(minutes=5)).slot(yesterday) + dt.timedelta(minutes=2)


@pytest.mark.django_db
def test_a_slot_is_enqueued_once_and_the_next_slot_again(probe_job):
    now = _recent_slot_start()
    first = jobs.jobs_schedule(now=now, worker="w1")
    assert "tests.probe" in [run.job for run in first]
    assert RUNS == ["ran"], "the tests' immediate backend runs the task on enqueue"
    again = jobs.jobs_schedule(now=now + dt.timedelta(minutes=2), worker="w2")
    assert "tests.probe" not in [run.job for run in again]
    assert RUNS == ["ran"]
    later = jobs.jobs_schedule(now=now + dt.timedelta(minutes=3), worker="w2")
    assert [run.job for run in later if run.job == "tests.probe"] == ["tests.probe"]
    assert RUNS == ["ran", "ran"]
    runs = JobRun.objects.filter(job="tests.probe").order_by("slot")
    assert [run.worker for run in runs] == ["w1", "w2"]
    assert all(run.task_id for run in runs)


@pytest.mark.django_db
def test_a_job_that_cannot_be_queued_is_logged_and_the_others_still_run(probe_job, caplog):
    class Broken:
        module_path = "tests.broken"

        def enqueue(self) -> None:
            raise RuntimeError("queue unavailable")

    jobs.job_register("tests.broken", task=Broken(), schedule=jobs.Every(dt.timedelta(minutes=1)))
    try:
        runs = jobs.jobs_schedule(now=_recent_slot_start())
    finally:
        jobs._REGISTRY.pop("tests.broken")
    assert "tests.probe" in [run.job for run in runs]
    assert not JobRun.objects.filter(job="tests.broken").exists(), "no slot taken without its task"
    assert any(record.__dict__.get("job") == "tests.broken" for record in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_eight_workers_ticking_at_once_enqueue_each_slot_exactly_once(probe_job, tmp_path):
    now = _recent_slot_start()
    with (
        threads_with_own_connections(tmp_path) as database,
        override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}),
    ):
        from django_tasks_db.models import DBTaskResult

        start = threading.Barrier(8, timeout=30)

        def tick(name: str) -> int:
            def run() -> int:
                start.wait()
                return len(jobs.jobs_schedule(now=now, worker=name))

            return run

        started = [database.start(tick(f"w{i}")) for i in range(8)]
        for thread, _ in started:
            thread.join(timeout=120)
        errors = [outcome["error"] for _, outcome in started if "error" in outcome]
        assert errors == []
        queued = sum(outcome["value"] for _, outcome in started)

        def count() -> tuple[int, int, int]:
            return (
                JobRun.objects.count(),
                JobRun.objects.filter(job="tests.probe").count(),
                DBTaskResult.objects.filter(task_path=probe_task.module_path).count(),
            )

        runs, probe_runs, probe_tasks = database.run(count)
    assert probe_runs == 1 and probe_tasks == 1
    assert queued == runs == len(jobs.jobs_all())


@pytest.mark.django_db
def test_the_worker_runs_queued_tasks_counts_failures_and_beats(probe_job, caplog, monkeypatch):
    # The worker drops stale connections between tasks; here that would end the test's transaction.
    monkeypatch.setattr("minsheng.core.worker.close_old_connections", lambda: None)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        probe_task.enqueue()
        failing_task.enqueue()
        worker = JobWorker(worker_id="test-worker", interval=0.01, max_tasks=2 + len(jobs.jobs_all()))
        worker.run()
        from django_tasks_db.models import DBTaskResult

        statuses = dict(DBTaskResult.objects.values_list("task_path", "status"))
    assert statuses[probe_task.module_path] == "SUCCESSFUL"
    assert statuses[failing_task.module_path] == "FAILED"
    assert set(statuses.values()) == {"SUCCESSFUL", "FAILED"}, "every queued task ran"
    assert RUNS == ["ran", "ran"], "the probe queued by hand and its periodic slot"
    beat = WorkerHeartbeat.objects.get(worker="test-worker")
    assert beat.pid > 0 and beat.host and worker.tasks_failed == 1
    assert JobRun.objects.filter(worker="test-worker").count() == len(jobs.jobs_all())
    failures = [r for r in caplog.records if r.getMessage() == "task failed"]
    assert failures and "断言：任务失败" in failures[0].__dict__["traceback"]
