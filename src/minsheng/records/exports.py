"""Files of the records app: a person's annual duty report (docx) and a body's record and points (xlsx,
through ``core.exports`` so that no typed text can run as a formula)."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.shared import Pt

from minsheng.core.exports import DOCX_TYPE, XLSX_TYPE, Sheet, download, xlsx_bytes
from minsheng.org.models import Body, Person
from minsheng.records.engine import record_kinds
from minsheng.records.models import AnnualReport
from minsheng.records.selectors import PersonRecord, Points, RankRow, record_of

__all__ = ["DOCX_TYPE", "XLSX_TYPE", "annual_report_docx", "body_xlsx", "download"]


def _cn_date(value: Any) -> str:
    day = timezone.localtime(value).date() if hasattr(value, "hour") else value
    return f"{day.year}年{day.month}月{day.day}日"


def annual_report_docx(report: AnnualReport, points: Points | None) -> bytes:
    """年度履职报告: the person's own words, then the record's figures for the year, per body."""
    record: PersonRecord = record_of(report.person, year=report.year, public=False)
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Noto Serif CJK SC"
    style.font.size = Pt(12)
    document.add_heading(
        _("%(year)s annual duty report of %(name)s") % {"year": report.year, "name": report.person.name}, 0
    )
    document.add_paragraph(f"{report.body.name} · {report.get_status_display()}")
    if report.text:
        document.add_heading(_("In my own words"), 1)
        for paragraph in report.text.split("\n"):
            if paragraph.strip():
                document.add_paragraph(paragraph.strip())
    document.add_heading(_("What the record shows"), 1)
    for body_record in record.bodies:
        document.add_heading(body_record.body.name, 2)
        table = document.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        header = table.rows[0].cells
        header[0].text, header[1].text, header[2].text = _("Duty"), _("Count"), _("Compared with peers")
        for line in body_record.lines:
            cells = table.add_row().cells
            cells[0].text = str(line.label)
            cells[1].text = str(line.count)
            cells[2].text = (
                _("more than %(share)s%% of peers") % {"share": line.share_below}
                if line.share_below is not None
                else ""
            )
    if points is not None:
        document.add_heading(_("Points"), 1)
        document.add_paragraph(
            _("Total: %(total)s (rules version %(version)s)")
            % {"total": points.total, "version": points.version}
        )
        for item in points.lines:
            bonus = f" + {item.bonus_acts} × {item.bonus_each}" if item.bonus_acts else ""
            counted = f"{item.counted} × {item.points_each}{bonus}"
            document.add_paragraph(f"{item.label}: {counted} = {item.subtotal}")
    if report.published_at:
        document.add_paragraph(_("Approved on %(day)s") % {"day": _cn_date(report.published_at)})
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def body_xlsx(
    body: Body, year: int, people: list[Person], counts: dict[int, dict[str, int]], ranked: list[RankRow]
) -> bytes:
    """Every deputy or member of the body: their counted acts per kind, then their points and rank
    (empty when the body has no points scheme for the year)."""
    kinds = record_kinds()
    by_person = {row.person.pk: row for row in ranked}
    header = [_("Name"), *[str(kind.label) for kind in kinds.values()], _("Points"), _("Rank")]
    table = []
    for person in people:
        ranking = by_person.get(person.pk)
        table.append(
            [
                person.name,
                *[counts.get(person.pk, {}).get(code, 0) for code in kinds],
                ranking.points.total if ranking else None,
                ranking.rank if ranking else None,
            ]
        )
    return xlsx_bytes(Sheet(title=f"{year}", header=header, rows=table, widths=(12,)))
