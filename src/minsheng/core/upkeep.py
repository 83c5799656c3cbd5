"""Database upkeep that the worker does between tasks, so that no request pays for it.

SQLite does two kinds of upkeep inside whichever write happens to trigger it: copying the write-ahead
log back into the database file (a checkpoint, with an fsync; by default in the commit that brings the
log to 1,000 pages) and merging the full-text index's segments (FTS5's automerge). On 100,000 voices,
200–400 submissions one after another showed both: one submission in 64 took 30–40 ms longer (the
merge) and one in a few hundred 60–130 ms longer (the checkpoint), the tail of the submission's p95
under concurrent load (docs/benchmarks.md). Request connections now checkpoint only when the log
passes 10,000 pages (``wal_autocheckpoint`` in the settings: the safety net of a site run without a
worker) and the index merges in a writer only at FTS5's crisis count; the worker does both every
``UPKEEP_SECONDS``. PostgreSQL does its own upkeep in background processes: nothing to do here.
"""

from __future__ import annotations

from django.db import connection

from minsheng.core.search import search_index_merge

UPKEEP_SECONDS = 2.0


def database_upkeep() -> dict[str, int]:
    """SQLite: merge some index segments, then checkpoint the write-ahead log without waiting for
    readers or writers (PASSIVE); what was done. Empty on PostgreSQL, and inside a transaction (a
    checkpoint cannot run there)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return {}
    merged = search_index_merge()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        _busy, log_frames, checkpointed_frames = cursor.fetchone()
    return {
        "search_merged": int(merged),
        "log_frames": log_frames,
        "checkpointed_frames": checkpointed_frames,
    }
