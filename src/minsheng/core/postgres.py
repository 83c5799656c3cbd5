"""PostgreSQL: the queries every page repeats are prepared (settings ``_database_from_url``), but a
search is planned for its words each time.

After five runs of a prepared statement PostgreSQL may keep one generic plan for any parameters. For
``LIKE '%交通%'`` a generic plan cannot see the pattern, so it cannot know the trigram index finds few
rows: at 100,000 motions it scanned in date order instead, 38 ms of the server's CPU a search where
a plan made for the words costs 3 ms (docs/benchmarks.md). Statements with ``LIKE`` are therefore
sent unprepared; every other statement keeps its prepared plan. A common word's search, tested row by
row while walking the list's index (``search_condition(walk=True)``), has one plan for every word:
it is written with ``STRPOS`` instead of ``LIKE`` and stays prepared."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

PLANNED_FOR_EACH_VALUE = (" LIKE ",)  # Django writes ILIKE as UPPER(…) LIKE UPPER(…) on PostgreSQL


@lru_cache(maxsize=1)
def search_aware_cursor() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class SearchAwareCursor(ServerBindingCursor):
        def execute(
            self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: Any = None
        ) -> Any:
            if prepare is None and isinstance(query, str) and any(m in query for m in PLANNED_FOR_EACH_VALUE):
                prepare = False
            return super().execute(query, params, prepare=prepare, binary=binary)  # type: ignore[misc]

    return SearchAwareCursor


def searches_planned_for_their_words(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: on a PostgreSQL connection with server-side binding (where
    statements are prepared), cursors send searches unprepared."""
    options = connection.settings_dict.get("OPTIONS") or {}
    if connection.vendor == "postgresql" and options.get("server_side_binding") is True:
        connection.connection.cursor_factory = search_aware_cursor()
