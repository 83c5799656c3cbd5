"""Bulk publishing of annual reports, reading (join, check-in, notes) in the record, and points versions
compared: each through the services, the pages and the API, with refusals that change nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from minsheng.core.errors import (
    ConflictError,
    DomainError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.models import Attachment, Event
from minsheng.org.models import Membership, Role, User
from minsheng.records import selectors, services
from minsheng.records.engine import record_rebuild, record_update
from minsheng.records.models import (
    AnnualReport,
    Book,
    PointRule,
    PointsScheme,
    ReadingGroup,
    RecordEntry,
    ReportStatus,
)
from minsheng.records.selectors import this_year
from tests.factories import image_bytes
from tests.records.conftest import account

pytestmark = pytest.mark.django_db


def _deputies(count: int) -> list[User]:
    """The demo deputy and further deputies of the same congress, each with an account."""
    deputy = account("deputy")
    body = (
        Membership.objects.filter(person=deputy.person, role=Role.DEPUTY, body__kind="congress").first().body
    )
    users = [deputy]
    seats = (
        Membership.objects.filter(role=Role.DEPUTY, body=body)
        .exclude(person=deputy.person)
        .select_related("person")
        .order_by("id")
    )
    for seat in seats[: count - 1]:
        user = User.objects.filter(person=seat.person).first() or User.objects.create_user(
            username=f"d{seat.person_id}", password="a-long-password", person=seat.person
        )
        users.append(User.objects.select_related("person").get(pk=user.pk))
    return users


def _submitted(users: list[User]) -> list[AnnualReport]:
    reports = []
    for user in users:
        seat = Membership.objects.filter(person=user.person, role=Role.DEPUTY, body__kind="congress").first()
        report = services.annual_report_start(
            actor=user, person=user.person, body=seat.body, year=this_year()
        )
        services.annual_report_edit(actor=user, report=report, text=f"{user.person.name}的年度履职报告。")
        reports.append(services.annual_report_submit(actor=user, report=report))
    return reports


# --- bulk publishing ----------------------------------------------------------------------------------


def test_staff_publish_several_reports_each_with_its_event():
    reports = _submitted(_deputies(3))
    published = services.annual_reports_approve(actor=account("staff"), reports=reports)
    assert [r.status for r in published] == [ReportStatus.PUBLISHED] * 3
    approvals = Event.objects.filter(target_type__model="annualreport", verb="approve")
    assert sorted(int(pk) for pk in approvals.values_list("target_id", flat=True)) == sorted(
        r.pk for r in reports
    )


@pytest.mark.parametrize("spoiler", ["draft", "other_staff", "deputy"])
def test_one_refusal_publishes_none(spoiler):
    users = _deputies(3)
    reports = _submitted(users)
    actor = account("staff")
    if spoiler == "draft":  # one went back to draft meanwhile
        services.annual_report_return(actor=actor, report=reports[1], reason="请补充数据")
    elif spoiler == "other_staff":
        actor = account("cppcc_staff")  # another body's staff
    else:
        actor = users[0]
    events_before = Event.objects.count()
    with pytest.raises(DomainError) as refused:
        services.annual_reports_approve(actor=actor, reports=reports)
    assert refused.value.message
    assert isinstance(refused.value, ConflictError | InvalidTransitionError | PermissionDeniedError)
    assert not AnnualReport.objects.filter(status=ReportStatus.PUBLISHED).exists(), (
        "a refusal changes nothing"
    )
    assert Event.objects.count() == events_before


def test_bulk_publish_needs_a_choice():
    with pytest.raises(ValidationFailedError):
        services.annual_reports_approve(actor=account("staff"), reports=[])


@pytest.mark.parametrize("role", ["anonymous", "deputy", "cppcc_staff", "staff", "admin"])
def test_the_bulk_page_by_role(role):
    reports = _submitted(_deputies(2))
    client = Client()
    if role != "anonymous":
        client.force_login(account(role))
    response = client.post("/records/reports/publish/", {"report": [str(r.pk) for r in reports]})
    published = AnnualReport.objects.filter(status=ReportStatus.PUBLISHED).count()
    if role in {"staff", "admin"}:
        assert response.status_code == 302 and published == 2
    else:
        assert response.status_code in {302, 403} and published == 0
    if role == "anonymous":
        assert (
            "/login" in response["Location"]
            or "signin" in response["Location"]
            or response.status_code == 302
        )


def test_the_bulk_page_refuses_unknown_and_hostile_ids():
    reports = _submitted(_deputies(2))
    client = Client()
    client.force_login(account("staff"))
    for ids in ([str(reports[0].pk), "999999999"], ["<script>", "-1"], ["1" * 40]):
        response = client.post("/records/reports/publish/", {"report": ids}, follow=True)
        assert response.status_code == 200
    assert not AnnualReport.objects.filter(status=ReportStatus.PUBLISHED).exists()


def test_the_staff_page_offers_only_submitted_reports_to_tick():
    reports = _submitted(_deputies(2))
    services.annual_report_approve(actor=account("staff"), report=reports[0])
    client = Client()
    client.force_login(account("staff"))
    page = client.get("/records/staff/").content.decode()
    assert f'value="{reports[1].pk}"' in page and f'value="{reports[0].pk}"' not in page


# --- reading ------------------------------------------------------------------------------------------


@pytest.fixture
def group() -> ReadingGroup:
    member = account("member")
    seat = Membership.objects.filter(person=member.person, role=Role.CPPCC_MEMBER).first()
    group = ReadingGroup.objects.create(body=seat.body, name="测试读书会")
    Book.objects.create(group=group, title="乡土中国", author="费孝通")
    return group


def test_a_member_joins_checks_in_and_it_counts(group):
    member = account("member")
    record_update()
    services.reading_group_join(actor=member, group=group)
    services.reading_group_join(actor=member, group=group)  # again: nothing new
    book = group.books.get()
    services.reading_checkin(actor=member, book=book)
    with pytest.raises(ValidationFailedError):
        services.reading_checkin(actor=member, book=book)  # once a day
    record_update()
    mine = RecordEntry.objects.filter(person=member.person)
    assert mine.filter(kind="reading_joined").count() == 1
    checkin = mine.get(kind="reading_checkin")
    assert checkin.title == "乡土中国"
    assert checkin.target_id == f"{book.pk}-{timezone.localdate().isoformat()}"
    assert Event.objects.filter(verb="join", target_type__model="readinggroup").count() == 1
    counts = selectors.record_counts(member.person_id)
    rebuilt_from = dict(counts)
    record_rebuild()
    assert selectors.record_counts(member.person_id) == rebuilt_from, "the rebuild equals the update"


@pytest.mark.parametrize("username", ["deputy", "staff", "resident"])
def test_only_the_bodys_members_join_and_only_members_check_in(group, username):
    user = account(username) if User.objects.filter(username=username).exists() else AnonymousUser()
    with pytest.raises(PermissionDeniedError):
        services.reading_group_join(actor=user, group=group)
    with pytest.raises(PermissionDeniedError):
        services.reading_checkin(actor=user, book=group.books.get())
    assert not group.members.exists() and not Event.objects.filter(verb__in=["join", "checkin"]).exists()


def test_reading_pages_join_and_check_in(group):
    client = Client()
    client.force_login(account("member"))
    page = client.get("/records/reading/").content.decode()
    assert f"/records/reading/groups/{group.pk}/join/" in page
    client.post(f"/records/reading/groups/{group.pk}/join/")
    book = group.books.get()
    page = client.get("/records/reading/").content.decode()
    assert f"/records/reading/books/{book.pk}/checkin/" in page
    client.post(f"/records/reading/books/{book.pk}/checkin/")
    assert Event.objects.filter(verb="checkin", target_id=str(book.pk)).count() == 1
    client.force_login(account("deputy"))
    client.post(f"/records/reading/groups/{group.pk}/join/")
    assert group.members.count() == 1, "a refusal changes nothing"


# --- points versions ----------------------------------------------------------------------------------


def test_a_rule_change_is_a_new_version_and_the_comparison_moves_only_that_kind():
    from minsheng.records.demo import CPPCC_RULES

    member = account("member")
    seat = Membership.objects.filter(person=member.person, role=Role.CPPCC_MEMBER).first()
    scheme = PointsScheme.objects.create(body=seat.body, year=this_year())
    for kind, (points, cap, bonus, bonus_points, excluded) in CPPCC_RULES.items():
        PointRule.objects.create(
            scheme=scheme, kind=kind, points=Decimal(points), cap=cap, bonus_outcomes=bonus,
            bonus_points=Decimal(bonus_points), excluded_outcomes=excluded,
        )  # fmt: skip
    staff = account("cppcc_staff")
    services.points_version_record(actor=staff, scheme=scheme)
    group = ReadingGroup.objects.create(body=seat.body, name="测试读书会")
    book = Book.objects.create(group=group, title="乡土中国")
    group.members.add(member.person)
    services.reading_note_add(actor=member, book=book, text="读书笔记一则。")
    record_update()
    # Staff change one rule: a reading note now earns 2 points (was 0.5).
    PointRule.objects.filter(scheme=scheme, kind="reading_note").update(points=Decimal("2"))
    scheme.version = 2
    scheme.save(update_fields=["version"])
    services.points_version_record(actor=staff, scheme=scheme)
    versions = selectors.scheme_versions(scheme)
    assert [v.version for v in versions] == [2, 1]
    rows = selectors.points_compare(scheme, versions[1], versions[0])
    moved = [row for row in rows if row.change]
    assert [row.person.pk for row in moved] == [member.person_id]
    assert moved[0].change == Decimal("1.5")
    assert [(was, now) for _label, was, now in moved[0].kinds] == [(Decimal("0.5"), Decimal("2"))]
    client = Client()
    client.force_login(staff)
    page = client.get(f"/records/bodies/{seat.body_id}/compare/?year={this_year()}&a=1&b=2")
    assert page.status_code == 200 and member.person.name in page.content.decode()
    client.force_login(member)
    assert client.get(f"/records/bodies/{seat.body_id}/compare/?year={this_year()}").status_code == 404
    for query in ("a=999&b=-1", "a=<x>", "a=" + "9" * 30):
        client.force_login(staff)
        assert (
            client.get(f"/records/bodies/{seat.body_id}/compare/?year={this_year()}&{query}").status_code
            == 200
        )


def test_a_scheme_without_kept_versions_compares_its_current_rules():
    body = Membership.objects.filter(role=Role.DEPUTY, body__kind="congress").first().body
    scheme = PointsScheme.objects.create(body=body, year=this_year(), version=3)
    PointRule.objects.create(scheme=scheme, kind="bill_led", points=Decimal("5"))
    versions = selectors.scheme_versions(scheme)
    assert [v.version for v in versions] == [3]
    assert all(row.change == 0 for row in selectors.points_compare(scheme, versions[0], versions[0]))


# --- credits: answer categories, satisfaction, adopted opinions --------------------------------------


def _line(person_id: int, kind: str) -> RecordEntry:
    return RecordEntry.objects.get(person_id=person_id, kind=kind)


def test_a_led_items_answer_category_and_rating_show_in_the_record():
    from minsheng.motions import services as motions
    from tests.motions.builders import Accounts, replied

    accounts = Accounts()
    motion = replied(accounts, category="B")
    deputy = accounts["deputy"]
    record_update()
    assert _line(deputy.person_id, "motion_answered").outcome == "B"
    motions.reply_review(actor=accounts["staff"], reply=motion.replies.get(), category="A")
    motions.motion_rate(actor=deputy, motion=motion, overall="satisfied")
    record_update()
    assert _line(deputy.person_id, "motion_answered").outcome == "A", "the office's review wins"
    assert _line(deputy.person_id, "suggestion_led").outcome == "satisfied", "the rating stays on the item"
    incremental = sorted(RecordEntry.objects.values_list("person_id", "kind", "target_id", "outcome"))
    record_rebuild()
    assert sorted(RecordEntry.objects.values_list("person_id", "kind", "target_id", "outcome")) == incremental
    record = selectors.record_of(deputy.person, year=None, public=False)
    answered = next(line for line in record.together if line.kind == "motion_answered")
    assert str(selectors.outcome_label("A")) in answered.outcomes


def test_an_adopted_legislative_opinion_shows_in_the_record():
    from minsheng.cli import demo_accounts_seed
    from minsheng.legislation import services as legislation
    from minsheng.legislation.models import TaskStatus
    from minsheng.org.models import BodyKind
    from tests.legislation.helpers import task_at

    demo_accounts_seed()  # the legislative staff is the legislation demo's account
    staff = account("lawstaff")
    point = (
        Membership.objects.filter(
            person=staff.person, role=Role.STAFF, body__kind=BodyKind.LEGISLATIVE_CONTACT_POINT
        )
        .values_list("body", flat=True)
        .first()
    )
    if point is None:
        pytest.skip("the demo's legislative staff is not on a contact point")
    from minsheng.org.models import Body

    deputy = account("deputy")
    task = task_at(
        TaskStatus.REVIEWED, staff=staff, contact_point=Body.objects.get(pk=point), commenter=deputy,
        today=timezone.localdate(),
    )  # fmt: skip
    task = legislation.task_advance(actor=staff, task=task, action="submit")
    record_update()
    assert _line(deputy.person_id, "legislative_opinion").outcome == ""
    legislation.adoption_record(
        actor=staff, entry=task.entries.get(), outcome="partly", final_article="第十二条"
    )
    record_update()
    assert _line(deputy.person_id, "legislative_opinion").outcome == "partly"


# --- the profile photo --------------------------------------------------------------------------------


def _photo(name: str = "照片.jpg") -> SimpleUploadedFile:
    from tests.core.test_attachments import _exif_with_gps

    return SimpleUploadedFile(name, image_bytes("JPEG", size=(30, 40), exif=_exif_with_gps()))


def test_a_deputy_puts_a_photo_on_the_profile_without_its_gps():
    from PIL import Image

    deputy = account("deputy")
    client = Client()
    client.force_login(deputy)
    response = client.post(f"/records/people/{deputy.person_id}/photo/upload/", {"photo": _photo()})
    assert response.status_code == 302
    assert Event.objects.filter(verb="photo", target_id=str(deputy.person_id)).count() == 1
    public = Client()
    page = public.get(f"/records/people/{deputy.person_id}/").content.decode()
    assert f"/records/people/{deputy.person_id}/photo" in page and 'name="photo"' not in page
    served = public.get(f"/records/people/{deputy.person_id}/photo")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    data = b"".join(served.streaming_content)
    assert not Image.open(io.BytesIO(data)).getexif() and b"HUAWEI" not in data


@pytest.mark.parametrize(
    "username, upload",
    [
        ("member", "photo"),  # another person (of another body)
        ("resident", "photo"),
        ("deputy", "page.html"),
        ("deputy", "empty.jpg"),
        ("deputy", "none"),
    ],
)
def test_bad_photos_and_other_people_are_refused(username, upload):
    deputy = account("deputy")
    client = Client()
    if not User.objects.filter(username=username).exists():
        User.objects.create_user(username=username, password="a-long-password")
    client.force_login(User.objects.get(username=username))
    files = {
        "photo": {"photo": _photo()},
        "page.html": {"photo": SimpleUploadedFile("page.html", b"<html><script>alert(1)</script></html>")},
        "empty.jpg": {"photo": SimpleUploadedFile("empty.jpg", b"")},
        "none": {},
    }[upload]
    response = client.post(f"/records/people/{deputy.person_id}/photo/upload/", files, follow=True)
    assert response.status_code == 200
    assert not Attachment.objects.exists() and not Event.objects.filter(verb="photo").exists()
    assert client.get(f"/records/people/{deputy.person_id}/photo").status_code == 404


def test_the_bodys_staff_may_set_a_deputys_photo():
    deputy = account("deputy")
    services.profile_photo_set(actor=account("staff"), person=deputy.person, upload=_photo())
    with pytest.raises(PermissionDeniedError):
        services.profile_photo_set(actor=account("cppcc_staff"), person=deputy.person, upload=_photo())
    assert Attachment.objects.count() == 1
