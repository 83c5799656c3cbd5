"""The weekly hot-issue list for leaders, as a Word document (python-docx)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from minsheng.insight.models import HotIssueReport


def hot_report_docx(report: HotIssueReport, *, top: int = 10) -> bytes:
    from docx import Document
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(11)
    document.add_heading(
        _("Hot issues of %(place)s, %(start)s to %(end)s")
        % {
            "place": report.jurisdiction.name,
            "start": f"{report.period_start:%Y年%-m月%-d日}",
            "end": f"{report.period_end:%Y年%-m月%-d日}",
        },
        level=1,
    )
    document.add_paragraph(
        _(
            "%(count)d messages; computed %(at)s. Heat counts the people who wrote, their supporters and how "
            "close together the messages came."
        )
        % {"count": report.n_messages, "at": f"{report.computed_at:%Y-%m-%d %H:%M}"}
    )
    issues = report.issues[:top]
    if not issues:
        document.add_paragraph(_("No hot issues in this period."))
    else:
        table = document.add_table(rows=1, cols=6)
        table.style = "Table Grid"
        headers = [_("Rank"), _("Issue"), _("Place"), _("Messages"), _("People"), _("Period")]
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            cell.text = str(text)
        for issue in issues:
            row = table.add_row().cells
            row[0].text = str(issue["rank"])
            row[1].text = issue["title"]
            row[2].text = issue["place"] or "—"
            row[3].text = str(len(issue["ids"]))
            row[4].text = str(issue.get("people", ""))
            row[5].text = f"{issue['from']} – {issue['to']}"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
