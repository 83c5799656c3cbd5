"""The records API for annual reports and reading, as every demo role (a bearer token each, as the API
fuzz does): what each role may do, refusals in the API's format that change nothing, never a 5xx."""

from __future__ import annotations

import pytest
from django.test import Client

from minsheng.cli import demo_accounts, demo_accounts_seed
from minsheng.org.models import Membership, Role, User
from minsheng.org.services import api_token_create
from minsheng.records import services
from minsheng.records.models import AnnualReport, Book, ReadingGroup, ReadingNote, ReportStatus
from minsheng.records.selectors import this_year
from tests.records.conftest import account

pytestmark = pytest.mark.django_db

ROLES = ["", *dict.fromkeys(a.username for a in demo_accounts())]
# Who may publish the demo deputy's submitted report: staff of a body under the district congress (its
# office, the legislative affairs and supervision staff) and the superuser.
PUBLISHERS = {"staff", "lawstaff", "jiandu", "admin"}
# Who reads a reading group's notes besides its members: the CPPCC's staff and the superuser.
NOTE_READERS = {"cppcc_staff", "admin"}


@pytest.fixture
def headers() -> dict[str, dict[str, str]]:
    demo_accounts_seed()
    found: dict[str, dict[str, str]] = {"": {}}
    for user in User.objects.filter(username__in=[r for r in ROLES if r]):
        _token, key = api_token_create(actor=user, user=user, name="records-test")
        found[user.username] = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert set(found) == set(ROLES)
    return found


@pytest.fixture
def submitted() -> AnnualReport:
    deputy = account("deputy")
    seat = Membership.objects.filter(person=deputy.person, role=Role.DEPUTY, body__kind="congress").first()
    report = services.annual_report_start(
        actor=deputy, person=deputy.person, body=seat.body, year=this_year()
    )
    services.annual_report_edit(actor=deputy, report=report, text="一年来，我坚持每月接待选民。")
    return services.annual_report_submit(actor=deputy, report=report)


@pytest.fixture
def book() -> Book:
    member = account("member")
    seat = Membership.objects.filter(person=member.person, role=Role.CPPCC_MEMBER).first()
    group = ReadingGroup.objects.create(body=seat.body, name="书香读书会")
    return Book.objects.create(group=group, title="乡土中国", author="费孝通")


def _post(client: Client, url: str, data: object, head: dict[str, str]):
    return client.post(url, data, content_type="application/json", **head)


@pytest.mark.parametrize("role", ROLES)
def test_reports_as_every_role(role, headers, submitted):
    client, head = Client(), headers[role]
    listed = client.get("/api/records/reports", **head)
    assert listed.status_code == 200
    ids = {row["id"] for row in listed.json()}
    sees_draft = role in PUBLISHERS | {"deputy"}
    assert (submitted.pk in ids) == sees_draft
    read = client.get(f"/api/records/reports/{submitted.pk}", **head)
    assert read.status_code == (200 if sees_draft else 404)
    published = _post(client, "/api/records/reports/publish", {"report_ids": [submitted.pk]}, head)
    submitted.refresh_from_db()
    if role in PUBLISHERS:
        assert published.status_code == 200, published.content
        assert published.json()[0]["status"] == ReportStatus.PUBLISHED == submitted.status
        assert client.get(f"/api/records/reports/{submitted.pk}").status_code == 200, "now public"
    else:
        assert published.status_code in {401, 403, 404}, published.content
        assert published.json()["detail"]
        assert submitted.status == ReportStatus.SUBMITTED, "a refusal changes nothing"


@pytest.mark.parametrize("role", ROLES)
def test_one_report_approve_and_submit_by_role(role, headers, submitted):
    client, head = Client(), headers[role]
    approved = _post(
        client, f"/api/records/reports/{submitted.pk}/approve", {"expected_state": "submitted"}, head
    )
    assert approved.status_code < 500
    submitted.refresh_from_db()
    assert (submitted.status == ReportStatus.PUBLISHED) == (role in PUBLISHERS)
    again = _post(client, f"/api/records/reports/{submitted.pk}/submit", {}, head)
    assert again.status_code in {401, 403, 404, 409}, again.content  # published, not a draft any more


