"""Django's SQLite backend, with one change: a transaction that must wait for the write lock asks
for it again every millisecond, instead of in SQLite's own growing sleeps.

Every ``transaction.atomic`` block starts with ``BEGIN IMMEDIATE`` (the settings' transaction mode),
which takes the database's one write lock. When another process holds it, SQLite's busy handler
sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms between tries: a writer that has waited a
little sleeps 25–50 ms more after the lock is free. Four clients submitting voices at once
(``bench/web.py``) waited that way on transactions of about 10 ms, and the submission's p95 was
~90 ms against a p50 of ~14 ms. Here the begin is tried with no busy wait and tried again after a
millisecond's sleep, until the connection's timeout (the ``timeout`` option, 20 s) has passed; then
the "database is locked" error is raised as before. Statements outside a transaction keep SQLite's
busy handler.
"""

from __future__ import annotations

import sqlite3
import time

from django.db.backends.sqlite3 import base

LOCK_RETRY_SECONDS = 0.001
_MODES_THAT_LOCK = {"IMMEDIATE", "EXCLUSIVE"}


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY


class DatabaseWrapper(base.DatabaseWrapper):
    def _start_transaction_under_autocommit(self) -> None:
        mode: str | None = getattr(self, "transaction_mode", None)  # Django 5.1's, not in the stubs
        if mode not in _MODES_THAT_LOCK:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # not in the stubs
            return
        timeout_ms = int(float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5)) * 1000)
        deadline = time.monotonic() + timeout_ms / 1000
        # On the driver's connection: the tries and PRAGMAs are not the application's queries (the
        # query log and the tests that count queries see none of them).
        raw = self.connection
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    raw.execute(f"BEGIN {mode}")
                    return
                except sqlite3.OperationalError as error:
                    if not _is_busy(error) or time.monotonic() >= deadline:
                        with self.wrap_database_errors:  # raised as Django's OperationalError
                            raise
                time.sleep(LOCK_RETRY_SECONDS)
        finally:
            raw.execute(f"PRAGMA busy_timeout = {timeout_ms}")
