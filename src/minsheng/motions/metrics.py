"""Database gauges of this app for ``/metrics`` (``core.metrics``)."""

from __future__ import annotations

from minsheng.core.metrics import overdue_register
from minsheng.motions.models import Assignment, AssignmentStatus
from minsheng.motions.selectors import OPEN_STATES
from minsheng.org.selectors import today


def assignments_overdue() -> int:
    """Assignments of open items still unanswered after their due date."""
    return Assignment.objects.filter(
        motion__status__in=OPEN_STATES, status=AssignmentStatus.PENDING, due__lt=today()
    ).count()


overdue_register("motions.assignments", assignments_overdue)
