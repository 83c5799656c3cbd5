"""Builds the record from the Event log: the apps' ``duties.py`` say what each Event means.

``record_update`` reads the Events after the cursor (the incremental update, run after each request
that wrote Events and every minute by the job); ``record_rebuild`` empties the record and reads the
whole log. Both go through ``_apply``, which takes Credits and Marks in Event order, so they give the
same rows: a Mark changes exactly the lines credited before it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache
from types import ModuleType
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from minsheng.core.locking import rows_locked
from minsheng.core.models import Event
from minsheng.records.contract import Credit, EventRow, Mark, RecordKind, Seats
from minsheng.records.models import ALL_YEARS, RecordCursor, RecordDistribution, RecordEntry, RecordTally

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


def _row_fields() -> list[Any]:
    """The columns read; on SQLite the time as its stored text (the driver's converter for datetime
    columns parses with a regular expression, ten times slower than ``fromisoformat``)."""
    if connection.vendor != "sqlite":
        return list(_ROW_FIELDS)
    return [Cast("at", CharField()) if name == "at" else name for name in _ROW_FIELDS]


def _moment(value: Any) -> dt.datetime:
    """An Event's time as the database driver returns it: SQLite gives the UTC text, PostgreSQL an
    aware datetime."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


def _payload(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    return {} if value in (None, "{}") else json.loads(value)


def _rows(after: int, upto: int, query: Q, labels: dict[int, str]) -> Iterator[list[EventRow]]:
    """The Events some app reads with ``after < seq <= upto``, oldest first, in chunks.

    Read with the driver's cursor (the ORM's converters cost more than the reading itself at a
    million Events): times and payloads are decoded here."""
    start = after
    while start < upto:
        end = min(start + CHUNK_EVENTS, upto)
        events = Event.objects.filter(query, seq__gt=start, seq__lte=end).order_by("seq")
        values = events.values_list(*_row_fields())
        sql, params = values.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            chunk = [
                EventRow(seq, _moment(at), actor, verb, labels.get(type_id, "") if type_id else "", tid, fs,
                         ts, _payload(payload))
                for seq, at, actor, verb, type_id, tid, fs, ts, payload in cursor.fetchall()
            ]  # fmt: skip
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


def _apply(items: Iterable[Credit | Mark], touched: set[int] | None = None) -> int:
    """Store Credits and apply Marks in order; returns the number of new lines.

    Marks first update the rows stored before this batch (in the database), and the batch's own new
    lines in memory — never a line credited after the Mark — then the new lines are inserted.
    ``touched`` (the incremental update) collects the people whose lines were added or changed.
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
        marked = RecordEntry.objects.filter(_mark_query(item))
        if touched is not None:
            touched.update(marked.values_list("person_id", flat=True))
        marked.update(**changes)
        for key in by_target.get((item.target_type, item.target_id), ()):
            credit = pending[key]
            if _mark_matches(credit, item):
                pending[key] = replace(credit, **changes)  # type: ignore[arg-type]
    if touched is not None:
        touched.update(person_id for person_id, _kind, _type, _id in pending)
    return _insert(list(pending.values()))


# --- tallies and distributions (what the profile's "more than N %" reads) --------------------------


def _counted_lines() -> QuerySet[RecordEntry]:
    """The lines that count: in a body, and without a void outcome of their kind."""
    lines = RecordEntry.objects.filter(body__isnull=False)
    for code, kind in record_kinds().items():
        if kind.void_outcomes:
            lines = lines.exclude(kind=code, outcome__in=sorted(kind.void_outcomes))
    return lines


def _tallies_insert(lines: QuerySet[RecordEntry], people: set[int] | None = None) -> None:
    """Counted acts per person, body, year and kind, then per person, body and kind over every year
    (``ALL_YEARS``): two ``INSERT … SELECT … GROUP BY``, nothing carried through Python."""
    grouped = lines.values_list("person_id", "body_id", "year", "kind").annotate(n=Count("id")).order_by()
    sql, params = grouped.query.sql_with_params()
    table = RecordTally._meta.db_table
    columns = "person_id, body_id, year, kind, acts"
    only = ""
    if people is not None:
        only = f" AND person_id IN ({', '.join(['%s'] * len(people))})"
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT person_id, body_id, %s, kind, SUM(acts) "  # noqa: S608
            f"FROM {table} WHERE year <> %s{only} GROUP BY person_id, body_id, kind",
            [ALL_YEARS, ALL_YEARS, *sorted(people or ())],
        )


def _distributions_store(tallies: Iterable[tuple[int, int, str, int]]) -> None:
    """(body, year, kind, acts) of every person → one ascending list per body, year and kind."""
    counts: dict[tuple[int, int, str], list[int]] = defaultdict(list)
    for body_id, year, kind, acts in tallies:
        counts[(body_id, year, kind)].append(acts)
    RecordDistribution.objects.bulk_create(
        (RecordDistribution(body_id=b, year=y, kind=k, counts=sorted(n)) for (b, y, k), n in counts.items()),
        batch_size=INSERT_BATCH,
    )


def tallies_rebuild() -> None:
    """Every tally and distribution again, from the whole record."""
    RecordTally.objects.all().delete()
    _tallies_insert(_counted_lines())
    _distributions_rebuild()


def _distributions_rebuild() -> None:
    RecordDistribution.objects.all().delete()
    _distributions_store(RecordTally.objects.values_list("body_id", "year", "kind", "acts").iterator(20_000))


TALLIES_REFRESHED_AT_MOST = 200  # people, or distributions; beyond, recount them all at once


def _tallies_refresh(people: set[int]) -> None:
    """The tallies of the people whose lines changed, then the distributions of the bodies, years and
    kinds where one of their tallies changed: a few hundred rows, not the record."""
    if not people:
        return
    if len(people) > TALLIES_REFRESHED_AT_MOST:
        tallies_rebuild()  # an update reading much of the log: one grouped pass is cheaper
        return
    tallies = RecordTally.objects.filter(person_id__in=people)
    fields = ("person_id", "body_id", "year", "kind", "acts")
    before = {row[:4]: row[4] for row in tallies.values_list(*fields)}
    tallies.delete()
    _tallies_insert(_counted_lines().filter(person_id__in=people), people)
    after = {row[:4]: row[4] for row in tallies.values_list(*fields)}
    changed = {key[1:] for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    if not changed:
        return
    if len(changed) > TALLIES_REFRESHED_AT_MOST:
        _distributions_rebuild()  # a few hundred ORs in one statement would be deep SQL
        return
    where = Q(pk__in=[])
    for body_id, year, kind in changed:
        where |= Q(body_id=body_id, year=year, kind=kind)
    RecordDistribution.objects.filter(where).delete()
    _distributions_store(RecordTally.objects.filter(where).values_list("body_id", "year", "kind", "acts"))


_COLUMNS = ("person_id", "body_id", "year", "kind", "at", "seq", "target_type", "target_id", "title", "value",
            "outcome", "public")  # fmt: skip
INSERT_BATCH = 5000
DEFERRED_INDEXES = frozenset({"record_person_year_idx", "record_body_year_idx"})


def _row(c: Credit, adapt: Any, zone: Any) -> tuple[Any, ...]:
    year = c.at.astimezone(zone).year
    return (c.person_id, c.body_id, year, c.kind, adapt(c.at), c.seq, c.target_type, c.target_id,
            c.title[:200], c.value, c.outcome, c.public)  # fmt: skip


def _sqlite_time(value: dt.datetime) -> str:
    """What Django's SQLite backend stores for an aware time (UTC text), without its per-value checks."""
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _time_adapter() -> Any:
    if connection.vendor == "sqlite":
        return _sqlite_time
    return connection.ops.adapt_datetimefield_value


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
    adapt = _time_adapter()
    zone = timezone.get_default_timezone()
    inserted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(credits), INSERT_BATCH):
            cursor.executemany(sql, [_row(c, adapt, zone) for c in credits[start : start + INSERT_BATCH]])
            inserted += max(cursor.rowcount, 0)  # the lines actually added (repeats are ignored)
    return inserted


