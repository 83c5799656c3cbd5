"""The filtered list of voices as an xlsx workbook (openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from minsheng.core.privacy import mask_phone
from minsheng.voices.models import Voice


def _cell_text(value: str) -> str:
    # A leading =, +, - or @ would make a spreadsheet run the cell as a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def voices_xlsx(voices: Iterable[Voice], *, user: Any) -> bytes:
    """One row per voice; phones appear only to those allowed to see contacts."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Voices")
    headers = [
        _("Tracking code"),
        _("Received"),
        _("Channel"),
        _("Kind"),
        _("Status"),
        _("Addressed to"),
        _("Station"),
        _("Unit"),
        _("Reply by"),
        _("Name"),
        _("Mobile number"),
        _("Text"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for voice in voices:
        orders = getattr(voice, "work_orders_latest_first", None) or []
        latest = orders[0] if orders else None
        contact = user.has_perm("voices.view_contact_voice", voice)
        sheet.append(
            [
                voice.tracking_code,
                timezone.localtime(voice.created_at).strftime("%Y-%m-%d %H:%M"),
                voice.get_channel_display(),
                voice.get_kind_display(),
                voice.get_status_display(),
                voice.addressed_to.person.name if voice.addressed_to else "",
                voice.station.name if voice.station else "",
                latest.unit.name if latest else "",
                latest.due.isoformat() if latest else "",
                _cell_text(voice.name if contact else ""),
                voice.phone if contact else mask_phone(voice.phone),
                _cell_text(voice.text),
            ]
        )
    for column, width in zip("ABCDEFGHIJKL", (14, 17, 10, 10, 14, 10, 22, 20, 12, 10, 14, 60), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
