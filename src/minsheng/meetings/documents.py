"""Documents out of a meeting: the resolution or decision (决议/决定), the minutes (会议纪要), the
appointment certificate (任命书) as Word files, and the roll call of a named poll as a spreadsheet."""

from __future__ import annotations

import io
from typing import Any

import docx
from django.utils import timezone
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from minsheng.core.exports import Sheet, xlsx_bytes
from minsheng.legislation.documents import chinese_date
from minsheng.meetings.models import Appointment, Meeting, NomineeAction, Poll, PollKind, VoteValue
from minsheng.meetings.selectors import agenda, roll_call
from minsheng.meetings.services import AttendanceCounts, attendance_counts


def value_label(value: str) -> str:
    return str(VoteValue(value).label) if value in VoteValue.values else ""


def _document() -> Any:
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(14)
    return document


def _heading(document: Any, text: str, size: int = 20) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(size)


def _right(document: Any, text: str) -> None:
    paragraph = document.add_paragraph(text)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _bytes(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def result_sentence(poll: Poll) -> str:
    """应到、实到、赞成、反对、弃权、未按 and the outcome, in one sentence."""
    result = poll.result
    counts = {
        "entitled": poll.entitled_count or 0,
        "present": poll.present_count or 0,
        "cast": poll.cast_count or 0,
        "yes": result.get("yes", 0),
        "no": result.get("no", 0),
        "abstain": result.get("abstain", 0),
        "not_voting": result.get("not_voting", 0),
        "needed": result.get("needed", 0),
    }
    if poll.kind == PollKind.DECISION or "yes" in result:
        text = (
            _(
                "Entitled %(entitled)s, present %(present)s; for %(yes)s, against %(no)s, "
                "abstaining %(abstain)s, not voting %(not_voting)s; %(needed)s votes for were needed."
            )
            % counts
        )
    else:
        text = (
            _(
                "Entitled %(entitled)s, present %(present)s, ballots cast %(cast)s; "
                "%(needed)s votes for were needed."
            )
            % counts
        )
    outcome = _("Passed.") if poll.passed else _("Not passed.")
    if poll.kind == PollKind.ELECTION:
        outcome = _("Every seat is filled.") if poll.passed else _("Seats remain for a further round.")
    return f"{text}{outcome}"


def resolution_docx(poll: Poll) -> bytes:
    """决议/决定 of a passed decision: the title, the body that adopted it, the date, the vote."""
    meeting = poll.meeting
    document = _document()
    _heading(document, meeting.body.name)
    _heading(document, poll.title, size=18)
    adopted_on = timezone.localdate(poll.closed_at) if poll.closed_at else meeting.starts_on
    document.add_paragraph(
        _("(Adopted at %(meeting)s on %(day)s)") % {"meeting": meeting.title, "day": chinese_date(adopted_on)}
    ).alignment = WD_ALIGN_PARAGRAPH.CENTER
    if poll.item.description:
        document.add_paragraph(poll.item.description)
    document.add_paragraph(
        _("%(meeting)s voted on “%(title)s”: %(result)s")
        % {"meeting": meeting.title, "title": poll.title, "result": result_sentence(poll)}
    )
    _right(document, meeting.body.name)
    _right(document, chinese_date(adopted_on))
    return _bytes(document)


def _attendance_line(counts: AttendanceCounts) -> str:
    return _(
        "Entitled %(entitled)s, present %(present)s, on leave %(on_leave)s, absent %(absent)s; "
        "%(non_voting)s attending without a vote."
    ) % {**counts.as_dict(), "absent": counts.absent}


def minutes_docx(meeting: Meeting) -> bytes:
    """会议纪要: date and venue, attendance, each item and each result."""
    document = _document()
    _heading(document, _("Minutes of %(title)s") % {"title": meeting.title})
    document.add_paragraph(
        _("%(start)s to %(end)s, at %(venue)s.")
        % {
            "start": chinese_date(meeting.starts_on),
            "end": chinese_date(meeting.ends_on),
            "venue": meeting.venue,
        }
    )
    document.add_paragraph(_attendance_line(attendance_counts(meeting)))
    for view in agenda(meeting):
        for entry in [view, *view.children]:
            document.add_heading(f"{entry.number} {entry.item.title}", level=2)
            if entry.item.description:
                document.add_paragraph(entry.item.description)
            for poll in entry.polls:
                if poll.closed_at is None:
                    continue
                document.add_paragraph(f"{poll.title}：{result_sentence(poll)}")
                for nominee in poll.nominees.all():
                    if nominee.yes is None:
                        continue
                    state = _("elected") if poll.kind == PollKind.ELECTION else _("passed")
                    document.add_paragraph(
                        _(
                            "%(name)s (%(office)s): for %(yes)s, against %(no)s, "
                            "abstaining %(abstain)s%(outcome)s"
                        )
                        % {
                            "name": nominee.name,
                            "office": nominee.office,
                            "yes": nominee.yes,
                            "no": nominee.no,
                            "abstain": nominee.abstain,
                            "outcome": f"，{state}" if nominee.passed else "",
                        },
                        style="List Bullet",
                    )
    return _bytes(document)


def certificate_docx(appointment: Appointment) -> bytes:
    """任命书 (or 免职通知) of one appointee."""
    document = _document()
    title = (
        _("Certificate of appointment")
        if appointment.action == NomineeAction.APPOINT
        else _("Notice of removal")
    )
    _heading(document, title, size=26)
    _right(document, appointment.number)
    if appointment.action == NomineeAction.APPOINT:
        sentence = _("According to the decision of %(meeting)s, %(name)s is appointed %(office)s.")
    else:
        sentence = _(
            "According to the decision of %(meeting)s, %(name)s is removed from the office of %(office)s."
        )
    paragraph = document.add_paragraph()
    run = paragraph.add_run(
        sentence
        % {
            "meeting": appointment.nominee.poll.meeting.title,
            "name": appointment.name,
            "office": appointment.office,
        }
    )
    run.font.size = Pt(16)
    _right(document, appointment.body.name)
    _right(document, chinese_date(appointment.effective_on))
    return _bytes(document)


def roll_call_xlsx(poll: Poll) -> bytes:
    """记名表决 roll call: one row per entitled member with their vote (blank: did not vote); a second
    sheet names the meeting and the poll. Cells go through core.exports (typed titles never run)."""
    names = {str(n.pk): n.name for n in poll.nominees.all()}
    yes, no = _("yes"), _("no")
    rows = []
    for seat, choice in roll_call(poll):
        if isinstance(choice, dict):
            picks = (choice.get("rows") or {}).items()
            value = "；".join(f"{names.get(key, key)}：{value_label(v)}" for key, v in picks)
        else:
            value = value_label(choice or "")
        present = yes if seat.present else no
        rows.append([seat.person.name, present, yes if seat.leave_status == "approved" else no, value])
    return xlsx_bytes(
        Sheet(_("Roll call"), [_("Name"), _("Signed in"), _("On leave"), _("Vote")], rows, (12, 8, 8, 40)),
        Sheet(_("Poll"), [_("Meeting"), _("Poll")], [[poll.meeting.title, poll.title]], (40, 40)),
    )
