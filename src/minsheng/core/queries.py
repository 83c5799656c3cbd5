"""Small query helpers every app's selectors share."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Hashable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, router
from django.db.models import (
    BooleanField,
    Expression,
    F,
    Model,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.db.models.query import get_related_populators
from django.db.models.sql import Query

from minsheng.core.apitypes import MAX_ID

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


def prefetch_where_rows(
    instance: Model, prefetches: list[Prefetch], *, sometimes_empty: tuple[str, ...], plans: str
) -> None:
    """``prefetch_related_objects`` for one object, skipping those of the ``sometimes_empty`` relations
    that hold no rows: one statement of ``EXISTS`` tests tells (written as SQL: as ``Exists``
    annotations they cost a millisecond to compile, more than the prefetch queries they spare). The
    skipped ones are marked prefetched and empty, as Django marks a relation whose prefetch found
    nothing, so that ``instance.<relation>.all()`` answers from memory as after any prefetch.

    A prefetch of a reverse foreign key with a queryset of its own is read through a kept plan
    (``kept_query_rows``): its SQL is the same for every object but the object's key. ``plans`` names
    this list of prefetches (a page's, say) and must always come with the same querysets."""
    empty = relations_without_rows(instance, sometimes_empty)
    wanted = [p for p in prefetches if p.prefetch_to not in empty]
    for prefetch in [p for p in wanted if _reads_by_kept_plan(instance, p)]:
        _prefetched_as(instance, prefetch.prefetch_to, _related_rows(instance, prefetch, plans))
        wanted.remove(prefetch)
    prefetch_related_objects([instance], *wanted)
    for name in empty:
        _prefetched_as(instance, name, [])  # what prefetch_related_objects stores for no rows


def _reads_by_kept_plan(instance: Model, prefetch: Prefetch) -> bool:
    """A one-level prefetch of a reverse foreign key (``motion.signatures``) given its own queryset."""
    if prefetch.queryset is None or prefetch.to_attr or "__" in prefetch.prefetch_through:
        return False
    relation = instance._meta.fields_map.get(prefetch.prefetch_through)
    return relation is not None and bool(relation.one_to_many)


def _related_rows(instance: Model, prefetch: Prefetch, plans: str) -> list[Model]:
    foreign_key: Any = instance._meta.fields_map[prefetch.prefetch_through].remote_field
    queryset = prefetch.queryset
    assert queryset is not None  # checked by _reads_by_kept_plan
    rows = kept_query_rows(
        queryset.model,
        (plans, instance._meta.label, prefetch.prefetch_through),
        lambda key: queryset.filter(**{foreign_key.name: key}),
        instance.pk,
    )
    for row in rows:
        foreign_key.set_cached_value(row, instance)  # row.motion is the object itself, as after a prefetch
    return rows


def _prefetched_as(instance: Model, name: str, rows: list[Model]) -> None:
    """Mark ``instance.<name>`` as prefetched with ``rows``, as ``prefetch_related_objects`` does."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    kept = getattr(instance, name).get_queryset()
    kept._result_cache = rows
    kept._prefetch_done = True
    cache[name] = kept


def relations_without_rows(instance: Model, names: tuple[str, ...]) -> set[str]:
    """Which of ``instance``'s reverse foreign keys ``names`` have no rows pointing at it, in one
    statement: an item's page can then skip the queries of its empty relations (most items have no
    reply, rating or duplicate yet), each of which costs more to compile than this costs to run."""
    if not names:
        return set()
    alias = router.db_for_read(type(instance))
    quote = connections[alias].ops.quote_name
    tests = []
    for name in names:
        foreign_key: Any = instance._meta.get_field(name).remote_field  # the related model's ForeignKey
        table, column = quote(foreign_key.model._meta.db_table), quote(foreign_key.column)
        tests.append(f"EXISTS(SELECT 1 FROM {table} WHERE {column} = %s)")  # noqa: S608 - model names
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(tests), [instance.pk] * len(names))
        found = cursor.fetchone()
    return {name for name, has_rows in zip(names, found, strict=True) if not has_rows}


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


# Per model and database alias: the SELECT of every column, the attribute names and the fields.
_SELECT_ALL: dict[tuple[type[Model], str], tuple[str, list[str], list[Any]]] = {}


def _select_all(model: type[Model], alias: str) -> tuple[str, list[str], list[Any]]:
    plan = _SELECT_ALL.get((model, alias))
    if plan is None:
        quote = connections[alias].ops.quote_name
        fields = list(model._meta.concrete_fields)
        names = ", ".join(quote(str(field.column)) for field in fields)
        sql = f"SELECT {names} FROM {quote(model._meta.db_table)}"  # noqa: S608 - names from the model
        plan = (sql, [field.attname for field in fields], fields)
        _SELECT_ALL[(model, alias)] = plan
    return plan


def rows_where(model: type[M], where: str, params: list[Any], order_by: str = "") -> list[M]:
    """``model``'s rows matching ``where`` (SQL over its columns, ``%s`` for each parameter), each a
    model instance as the ORM would give it, without the ORM's compiling: for reads that every page of
    a kind makes (the user, an item's attachments), where compiling cost more than the answer."""
    alias = router.db_for_read(model)
    select, _attnames, fields = _select_all(model, alias)
    sql = f"{select} WHERE {where}" + (f" ORDER BY {order_by}" if order_by else "")
    return [instance for instance, _extra in models_from_sql(model, alias, sql, params, fields)]


def row_by_pk(model: type[M], pk: Any) -> M | None:
    """``model.objects.filter(pk=pk).first()`` without the ORM's compiling: for the reads every
    signed-in request makes (its user), where compiling cost three times the database's answer."""
    primary_key = model._meta.pk
    assert primary_key is not None and primary_key.column is not None  # every concrete model has one
    quote = connections[router.db_for_read(model)].ops.quote_name
    rows = rows_where(model, f"{quote(primary_key.column)} = %s", [pk])
    return rows[0] if rows else None


@dataclass(frozen=True)
class _KeptPlan:
    """A queryset compiled once: its SQL, its parameters with the keys' places (``slots``), and what
    turns its rows into model instances (as Django's ``ModelIterable`` does)."""

    sql: str | None  # None: the query finds nothing whatever the keys
    params: tuple[Any, ...]
    slots: tuple[int, ...]
    compiler: Any
    model: type[Model]
    init_list: list[str]
    fields: slice
    populators: list[Any]
    lookups: tuple[Any, ...]

    def objects(self, alias: str, rows: list[Any]) -> list[Any]:
        compiler = self.compiler
        if compiler.has_extra_select:  # columns added for the ordering only
            rows = [row[: compiler.col_count] for row in rows]
        found = []
        for row in compiler.results_iter([rows]):
            obj = self.model.from_db(alias, self.init_list, row[self.fields])
            for populator in self.populators:
                populator.populate(row, obj)  # the rows joined by select_related
            for name, position in (compiler.annotation_col_map or {}).items():
                setattr(obj, name, row[position])
            found.append(obj)
        if found and self.lookups:
            prefetch_related_objects(found, *self.lookups)
        return found


# Per plan name, database alias and connection object (a plan's compiler converts values with the
# connection it was compiled for: each thread has its own).
_PLANS: dict[tuple[Hashable, str, int], _KeptPlan] = {}
PLANS_KEPT = 500


def _key_mark(key_type: type, position: int) -> Any:
    """A value no key takes (keys are positive), within a 32-bit column's range: Django answers a
    lookup outside a column's range as empty without writing its SQL."""
    if key_type is int:
        return -1_987_654_321 - position
    if key_type is str:
        return f"\x00kept-key-{position}\x00"
    raise TypeError(f"a kept plan's keys are int or str, not {key_type.__name__}")


def _mark_slots(marks: list[Any], params: Any, sql: str) -> tuple[int, ...]:
    """Where each key's mark sits among compiled parameters; each must sit exactly once."""
    slots = []
    for mark in marks:
        found = [i for i, value in enumerate(params) if type(value) is type(mark) and value == mark]
        if len(found) != 1:
            raise ValueError(f"each key must appear once among the query's parameters: {sql}")
        slots.append(found[0])
    return tuple(slots)


def _with_keys(params: tuple[Any, ...], slots: tuple[int, ...], keys: tuple[Any, ...]) -> list[Any]:
    filled = list(params)
    for slot, key in zip(slots, keys, strict=True):
        filled[slot] = key
    return filled


def kept_query_rows(model: type[M], name: Hashable, build: Callable[..., QuerySet[M]], *keys: Any) -> list[M]:
    """``list(build(*keys))``, with the queryset compiled once per process and reused: ``build`` must
    give a queryset of the same shape for all keys (``name`` says which shape), each key appearing
    once among its parameters. For the reads an item's page makes on every view (the item, its
    signers, its units): Django compiles each again on every request, and compiling cost several
    times what PostgreSQL took to answer. Keys are ``int`` or ``str``; an ``int`` no 64-bit column
    holds (a page's address may carry any digits) finds nothing, as Django answers it."""
    if any(type(key) is int and not -MAX_ID <= key <= MAX_ID for key in keys):
        return []
    alias = router.db_for_read(model)
    connection = connections[alias]
    plan_key = (name, alias, id(connection))
    plan = _PLANS.get(plan_key)
    if plan is None:
        plan = _kept_plan(build, tuple(type(key) for key in keys), alias)
        if len(_PLANS) >= PLANS_KEPT:
            _PLANS.clear()  # a bound on memory, as for the kept conditions
        _PLANS[plan_key] = plan
    if plan.sql is None:
        return []  # a query Django knows finds nothing (an empty IN list, a reader who sees nothing)
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, _with_keys(plan.params, plan.slots, keys))
        rows = cursor.fetchall()
    return plan.objects(alias, rows)


