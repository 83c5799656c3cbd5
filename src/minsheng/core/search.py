"""Full-text search in Chinese (and any other script) on SQLite (FTS5) and PostgreSQL (GIN).

What a search means: the query is cut at spaces and punctuation into terms; a record matches when
every term occurs, character for character, in its indexed text (full-width letters folded to
half-width, Latin letters lower-cased, punctuation ignored). 垃圾 finds 垃圾分类, 5 finds 5G, 区 finds
武进区. Nothing that contains the terms is ever left out.

How it is fast: ``SearchEntry.text`` holds the folded text and ``SearchEntry.tokens`` every
distinct character and character pair of it (垃圾分类 → 垃 圾 分 类 垃圾 圾分 分类). A term of one
character needs its token, a longer term all its pairs: an index lookup (FTS5 on SQLite, a GIN
index over the token array on PostgreSQL) gives every record that may contain the term, and
checking the text itself (``LIKE '%term%'``) keeps exactly those that do. A word found in
thousands of records is instead checked row by row while walking a newest-first index, which stops
after a page (``walk=True``; ``search_ids`` tries the newest rows first on its own).

pg_trgm alone cannot serve this: a trigram index answers nothing for one- and two-character
queries (most Chinese words).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.db.models import BooleanField, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import Expression, RawSQL
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan

from minsheng.analysis.text.normalize import fold_width
from minsheng.core.models import SearchEntry
from minsheng.core.queries import compiled_condition

MAX_QUERY_TOKENS = 12
MAX_QUERY_TERMS = 6
MAX_TERM_CHARS = 40
BROAD_MATCHES = 1000  # SQLite: this many FTS candidates make a query common (see search_ids)
PROBE_ROWS = 2000  # PostgreSQL: search_ids checks the newest entries' texts first
PROBE_MATCHES = 20  # PostgreSQL: a page of matches among them makes a word common
SEARCH_MERGE_PAGES = 100  # SQLite: about this many index pages written per search_index_merge
_RUN = re.compile(r"[^\W_]+")  # letters and digits of every script: FTS5's unicode61 token characters


def search_text(*texts: str) -> str:
    """The form text is searched in: runs of letters and digits (full width folded, lower case)
    separated by single spaces."""
    return " ".join(_RUN.findall(fold_width(" ".join(t for t in texts if t)).lower()))


def search_tokens(text: str) -> list[str]:
    """Distinct characters and character pairs of every run of ``search_text(text)``, first seen first."""
    tokens: dict[str, None] = {}
    for run in search_text(text).split():
        for i, char in enumerate(run):
            tokens[char] = None
            if i + 1 < len(run):
                tokens[run[i : i + 2]] = None
    return list(tokens)


def query_terms(query: str) -> list[str]:
    """The terms a record must contain (distinct, at most MAX_QUERY_TERMS of MAX_TERM_CHARS each)."""
    terms = [term[:MAX_TERM_CHARS] for term in search_text(query or "").split()]
    return list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]


def _spread(tokens: list[str], keep: int) -> list[str]:
    if len(tokens) <= keep:
        return tokens
    step = (len(tokens) - 1) / (keep - 1)
    return [tokens[round(i * step)] for i in range(keep)]


def query_tokens(query: str) -> list[str]:
    """Index tokens every match must have: each one-character term, the pairs of longer terms.

    At most MAX_QUERY_TOKENS, spread over the terms' pairs: fewer tokens give more candidates, and
    the text check still keeps only the records that contain the terms."""
    tokens: list[str] = []
    for term in query_terms(query):
        tokens.extend([term] if len(term) == 1 else [term[i : i + 2] for i in range(len(term) - 1)])
    return _spread(list(dict.fromkeys(tokens)), MAX_QUERY_TOKENS)


def search_entry(content_type: ContentType, object_id: int, *texts: str) -> SearchEntry:
    """An unsaved entry for ``texts`` (bulk loaders save many at once; services use search_index)."""
    text = search_text(*texts)
    return SearchEntry(
        content_type=content_type, object_id=object_id, text=text, tokens=" ".join(search_tokens(text))
    )


def search_index(obj: models.Model, *texts: str, created: bool = False) -> None:
    """Create or replace the search entry of ``obj`` (call from the service that changed it).
    ``created``: ``obj`` was created in this transaction, so it has no entry yet (one insert, without
    the look-up and savepoint of replacing one)."""
    entry = search_entry(ContentType.objects.get_for_model(obj), obj.pk, *texts)
    if created:
        entry.save(force_insert=True)
        return
    SearchEntry.objects.update_or_create(
        content_type=entry.content_type,
        object_id=entry.object_id,
        defaults={"tokens": entry.tokens, "text": entry.text},
    )


def search_index_merge(pages: int = SEARCH_MERGE_PAGES) -> bool:
    """SQLite: merge some segments of the FTS index (about ``pages`` pages written, a short hold of
    the write lock); whether there was anything to merge. FTS5 would merge inside the insert that
    fills a level of segments, which made one voice submission in 64 take 30–40 ms longer: migration
    0014 turns that off and the worker calls this every few seconds (``core.upkeep``). A writer still
    merges when a level reaches FTS5's crisis count (16 segments), so the index stays bounded without
    a worker. PostgreSQL: nothing to merge."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        before = connection.connection.total_changes
        cursor.execute(
            "INSERT INTO core_searchentry_fts(core_searchentry_fts, rank) VALUES ('merge', %s)", [pages]
        )
        # FTS5's documented signal: two changes or more mean that segments were merged.
        return bool(connection.connection.total_changes - before >= 2)


