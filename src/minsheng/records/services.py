"""Writing in the records app: annual reports (draft → submitted → published), reading notes, points
schemes, and the record's update and rebuild (``engine``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor
from minsheng.core.attachments import IMAGE, MB, attachments_for, attachments_save, upload_check
from minsheng.core.errors import DomainError, PermissionDeniedError, ValidationFailedError
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.models import Attachment, Event
from minsheng.core.text import plain_text_checked
from minsheng.core.transitions import Transition, TransitionTable, transition_apply
from minsheng.org.models import REPRESENTATIVE_ROLES, Body, Membership, Person
from minsheng.records.engine import record_rebuild, record_update
from minsheng.records.models import AnnualReport, Book, PointsScheme, ReadingGroup, ReadingNote, ReportStatus
from minsheng.records.rules import holds_seat_in_group_body

__all__ = [
    "REPORT_TRANSITIONS",
    "annual_report_approve",
    "annual_report_edit",
    "annual_report_return",
    "annual_report_start",
    "annual_report_submit",
    "annual_reports_approve",
    "points_version_record",
    "profile_photo_set",
    "reading_checkin",
    "reading_group_join",
    "reading_note_add",
    "record_rebuild",
    "record_update",
]

REPORT_TEXT_MAX = 20000
NOTE_MAX = 5000
S = ReportStatus

REPORT_TRANSITIONS = TransitionTable(
    Transition("submit", sources={S.DRAFT}, target=S.SUBMITTED, permission="records.submit_annualreport"),
    Transition(
        "approve", sources={S.SUBMITTED}, target=S.PUBLISHED, permission="records.approve_annualreport"
    ),
    Transition(
        "return", sources={S.SUBMITTED, S.PUBLISHED}, target=S.DRAFT, permission="records.return_annualreport"
    ),
)


def annual_report_start(*, actor: Actor, person: Person, body: Body, year: int) -> AnnualReport:
    """The person's draft for the year (made once; the person or the body's staff may start it)."""
    is_self = getattr(actor, "person_id", None) == person.pk
    if not (is_self or actor.has_perm("records.export_body", body)):
        raise PermissionDeniedError()
    if not Membership.objects.filter(person=person, body=body, role__in=REPRESENTATIVE_ROLES).exists():
        raise ValidationFailedError(_("This person holds no seat in this body."), field="body")
    if year < 2000 or year > timezone.localdate().year:
        raise ValidationFailedError(_("Choose a year that has begun."), field="year")
    with transaction.atomic():
        report, created = AnnualReport.objects.get_or_create(person=person, body=body, year=year)
        if created:
            event_record(actor=actor, verb="create", target=report, to_state=report.status)
    return report


def annual_report_edit(*, actor: Actor, report: AnnualReport, text: str) -> AnnualReport:
    clean = plain_text_checked(
        text, field="text", max_length=REPORT_TEXT_MAX, label=_("The report text"), required=False
    )
    with transaction.atomic():
        locked = rows_locked(AnnualReport).get(pk=report.pk)
        if not actor.has_perm("records.change_annualreport", locked):
            raise PermissionDeniedError()
        if locked.text == clean:
            return locked
        locked.text = clean
        locked.save(update_fields=["text", "updated_at"])
        event_record(actor=actor, verb="edit", target=locked, payload={"length": len(clean)})
    return locked


def annual_report_submit(
    *, actor: Actor, report: AnnualReport, expected_state: str | None = None
) -> AnnualReport:
    return transition_apply(
        table=REPORT_TRANSITIONS, obj=report, action="submit", actor=actor, expected_state=expected_state
    )


def annual_report_approve(
    *, actor: Actor, report: AnnualReport, expected_state: str | None = None
) -> AnnualReport:
    return transition_apply(
        table=REPORT_TRANSITIONS,
        obj=report,
        action="approve",
        actor=actor,
        expected_state=expected_state,
        changes={"approved_by": actor, "published_at": timezone.now()},
    )


def annual_report_return(
    *, actor: Actor, report: AnnualReport, reason: str, expected_state: str | None = None
) -> AnnualReport:
    clean = plain_text_checked(reason, field="reason", max_length=500, label=_("The reason"))
    return transition_apply(
        table=REPORT_TRANSITIONS,
        obj=report,
        action="return",
        actor=actor,
        expected_state=expected_state,
        changes={"published_at": None},
        payload={"reason": clean},
    )


def reading_note_add(*, actor: Actor, book: Book, text: str) -> ReadingNote:
    """A member of the book's group writes a note (a check-in when it is short); it counts in the record."""
    person_id = getattr(actor, "person_id", None)
    if not actor.has_perm("records.add_readingnote") or person_id is None:
        raise PermissionDeniedError()
    if not book.group.members.filter(pk=person_id).exists():
        raise PermissionDeniedError()
    clean = plain_text_checked(text, field="text", max_length=NOTE_MAX, label=_("The note"))
    with transaction.atomic():
        note = ReadingNote.objects.create(book=book, person_id=person_id, text=clean)
        event_record(
            actor=actor, verb="create", target=note, payload={"book": book.pk, "group": book.group_id}
        )
    return note


BULK_MAX = 200