def _kept_plan(build: Callable[..., QuerySet[Any]], key_types: tuple[type, ...], alias: str) -> _KeptPlan:
    marks = [_key_mark(key_type, position) for position, key_type in enumerate(key_types)]
    queryset = build(*marks)
    compiler = queryset.query.get_compiler(using=alias)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _KeptPlan(None, (), (), compiler, queryset.model, [], slice(0), [], ())
    slots = _mark_slots(marks, params, sql)
    klass_info, select = compiler.klass_info, compiler.select
    first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    return _KeptPlan(
        sql=sql,
        params=tuple(params),
        slots=tuple(slots),
        compiler=compiler,
        model=klass_info["model"],
        init_list=[column[0].target.attname for column in select[first:last]],
        fields=slice(first, last),
        # Django 5.2's signature (the stubs already follow a later one).
        populators=get_related_populators(klass_info, select, alias),  # type: ignore[call-arg]
        lookups=tuple(queryset._prefetch_related_lookups),  # type: ignore[attr-defined]
    )


# The base table's name in a condition compiled by ``compiled_condition``; replaced at each use by the
# alias the table has in the query it joins (its own name, or U0… inside a subquery).
_BASE_TABLE_MARK = "\x00base\x00"
_COMPILED: dict[tuple[str, str, Hashable], tuple[str, tuple[Any, ...], tuple[int, ...]] | bool] = {}
COMPILED_CONDITIONS_KEPT = 5000