def test_the_deputy_submits_over_the_api_and_stale_states_conflict(headers):
    deputy = account("deputy")
    seat = Membership.objects.filter(person=deputy.person, role=Role.DEPUTY, body__kind="congress").first()
    report = services.annual_report_start(
        actor=deputy, person=deputy.person, body=seat.body, year=this_year()
    )
    client = Client()
    stale = _post(
        client, f"/api/records/reports/{report.pk}/submit", {"expected_state": "submitted"}, headers["deputy"]
    )
    assert stale.status_code == 409
    done = _post(
        client, f"/api/records/reports/{report.pk}/submit", {"expected_state": "draft"}, headers["deputy"]
    )
    assert done.status_code == 200 and done.json()["status"] == "submitted"


@pytest.mark.parametrize(
    "payload", [{}, {"report_ids": []}, {"report_ids": [0]}, {"report_ids": [2**70]}, {"report_ids": "x"},
                {"report_ids": list(range(1, 300))}, {"report_ids": [999_999_999]}],
)  # fmt: skip
def test_bad_bulk_input_is_a_clear_error(payload, headers, submitted):
    response = _post(Client(), "/api/records/reports/publish", payload, headers["staff"])
    assert 400 <= response.status_code < 500 and response.json()["detail"]
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED


@pytest.mark.parametrize("role", ROLES)
def test_reading_as_every_role(role, headers, book):
    client, head = Client(), headers[role]
    groups = client.get("/api/records/reading/groups", **head)
    assert groups.status_code == 200 and book.group_id in {g["id"] for g in groups.json()}
    joined = _post(client, f"/api/records/reading/groups/{book.group_id}/join", {}, head)
    member = role in {"member"}
    assert joined.status_code == (200 if member else 401 if role == "" else 403), (role, joined.content)
    assert book.group.members.exists() == member
    note = _post(
        client, f"/api/records/reading/books/{book.pk}/notes", {"text": "读“差序格局”的体会。"}, head
    )
    assert note.status_code == (201 if member else 401 if role == "" else 403)
    checkin = _post(client, f"/api/records/reading/books/{book.pk}/checkin", {}, head)
    assert checkin.status_code == (201 if member else 401 if role == "" else 403)
    notes = client.get(f"/api/records/reading/groups/{book.group_id}/notes", **head)
    assert notes.status_code < 500
    if member:
        assert [n["text"] for n in notes.json()] == ["读“差序格局”的体会。"]
        assert _post(client, f"/api/records/reading/books/{book.pk}/checkin", {}, head).status_code == 400
    else:
        assert notes.status_code == (200 if role in NOTE_READERS else 401 if role == "" else 404)
        assert not ReadingNote.objects.exists(), "a refusal changes nothing"


@pytest.mark.parametrize("text", ["", "   ", "字" * 5001, "\u202e\u200b"])
def test_bad_notes_over_the_api(text, headers, book):
    book.group.members.add(account("member").person)
    response = _post(
        Client(), f"/api/records/reading/books/{book.pk}/notes", {"text": text}, headers["member"]
    )
    assert 400 <= response.status_code < 500 and response.json()["detail"]
    assert not ReadingNote.objects.exists()


def test_unknown_ids_are_404(headers):
    client, head = Client(), headers["member"]
    assert client.get("/api/records/reports/999999999", **head).status_code == 404
    assert _post(client, "/api/records/reading/groups/999999999/join", {}, head).status_code == 404
    assert _post(client, "/api/records/reading/books/999999999/checkin", {}, head).status_code == 404
    assert client.get("/api/records/reports/0", **head).status_code in {400, 422}
