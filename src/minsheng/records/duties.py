"""What reading (书香) and annual reports give the duty record and the my-duties inbox."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minsheng.records.contract import ActPage, Credit, EventRow, InboxItem, Mark, RecordKind, Seats
from minsheng.records.models import AnnualReport, Book, ReadingGroup, ReadingNote, ReportStatus

NOTE = "records.readingnote"
GROUP = "records.readinggroup"
BOOK = "records.book"
CHECKIN = "records.checkin"  # the act of a check-in: one book on one day ("<book>-<yyyy-mm-dd>")
READING = _("Reading")
RECORD_KINDS = (
    RecordKind("reading_joined", _("reading groups joined"), READING),
    RecordKind("reading_note", _("reading notes"), READING),
    RecordKind("reading_checkin", _("reading check-ins"), READING),
)
HANDLES = {NOTE: frozenset({"create"}), GROUP: frozenset({"join"}), BOOK: frozenset({"checkin"})}


def _books_of_notes(ids: Sequence[str]) -> dict[str, int]:
    notes = ReadingNote.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    rows = notes.values_list("pk", "book_id")
    return {str(pk): book_id for pk, book_id in rows}


def _books_of_checkins(ids: Sequence[str]) -> dict[str, int]:
    """A check-in's act id is ``<book>-<day>``: the book is in the id, no query."""
    return {i: int(i.split("-", 1)[0]) for i in ids if i.split("-", 1)[0].isdigit()}


# Reading acts open their group or book on the reading page (public, like the groups).
ACT_URLS = {
    NOTE: ActPage("records:reading", "records:reading", via=_books_of_notes, anchor="book-{id}"),
    GROUP: ActPage("records:reading", "records:reading", anchor="group-{id}"),
    CHECKIN: ActPage("records:reading", "records:reading", via=_books_of_checkins, anchor="book-{id}"),
}


def _titles(events: list[EventRow]) -> dict[tuple[str, int], str]:
    def ids(label: str) -> set[int]:
        return {int(e.target_id) for e in events if e.target_type == label}

    titles: dict[tuple[str, int], str] = {}
    for label, rows in (
        (NOTE, ReadingNote.objects.filter(pk__in=ids(NOTE)).values_list("pk", "book__title")),
        (GROUP, ReadingGroup.objects.filter(pk__in=ids(GROUP)).values_list("pk", "name")),
        (BOOK, Book.objects.filter(pk__in=ids(BOOK)).values_list("pk", "title")),
    ):
        titles.update({(label, pk): title for pk, title in rows})
    return titles


def credits(events: list[EventRow], seats: Seats) -> Iterator[Credit | Mark]:
    titles = _titles(events)
    for event in events:
        person_id = seats.person(event.actor_id)
        body_id = seats.body(person_id, event.at) if person_id else None
        if person_id is None or body_id is None:
            continue
        title = titles.get((event.target_type, int(event.target_id)), "")
        if event.target_type == NOTE:
            kind, act_type, act_id = "reading_note", NOTE, event.target_id
        elif event.target_type == GROUP:
            kind, act_type, act_id = "reading_joined", GROUP, event.target_id
        else:
            kind, act_type, act_id = (
                "reading_checkin",
                CHECKIN,
                f"{event.target_id}-{event.payload.get('day', '')}",
            )
        yield Credit(person_id, kind, event.at, event.seq, act_type, act_id, title, body_id)


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
