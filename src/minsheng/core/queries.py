"""Small query helpers every app's selectors share."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def one_or_none(queryset: QuerySet[M]) -> M | None:
    """The row of a queryset already narrowed to one object (by primary key or a unique field), or None.

    Use it instead of ``first()`` for detail pages: ``first()`` adds ``ORDER BY pk``, and while compiling
    an ordered query Django hashes every selected column (``SQLCompiler._order_by_pairs``). With a few
    ``select_related`` joins that costs more than running the query, on every view of the page.
    """
    rows = list(queryset.order_by()[:1])
    return rows[0] if rows else None
