"""What supervision gives the duty record and the my-duties inbox (the contract:
``minsheng.records.contract``): activities taken part in (the team's attendance as recorded, and whoever
of the team records a visit) and visits recorded."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minsheng.oversight.models import Activity, ActivityStatus, TeamMember, Visit
from minsheng.records.contract import ActPage, Credit, EventRow, InboxItem, Mark, RecordKind, Seats

GROUP = _("Supervision")
ACTIVITY = "oversight.activity"
PROJECT = "oversight.project"
VISIT = "oversight.visit"
RECORD_KINDS = (
    RecordKind("supervision_joined", _("supervision activities taken part in"), GROUP, frozenset({"absent"})),
    RecordKind("supervision_visit", _("supervision visits recorded"), GROUP),
)
HANDLES = {
    ACTIVITY: frozenset({"attendance", "visit", "publish", "unpublish"}),
    PROJECT: frozenset({"visit"}),
}


def _visit_pages(ids: Sequence[str]) -> dict[str, str]:
    """A visit's line opens its activity's page, or its key project's page (a project visit)."""
    numbers = [int(i) for i in ids if i.isdigit()]
    rows = Visit.objects.filter(pk__in=numbers).values_list("pk", "activity_id", "project_id")
    pages: dict[str, str] = {}
    for pk, activity_id, project_id in rows:
        if activity_id is not None:
            pages[str(pk)] = reverse("oversight:activity", args=[activity_id])
        elif project_id is not None:
            pages[str(pk)] = reverse("oversight:project", args=[project_id])
    return pages


# A published activity's public page opens for everybody; the team's page needs a signed-in reader.
ACT_URLS = {
    ACTIVITY: ActPage("oversight:activity", "oversight:public_activity"),
    VISIT: ActPage("oversight:activity", pages=_visit_pages),
}


def credits(events: list[EventRow], seats: Seats) -> Iterator[Credit | Mark]:
    ids = {int(e.target_id) for e in events if e.target_type == ACTIVITY}
    activities = {a["pk"]: a for a in Activity.objects.filter(pk__in=ids).values("pk", "title", "body_id")}
    team: dict[int, set[int]] = {}
    for activity_id, person_id in TeamMember.objects.filter(activity_id__in=ids).values_list(
        "activity_id", "person_id"
    ):
        team.setdefault(activity_id, set()).add(person_id)
    joined = frozenset({"supervision_joined"})
    for event in events:
        activity = activities.get(int(event.target_id)) if event.target_type == ACTIVITY else None
        if event.verb in ("publish", "unpublish"):
            yield Mark(ACTIVITY, event.target_id, public=event.verb == "publish")
        elif event.verb == "attendance" and activity is not None:
            present = {int(p) for p in event.payload.get("present", [])}
            for person_id in sorted(present):
                yield Credit(person_id, "supervision_joined", event.at, event.seq, ACTIVITY, event.target_id,
                             activity["title"], activity["body_id"])  # fmt: skip
                yield Mark(ACTIVITY, event.target_id, outcome="", kinds=joined, person_id=person_id)
            for person_id in sorted(team.get(activity["pk"], set()) - present):
                yield Mark(ACTIVITY, event.target_id, outcome="absent", kinds=joined, person_id=person_id)
        elif event.verb == "visit":
            visitor = seats.person(event.actor_id)
            body_id = seats.body(visitor, event.at) if visitor else None
            if visitor is None or body_id is None:
                continue
            place = str(event.payload.get("place", ""))
            yield Credit(visitor, "supervision_visit", event.at, event.seq, VISIT,
                         str(event.payload.get("visit", "")), place, body_id)  # fmt: skip
            if activity is not None and visitor in team.get(activity["pk"], set()):
                yield Credit(visitor, "supervision_joined", event.at, event.seq, ACTIVITY, event.target_id,
                             activity["title"], activity["body_id"])  # fmt: skip
                yield Mark(ACTIVITY, event.target_id, outcome="", kinds=joined, person_id=visitor)


def inbox(user: Any) -> list[InboxItem]:
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    activities = (
        Activity.objects.filter(
            team__person_id=person_id, status__in=(ActivityStatus.PLANNED, ActivityStatus.UNDER_WAY)
        )
        .order_by("start_date", "id")
        .distinct()[:10]
    )
    return [
        InboxItem(
            app="oversight",
            kind=_("Inspection to join"),
            title=activity.title,
            url=reverse("oversight:activity", args=[activity.pk]),
            action=_("Open the activity"),
            due=activity.start_date,
            order=15,
        )
        for activity in activities
    ]
