"""The Word documents of a consultation: the report (意见建议汇总) and the thank-you letter."""

from __future__ import annotations

import datetime as dt
import io

import docx
from django.utils import timezone
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from minsheng.legislation.models import Opinion, Outcome
from minsheng.legislation.selectors import ReportContent


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _document() -> docx.document.Document:
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.size = Pt(14)
    return document


def _centered(document: docx.document.Document, text: str, size: int = 20, bold: bool = True) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def _bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def report_title(title: str) -> str:
    return _("Summary of opinions and suggestions on “%(title)s”") % {"title": title}


def report_docx(content: ReportContent) -> bytes:
    """关于《…（草案）》的意见建议汇总: an introduction with the counts, then the opinions by article."""
    task = content.task
    document = _document()
    _centered(document, report_title(task.title))
    document.add_paragraph(
        _(
            "On %(received_on)s the %(contact_point)s received from %(issuer)s the task of gathering "
            "opinions on “%(title)s”. Through online comments, consultation meetings and visits it collected "
            "%(received)s opinions (%(online)s online, %(collected)s at %(meetings)s meetings and visits "
            "attended by %(attendance)s people). After sorting, %(entries)s opinions and suggestions are "
            "submitted as follows."
        )
        % {
            "received_on": chinese_date(task.received_on),
            "contact_point": task.contact_point.name,
            "issuer": task.issuing_body,
            "title": task.title,
            "received": content.received,
            "online": content.online,
            "collected": content.collected,
            "meetings": content.meetings,
            "attendance": content.attendance,
            "entries": content.entry_count,
        }
    )
    number = 0
    for section in content.sections:
        heading = _("General opinions on the draft") if section.heading == "__whole__" else section.heading
        document.add_heading(heading, level=2)
        for item in section.items:
            number += 1
            document.add_paragraph(f"{number}. {item.entry.summary}")
            sources = _(", ").join(
                _("%(source)s %(count)s") % {"source": label, "count": count}
                for label, count in sorted(item.sources.items())
            )
            note = document.add_paragraph(
                _("(Sources: %(sources)s; %(count)s opinions in total)")
                % {"sources": sources, "count": item.opinion_count}
            )
            note.runs[0].font.size = Pt(12)
    document.add_paragraph("")
    closing = document.add_paragraph(f"{task.contact_point.name}\n{chinese_date(timezone.localdate())}")
    closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return _bytes(document)


def letter_docx(opinion: Opinion) -> bytes:
    """A thank-you letter (感谢信) to a participant whose opinion was (partly) adopted."""
    task = opinion.task
    entry = opinion.entry
    document = _document()
    _centered(document, _("Letter of thanks"), size=22)
    name = opinion.author_name or _("participant")
    document.add_paragraph(_("Dear %(name)s:") % {"name": name})
    outcome = entry.get_outcome_display() if entry else ""
    document.add_paragraph(
        _(
            "Thank you for taking part in the consultation on “%(title)s”. Your opinion on %(place)s was "
            "sorted into our report to %(issuer)s and was %(outcome)s in the final text (%(final)s)."
        )
        % {
            "title": task.title,
            "place": opinion.place_label,
            "issuer": task.issuing_body,
            "outcome": outcome,
            "final": entry.final_article if entry else "",
        }
    )
    document.add_paragraph(_("Your opinion: %(text)s") % {"text": opinion.text})
    document.add_paragraph(
        _("We look forward to your continued attention to and support of grassroots legislation.")
    )
    closing = document.add_paragraph(f"{task.contact_point.name}\n{chinese_date(timezone.localdate())}")
    closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return _bytes(document)


def letter_available(opinion: Opinion) -> bool:
    entry = opinion.entry
    return bool(
        entry
        and entry.submitted
        and entry.outcome in (Outcome.ADOPTED, Outcome.PARTLY)
        and opinion.task.status == "feedback_given"
    )
