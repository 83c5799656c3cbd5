"""Builds the record from the Event log: the apps' ``duties.py`` say what each Event means.

``record_update`` reads the Events after the cursor (the incremental update, run after each request
that wrote Events and every minute by the job); ``record_rebuild`` empties the record and reads the
whole log. Both go through ``_apply``, which takes Credits and Marks in Event order, so they give the
same rows: a Mark changes exactly the lines credited before it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from types import ModuleType
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from minsheng.core.locking import rows_locked
from minsheng.core.models import Event
from minsheng.records.contract import Credit, EventRow, Mark, RecordKind, Seats
from minsheng.records.models import RecordCursor, RecordEntry

CHUNK_EVENTS = 50_000
_CURSOR_ID = 1
EntryKey = tuple[int, str, str, str]


@lru_cache(maxsize=1)
def duty_modules() -> tuple[ModuleType, ...]:
    """Every installed Minsheng app's ``duties`` module, in INSTALLED_APPS order."""
    found: list[ModuleType] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("minsheng."):
            continue
        module_name = f"{config.name}.duties"
        try:
            found.append(importlib.import_module(module_name))
        except ModuleNotFoundError as missing:
            if missing.name != module_name:
                raise
    return tuple(found)


def record_kinds() -> dict[str, RecordKind]:
    """Every kind of line any app adds, in the apps' order."""
    kinds: dict[str, RecordKind] = {}
    for module in duty_modules():
        for kind in getattr(module, "RECORD_KINDS", ()):
            kinds[kind.code] = kind
    return kinds


def _content_type_ids() -> dict[str, int]:
    return {f"{ct.app_label}.{ct.model}": ct.pk for ct in ContentType.objects.all()}


def _handled() -> tuple[Q, dict[int, str], dict[tuple[str, str], ModuleType]]:
    """The filter for the Events some app reads, the content types' labels, and who reads what."""
    type_ids = _content_type_ids()
    labels = {pk: label for label, pk in type_ids.items()}
    query = Q(pk__in=[])
    readers: dict[tuple[str, str], ModuleType] = {}
    for module in duty_modules():
        for label, verbs in getattr(module, "HANDLES", {}).items():
            for verb in verbs:
                readers[(label, verb)] = module
            if label == "":
                query |= Q(target_type__isnull=True, verb__in=sorted(verbs))
            elif label in type_ids:
                query |= Q(target_type_id=type_ids[label], verb__in=sorted(verbs))
    return query, labels, readers


_ROW_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "verb",
    "target_type_id",
    "target_id",
    "from_state",
    "to_state",
    "payload",
)


def _rows(after: int, upto: int, query: Q, labels: dict[int, str]) -> Iterator[list[EventRow]]:
    """The Events some app reads with ``after < seq <= upto``, oldest first, in chunks."""
    start = after
    while start < upto:
        end = min(start + CHUNK_EVENTS, upto)
        values = (
            Event.objects.filter(query, seq__gt=start, seq__lte=end).order_by("seq").values_list(*_ROW_FIELDS)
        )
        chunk = [
            EventRow(seq, at, actor, verb, labels.get(type_id, "") if type_id else "", tid, fs, ts, payload)
            for seq, at, actor, verb, type_id, tid, fs, ts, payload in values
        ]
        if chunk:
            yield chunk
        start = end


def _items(
    rows: list[EventRow], readers: dict[tuple[str, str], ModuleType], seats: Seats
) -> list[Credit | Mark]:
    """Each module's Credits and Marks for its Events, merged back into Event order."""
    by_module: dict[ModuleType, list[EventRow]] = {}
    for row in rows:
        module = readers.get((row.target_type, row.verb))
        if module is not None:
            by_module.setdefault(module, []).append(row)
    items: list[Credit | Mark] = []
    for module, module_rows in by_module.items():
        items.extend(module.credits(module_rows, seats))
    # Each module's items are in its Events' order; modules need no interleaving, since a module's
    # Marks touch only its own acts.
    return items


def _mark_matches(entry: Credit, mark: Mark) -> bool:
    return (
        entry.target_type == mark.target_type
        and entry.target_id == mark.target_id
        and (not mark.kinds or entry.kind in mark.kinds)
        and (mark.person_id is None or entry.person_id == mark.person_id)
    )


