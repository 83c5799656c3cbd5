"""What reading (书香) and annual reports give the duty record and the my-duties inbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minsheng.records.contract import Credit, EventRow, InboxItem, Mark, RecordKind, Seats
from minsheng.records.models import AnnualReport, ReadingNote, ReportStatus

NOTE = "records.readingnote"
RECORD_KINDS = (RecordKind("reading_note", _("reading notes and check-ins"), _("Reading")),)
HANDLES = {NOTE: frozenset({"create"})}
ACT_URLS = {NOTE: ("", "")}


def credits(events: list[EventRow], seats: Seats) -> Iterator[Credit | Mark]:
    titles = dict(
        ReadingNote.objects.filter(pk__in={int(e.target_id) for e in events}).values_list("pk", "book__title")
    )
    for event in events:
        person_id = seats.person(event.actor_id)
        body_id = seats.body(person_id, event.at) if person_id else None
        if person_id is None or body_id is None:
            continue
        title = titles.get(int(event.target_id), "")
        yield Credit(person_id, "reading_note", event.at, event.seq, NOTE, event.target_id, title, body_id)


def inbox(user: Any) -> list[InboxItem]:
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    drafts = AnnualReport.objects.filter(person_id=person_id, status=ReportStatus.DRAFT).select_related(
        "body"
    )
    return [
        InboxItem(
            app="records",
            kind=_("Annual report draft"),
            title=f"{report.year} · {report.body.name}",
            url=reverse("records:report", args=[report.pk]),
            action=_("Write and submit"),
            order=70,
        )
        for report in drafts
    ]
