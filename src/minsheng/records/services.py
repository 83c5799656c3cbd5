"""Writing in the records app: annual reports (draft → submitted → published), reading notes, points
schemes, and the record's update and rebuild (``engine``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor
from minsheng.core.errors import PermissionDeniedError, ValidationFailedError
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.text import plain_text_checked
from minsheng.core.transitions import Transition, TransitionTable, transition_apply
from minsheng.org.models import REPRESENTATIVE_ROLES, Body, Membership, Person
from minsheng.records.engine import record_rebuild, record_update
from minsheng.records.models import AnnualReport, Book, ReadingNote, ReportStatus

__all__ = [
    "REPORT_TRANSITIONS",
    "annual_report_approve",
    "annual_report_edit",
    "annual_report_return",
    "annual_report_start",
    "annual_report_submit",
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
