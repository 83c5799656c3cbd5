"""The records endpoints of the JSON API: public records, points with their explanation, my duties.

The public record has counts and published acts only; rankings follow the same rule as the page
(``records.view_rankings``: staff, or everyone once the body publishes them).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from minsheng.apiauth import PUBLIC
from minsheng.core.apitypes import ObjectId
from minsheng.core.errors import NotFoundError, PermissionDeniedError, ValidationFailedError
from minsheng.org.models import Body
from minsheng.records import selectors, services
from minsheng.records.models import AnnualReport, Book, ReadingGroup, ReadingNote
from minsheng.records.services import BULK_MAX, NOTE_MAX

YEAR_MIN, YEAR_MAX = 1949, 2200  # a record's year; outside it, 422 before any query

router = Router(tags=["records"])


class LineOut(Schema):
    kind: str
    label: str
    count: int
    share_below: int | None = None


class BodyRecordOut(Schema):
    body_id: int
    body: str
    level: str
    lines: list[LineOut]


class ActOut(Schema):
    kind: str
    title: str
    at: dt.datetime
    outcome: str
    url: str


class RecordOut(Schema):
    person_id: int
    name: str
    year: int | None
    bodies: list[BodyRecordOut]
    together: list[LineOut]
    acts: list[ActOut]


class PointsLineOut(Schema):
    kind: str
    acts: int
    counted: int
    excluded: int
    over_cap: int
    bonus_acts: int
    points_each: Decimal
    bonus_each: Decimal
    subtotal: Decimal


class RankOut(Schema):
    rank: int
    person_id: int
    name: str
    total: Decimal
    lines: list[PointsLineOut]


class InboxOut(Schema):
    app: str
    kind: str
    title: str
    url: str
    action: str
    due: dt.date | None


def _line(line: selectors.Line) -> LineOut:
    return LineOut(kind=line.kind, label=str(line.label), count=line.count, share_below=line.share_below)


@router.get(
    "/people/{person_id}", response=RecordOut, auth=PUBLIC, summary="A deputy's or member's public record"
)
def record_read(
    request: HttpRequest, person_id: ObjectId, year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX)
) -> RecordOut:
    person = selectors.representative(person_id)
    if person is None:
        raise NotFoundError()
    record = selectors.record_of(person, year=year, public=True)
    return RecordOut(
        person_id=person.pk,
        name=person.name,
        year=year,
        bodies=[
            BodyRecordOut(
                body_id=b.body.pk,
                body=b.body.name,
                level=b.body.jurisdiction.level,
                lines=[_line(x) for x in b.lines],
            )
            for b in record.bodies
        ],
        together=[_line(x) for x in record.together],
        acts=[
            ActOut(kind=str(a["kind"]), title=a["title"], at=a["at"], outcome=str(a["outcome"]), url=a["url"])
            for a in record.entries
        ],
    )


@router.get(
    "/bodies/{body_id}/points", response=list[RankOut], auth=PUBLIC, summary="Points ranking, explained"
)
def points_read(
    request: HttpRequest, body_id: ObjectId, year: int = Query(..., ge=YEAR_MIN, le=YEAR_MAX)
) -> list[RankOut]:
    body = Body.objects.filter(pk=body_id).first()
    scheme = selectors.scheme_for(body_id, year) if body else None
    if body is None or scheme is None or not request.user.has_perm("records.view_rankings", scheme):
        raise NotFoundError()
    return [
        RankOut(
            rank=row.rank,
            person_id=row.person.pk,
            name=row.person.name,
            total=row.points.total,
            lines=[
                PointsLineOut(
                    kind=x.kind,
                    acts=x.acts,
                    counted=x.counted,
                    excluded=x.excluded,
                    over_cap=x.capped,
                    bonus_acts=x.bonus_acts,
                    points_each=x.points_each,
                    bonus_each=x.bonus_each,
                    subtotal=x.subtotal,
                )
                for x in row.points.lines
            ],
        )
        for row in selectors.rankings(body_id, year)
    ]


class KindChangeOut(Schema):
    kind: str
    before: Decimal
    after: Decimal


class PointsChangeOut(Schema):
    person_id: int
    name: str
    before: Decimal
    after: Decimal
    change: Decimal
    kinds: list[KindChangeOut]


class PointsCompareOut(Schema):
    body_id: int
    year: int
    before: int
    after: int
    versions: list[int]
    people: list[PointsChangeOut]


@router.get(
    "/bodies/{body_id}/points/compare", response=PointsCompareOut, summary="Compare two rule versions"
)
def points_compare(
    request: HttpRequest,
    body_id: ObjectId,
    year: int = Query(..., ge=YEAR_MIN, le=YEAR_MAX),
    before: int | None = Query(None, ge=1, le=1_000_000),
    after: int | None = Query(None, ge=1, le=1_000_000),
) -> PointsCompareOut:
    """Everyone of the body that year under two versions of its points rules (by default the current
    one and the one before), biggest change first: staff only, as the page."""
    body = Body.objects.filter(pk=body_id).first()
    scheme = selectors.scheme_for(body_id, year) if body else None
    if body is None or scheme is None or not request.user.has_perm("records.export_body", body):
        raise NotFoundError()
    versions = selectors.scheme_versions(scheme)
    pair = selectors.versions_compared(versions, before, after)
    if pair is None:
        raise ValidationFailedError(
            _("Choose versions of these rules: %(versions)s.")
            % {"versions": ", ".join(str(v.version) for v in versions)},
            field="before" if before is not None and before not in {v.version for v in versions} else "after",
        )
    rows = selectors.points_compare(scheme, *pair)
    return PointsCompareOut(
        body_id=body.pk, year=year, before=pair[0].version, after=pair[1].version,
        versions=[v.version for v in versions],
        people=[
            PointsChangeOut(
                person_id=row.person.pk, name=row.person.name, before=row.before, after=row.after,
                change=row.change,
                kinds=[KindChangeOut(kind=str(k), before=was, after=now) for k, was, now in row.kinds],
            )
            for row in rows
        ],
    )  # fmt: skip


class PhotoOut(Schema):
    person_id: int
    url: str


def _representative(person_id: int) -> Any:
    person = selectors.representative(person_id)
    if person is None:
        raise NotFoundError()
    return person


@router.post("/people/{person_id}/photo", response={201: PhotoOut}, summary="Put a photo on the profile")
def photo_upload(request: HttpRequest, person_id: ObjectId, photo: File[UploadedFile]) -> Status[PhotoOut]:
    """A JPEG, PNG or WebP up to 5 MB, stored re-encoded without its EXIF (GPS position, camera): by the
    person or their body's staff."""
    person = _representative(person_id)
    saved = services.profile_photo_set(actor=request.user, person=person, upload=photo)
    url = reverse("records:photo", args=[person.pk]) + f"?v={saved.pk}"
    return Status(201, PhotoOut(person_id=person.pk, url=url))


