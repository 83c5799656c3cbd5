"""Office files: the filtered list as xlsx, a reply letter and a handling report as docx."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.shared import Pt

from minsheng.core import exports
from minsheng.motions.models import Motion, Reply
from minsheng.motions.templatetags.motions_tags import state_label, verb_label
from minsheng.web.templatetags.site_tags import actor_name

MAX_ROWS = 10_000


def _cn_date(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def xlsx_bytes(motions: Sequence[Motion]) -> bytes:
    header = [_("Number"), _("Kind"), _("Title"), _("Lead signer"), _("Status"), _("Units"), _("Created")]
    rows = (
        [
            motion.number,
            motion.get_kind_display(),
            motion.title,
            motion.lead_signer.name,
            motion.get_status_display(),
            "、".join(
                f"{a.unit.name}（{a.get_role_display()}）"
                for a in motion.assignments.all()
                if a.status != "returned"
            ),
            _cn_date(motion.created_at),
        ]
        for motion in motions
    )
    return exports.xlsx_bytes(
        exports.Sheet(title=_("Motions"), header=header, rows=rows, widths=(14, 8, 40, 10, 16, 40, 14))
    )


def xlsx_response(motions: Sequence[Motion]) -> HttpResponse:
    return exports.download(xlsx_bytes(motions), content_type=exports.XLSX_TYPE, filename="motions.xlsx")


def _document() -> Any:
    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(12)
    return document


def reply_letter_bytes(motion: Motion, reply: Reply, proposers: Sequence[Any]) -> bytes:
    document = _document()
    document.add_heading(
        _("Reply of %(unit)s to “%(title)s”") % {"unit": reply.assignment.unit.name, "title": motion.title},
        level=1,
    )
    document.add_paragraph(
        _("Item: %(number)s; category: %(category)s")
        % {"number": motion.number or motion.pk, "category": reply.final_category}
    )
    names = "、".join(p.name for p in proposers)
    document.add_paragraph(_("Dear %(names)s:") % {"names": names})
    for paragraph in reply.text.splitlines():
        if paragraph.strip():
            document.add_paragraph(paragraph.strip())
    document.add_paragraph(reply.assignment.unit.name)
    document.add_paragraph(_cn_date(reply.created_at))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def reply_letter_response(motion: Motion, reply: Reply, proposers: Sequence[Any]) -> HttpResponse:
    return exports.download(
        reply_letter_bytes(motion, reply, proposers),
        content_type=exports.DOCX_TYPE,
        filename=f"reply-{motion.pk}-{reply.pk}.docx",
    )


def handling_report_bytes(motion: Motion, timeline: Sequence[Any]) -> bytes:
    document = _document()
    document.add_heading(_("Handling report: %(title)s") % {"title": motion.title}, level=1)
    facts = document.add_table(rows=0, cols=2)
    for label, value in (
        (_("Number"), motion.number),
        (_("Kind"), motion.get_kind_display()),
        (_("Lead signer"), motion.lead_signer.name),
        (_("Status"), motion.get_status_display()),
    ):
        row = facts.add_row().cells
        row[0].text, row[1].text = str(label), str(value)
    document.add_heading(_("Units"), level=2)
    for assignment in motion.assignments.all():
        document.add_paragraph(
            _("%(unit)s (%(role)s), due %(due)s, %(status)s")
            % {
                "unit": assignment.unit.name,
                "role": assignment.get_role_display(),
                "due": _cn_date(assignment.due),
                "status": assignment.get_status_display(),
            }
        )
    document.add_heading(_("Replies"), level=2)
    for reply in motion.replies.all():
        document.add_paragraph(
            f"{reply.assignment.unit.name} · {reply.final_category} · {_cn_date(reply.created_at)}"
        )
        document.add_paragraph(reply.text)
    document.add_heading(_("Ratings"), level=2)
    for evaluation in motion.evaluations.all():
        document.add_paragraph(f"{evaluation.proposer.name}：{evaluation.get_overall_display()}")
    document.add_heading(_("Timeline"), level=2)
    for event in timeline:
        moved = event.to_state and event.to_state != event.from_state
        state = f" → {state_label(event.to_state)}" if moved else ""
        document.add_paragraph(
            f"{_cn_date(event.at)} · {actor_name(event.actor)} · {verb_label(event.verb)}{state}"
        )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def handling_report_response(motion: Motion, timeline: Sequence[Any]) -> HttpResponse:
    return exports.download(
        handling_report_bytes(motion, timeline),
        content_type=exports.DOCX_TYPE,
        filename=f"report-{motion.pk}.docx",
    )
