"""Row locks that never make another transaction's foreign-key check wait.

PostgreSQL checks a new row's foreign keys at COMMIT (Django makes them ``DEFERRABLE INITIALLY
DEFERRED``) by taking ``FOR KEY SHARE`` on each referenced row. A plain ``SELECT … FOR UPDATE`` blocks
that, and Django's version of it also locks *every* row of the query's joins (a model's default
ordering by a related field joins that table). A service that locked a term that way, ordered by its
body's jurisdiction, and then waited for the Event chain head deadlocked with any writer that held the
head and had inserted a row pointing at the same jurisdiction.

So every service locks through ``rows_locked``: only the model's own rows (``of=("self",)``, no
ordering joins) and in ``FOR NO KEY UPDATE`` mode, which still serialises writers of the same row but
lets foreign-key checks through. The one lock every writer shares, the Event chain head, is always
taken after the writer's own rows (``core.events.event_record`` runs last in a service), so writers
queue in one order. On SQLite this is a no-op: every write transaction is serialised by
``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from django.db.models import QuerySet

ModelT = TypeVar("ModelT", bound=models.Model)


def rows_locked(source: type[ModelT] | QuerySet[ModelT]) -> QuerySet[ModelT]:
    """The rows that ``source`` (a model or a queryset) then selects, locked until the transaction ends.

    Call inside ``transaction.atomic``; filter and ``get`` on the result as on any queryset.
    """
    queryset = source._default_manager.all() if isinstance(source, type) else source
    return queryset.select_for_update(no_key=True, of=("self",)).order_by()