def search_remove(obj: models.Model) -> None:
    SearchEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk).delete()


def _fts5_expression(tokens: Iterable[str]) -> str:
    return " AND ".join('"' + token.replace('"', '""') + '"' for token in tokens)


def unindexed(expression: F) -> Func:
    """``+column`` on SQLite: the same value, but the planner will not drive the query from its index.

    Used where a condition is better checked row by row while SQLite walks the ordering index (a
    staff member's scope, a search matching thousands of rows) than used to collect every matching
    row and sort them all. Other databases plan from statistics and get the column as it is."""
    if connection.vendor != "sqlite":
        return expression  # type: ignore[return-value]
    return Func(expression, template="(+%(expressions)s)", output_field=IntegerField())


class TokensContain(Expression):
    """PostgreSQL: the entry's token array contains every token. Written exactly as the expression
    of the GIN index of migration core 0009, so that the index serves it."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, tokens: list[str]) -> None:
        super().__init__()
        self.tokens = tokens
        self.column: Any = F("tokens")

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, expressions: Sequence[Any]) -> None:
        (self.column,) = expressions

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.column)
        placeholders = ", ".join(["%s"] * len(self.tokens))
        return f"string_to_array({column}, ' ') @> ARRAY[{placeholders}]::text[]", (*params, *self.tokens)


def _candidates(tokens: list[str]) -> Q:
    """Entries that have every token (a superset of the matches), through the vendor's index."""
    if connection.vendor == "sqlite":
        return Q(
            id__in=RawSQL(
                "SELECT rowid FROM core_searchentry_fts WHERE core_searchentry_fts MATCH %s",
                [_fts5_expression(tokens)],
            )
        )
    if connection.vendor == "postgresql":
        return Q(TokensContain(tokens))
    return Q()  # another database: the text check alone decides


def _contains_terms(terms: list[str]) -> Q:
    condition = Q()
    for term in terms:
        condition &= Q(text__contains=term)
    return condition


def _contains_terms_checked_per_row(terms: list[str]) -> list[GreaterThan]:
    """The same test as ``_contains_terms`` (the text and terms are folded alike, so case cannot
    differ) written as ``strpos``/``instr``: without ``LIKE``, PostgreSQL keeps the statement
    prepared (``core/postgres.py``), which is right here because its plan is the same for every
    word (walk the ordering's index, look up each row's entry); planning it cost ~1 ms a search."""
    return [GreaterThan(StrIndex("text", Value(term)), 0) for term in terms]


def _matching_entries(
    terms: list[str], tokens: list[str], content_type: ContentType
) -> QuerySet[SearchEntry]:
    entries = SearchEntry.objects.filter(_candidates(tokens), _contains_terms(terms))
    if connection.vendor == "sqlite":
        # Driven from the FTS hits (row id lookups), not by scanning the record type's entries.
        return entries.alias(kind=unindexed(F("content_type_id"))).filter(kind=content_type.pk)
    return entries.filter(content_type=content_type)


def search_condition(model: type[models.Model], query: str, *, walk: bool = False) -> Q | None:
    """The condition for ``model`` records whose indexed text contains every term of ``query``;
    None for a blank query (no condition), a condition nothing meets for a query without terms.

    ``walk=True`` tests each row on its own (its entry, found by the unique record index, and its
    text), so that the database keeps walking the index of the query's ordering and stops after a
    page: right when a word matches thousands of rows. Otherwise the matching ids are collected
    through the token index first, which is right for a rare word.
    """
    terms = query_terms(query or "")
    if not terms:
        return None if not (query or "").strip() else Q(pk__in=[])
    content_type = ContentType.objects.get_for_model(model)
    if walk:
        # Kept compiled for each number of words (the words fill in): building and compiling the
        # EXISTS test cost more Python than the database spent walking a page of rows.
        shape = ("search-walk", content_type.pk, len(terms))
        return compiled_condition(model, shape, partial(_walk_condition, content_type), *terms)
    return Q(pk__in=_matching_entries(terms, query_tokens(query), content_type).values("object_id"))