def _mark_query(mark: Mark) -> Q:
    query = Q(target_type=mark.target_type, target_id=mark.target_id)
    if mark.kinds:
        query &= Q(kind__in=sorted(mark.kinds))
    if mark.person_id is not None:
        query &= Q(person_id=mark.person_id)
    return query


def _mark_changes(mark: Mark) -> dict[str, object]:
    changes: dict[str, object] = {}
    if mark.outcome is not None:
        changes["outcome"] = mark.outcome
    if mark.public is not None:
        changes["public"] = mark.public
    return changes


def _apply(items: Iterable[Credit | Mark]) -> int:
    """Store Credits and apply Marks in order; returns the number of new lines.

    Marks first update the rows stored before this batch (in the database), and the batch's own new
    lines in memory — never a line credited after the Mark — then the new lines are inserted.
    """
    pending: dict[EntryKey, Credit] = {}
    by_target: dict[tuple[str, str], list[EntryKey]] = {}
    for item in items:
        if isinstance(item, Credit):
            key = (item.person_id, item.kind, item.target_type, item.target_id)
            if key not in pending:
                pending[key] = item
                by_target.setdefault((item.target_type, item.target_id), []).append(key)
            continue
        changes = _mark_changes(item)
        if not changes:
            continue
        RecordEntry.objects.filter(_mark_query(item)).update(**changes)
        for key in by_target.get((item.target_type, item.target_id), ()):
            credit = pending[key]
            if _mark_matches(credit, item):
                pending[key] = replace(credit, **changes)  # type: ignore[arg-type]
    return _insert(list(pending.values()))


_COLUMNS = ("person_id", "body_id", "year", "kind", "at", "seq", "target_type", "target_id", "title", "value",
            "outcome", "public")  # fmt: skip
INSERT_BATCH = 5000


def _row(c: Credit, adapt: Any, zone: Any) -> tuple[Any, ...]:
    year = c.at.astimezone(zone).year
    return (c.person_id, c.body_id, year, c.kind, adapt(c.at), c.seq, c.target_type, c.target_id,
            c.title[:200], c.value, c.outcome, c.public)  # fmt: skip


def _insert(credits: list[Credit]) -> int:
    """INSERT … ignoring lines already there (the unique act key): the ORM's bulk_create builds a model
    instance and prepares every value through its fields, which is most of a million-Event rebuild."""
    table = RecordEntry._meta.db_table
    columns = ", ".join(_COLUMNS)
    marks = ", ".join(["%s"] * len(_COLUMNS))
    if connection.vendor == "postgresql":
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING"  # noqa: S608 - names
    else:
        sql = f"INSERT OR IGNORE INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names
    adapt = connection.ops.adapt_datetimefield_value
    zone = timezone.get_default_timezone()
    inserted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(credits), INSERT_BATCH):
            cursor.executemany(sql, [_row(c, adapt, zone) for c in credits[start : start + INSERT_BATCH]])
            inserted += max(cursor.rowcount, 0)  # the lines actually added (repeats are ignored)
    return inserted


def _cursor_locked() -> RecordCursor:
    RecordCursor.objects.get_or_create(pk=_CURSOR_ID)
    return rows_locked(RecordCursor).get(pk=_CURSOR_ID)


def _last_seq() -> int:
    return Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def record_update() -> int:
    """Read the Events written since the last update; returns the number of new lines."""
    with transaction.atomic():
        cursor = _cursor_locked()
        upto = _last_seq()
        if upto <= cursor.last_seq:
            return 0
        query, labels, readers = _handled()
        added = 0
        seats = Seats()
        for rows in _rows(cursor.last_seq, upto, query, labels):
            added += _apply(_items(rows, readers, seats))
        cursor.last_seq = upto
        cursor.save(update_fields=["last_seq"])
    return added


def record_rebuild() -> int:
    """Empty the record and read the whole Event log again; returns the number of lines."""
    with transaction.atomic():
        cursor = _cursor_locked()
        upto = _last_seq()
        RecordEntry.objects.all().delete()
        query, labels, readers = _handled()
        seats = Seats.load()
        total = 0
        for rows in _rows(0, upto, query, labels):
            total += _apply(_items(rows, readers, seats))
        cursor.last_seq = upto
        cursor.rebuilt_at = timezone.now()
        cursor.save(update_fields=["last_seq", "rebuilt_at"])
    return total
