"""Form fields other apps use for the organisation's records (``org.forms`` holds org's own pages' forms)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.org.models import Unit, UnitKind


class _UnitsByKind(forms.models.ModelChoiceIterator):
    """Units as option groups, one per kind, in the order of ``UnitKind``."""

    def __iter__(self) -> Iterator[Any]:
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        groups: dict[str, list[Any]] = {}
        for unit in self.queryset:
            groups.setdefault(unit.kind, []).append(self.choice(unit))
        order = list(UnitKind.values)
        for kind in sorted(groups, key=lambda k: order.index(k) if k in order else len(order)):
            yield (str(UnitKind(kind).label) if kind in order else kind, groups[kind])


class UnitChoiceField(forms.ModelChoiceField):
    """A handling unit from a list grouped by kind (departments, judicial organs, township
    governments), which the browser lets the user filter by typing (``data-filter``, web/site.js):
    forty-odd units in one flat list are hard to scan, most of all on a phone."""

    iterator = _UnitsByKind

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Unit.objects.none())
        kwargs.setdefault(
            "widget", forms.Select(attrs={"data-filter": _("Type part of a unit's name to narrow the list")})
        )
        super().__init__(*args, **kwargs)
