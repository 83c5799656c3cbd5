"""Full-text search in Chinese on SQLite (FTS5) and PostgreSQL (trigram index).

Text is stored as tokens: jieba's search-mode words, every character bigram of each run of Chinese
characters, and lower-cased Latin words and numbers. A query is tokenised the same way and every
query token must be present, so 垃圾 finds 垃圾分类 (through the bigram) and a longer phrase finds the
records that hold all of its bigrams. One-character queries match any token containing the character.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

import jieba
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from minsheng.core.models import SearchEntry

jieba.setLogLevel(logging.WARNING)

MAX_QUERY_TOKENS = 12
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[0-9a-zA-Z]+")


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)] if len(run) > 1 else [run]


def search_tokens(text: str) -> list[str]:
    """Distinct tokens of ``text`` in first-seen order."""
    tokens: list[str] = []
    for run in _CJK_RUN.findall(text):
        tokens.extend(word for word in jieba.cut_for_search(run) if len(word) > 1)
        tokens.extend(_bigrams(run))
    tokens.extend(word.lower() for word in _LATIN_WORD.findall(text))
    return list(dict.fromkeys(tokens))


def query_tokens(query: str) -> list[str]:
    """What a query must match: bigrams of its Chinese runs (or the lone character) and its Latin words."""
    tokens: list[str] = []
    for run in _CJK_RUN.findall(query):
        tokens.extend(_bigrams(run))
    tokens.extend(word.lower() for word in _LATIN_WORD.findall(query))
    return list(dict.fromkeys(tokens))[:MAX_QUERY_TOKENS]


def search_index(obj: models.Model, *texts: str) -> None:
    """Create or replace the search entry of ``obj`` (call from the service that changed it)."""
    # Spaces around every token (also the first and last) let a LIKE '% 词 %' match whole tokens only.
    tokens = " " + " ".join(search_tokens(" ".join(t for t in texts if t))) + " "
    SearchEntry.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, defaults={"tokens": tokens}
    )


def search_remove(obj: models.Model) -> None:
    SearchEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk).delete()


def _fts5_expression(tokens: Iterable[str]) -> str:
    # Each token quoted as an FTS5 string; a one-character token becomes a prefix query (字*).
    parts = []
    for token in tokens:
        quoted = '"' + token.replace('"', '""') + '"'
        parts.append(quoted + "*" if len(token) == 1 else quoted)
    return " AND ".join(parts)


def unindexed(expression: F) -> Func:
    """``+column`` on SQLite: the same value, but the planner will not drive the query from its index.

    Used where a condition is better checked row by row while SQLite walks the ordering index (a
    staff member's scope, a search matching thousands of rows) than used to collect every matching
    row and sort them all. Other databases plan from statistics and get the column as it is."""
    if connection.vendor != "sqlite":
        return expression  # type: ignore[return-value]
    return Func(expression, template="(+%(expressions)s)", output_field=IntegerField())


def _fts_rowids(tokens: list[str]) -> RawSQL:
    return RawSQL(
        "SELECT rowid FROM core_searchentry_fts WHERE core_searchentry_fts MATCH %s",
        [_fts5_expression(tokens)],
    )


def _matching_entries(tokens: list[str], content_type: ContentType) -> QuerySet[SearchEntry]:
    entries = SearchEntry.objects.all()
    if connection.vendor == "sqlite":
        single_chars = [t for t in tokens if len(t) == 1 and _CJK_RUN.fullmatch(t)]
        indexed = [t for t in tokens if t not in single_chars]
        if indexed:
            match = _fts_rowids(indexed)
            # Driven from the FTS hits (row id lookups), not by scanning the record type's entries.
            entries = entries.filter(id__in=match).alias(kind=unindexed(F("content_type_id")))
            entries = entries.filter(kind=content_type.pk)
        else:
            entries = entries.filter(content_type=content_type)
        for char in single_chars:  # a lone Chinese character sits inside a bigram token, not at its start
            entries = entries.filter(tokens__contains=char)
        return entries
    condition = Q()
    for token in tokens:
        # The trigram GIN index on tokens serves these LIKE '%…%' filters on PostgreSQL.
        condition &= Q(tokens__contains=token) if len(token) == 1 else Q(tokens__contains=f" {token} ")
    return entries.filter(condition, content_type=content_type)


def search_condition(model: type[models.Model], query: str, *, walk: bool = False) -> Q | None:
    """The condition for ``model`` records whose indexed text matches ``query`` (all tokens);
    None for a blank query (no condition), a condition nothing meets for a query without tokens.

    ``walk=True`` tests each row on its own (its entry, found by the unique record index, among the
    FTS hits), so that SQLite keeps walking the index of the query's ordering and stops after a
    page: right when a word may match thousands of rows. Otherwise the matching ids are collected
    first, which is right for a rare word. PostgreSQL plans either form from its statistics.
    """
    tokens = query_tokens(query or "")
    if not tokens:
        return None if not (query or "").strip() else Q(pk__in=[])
    content_type = ContentType.objects.get_for_model(model)
    if walk and connection.vendor == "sqlite":
        entry = SearchEntry.objects.filter(content_type=content_type, object_id=OuterRef("pk"))
        single_chars = [t for t in tokens if len(t) == 1 and _CJK_RUN.fullmatch(t)]
        indexed = [t for t in tokens if t not in single_chars]
        if indexed:
            entry = entry.filter(id__in=_fts_rowids(indexed))
        for char in single_chars:
            entry = entry.filter(tokens__contains=char)
        return Q(Exists(entry))
    return Q(pk__in=_matching_entries(tokens, content_type).values("object_id"))


def search_filter(queryset: QuerySet, query: str, *, walk: bool = False) -> QuerySet:
    """Narrow ``queryset`` to the records whose indexed text matches ``query`` (see search_condition)."""
    condition = search_condition(queryset.model, query, walk=walk)
    return queryset if condition is None else queryset.filter(condition)


def search_match_count(model: type[models.Model], query: str, cap: int) -> int:
    """How many ``model`` records match ``query``, counting no further than ``cap`` (index only)."""
    tokens = query_tokens(query or "")
    if not tokens:
        return 0
    content_type = ContentType.objects.get_for_model(model)
    if connection.vendor == "sqlite" and all(len(t) > 1 or not _CJK_RUN.fullmatch(t) for t in tokens):
        # Stream the FTS hits and stop at the cap (CROSS JOIN keeps the FTS table outermost).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM (SELECT 1 FROM core_searchentry_fts f CROSS JOIN core_searchentry e "
                "ON e.id = f.rowid WHERE core_searchentry_fts MATCH %s AND e.content_type_id = %s LIMIT %s)",
                [_fts5_expression(tokens), content_type.pk, cap],
            )
            return int(cursor.fetchone()[0])
    return int(_matching_entries(tokens, content_type)[:cap].count())


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
