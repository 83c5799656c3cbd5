"""The filtered list of voices as an xlsx workbook (through core.exports, which neutralises formulas)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core import exports
from minsheng.core.privacy import mask_phone
from minsheng.voices.models import Voice


def voices_xlsx(voices: Iterable[Voice], *, user: Any) -> bytes:
    """One row per voice; phones appear only to those allowed to see contacts."""
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
    return exports.xlsx_bytes(
        exports.Sheet(
            title=_("Voices"),
            header=headers,
            rows=(_row(voice, user) for voice in voices),
            widths=(14, 17, 10, 10, 14, 10, 22, 20, 12, 10, 14, 60),
        )
    )


def _row(voice: Voice, user: Any) -> list[exports.Cell]:
    orders = getattr(voice, "work_orders_latest_first", None) or []
    latest = orders[0] if orders else None
    contact = user.has_perm("voices.view_contact_voice", voice)
    return [
        voice.tracking_code,
        timezone.localtime(voice.created_at).strftime("%Y-%m-%d %H:%M"),
        voice.get_channel_display(),
        voice.get_kind_display(),
        voice.get_status_display(),
        voice.addressed_to.person.name if voice.addressed_to else "",
        voice.station.name if voice.station else "",
        latest.unit.name if latest else "",
        latest.due.isoformat() if latest else "",
        voice.name if contact else "",
        voice.phone if contact else mask_phone(voice.phone),
        voice.text,
    ]


def voices_xlsx_response(voices: Iterable[Voice], *, user: Any) -> HttpResponse:
    return exports.download(
        voices_xlsx(voices, user=user), content_type=exports.XLSX_TYPE, filename="voices.xlsx"
    )
