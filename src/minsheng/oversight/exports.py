"""Office files: rectification items by unit and status as xlsx (through ``core.exports``, which
neutralises formula cells: a task typed as ``=HYPERLINK(...)`` shows as typed)."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpResponse
from django.utils.translation import gettext as _

from minsheng.core.exports import XLSX_TYPE, Cell, Sheet, download, xlsx_bytes
from minsheng.oversight.models import ItemStatus, RectificationItem
from minsheng.oversight.selectors import OVERDUE, item_public_state

MAX_ROWS = 10_000
WIDTHS = (8, 24, 40, 40, 12, 14, 22, 6, 18)


def _cn(value: object) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if hasattr(value, "year") else ""  # type: ignore[attr-defined]


def items_xlsx_bytes(items: Sequence[RectificationItem]) -> bytes:
    states = {**dict(ItemStatus.choices), OVERDUE: _("overdue")}

    def row(item: RectificationItem) -> list[Cell]:
        return [
            item.pk,
            item.unit.name,
            item.problem.text,
            item.task,
            str(states.get(item_public_state(item), item.status)),
            _cn(item.due),
            item.due_rule,
            item.round,
            item.problem.get_source_display(),
        ]

    header = [
        _("Number"),
        _("Unit"),
        _("Problem"),
        _("Task"),
        _("Status"),
        _("Due"),
        _("Deadline rule"),
        _("Round"),
        _("Source"),
    ]
    return xlsx_bytes(
        Sheet(title=_("Rectification items"), header=header, rows=map(row, items), widths=WIDTHS)
    )


def items_xlsx_response(items: Sequence[RectificationItem]) -> HttpResponse:
    return download(items_xlsx_bytes(items), content_type=XLSX_TYPE, filename="rectification-items.xlsx")
