"""Annual reports (draft → submitted → published → back), reading notes, and bad input of every kind:
a clear error in the user's language, nothing half-written."""

from __future__ import annotations

import pytest

from minsheng.core.errors import (
    DomainError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.models import Event
from minsheng.org.models import Membership, Role
from minsheng.records import services
from minsheng.records.engine import record_update
from minsheng.records.models import AnnualReport, Book, ReadingGroup, ReadingNote, RecordEntry, ReportStatus
from minsheng.records.selectors import this_year
from tests.records.conftest import account

pytestmark = pytest.mark.django_db


def _start(username: str = "deputy") -> AnnualReport:
    user = account(username)
    seat = Membership.objects.filter(person=user.person, role__in=(Role.DEPUTY, Role.CPPCC_MEMBER)).first()
    return services.annual_report_start(actor=user, person=user.person, body=seat.body, year=this_year())


def test_a_report_goes_from_draft_to_published_and_back():
    report = _start()
    deputy, staff = account("deputy"), account("staff")
    services.annual_report_edit(actor=deputy, report=report, text="一年来，我坚持接待选民。")
    report = services.annual_report_submit(actor=deputy, report=report)
    with pytest.raises(PermissionDeniedError):
        services.annual_report_edit(actor=deputy, report=report, text="改了")
    with pytest.raises(PermissionDeniedError):
        services.annual_report_approve(actor=deputy, report=report)
    report = services.annual_report_approve(actor=staff, report=report)
    assert report.status == ReportStatus.PUBLISHED and report.published_at and report.approved_by == staff
    with pytest.raises(InvalidTransitionError):
        services.annual_report_approve(actor=account("admin"), report=report)
    report = services.annual_report_return(actor=staff, report=report, reason="数字需要核对")
    assert report.status == ReportStatus.DRAFT and report.published_at is None
    verbs = list(
        Event.objects.filter(target_id=str(report.pk), target_type__model="annualreport").values_list(
            "verb", flat=True
        )
    )
    assert verbs == ["create", "edit", "submit", "approve", "return"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("x" * 20001, "20000"),
        ("\u202e\u200b", None),  # invisible only: kept as empty text, which a draft may be
    ],
)
def test_report_text_checks(text, message):
    report = _start()
    if message is None:
        services.annual_report_edit(actor=account("deputy"), report=report, text=text)
        report.refresh_from_db()
        assert report.text == ""
        return
    with pytest.raises(ValidationFailedError):
        services.annual_report_edit(actor=account("deputy"), report=report, text=text)
    report.refresh_from_db()
    assert report.text == ""


def test_a_report_needs_a_seat_and_a_begun_year():
    deputy = account("deputy")
    other_body = Membership.objects.filter(role=Role.CPPCC_MEMBER).first().body
    with pytest.raises(ValidationFailedError):
        services.annual_report_start(actor=deputy, person=deputy.person, body=other_body, year=this_year())
    seat = Membership.objects.filter(person=deputy.person, role=Role.DEPUTY).first()
    with pytest.raises(ValidationFailedError):
        services.annual_report_start(actor=deputy, person=deputy.person, body=seat.body, year=this_year() + 1)
    with pytest.raises(PermissionDeniedError):
        services.annual_report_start(
            actor=account("member"), person=deputy.person, body=seat.body, year=this_year()
        )
    assert not AnnualReport.objects.exists()


@pytest.fixture
def book() -> Book:
    member = account("member")
    seat = Membership.objects.filter(person=member.person, role=Role.CPPCC_MEMBER).first()
    group = ReadingGroup.objects.create(body=seat.body, name="测试读书会")
    group.members.add(member.person)
    return Book.objects.create(group=group, title="乡土中国", author="费孝通")


def test_a_reading_note_counts_in_the_record(book):
    record_update()
    before = RecordEntry.objects.filter(kind="reading_note").count()
    services.reading_note_add(actor=account("member"), book=book, text="读“差序格局”一章的体会。")
    record_update()
    entry = RecordEntry.objects.get(kind="reading_note", person=account("member").person)
    assert RecordEntry.objects.filter(kind="reading_note").count() == before + 1 and entry.title == "乡土中国"


@pytest.mark.parametrize("username, text", [("deputy", "不是成员"), ("member", ""), ("member", "字" * 5001)])
def test_bad_reading_notes_are_refused(book, username, text):
    with pytest.raises(DomainError) as refused:
        services.reading_note_add(actor=account(username), book=book, text=text)
    assert refused.value.message
    assert not ReadingNote.objects.exists()
