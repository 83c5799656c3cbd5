"""Full-text search in Chinese on SQLite (FTS5) and PostgreSQL (trigram index).

Text is stored as tokens: jieba's search-mode words, every character bigram of each run of Chinese
characters, and lower-cased Latin words and numbers. A query is tokenised the same way and every
query token must be present, so 垃圾 finds 垃圾分类 (through the bigram) and a longer phrase finds the
records that hold all of its bigrams. One-character queries match any token containing the character.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

import jieba
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Q, QuerySet
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


def _matching_entries(tokens: list[str]) -> QuerySet[SearchEntry]:
    entries = SearchEntry.objects.all()
    if connection.vendor == "sqlite":
        single_chars = [t for t in tokens if len(t) == 1 and _CJK_RUN.fullmatch(t)]
        indexed = [t for t in tokens if t not in single_chars]
        if indexed:
            match = RawSQL(
                "SELECT rowid FROM core_searchentry_fts WHERE core_searchentry_fts MATCH %s",
                [_fts5_expression(indexed)],
            )
            entries = entries.filter(id__in=match)
        for char in single_chars:  # a lone Chinese character sits inside a bigram token, not at its start
            entries = entries.filter(tokens__contains=char)
        return entries
    condition = Q()
    for token in tokens:
        # The trigram GIN index on tokens serves these LIKE '%…%' filters on PostgreSQL.
        condition &= Q(tokens__contains=token) if len(token) == 1 else Q(tokens__contains=f" {token} ")
    return entries.filter(condition)


def search_filter(queryset: QuerySet, query: str) -> QuerySet:
    """Narrow ``queryset`` to the records whose indexed text matches ``query`` (all tokens)."""
    tokens = query_tokens(query or "")
    if not tokens:
        return queryset if not (query or "").strip() else queryset.none()
    content_type = ContentType.objects.get_for_model(queryset.model)
    ids = _matching_entries(tokens).filter(content_type=content_type).values("object_id")
    return queryset.filter(pk__in=ids)
