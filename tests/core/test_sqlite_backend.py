"""The SQLite backend's writers wait for the write lock by asking again, not in SQLite's sleeps."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import OperationalError, connection, transaction

from minsheng.core.models import JobRun
from minsheng.core.sqlite_backend import base
from tests.core.thread_database import ThreadDatabase, threads_with_own_connections

pytestmark = pytest.mark.django_db(transaction=True)
SLOT = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[ThreadDatabase]:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    with threads_with_own_connections(tmp_path) as database:
        yield database


def _busy_timeout() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        return int(cursor.fetchone()[0])


def _hold_the_lock(taken: threading.Event, release: threading.Event) -> None:
    with transaction.atomic():
        JobRun.objects.create(job="tests.holder", slot=SLOT)
        taken.set()
        release.wait(timeout=30)


def test_a_writer_waits_for_the_lock_by_asking_again_then_commits(
    sqlite_file: ThreadDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []

    def sleep_recorded(seconds: float) -> None:
        sleeps.append(seconds)
        time.sleep(seconds)

    monkeypatch.setattr(base, "time", SimpleNamespace(monotonic=time.monotonic, sleep=sleep_recorded))
    taken, release = threading.Event(), threading.Event()
    holder, held = sqlite_file.start(lambda: _hold_the_lock(taken, release))
    assert taken.wait(timeout=30)

    def write_after_the_holder() -> int:
        with transaction.atomic():  # begins while the holder has the lock
            JobRun.objects.create(job="tests.waiter", slot=SLOT)
        return _busy_timeout()

    waiter, waited = sqlite_file.start(write_after_the_holder)
    waiter.join(timeout=0.3)
    assert waiter.is_alive(), "the waiter cannot begin while the holder has the lock"
    release.set()
    holder.join(timeout=30)
    waiter.join(timeout=30)
    assert "error" not in held and "error" not in waited, (held, waited)
    assert waited["value"] == 20_000, "statements outside a transaction keep SQLite's busy timeout"
    assert len(sleeps) > 10 and set(sleeps) == {base.LOCK_RETRY_SECONDS}, "asked again every millisecond"
    jobs = sqlite_file.run(lambda: sorted(JobRun.objects.values_list("job", flat=True)))
    assert jobs == ["tests.holder", "tests.waiter"]


def test_a_writer_that_waits_past_its_timeout_is_refused_and_writes_nothing(
    sqlite_file: ThreadDatabase,
) -> None:
    assert sqlite_file.settings_dict is not None
    sqlite_file.settings_dict["OPTIONS"]["timeout"] = 0.2
    taken, release = threading.Event(), threading.Event()
    holder, held = sqlite_file.start(lambda: _hold_the_lock(taken, release))
    assert taken.wait(timeout=30)

    def write() -> None:
        with transaction.atomic():
            JobRun.objects.create(job="tests.too-late", slot=SLOT)

    with pytest.raises(OperationalError, match="database is locked"):
        sqlite_file.run(write)
    release.set()
    holder.join(timeout=30)
    assert "error" not in held, held
    assert sqlite_file.run(lambda: list(JobRun.objects.values_list("job", flat=True))) == ["tests.holder"]
