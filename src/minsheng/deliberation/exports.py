"""Exports of a topic: openData CSV (votes.csv, comments.csv) and the report as a Word document.

The CSV files use pol.is's openData columns, so anyone can rerun the analysis (``minsheng consensus
analyze votes.csv --comments comments.csv``) and check the map. The map image in the report is drawn
by a tiny PNG writer (no plotting library on the server).
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core import exports
from minsheng.deliberation import selectors
from minsheng.deliberation.models import Topic

# Colours of groups A, B, C, … (the same order as the page's ECharts palette).
GROUP_COLOURS = [(84, 112, 198), (238, 102, 102), (145, 204, 117), (250, 200, 88), (115, 192, 222)]
VOTES_HEADER = ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
COMMENTS_HEADER = [
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
]


def _when(at: Any) -> list[Any]:
    local = timezone.localtime(at)
    return [int(at.timestamp() * 1000), local.strftime("%a %b %d %H:%M:%S %Z %Y")]


def votes_csv(topic: Topic) -> str:
    rows = selectors.votes_export_rows(topic).values_list(
        "voted_at", "statement_id", "participant_id", "value"
    )
    return exports.csv_text(
        VOTES_HEADER,
        ([*_when(voted_at), statement_id, participant_id, value]
         for voted_at, statement_id, participant_id, value in rows.iterator(chunk_size=5000)),
    )  # fmt: skip


def comments_csv(topic: Topic) -> str:
    """pol.is openData comments; a statement beginning like a formula is written with a leading '."""
    moderated = {"published": 1, "rejected": -1}
    counted: Any = selectors.statements_export(topic)  # annotated with agrees/disagrees
    return exports.csv_text(
        COMMENTS_HEADER,
        ([*_when(s.created_at), s.pk, s.author_id if s.author_id is not None else "", s.agrees, s.disagrees,
          moderated.get(s.status, 0), s.text] for s in counted.iterator(chunk_size=2000)),
    )  # fmt: skip


# PNG ------------------------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_encode(pixels: Sequence[bytearray], width: int, height: int) -> bytes:
    """RGB rows → PNG bytes (filter 0 on every row)."""
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw, 9))
        + _png_chunk(b"IEND", b"")
    )


def map_png(result: dict[str, Any], width: int = 480, height: int = 360, margin: int = 16) -> bytes:
    """The opinion map as a scatter: one dot per participant in a group, coloured by group."""
    pixels = [bytearray(b"\xff" * (width * 3)) for _ in range(height)]

    def dot(x: int, y: int, colour: tuple[int, int, int], radius: int = 2) -> None:
        for yy in range(max(0, y - radius), min(height, y + radius + 1)):
            for xx in range(max(0, x - radius), min(width, x + radius + 1)):
                pixels[yy][xx * 3 : xx * 3 + 3] = bytes(colour)

    # Axes through the centre of the map.
    for x in range(margin, width - margin):
        pixels[height // 2][x * 3 : x * 3 + 3] = b"\xcc\xcc\xcc"
    for y in range(margin, height - margin):
        pixels[y][(width // 2) * 3 : (width // 2) * 3 + 3] = b"\xcc\xcc\xcc"
    points = [p for p in result.get("participants", []) if p.get("group") is not None]
    if points:
        extent = max(max(abs(p["x"]) for p in points), max(abs(p["y"]) for p in points)) or 1.0
        half_w, half_h = (width - 2 * margin) / 2, (height - 2 * margin) / 2
        for p in points:
            x = int(width / 2 + p["x"] / extent * half_w)
            y = int(height / 2 - p["y"] / extent * half_h)
            dot(x, y, GROUP_COLOURS[p["group"] % len(GROUP_COLOURS)])
    return png_encode(pixels, width, height)


# Word report ------------------------------------------------------------------------------------------


def report_docx(topic: Topic) -> bytes:
    """The topic's report: question, map, groups, consensus, divisive, meetings and outcome status."""
    from docx import Document
    from docx.shared import Cm

    document = Document()
    document.add_heading(topic.title, level=0)
    document.add_paragraph(_("Question: %(question)s") % {"question": topic.question})
    if topic.background:
        document.add_paragraph(topic.background)
    opinion = selectors.opinion_map(topic)
    document.add_heading(_("Opinion map"), level=1)
    if opinion is None:
        document.add_paragraph(_("No analysis yet."))
    else:
        computed = timezone.localtime(opinion.analysis.computed_at)
        document.add_paragraph(
            _("Computed at %(time)s from %(votes)s votes.")
            % {"time": computed.strftime("%Y年%m月%d日 %H:%M"), "votes": opinion.analysis.vote_count}
        )
        document.add_picture(io.BytesIO(map_png(opinion.analysis.result)), width=Cm(14))
        document.add_heading(_("Opinion groups"), level=1)
        for group in opinion.groups:
            document.add_heading(
                _("Group %(label)s (%(size)s people)") % {"label": group.label, "size": group.size}, level=2
            )
            for line in group.representative:
                word = _("agree") if line.direction == "agree" else _("disagree")
                share = f"{(line.share or 0):.0%}"
                document.add_paragraph(f"{line.text}（{word} {share}）", style="List Bullet")
        document.add_heading(_("Consensus statements"), level=1)
        for line in opinion.consensus_agree:
            document.add_paragraph(line.text, style="List Bullet")
        for line in opinion.consensus_disagree:
            document.add_paragraph(_("Most disagree: %(text)s") % {"text": line.text}, style="List Bullet")
        if opinion.divisive:
            document.add_heading(_("Divisive statements"), level=1)
            for line in opinion.divisive:
                document.add_paragraph(line.text, style="List Bullet")
    meetings = selectors.meetings_of(topic)
    if meetings:
        document.add_heading(_("Consultation meetings"), level=1)
        for meeting in meetings:
            starts = timezone.localtime(meeting.starts_at)
            document.add_heading(
                f"{starts:%Y年%m月%d日} {meeting.place}（{meeting.get_status_display()}）", level=2
            )
            present = [a.name for a in meeting.attendances.all() if a.present]
            if present:
                document.add_paragraph(_("Present: %(names)s") % {"names": "、".join(present)})
            if meeting.minutes:
                document.add_paragraph(meeting.minutes)
    outcomes = selectors.outcomes_of(topic)
    if outcomes:
        document.add_heading(_("Agreed outcomes"), level=1)
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells,
            [_("Outcome"), _("Responsible unit"), _("Deadline"), _("Status")],
            strict=True,
        ):
            cell.text = str(text)
        for outcome in outcomes:
            cells = table.add_row().cells
            cells[0].text = outcome.text
            cells[1].text = outcome.unit.name
            cells[2].text = f"{outcome.due:%Y年%m月%d日}"
            latest = list(outcome.progress.all())
            status = str(outcome.get_status_display())
            cells[3].text = f"{status}：{latest[-1].text}" if latest else status
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
