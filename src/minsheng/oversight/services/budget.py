"""Budget execution import (预算联网监督): one month's table, all rows or none.

The workbook's first sheet holds a header row (within the first rows, below any title) naming the
department, the item, the year's budget and the amount executed to date; every other non-empty row
is a line. The first problem found stops the import with its row and column (as Excel shows them),
and nothing is written.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from minsheng.core.actors import Actor, account_required
from minsheng.core.attachments import SPREADSHEET, uploads_check
from minsheng.core.errors import PermissionDeniedError, ValidationFailedError
from minsheng.core.events import event_record
from minsheng.org.models import Jurisdiction, Unit
from minsheng.org.selectors import today
from minsheng.oversight.models import AMOUNT_DIGITS, BudgetLine, BudgetTable
from minsheng.oversight.rules import scope_of
from minsheng.oversight.services.common import require

MAX_ROWS = 5000
MAX_FILE_BYTES = 5 * 1024 * 1024
HEADER_SEARCH_ROWS = 5
ITEM_MAX_LENGTH = 200
_MAX_AMOUNT = Decimal(10) ** (AMOUNT_DIGITS - 2)
TOTAL_LABELS = {"合计", "总计", "小计", "total", "subtotal"}

# Header names accepted for each column (compared without spaces, case-insensitive).
COLUMNS: dict[str, tuple[str, ...]] = {
    "department": ("部门", "单位", "部门名称", "预算单位", "单位名称", "department"),
    "item": ("项目", "项目名称", "科目", "支出项目", "item"),
    "budget": ("预算数", "预算", "全年预算", "年初预算数", "调整预算数", "budget"),
    "executed": ("执行数", "累计执行", "累计执行数", "已执行", "支出数", "executed"),
}
COLUMN_LABELS: dict[str, Promise] = {
    "department": gettext_lazy("department"),
    "item": gettext_lazy("item"),
    "budget": gettext_lazy("budget"),
    "executed": gettext_lazy("executed"),
}


class WorkbookError(ValidationFailedError):
    """A malformed workbook, with where (row and column as Excel shows them) the first problem is."""

    code = "workbook_invalid"

    def __init__(self, *, row: int, column: int, problem: str) -> None:
        self.row, self.column = row, column
        super().__init__(
            _("Row %(row)s, column %(column)s: %(problem)s")
            % {"row": row, "column": get_column_letter(column), "problem": problem},
            field="file",
        )


@dataclass(frozen=True)
class ParsedLine:
    row: int
    unit: Unit
    item: str
    budget: Decimal
    executed: Decimal


def _header_key(value: Any) -> str:
    return "".join(str(value or "").split()).lower()


def _find_header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]]:
    """(row index, column index by field) of the first row naming all four columns."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [_header_key(cell) for cell in row]
        found: dict[str, int] = {}
        for field, names in COLUMNS.items():
            wanted = {_header_key(n) for n in names}
            position = next((i for i, key in enumerate(keys) if key in wanted), None)
            if position is not None:
                found[field] = position
        if len(found) == len(COLUMNS):
            return index, found
    header = "、".join(str(COLUMNS[f][0]) for f in COLUMNS)
    raise WorkbookError(
        row=1,
        column=1,
        problem=_("no header row naming the columns %(names)s was found.") % {"names": header},
    )


def _amount(value: Any, *, row: int, column: int, label: Promise) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise WorkbookError(row=row, column=column, problem=_("the %(label)s is empty.") % {"label": label})
    if isinstance(value, bool):
        value = None
    try:
        amount = Decimal(str(value).replace(",", "").strip()) if value is not None else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise WorkbookError(
            row=row,
            column=column,
            problem=_("the %(label)s “%(value)s” is not a number.")
            % {"label": label, "value": str(value)[:30]},
        )
    if amount < 0:
        raise WorkbookError(
            row=row, column=column, problem=_("the %(label)s is negative.") % {"label": label}
        )
    if amount >= _MAX_AMOUNT:
        raise WorkbookError(
            row=row, column=column, problem=_("the %(label)s is too large.") % {"label": label}
        )
    return amount.quantize(Decimal("0.01"))


def _units_by_name(jurisdiction: Jurisdiction) -> dict[str, Unit]:
    units = Unit.objects.filter(Q(jurisdiction=jurisdiction) | Q(jurisdiction__parent=jurisdiction))
    names: dict[str, Unit] = {}
    for unit in units:
        names[_header_key(unit.name)] = unit
        if unit.short_name:
            names.setdefault(_header_key(unit.short_name), unit)
    return names