def _walk_condition(content_type: ContentType, *terms: str) -> Q:
    entry = SearchEntry.objects.filter(content_type=content_type, object_id=OuterRef("pk"))
    return Q(Exists(entry.filter(*_contains_terms_checked_per_row(list(terms)))))


def search_filter(queryset: QuerySet, query: str, *, walk: bool = False) -> QuerySet:
    """Narrow ``queryset`` to the records whose indexed text matches ``query`` (see search_condition)."""
    condition = search_condition(queryset.model, query, walk=walk)
    return queryset if condition is None else queryset.filter(condition)


def search_match_count(model: type[models.Model], query: str, cap: int) -> int:
    """How many ``model`` records may match ``query`` (index candidates), counting no further than
    ``cap``: enough to tell a common word from a rare one without reading the texts."""
    tokens = query_tokens(query or "")
    if not tokens:
        return 0
    content_type = ContentType.objects.get_for_model(model)
    if connection.vendor == "sqlite":
        # Stream the FTS hits and stop at the cap (CROSS JOIN keeps the FTS table outermost).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM (SELECT 1 FROM core_searchentry_fts f CROSS JOIN core_searchentry e "
                "ON e.id = f.rowid WHERE core_searchentry_fts MATCH %s AND e.content_type_id = %s LIMIT %s)",
                [_fts5_expression(tokens), content_type.pk, cap],
            )
            return int(cursor.fetchone()[0])
    entries = SearchEntry.objects.filter(_candidates(tokens), content_type=content_type)
    return int(entries[:cap].count())


COMMONNESS_KEPT_SECONDS = 300


def search_is_common(model: type[models.Model], query: str, *, matches: int = BROAD_MATCHES) -> bool:
    """Whether ``query`` matches so many ``model`` records that walking the newest-first index and
    testing each row fills a page sooner than collecting every match through the token index.

    SQLite: the FTS index counts ``matches`` candidates (counting stops there). PostgreSQL: the
    newest PROBE_ROWS texts hold PROBE_MATCHES matches (or ``matches``, if fewer); counting GIN
    candidates instead would gather every one of them first (30–80 ms for a common word among a
    million voices).

    The answer is kept per process for five minutes (the ``fragments`` cache): it only chooses
    between two plans that find the same rows, and how common a word is changes slowly, while asking
    cost every search of a common word a statement reading the newest texts."""
    terms = query_terms(query or "")
    if not terms:
        return False
    shape = repr((model._meta.label, connection.vendor, terms, matches))
    key = "search-common:" + hashlib.sha256(shape.encode("utf-8")).hexdigest()
    kept: bool | None = caches["fragments"].get(key)
    if kept is None:
        kept = _search_is_common_read(model, query, terms, matches)
        caches["fragments"].set(key, kept, COMMONNESS_KEPT_SECONDS)
    return kept


def _search_is_common_read(model: type[models.Model], query: str, terms: list[str], matches: int) -> bool:
    if connection.vendor == "sqlite":
        return search_match_count(model, query, matches) >= matches
    wanted = min(matches, PROBE_MATCHES)
    content_type = ContentType.objects.get_for_model(model)
    return len(_newest_containing(content_type, terms, PROBE_ROWS, wanted)) >= wanted