@router.delete("/people/{person_id}/photo", response={204: None}, summary="Take the photo off the profile")
def photo_delete(request: HttpRequest, person_id: ObjectId) -> Status[None]:
    person = _representative(person_id)
    if services.profile_photo_remove(actor=request.user, person=person) == 0:
        raise NotFoundError()
    return Status(204, None)


@router.get("/mine", response=list[InboxOut], summary="My duties: what waits for me across apps")
def inbox_read(request: HttpRequest) -> list[InboxOut]:
    return [
        InboxOut(app=i.app, kind=str(i.kind), title=i.title, url=i.url, action=str(i.action), due=i.due)
        for i in selectors.inbox_for(request.user)
    ]


# --- annual reports ---------------------------------------------------------------------------------

PAGE_SIZE = 50


class AnnualReportOut(Schema):
    id: int
    person_id: int
    name: str
    body_id: int
    body: str
    year: int
    status: str
    text: str
    published_at: dt.datetime | None


class AnnualReportStateIn(Schema):
    expected_state: str | None = Field(None, max_length=32)


class ReportsPublishIn(Schema):
    report_ids: list[ObjectId] = Field(min_length=1, max_length=BULK_MAX)


def _report_out(report: AnnualReport) -> AnnualReportOut:
    return AnnualReportOut(
        id=report.pk, person_id=report.person_id, name=report.person.name, body_id=report.body_id,
        body=report.body.name, year=report.year, status=report.status, text=report.text,
        published_at=report.published_at,
    )  # fmt: skip


def _visible_report(request: HttpRequest, report_id: int) -> AnnualReport:
    report = selectors.reports_visible_to(request.user).filter(pk=report_id).first()
    if report is None or not request.user.has_perm("records.view_annualreport", report):
        raise NotFoundError()
    return report


