"""Small query helpers every app's selectors share."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import Model, Prefetch, QuerySet, prefetch_related_objects

M = TypeVar("M", bound=Model)
T = TypeVar("T")


def one_or_none(queryset: QuerySet[M]) -> M | None:
    """The row of a queryset already narrowed to one object (by primary key or a unique field), or None.

    Use it instead of ``first()`` for detail pages: ``first()`` adds ``ORDER BY pk``, and while compiling
    an ordered query Django hashes every selected column (``SQLCompiler._order_by_pairs``). With a few
    ``select_related`` joins that costs more than running the query, on every view of the page.
    """
    rows = list(queryset.order_by()[:1])
    return rows[0] if rows else None


def prefetch_where_rows(instance: Model, prefetches: list[Prefetch], empty: set[str]) -> None:
    """``prefetch_related_objects`` for one object, skipping the relations known to hold no rows (an
    ``Exists`` read with the object costs far less to compile than a prefetch query): those are
    marked prefetched and empty, as Django marks a relation whose prefetch found nothing, so that
    ``instance.<relation>.all()`` answers from memory as after any prefetch."""
    prefetch_related_objects([instance], *[p for p in prefetches if p.prefetch_to not in empty])
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name in empty:
        nothing = getattr(instance, name).get_queryset()
        nothing._result_cache = []  # what prefetch_related_objects stores for no rows
        nothing._prefetch_done = True
        cache[name] = nothing


def kept_on(holder: Any, name: str, compute: Callable[[], T]) -> T:
    """``compute()`` kept on ``holder`` under ``name`` for the holder's life: a request's user object, or
    a row a page loaded (its rules ask the same question several times). Objects that take no
    attributes (anonymous users) compute each time."""
    attribute = f"_minsheng_{name}"
    if hasattr(holder, attribute):
        return getattr(holder, attribute)
    value = compute()
    with contextlib.suppress(AttributeError):
        setattr(holder, attribute, value)
    return value


def once_per_user(user: Any, name: str, compute: Callable[[], T]) -> T:
    """``compute()`` kept on the user object under ``name``: once per request (a request has its own
    user object), as ``org.selectors.memberships_of`` keeps the memberships it is computed from.
    Anonymous users take no attributes and compute each time (their conditions are empty anyway)."""
    return kept_on(user, name, compute)


# One dict per request, bound by core.middleware.RequestIdMiddleware; None outside a request.
_request_memo: ContextVar[dict[str, Any] | None] = ContextVar("minsheng_request_memo", default=None)


@contextlib.contextmanager
def request_memo_bound() -> Iterator[None]:
    """A fresh memo for ``once_per_request`` for the length of one request."""
    token = _request_memo.set({})
    try:
        yield
    finally:
        _request_memo.reset(token)


def once_per_request(name: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per request under ``name`` (a check every page's rules repeat, such as the
    places tree's freshness); outside a request (commands, tasks, tests) it computes every time, so
    that nothing kept can outlive the request that read it."""
    memo = _request_memo.get()
    if memo is None:
        return compute()
    if name not in memo:
        memo[name] = compute()
    return memo[name]


# Per model and database alias: the SELECT by primary key, the attribute names and each column's
# converters (what the ORM's compiler applies: aware datetimes on SQLite, decoded JSON, …).
_BY_PK: dict[tuple[type[Model], str], tuple[str, list[str], list[list[Any]], list[Any]]] = {}


def _by_pk_plan(model: type[Model], alias: str) -> tuple[str, list[str], list[list[Any]], list[Any]]:
    plan = _BY_PK.get((model, alias))
    if plan is None:
        connection = connections[alias]
        quote = connection.ops.quote_name
        fields = list(model._meta.concrete_fields)
        columns = [field.get_col(model._meta.db_table) for field in fields]
        primary_key = model._meta.pk
        assert primary_key is not None and primary_key.column is not None  # every concrete model has one
        table, key = quote(model._meta.db_table), quote(primary_key.column)
        names = ", ".join(quote(str(field.column)) for field in fields)
        sql = f"SELECT {names} FROM {table} WHERE {key} = %s"  # noqa: S608 - names from the model
        converters = [connection.ops.get_db_converters(c) + c.get_db_converters(connection) for c in columns]
        plan = (sql, [field.attname for field in fields], converters, columns)
        _BY_PK[(model, alias)] = plan
    return plan


def row_by_pk(model: type[M], pk: Any) -> M | None:
    """``model.objects.filter(pk=pk).first()`` without the ORM's compiling: for the reads every
    signed-in request makes (its user), where compiling cost three times the database's answer."""
    alias = router.db_for_read(model)
    sql, attnames, converters, columns = _by_pk_plan(model, alias)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, column_converters in enumerate(converters):
        for converter in column_converters:
            values[index] = converter(values[index], columns[index], connection)
    return model.from_db(alias, attnames, values)
