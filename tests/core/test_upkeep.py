"""SQLite's upkeep moved from requests to the worker: index merges and log checkpoints (core.upkeep)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import override_settings

from minsheng.core.models import SearchEntry
from minsheng.core.search import search_entry
from minsheng.core.upkeep import database_upkeep
from minsheng.core.worker import JobWorker
from tests.core.thread_database import ThreadDatabase, threads_with_own_connections

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def thread_database(tmp_path: Path) -> Iterator[ThreadDatabase]:
    with threads_with_own_connections(tmp_path) as database:
        yield database


def _pragma(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return int(cursor.fetchone()[0])


def _fts_setting(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT v FROM core_searchentry_fts_config WHERE k = %s", [name])
        return int(cursor.fetchone()[0])


def _entries_each_in_its_own_commit(count: int, first: int = 0) -> None:
    kind = ContentType.objects.get_for_model(SearchEntry)
    for number in range(first, first + count):
        search_entry(kind, 900_000 + number, f"第{number}条：小区门口路灯不亮").save()  # autocommit


def test_requests_leave_merging_and_checkpoints_to_the_worker(thread_database: ThreadDatabase) -> None:
    if connection.vendor != "sqlite":
        assert database_upkeep() == {}, "PostgreSQL's own background processes do its upkeep"
        return

    def write_then_upkeep() -> tuple[int, int, dict[str, int], dict[str, int], int]:
        _entries_each_in_its_own_commit(8)  # eight index segments, none merged by the writes
        first = database_upkeep()
        _entries_each_in_its_own_commit(1, first=8)
        second = database_upkeep()
        _entries_each_in_its_own_commit(20, first=9)  # past FTS5's crisis count of 16: a writer merges
        for _tick in range(50):
            if not database_upkeep()["search_merged"]:
                break
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM core_searchentry_fts WHERE core_searchentry_fts MATCH '路灯'"
            )
            found = int(cursor.fetchone()[0])
        return _pragma("wal_autocheckpoint"), _fts_setting("automerge"), first, second, found

    autocheckpoint, automerge, first, second, found = thread_database.run(write_then_upkeep)
    assert autocheckpoint == 10_000 and automerge == 0
    assert first["search_merged"] == 1, first
    assert first["log_frames"] > 0 and first["checkpointed_frames"] == first["log_frames"], first
    # One new segment is too few to merge; the log is copied back again.
    assert second["search_merged"] == 0 and second["checkpointed_frames"] == second["log_frames"] > 0, second
    assert found == 29, "after every merge the index still finds every entry"


def test_the_worker_does_the_upkeep_between_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    done: list[dict[str, int]] = []

    def upkeep_recorded() -> dict[str, int]:
        done.append(database_upkeep())
        return done[-1]

    monkeypatch.setattr("minsheng.core.worker.database_upkeep", upkeep_recorded)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        JobWorker(worker_id="upkeep-worker", interval=0.01, max_tasks=0).housekeeping()
    assert len(done) == 1, "the first tick is due at once"
    assert ("checkpointed_frames" in done[0]) == (connection.vendor == "sqlite"), done