@router.get(
    "/reports", response=list[AnnualReportOut], auth=PUBLIC, summary="Annual reports the caller may read"
)
def reports_list(
    request: HttpRequest,
    status: Literal["draft", "submitted", "published"] | None = None,
    page: int = Query(1, ge=1, le=10_000),
) -> list[AnnualReportOut]:
    reports = selectors.reports_visible_to(request.user)
    if status:
        reports = reports.filter(status=status)
    return [_report_out(r) for r in reports[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]


@router.post("/reports/publish", response=list[AnnualReportOut], summary="Publish several submitted reports")
def reports_publish(request: HttpRequest, data: ReportsPublishIn) -> list[AnnualReportOut]:
    """All or none: one report the caller may not publish (or no longer submitted) changes nothing."""
    if not request.user.has_perm("records.approve_annualreports"):
        raise PermissionDeniedError()
    wanted = set(data.report_ids)
    reports = selectors.reports_submitted_for(request.user, sorted(wanted))
    if len(reports) != len(wanted):
        raise NotFoundError()
    published = services.annual_reports_approve(actor=request.user, reports=reports)
    return [_report_out(r) for r in published]


@router.get("/reports/{report_id}", response=AnnualReportOut, auth=PUBLIC, summary="One annual report")
def report_read(request: HttpRequest, report_id: ObjectId) -> AnnualReportOut:
    return _report_out(_visible_report(request, report_id))


@router.post(
    "/reports/{report_id}/submit", response=AnnualReportOut, summary="Submit one's report for approval"
)
def report_submit(request: HttpRequest, report_id: ObjectId, data: AnnualReportStateIn) -> AnnualReportOut:
    report = _visible_report(request, report_id)
    services.annual_report_submit(actor=request.user, report=report, expected_state=data.expected_state)
    return _report_out(_visible_report(request, report_id))


@router.post("/reports/{report_id}/approve", response=AnnualReportOut, summary="Approve and publish a report")
def report_approve(request: HttpRequest, report_id: ObjectId, data: AnnualReportStateIn) -> AnnualReportOut:
    report = _visible_report(request, report_id)
    services.annual_report_approve(actor=request.user, report=report, expected_state=data.expected_state)
    return _report_out(_visible_report(request, report_id))


# --- reading (书香) -----------------------------------------------------------------------------------


class ReadingBookOut(Schema):
    id: int
    title: str
    author: str


class ReadingGroupOut(Schema):
    id: int
    name: str
    body_id: int
    body: str
    description: str
    members: int
    member: bool
    books: list[ReadingBookOut]


class ReadingNoteOut(Schema):
    id: int
    book_id: int
    book: str
    name: str
    text: str
    created_at: dt.datetime


class ReadingNoteIn(Schema):
    text: str = Field(min_length=1, max_length=NOTE_MAX)


class ReadingCheckinOut(Schema):
    book_id: int
    day: dt.date


def _group_out(group: Any, mine: set[int]) -> ReadingGroupOut:
    return ReadingGroupOut(
        id=group.pk, name=group.name, body_id=group.body_id, body=group.body.name,
        description=group.description, members=group.member_count, member=group.pk in mine,
        books=[ReadingBookOut(id=b.pk, title=b.title, author=b.author) for b in group.books.all()],
    )  # fmt: skip


def _mine(request: HttpRequest) -> set[int]:
    person = getattr(request.user, "person", None)
    return {g.pk for g in selectors.reading_groups_of(person)} if person else set()


@router.get(
    "/reading/groups", response=list[ReadingGroupOut], auth=PUBLIC, summary="Reading groups and book lists"
)
def reading_groups(request: HttpRequest) -> list[ReadingGroupOut]:
    mine = _mine(request)
    return [_group_out(g, mine) for g in selectors.reading_groups_of(None)[:100]]


def _group(group_id: int) -> ReadingGroup:
    group = ReadingGroup.objects.select_related("body").filter(pk=group_id).first()
    if group is None:
        raise NotFoundError()
    return group


def _book(book_id: int) -> Book:
    book = Book.objects.select_related("group", "group__body").filter(pk=book_id).first()
    if book is None:
        raise NotFoundError()
    return book


@router.post("/reading/groups/{group_id}/join", response=ReadingGroupOut, summary="Join a reading group")
def reading_join(request: HttpRequest, group_id: ObjectId) -> ReadingGroupOut:
    services.reading_group_join(actor=request.user, group=_group(group_id))
    found = selectors.reading_groups_of(None).filter(pk=group_id).first()
    assert found is not None
    return _group_out(found, _mine(request))


def _note_out(note: ReadingNote) -> ReadingNoteOut:
    return ReadingNoteOut(
        id=note.pk, book_id=note.book_id, book=note.book.title, name=note.person.name, text=note.text,
        created_at=note.created_at,
    )  # fmt: skip


@router.get(
    "/reading/groups/{group_id}/notes", response=list[ReadingNoteOut], summary="A group's latest notes"
)
def reading_notes(request: HttpRequest, group_id: ObjectId) -> list[ReadingNoteOut]:
    group = _group(group_id)
    if not request.user.has_perm("records.view_readingnotes", group):
        raise NotFoundError()
    return [_note_out(n) for n in selectors.reading_notes_of_group(group)]


@router.post("/reading/books/{book_id}/notes", response={201: ReadingNoteOut}, summary="Write a reading note")
def reading_note_create(
    request: HttpRequest, book_id: ObjectId, data: ReadingNoteIn
) -> Status[ReadingNoteOut]:
    note = services.reading_note_add(actor=request.user, book=_book(book_id), text=data.text)
    return Status(201, _note_out(ReadingNote.objects.select_related("book", "person").get(pk=note.pk)))


@router.post(
    "/reading/books/{book_id}/checkin", response={201: ReadingCheckinOut}, summary="Check in for today"
)
def reading_checkin(request: HttpRequest, book_id: ObjectId) -> Status[ReadingCheckinOut]:
    event = services.reading_checkin(actor=request.user, book=_book(book_id))
    return Status(201, ReadingCheckinOut(book_id=book_id, day=dt.date.fromisoformat(event.payload["day"])))