def annual_reports_approve(
    *, actor: Actor, reports: Sequence[AnnualReport], expected_state: str = S.SUBMITTED
) -> list[AnnualReport]:
    """Publish several submitted reports at once, each through the transition table with its Event.

    All or nothing: if one is refused (not submitted any more, not this staff's body), the error names
    it and no report changes."""
    if not reports:
        raise ValidationFailedError(_("Choose at least one report."), field="reports")
    if len(reports) > BULK_MAX:
        raise ValidationFailedError(
            _("Publish at most %(count)d reports at once."), field="reports", params={"count": BULK_MAX}
        )
    published: list[AnnualReport] = []
    with transaction.atomic():
        for report in sorted({r.pk: r for r in reports}.values(), key=lambda r: r.pk):  # one lock order
            try:
                published.append(
                    annual_report_approve(actor=actor, report=report, expected_state=expected_state)
                )
            except DomainError as refused:
                name = getattr(getattr(report, "person", None), "name", str(report.pk))
                reason = refused.message
                refused.template, refused.params = _("%(name)s: %(reason)s"), {"name": name, "reason": reason}
                raise
    return published


def _person_of(actor: Actor) -> int:
    person_id = getattr(actor, "person_id", None)
    if person_id is None:
        raise PermissionDeniedError()
    return int(person_id)


def reading_group_join(*, actor: Actor, group: ReadingGroup) -> ReadingGroup:
    """A deputy or member of the group's body joins it themselves; joining again changes nothing."""
    person_id = _person_of(actor)
    # The seat is asked of everyone, a superuser too (whom Django grants every permission): only a
    # deputy or member reads in the record.
    if not actor.has_perm("records.join_readinggroup", group) or not holds_seat_in_group_body(actor, group):
        raise PermissionDeniedError()
    with transaction.atomic():
        locked = rows_locked(ReadingGroup).get(pk=group.pk)
        if locked.members.filter(pk=person_id).exists():
            return locked
        locked.members.add(person_id)
        event_record(actor=actor, verb="join", target=locked, payload={"person": person_id})
    return locked


def reading_checkin(*, actor: Actor, book: Book) -> Event:
    """A member of the book's group checks in (打卡) for today: once a day per book; it counts in the
    record like a note."""
    person_id = _person_of(actor)
    if not book.group.members.filter(pk=person_id).exists():
        raise PermissionDeniedError()
    today = timezone.localdate()
    with transaction.atomic():
        rows_locked(Book).get(pk=book.pk)  # two clicks at once: the second waits and sees the first
        if _checked_in(actor, book, today):
            raise ValidationFailedError(_("You have already checked in for this book today."), field="book")
        return event_record(
            actor=actor, verb="checkin", target=book,
            payload={"group": book.group_id, "day": today.isoformat()},
        )  # fmt: skip


def _checked_in(actor: Actor, book: Book, day: dt.date) -> bool:
    return Event.objects.filter(
        verb="checkin", target_id=str(book.pk), actor_id=actor.pk, payload__day=day.isoformat()
    ).exists()


def scheme_snapshot(scheme: PointsScheme) -> dict[str, Any]:
    """The scheme's rules as data, kept in the version's Event so that old versions can be recomputed."""
    return {
        "version": scheme.version,
        "rules": [
            {
                "kind": rule.kind,
                "points": str(rule.points),
                "cap": rule.cap,
                "bonus_outcomes": rule.bonus_outcomes,
                "bonus_points": str(rule.bonus_points),
                "excluded_outcomes": rule.excluded_outcomes,
            }
            for rule in scheme.rules.order_by("kind")
        ],
    }


def points_version_record(*, actor: Actor, scheme: PointsScheme) -> Event:
    """Keep the scheme's current version (its rules as data) in the Event log: call it inside the
    transaction that created or changed the scheme."""
    return event_record(actor=actor, verb="version", target=scheme, payload=scheme_snapshot(scheme))


PHOTO_MAX_BYTES = 5 * MB


def profile_photo_set(*, actor: Actor, person: Person, upload: UploadedFile) -> Attachment:
    """The photo on a deputy's or member's public profile, set by them or their body's staff: a JPEG,
    PNG or WebP, stored re-encoded without its EXIF (GPS position, camera) by ``core.attachments``."""
    if not actor.has_perm("records.change_photo", person):
        raise PermissionDeniedError()
    checked = upload_check(upload, kind=IMAGE, max_bytes=PHOTO_MAX_BYTES)  # before anything is written
    with transaction.atomic():
        (saved,) = attachments_save(actor=actor, owner=person, files=[checked])
        event_record(actor=actor, verb="photo", target=person, payload={"attachment": saved.pk})
    return saved


def profile_photo_remove(*, actor: Actor, person: Person) -> int:
    """Take the photo off the profile: every photo kept for the person goes (an older one must not come
    back), the files once the transaction commits. Returns how many were removed (0: there was none)."""
    if not actor.has_perm("records.change_photo", person):
        raise PermissionDeniedError()
    with transaction.atomic():
        photos = list(attachments_for(person).filter(content_type__startswith="image/"))
        if not photos:
            return 0
        files = [photo.file.name for photo in photos if photo.file.name]
        Attachment.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
        event_record(actor=actor, verb="photo_remove", target=person, payload={"removed": len(photos)})
        storage = photos[0].file.storage

        def files_delete() -> None:
            for name in files:
                storage.delete(name)

        transaction.on_commit(files_delete)
    return len(photos)