class CompiledCondition(Expression):
    """A WHERE condition on a model's rows, as SQL compiled once (see ``compiled_condition``).

    It holds the model's primary key as its one source expression, so that when Django relabels the
    query (a subquery's tables become U0, U1…) the condition follows its table's alias."""

    conditional = True

    def __init__(self, template: str, params: tuple[Any, ...], primary_key: Any = None) -> None:
        super().__init__(output_field=BooleanField())
        self.template = template
        self.params = params
        self.primary_key: Any = F("pk") if primary_key is None else primary_key

    def get_source_expressions(self) -> list[Any]:
        return [self.primary_key]

    def set_source_expressions(self, exprs: Any) -> None:
        (self.primary_key,) = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # By now the key is resolved to a column of the query's table, under the alias it has there.
        alias = compiler.quote_name_unless_alias(self.primary_key.alias)
        return self.template.replace(_BASE_TABLE_MARK, alias), list(self.params)


def compiled_condition(model: type[Model], key: Hashable, build: Callable[..., Q], *values: Any) -> Q:
    """``build(*values)``, the condition on ``model``'s rows named by ``key``, compiled to SQL once per
    process and database engine and reused: a reader's visibility condition (places, roles, units,
    ``EXISTS`` tests) cost 2–3 ms to compile on every list, search and item page, ten times the
    database's work.

    ``build`` must depend on nothing but ``key`` and ``values`` (a frozen dataclass of the reader's
    scope, say; the words of a search): the SQL is kept under ``key``, with a mark in place of each
    value (``int`` or ``str``, each appearing once among its parameters), and later uses fill in
    their own values. The SQL names its tables by the model's table name; subqueries in it have
    their own aliases, so only the base table is renamed where the condition is used."""
    connection = connections[router.db_for_read(model)]
    full_key = (model._meta.label, connection.vendor, key)
    kept = _COMPILED.get(full_key)
    if kept is None:
        marks = [_key_mark(type(value), position) for position, value in enumerate(values)]
        kept = _compile_where(model, build(*marks), connection, marks)
        if len(_COMPILED) >= COMPILED_CONDITIONS_KEPT:
            _COMPILED.clear()  # a bound on memory; a few recompilations after it cost nothing
        _COMPILED[full_key] = kept
    if kept is True:
        return Q()
    if kept is False:
        return Q(pk__in=[])
    template, params, slots = kept
    return Q(CompiledCondition(template, tuple(_with_keys(params, slots, values))))


