"""Every spreadsheet and CSV file the product writes goes through here.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel, WPS
and LibreOffice as a formula (``=HYPERLINK(...)``, ``=cmd|...``): whoever typed a title or a statement
could make the office's spreadsheet run it. ``cell_safe`` puts a single quote in front of such text
(the OWASP rule for CSV injection), so it shows as typed and never runs; numbers, dates and empty cells
are left as they are. ``xlsx_bytes`` and ``csv_text`` apply it to every cell, ``download`` sends the
file with a safe name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.styles import Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | dt.date | dt.datetime | bool | None | Promise


def cell_safe(value: Cell) -> Cell:
    """The value as a spreadsheet must receive it: text that would start a formula gets a leading '."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _xlsx_cell(value: Cell) -> Any:
    value = cell_safe(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # openpyxl stores naive times; callers pass local time
    return value


@dataclass
class Sheet:
    """One worksheet: a bold header row, then the rows; ``widths`` are column widths in characters."""

    title: str
    header: Sequence[str | Promise]
    rows: Iterable[Sequence[Cell]]
    widths: Sequence[int] = field(default_factory=tuple)


def xlsx_bytes(*sheets: Sheet) -> bytes:
    """An .xlsx workbook with one worksheet per ``Sheet``, every cell passed through ``cell_safe``."""
    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    for spec in sheets:
        sheet = workbook.create_sheet(title=str(spec.title)[:31])
        sheet.append([_xlsx_cell(title) for title in spec.header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in spec.rows:
            sheet.append([_xlsx_cell(value) for value in row])
        for index, width in enumerate(spec.widths):
            sheet.column_dimensions[_column_letter(index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def csv_text(header: Sequence[str | Promise], rows: Iterable[Sequence[Cell]]) -> str:
    """CSV text as RFC 4180 has it (CRLF line ends, so that a field holding a lone CR or LF is quoted
    too), every cell passed through ``cell_safe``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell_safe(title) for title in header])
    for row in rows:
        writer.writerow([cell_safe(value) for value in row])
    return out.getvalue()


def download(data: bytes | str, *, content_type: str, filename: str) -> HttpResponse:
    """The file as an attachment; the name is sent ASCII-safe and, for Chinese names, RFC 5987-encoded."""
    response = HttpResponse(data, content_type=content_type)
    suffix = PurePosixPath(filename).suffix
    ascii_name = "".join(ch for ch in filename if ch.isascii() and (ch.isalnum() or ch in "._-"))
    if not any(ch.isalnum() for ch in ascii_name.removesuffix(suffix)):
        ascii_name = "download" + (suffix if suffix.isascii() else "")
    disposition = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        disposition += f"; filename*=UTF-8''{quote(filename)}"
    response["Content-Disposition"] = disposition
    return response
