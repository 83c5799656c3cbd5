"""Run test code in threads that each hold their own database connection (for concurrency tests)."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.utils import load_backend


class ThreadDatabase:
    """Runs functions in their own threads, each with its own database connection.

    On PostgreSQL the threads use the test database. SQLite's in-memory test database is shared through
    a shared cache whose table locks fail at once ("database table is locked") instead of waiting, which
    is not how the product runs; there each thread connects to a migrated SQLite *file* with the
    project's own options (WAL, ``BEGIN IMMEDIATE``, busy timeout), swapped in as that thread's
    ``default`` connection only.
    """

    def __init__(self, file_path: Path | None) -> None:
        self.settings_dict: dict[str, Any] | None = None
        if file_path is not None:
            self.settings_dict = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
            self.settings_dict["NAME"] = str(file_path)

    def _call(self, function: Callable[[], Any], outcome: dict[str, Any]) -> None:
        wrapper = None
        if self.settings_dict is not None:
            backend = load_backend(self.settings_dict["ENGINE"])
            wrapper = backend.DatabaseWrapper(copy.deepcopy(self.settings_dict), DEFAULT_DB_ALIAS)
            connections[DEFAULT_DB_ALIAS] = wrapper
        try:
            outcome["value"] = function()
        except Exception as exc:
            outcome["error"] = exc
        finally:
            connections.close_all()

    def start(self, function: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
        outcome: dict[str, Any] = {}
        thread = threading.Thread(target=self._call, args=(function, outcome))
        thread.start()
        return thread, outcome

    def run(self, function: Callable[[], Any]) -> Any:
        thread, outcome = self.start(function)
        thread.join(timeout=60)
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")


@contextmanager
def threads_with_own_connections(
    tmp_path: Path, *, prepare: Callable[[], None] | None = None
) -> Iterator[ThreadDatabase]:
    """A ``ThreadDatabase`` for the current test database (migrated SQLite file when it is in memory).

    ``prepare`` runs once in a thread against that database, e.g. to create a test-only table there.
    """
    in_memory = connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", bool)()
    database = ThreadDatabase(tmp_path / "concurrency.sqlite3" if in_memory else None)
    if in_memory:

        def migrate_and_prepare() -> None:
            call_command("migrate", verbosity=0)
            if prepare is not None:
                prepare()

        database.run(migrate_and_prepare)
    ContentType.objects.clear_cache()  # ids cached for one database must not leak into the other
    try:
        yield database
    finally:
        ContentType.objects.clear_cache()
