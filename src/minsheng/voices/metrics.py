"""Database gauges of this app for ``/metrics`` (``core.metrics``)."""

from __future__ import annotations

from minsheng.core.metrics import overdue_register
from minsheng.voices.models import Voice
from minsheng.voices.selectors import voices_overdue_condition


def voices_overdue() -> int:
    """Voices not routed by their routing deadline or with a work order past its reply date."""
    return Voice.objects.filter(voices_overdue_condition()).count()


overdue_register("voices", voices_overdue)
