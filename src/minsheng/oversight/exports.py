"""Office files: rectification items by unit and status as xlsx."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from minsheng.oversight.models import ItemStatus, RectificationItem
from minsheng.oversight.selectors import OVERDUE, item_public_state

MAX_ROWS = 10_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cn(value: object) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if hasattr(value, "year") else ""  # type: ignore[attr-defined]


def items_xlsx_bytes(items: Sequence[RectificationItem]) -> bytes:
    states = {**dict(ItemStatus.choices), OVERDUE: _("overdue")}
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Rectification items")
    sheet.append(
        [
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
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in items:
        sheet.append(
            [
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
        )
    for column, width in zip("ABCDEFGHI", (8, 24, 40, 40, 12, 14, 22, 6, 18), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def items_xlsx_response(items: Sequence[RectificationItem]) -> HttpResponse:
    response = HttpResponse(items_xlsx_bytes(items), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="rectification-items.xlsx"'
    return response