REBUILD_CACHE_KIB = 262_144


@contextmanager
def _sqlite_cache_enlarged() -> Iterator[None]:
    """A rebuild inserts a million lines in act order, not key order: with SQLite's default 2 MB page
    cache every insert reads index pages back from the file. 256 MB for the rebuild, then as before."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{REBUILD_CACHE_KIB}")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


@contextmanager
def _lookup_indexes_deferred() -> Iterator[None]:
    """On SQLite, drop the person's and the body's indexes while a rebuild inserts, and build them once
    after (sorting once is cheaper than keeping B-trees up to date row by row); the act's index stays,
    since each Mark looks its lines up by it. WAL readers keep their snapshot meanwhile; on PostgreSQL
    a dropped index would lock readers out for the whole rebuild, so there the indexes stay."""
    if connection.vendor != "sqlite":
        yield
        return
    editor = connection.schema_editor(atomic=False)
    indexes = [index for index in RecordEntry._meta.indexes if index.name in DEFERRED_INDEXES]
    with connection.cursor() as cursor:
        for index in indexes:
            cursor.execute(editor.sql_delete_index % {"name": editor.quote_name(index.name)})
        yield
        for index in indexes:
            cursor.execute(str(index.create_sql(RecordEntry, editor)))


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
        touched: set[int] = set()
        for rows in _rows(cursor.last_seq, upto, query, labels):
            added += _apply(_items(rows, readers, seats), touched)
        _tallies_refresh(touched)
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
        with _sqlite_cache_enlarged(), _lookup_indexes_deferred():
            for rows in _rows(0, upto, query, labels):
                total += _apply(_items(rows, readers, seats))
        tallies_rebuild()
        cursor.last_seq = upto
        cursor.rebuilt_at = timezone.now()
        cursor.save(update_fields=["last_seq", "rebuilt_at"])
    return total
