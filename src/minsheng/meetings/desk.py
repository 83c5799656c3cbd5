"""The meetings block on the signed-in user's home: meetings they run or are called to, leave to decide."""

from __future__ import annotations

from django.http import HttpRequest

from minsheng.meetings.models import Attendee, LeaveStatus, MeetingStatus
from minsheng.meetings.selectors import meetings_of_person, meetings_visible_to
from minsheng.web.views import DeskPanel

CURRENT = (MeetingStatus.DRAFT, MeetingStatus.NOTIFIED, MeetingStatus.IN_SESSION)


def panels(request: HttpRequest) -> list[DeskPanel]:
    user = request.user
    if not user.is_authenticated:
        return []
    runs = user.has_perm("meetings.add_meeting")
    source = meetings_visible_to(user) if runs else meetings_of_person(getattr(user, "person_id", None))
    meetings = list(source.filter(status__in=CURRENT)[:10])
    if not meetings:
        return []
    leave_requests = (
        Attendee.objects.filter(meeting__in=meetings, leave_status=LeaveStatus.REQUESTED).count()
        if runs
        else 0
    )
    voting_ids = {m.pk for m in meetings if m.status == MeetingStatus.IN_SESSION}
    context = {
        "meetings": meetings,
        "leave_requests": leave_requests,
        "voting_ids": voting_ids if not runs else set(),
    }
    return [DeskPanel(template="meetings/_desk.html", context=context)]