def _newest_containing(
    content_type: ContentType, terms: list[str], rows: int | None, limit: int
) -> list[int]:
    """Object ids among the newest ``rows`` entries (all with None) whose text contains every term,
    newest first, at most ``limit``: a walk down the (record type, id) index reading texts."""
    check = "instr(text, %s) > 0" if connection.vendor == "sqlite" else "strpos(text, %s) > 0"
    window = f"LIMIT {int(rows)}" if rows is not None else ""
    # Only constants and integers are formatted into the statement; the terms are parameters.
    conditions = " AND ".join([check] * len(terms))
    sql = (
        "SELECT object_id FROM (SELECT object_id, text FROM core_searchentry "  # noqa: S608
        f"WHERE content_type_id = %s ORDER BY object_id DESC {window}) newest "
        f"WHERE {conditions} ORDER BY object_id DESC LIMIT {int(limit)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [content_type.pk, *terms])
        return [int(row[0]) for row in cursor.fetchall()]


def search_ids(model: type[models.Model], query: str, *, limit: int = 20) -> tuple[list[int], bool]:
    """Ids of the newest ``model`` records (highest id first) containing every term of ``query``,
    at most ``limit``, and whether more exist.

    A common word fills the page among the newest entries, so they are read first: on SQLite when
    the FTS index counts BROAD_MATCHES candidates (counting stops there), on PostgreSQL by checking
    the newest PROBE_ROWS texts (a GIN lookup would gather every match before the first). Otherwise
    the token index gives every candidate and their texts are checked."""
    terms = query_terms(query or "")
    if not terms:
        return [], False
    content_type = ContentType.objects.get_for_model(model)
    found: list[int] = []
    if connection.vendor == "sqlite":
        if search_match_count(model, query, BROAD_MATCHES) >= BROAD_MATCHES:
            found = _newest_containing(content_type, terms, None, limit + 1)
    else:
        found = _newest_containing(content_type, terms, PROBE_ROWS, limit + 1)
    if len(found) <= limit:
        matching = _matching_entries(terms, query_tokens(query), content_type)
        found = list(matching.order_by("-object_id").values_list("object_id", flat=True)[: limit + 1])
    return [int(i) for i in found[:limit]], len(found) > limit


def highlight_parts(text: str, query: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_match) parts for showing the query's terms highlighted.

    Matching is done on the folded form (ＡＢ matches ab), pieces are cut from the original text."""
    terms = sorted(query_terms(query), key=len, reverse=True)
    if not text or not terms:
        return [(text, False)] if text else []
    folded = fold_width(text).lower()
    if len(folded) != len(text):  # a character whose lower case is longer (İ): no highlighting
        return [(text, False)]
    spans: list[tuple[int, int]] = []
    for term in terms:
        start = folded.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = folded.find(term, start + 1)
    # Overlapping and touching matches make one marked piece; cut by slices, not character by
    # character (a search list highlights every row).
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts: list[tuple[str, bool]] = []
    position = 0
    for start, end in merged:
        if start > position:
            parts.append((text[position:start], False))
        parts.append((text[start:end], True))
        position = end
    if position < len(text):
        parts.append((text[position:], False))
    return parts


LIST_LOOKAHEAD_PAGES = 10
MAX_PAGE_NUMBER = 1_000_000
SEARCH_LOOKAHEAD_PAGES = 1


def lookahead_for(query: str | None) -> int:
    """Pages to count past the current one: a list matches most rows, so counting ten pages ahead
    is cheap; a search walks past every row that does not match, so it counts one page ahead."""
    return SEARCH_LOOKAHEAD_PAGES if (query or "").strip() else LIST_LOOKAHEAD_PAGES


class CappedPaginator(Paginator):
    """A paginator that counts rows only a few pages past the page asked for.

    COUNT(*) over everything a staff member may see reads every row (100,000 voices: 20–35 ms a
    page); counting up to ``lookahead`` pages further stops early, and the page shows "1,000+".
    ``more`` tells whether rows remain past the counted ones; ``count`` is then a lower bound.

    With ``rows`` (ids → their records, related rows loaded), one query reads the ids from the
    asked page to the end of the lookahead, which gives both the count and the page's ids, and
    the page's records are then read by primary key: the filters (a full-text search among them)
    run once instead of twice, and rows skipped by the offset are never joined.
    """

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        number: Any = 1,
        lookahead: int = LIST_LOOKAHEAD_PAGES,
        rows: Callable[[list[Any]], Iterable[Any]] | None = None,
    ) -> None:
        super().__init__(object_list, per_page)
        try:
            self.wanted = max(1, int(number))
        except (TypeError, ValueError):
            self.wanted = 1
        if self.wanted > MAX_PAGE_NUMBER:  # an absurd page would overflow the SQL offset: show the last
            self.wanted = 1
        self.cap = (self.wanted + lookahead) * per_page + 1
        self.more = False
        self.rows = rows
        self._window: list[Any] | None = None

    @property
    def count(self) -> int:
        if not hasattr(self, "_capped_count"):
            queryset: QuerySet = self.object_list  # type: ignore[assignment]
            offset = (self.wanted - 1) * self.per_page
            counted = None
            if self.rows is not None:
                ids = queryset.prefetch_related(None).values_list("pk", flat=True)
                window = list(ids[offset : self.cap])
                if window or offset == 0:
                    self._window, counted = window, offset + len(window)
            if counted is None:  # no ids helper, or a page past the end: count from the start
                counted = queryset.order_by()[: self.cap].count()
            self.more = counted >= self.cap
            self._capped_count = self.cap - 1 if self.more else counted
        return int(self._capped_count)

    @property
    def num_pages(self) -> int:
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, math.ceil(self.count / self.per_page))

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        if self.rows is None:
            return super().page(number)
        if self._window is not None and number == self.wanted:
            ids = self._window[: self.per_page]
        else:  # another page than the one asked for (past the end: the last one)
            queryset: QuerySet = self.object_list  # type: ignore[assignment]
            bottom = (number - 1) * self.per_page
            ids = list(
                queryset.prefetch_related(None).values_list("pk", flat=True)[bottom : bottom + self.per_page]
            )
        found = {row.pk: row for row in self.rows(ids)}
        return Page([found[pk] for pk in ids if pk in found], number, self)