def _rows_of(data: bytes) -> list[tuple[Any, ...]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file; all mean "not a workbook we can read"
        raise WorkbookError(
            row=1, column=1, problem=_("the file cannot be read as an Excel workbook.")
        ) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise WorkbookError(row=1, column=1, problem=_("the workbook has no sheet."))
        rows: list[tuple[Any, ...]] = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(tuple(row))
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise WorkbookError(
                    row=len(rows), column=1, problem=_("more than %(limit)s rows.") % {"limit": MAX_ROWS}
                )
        return rows
    finally:
        workbook.close()


def budget_workbook_parse(data: bytes, *, jurisdiction: Jurisdiction) -> list[ParsedLine]:
    """Every line of the workbook, or a WorkbookError at the first problem (nothing is written)."""
    rows = _rows_of(data)
    header_index, columns = _find_header(rows)
    units = _units_by_name(jurisdiction)
    lines: list[ParsedLine] = []
    seen: dict[tuple[int, str], int] = {}
    for index in range(header_index + 1, len(rows)):
        row_number = index + 1
        cells = rows[index]

        def cell(field: str, cells: tuple[Any, ...] = cells) -> Any:
            position = columns[field]
            return cells[position] if position < len(cells) else None

        if all(value is None or (isinstance(value, str) and not value.strip()) for value in cells):
            continue
        department = str(cell("department") or "").strip()
        if _header_key(department) in TOTAL_LABELS or _header_key(cell("item")) in TOTAL_LABELS:
            continue  # the table's own total rows are computed again here, never imported
        column = columns["department"] + 1
        if not department:
            raise WorkbookError(row=row_number, column=column, problem=_("the department is empty."))
        unit = units.get(_header_key(department))
        if unit is None:
            raise WorkbookError(
                row=row_number,
                column=column,
                problem=_("“%(name)s” is not a unit of this jurisdiction.") % {"name": department[:50]},
            )
        item = str(cell("item") or "").strip()
        column = columns["item"] + 1
        if not item:
            raise WorkbookError(row=row_number, column=column, problem=_("the item is empty."))
        if len(item) > ITEM_MAX_LENGTH:
            raise WorkbookError(
                row=row_number,
                column=column,
                problem=_("the item is longer than %(limit)s characters.") % {"limit": ITEM_MAX_LENGTH},
            )
        key = (unit.pk, item)
        if key in seen:
            raise WorkbookError(
                row=row_number,
                column=column,
                problem=_("the same department and item already appear on row %(row)s.") % {"row": seen[key]},
            )
        seen[key] = row_number
        budget = _amount(
            cell("budget"), row=row_number, column=columns["budget"] + 1, label=COLUMN_LABELS["budget"]
        )
        executed = _amount(
            cell("executed"), row=row_number, column=columns["executed"] + 1, label=COLUMN_LABELS["executed"]
        )
        lines.append(ParsedLine(row=row_number, unit=unit, item=item, budget=budget, executed=executed))
    if not lines:
        raise WorkbookError(
            row=header_index + 2, column=1, problem=_("the table has no lines below its header.")
        )
    return lines


@transaction.atomic
def budget_import(*, actor: Actor, upload: UploadedFile, year: int, month: int) -> BudgetTable:
    """Import one month's execution table for the actor's district; all lines or none."""
    require(actor, "oversight.import_budgettable")
    places = sorted(scope_of(actor).congress_staff_jurisdictions)
    if not places:  # a superuser passes the rule but has no district whose table this would be
        raise PermissionDeniedError()
    jurisdiction = Jurisdiction.objects.get(pk=places[0])
    if not 1 <= month <= 12:
        raise ValidationFailedError(_("The month is not valid."), field="month")
    now = today()
    if not 2000 <= year <= now.year or (year, month) > (now.year, now.month):
        raise ValidationFailedError(_("The table cannot be for a month to come."), field="month")
    (checked,) = uploads_check([upload], kind=SPREADSHEET, max_files=1, max_bytes=MAX_FILE_BYTES)
    if BudgetTable.objects.filter(jurisdiction=jurisdiction, year=year, month=month).exists():
        raise ValidationFailedError(
            _("The table for %(year)s-%(month)02d is already imported.") % {"year": year, "month": month},
            field="month",
        )
    lines = budget_workbook_parse(checked.data, jurisdiction=jurisdiction)
    table = BudgetTable.objects.create(
        jurisdiction=jurisdiction,
        year=year,
        month=month,
        source_name=checked.name,
        sha256=checked.sha256,
        imported_by=account_required(actor),
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(table=table, row=p.row, unit=p.unit, item=p.item, budget=p.budget, executed=p.executed)
        for p in lines
    )
    event_record(
        actor=actor,
        verb="import",
        target=table,
        payload={"lines": len(lines), "file": checked.name, "sha256": checked.sha256},
    )
    return table