def _compile_where(
    model: type[Model], condition: Q, connection: Any, marks: list[Any]
) -> tuple[str, tuple[Any, ...], tuple[int, ...]] | bool:
    """The SQL and parameters of ``condition`` and where the marks sit among them; True when it holds
    for every row, False for none."""
    query = model._default_manager.filter(condition).query
    joined = [alias for alias in query.alias_map if query.alias_refcount[alias]]
    if len(joined) > 1:
        # Only the WHERE is kept: a condition through a relation would need its JOIN as well.
        raise ValueError(f"a kept condition may not join other tables: {sorted(joined)}")
    compiler = query.get_compiler(connection=connection)
    try:
        sql, params = compiler.compile(query.where)
    except EmptyResultSet:
        return False
    except FullResultSet:
        return True
    table = connection.ops.quote_name(model._meta.db_table)
    sql = sql.replace(f"{table}.", f"{_BASE_TABLE_MARK}.")
    # Its subqueries' tables are U0, U1…, which are also the names the base table takes when the
    # condition is used inside a subquery: an inner U0 would then hide the outer one. They get names
    # of their own (Django writes aliases bare and table names quoted, so only aliases match).
    aliases = {alias for inner in _nested_queries(query.where) for alias in inner.alias_map}
    if aliases:
        pattern = r'(?<![\w"])(' + "|".join(sorted(map(re.escape, aliases))) + r')(?![\w"])'
        sql = re.sub(pattern, r"kept_\1", sql)
    return sql, tuple(params), _mark_slots(marks, params, sql)


def _nested_queries(node: Any) -> Iterator[Query]:
    """Every subquery of a resolved WHERE tree, at any depth."""
    if isinstance(node, Query):
        yield node
        yield from _nested_queries(node.where)
        return
    inner = getattr(node, "query", None)
    if isinstance(inner, Query):
        yield from _nested_queries(inner)
    for child in node.get_source_expressions() if hasattr(node, "get_source_expressions") else ():
        if child is not None:
            yield from _nested_queries(child)


def models_from_sql(
    model: type[M],
    alias: str,
    sql: str,
    params: list[Any],
    fields: list[Any],
    extra: list[Any] = (),  # type: ignore[assignment]
) -> list[tuple[M, list[Any]]]:
    """Each row of ``sql`` as a ``model`` instance made from its first columns (``fields``, in the
    model's order: ``fields_in_model_order``) and the values of the ``extra`` columns after them (a
    joined row's name, say), each column converted as the ORM converts its field."""
    attnames, count = [field.attname for field in fields], len(fields)
    rows = rows_converted(alias, sql, params, [*fields, *extra])
    return [(model.from_db(alias, attnames, values[:count]), values[count:]) for values in rows]


def fields_in_model_order(model: type[Model], names: tuple[str, ...]) -> list[Any]:
    """The fields named, in the model's own order: ``Model.from_db`` takes a subset of them so."""
    return [field for field in model._meta.concrete_fields if field.name in names]


def columns_sql(table: str, fields: list[Any], quote: Callable[[str], str]) -> str:
    """``t."a", t."b"``: the fields' columns under the table alias ``table``, for a SELECT list."""
    return ", ".join(f"{table}.{quote(str(field.column))}" for field in fields)


def table_sql(model: type[Model], quote: Callable[[str], str]) -> str:
    """The model's table name, quoted: for SQL an app writes over another app's models too."""
    return quote(model._meta.db_table)


def model_field(model: type[Model], name: str) -> Any:
    """The model's field ``name`` (a column of a joined table whose value a row converts)."""
    return model._meta.get_field(name)


def placeholders(count: int) -> str:
    """``%s, %s, …``: one parameter mark per value of an ``IN (…)`` list."""
    return ", ".join(["%s"] * count)


def rows_converted(alias: str, sql: str, params: list[Any], fields: list[Any]) -> list[list[Any]]:
    """The rows of ``sql`` (written as SQL where the ORM's compiling costs more than the query), each
    column converted as the ORM converts ``fields[i]`` (aware datetimes and dates on SQLite, decoded
    JSON, …): the values a model's ``from_db`` expects."""
    connection = connections[alias]
    columns, converters = _converters(alias, tuple(fields))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converted = []
    for row in rows:
        values = list(row)
        for index, column_converters in enumerate(converters):
            for converter in column_converters:
                values[index] = converter(values[index], columns[index], connection)
        converted.append(values)
    return converted


# Per database alias and fields: each column and the ORM's converters for it.
_CONVERTERS: dict[tuple[str, tuple[Any, ...]], tuple[list[Any], list[list[Any]]]] = {}


def _converters(alias: str, fields: tuple[Any, ...]) -> tuple[list[Any], list[list[Any]]]:
    kept = _CONVERTERS.get((alias, fields))
    if kept is None:
        connection = connections[alias]
        columns = [field.get_col(field.model._meta.db_table) for field in fields]
        kept = (
            columns,
            [connection.ops.get_db_converters(c) + c.get_db_converters(connection) for c in columns],
        )
        _CONVERTERS[(alias, fields)] = kept
    return kept
