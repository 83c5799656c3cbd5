"""The records API for the points comparison of two rule versions and for the profile photo, as every
demo role (a bearer token each): who may, refusals in the API's format that change nothing, bad input
answered 4xx and never a 5xx."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minsheng.core.models import Attachment, Event
from minsheng.org.models import Membership, Role
from minsheng.records import services
from minsheng.records.demo import CPPCC_RULES
from minsheng.records.engine import record_update
from minsheng.records.models import Book, PointRule, PointsScheme, ReadingGroup
from minsheng.records.selectors import this_year
from tests.core.test_attachments import _exif_with_gps
from tests.factories import image_bytes
from tests.records.conftest import account
from tests.records.test_api import ROLES, headers  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

# Who compares the CPPCC's rule versions: its staff and the superuser (as the page).
COMPARERS = {"cppcc_staff", "admin"}
# Who sets or removes the demo deputy's photo: the deputy, the staff of a body under the district
# congress, and the superuser.
PHOTO_SETTERS = {"deputy", "staff", "lawstaff", "jiandu", "admin"}


@pytest.fixture
def scheme() -> PointsScheme:
    """The member's CPPCC with two versions of its rules: a reading note earns 0.5, then 2 points."""
    member = account("member")
    seat = Membership.objects.filter(person=member.person, role=Role.CPPCC_MEMBER).first()
    scheme = PointsScheme.objects.filter(body=seat.body, year=this_year()).first()
    if scheme is None:
        scheme = PointsScheme.objects.create(body=seat.body, year=this_year())
    scheme.rules.all().delete()
    for kind, (points, cap, bonus, bonus_points, excluded) in CPPCC_RULES.items():
        PointRule.objects.create(
            scheme=scheme, kind=kind, points=Decimal(points), cap=cap, bonus_outcomes=bonus,
            bonus_points=Decimal(bonus_points), excluded_outcomes=excluded,
        )  # fmt: skip
    staff = account("cppcc_staff")
    scheme.version = 1
    scheme.save(update_fields=["version"])
    services.points_version_record(actor=staff, scheme=scheme)
    group = ReadingGroup.objects.create(body=seat.body, name="测试读书会")
    book = Book.objects.create(group=group, title="乡土中国")
    group.members.add(member.person)
    services.reading_note_add(actor=member, book=book, text="读书笔记一则。")
    record_update()
    PointRule.objects.filter(scheme=scheme, kind="reading_note").update(points=Decimal("2"))
    scheme.version = 2
    scheme.save(update_fields=["version"])
    services.points_version_record(actor=staff, scheme=scheme)
    return scheme


@pytest.mark.parametrize("role", ROLES)
def test_the_comparison_as_every_role(role, headers, scheme):  # noqa: F811
    client, head = Client(), headers[role]
    url = f"/api/records/bodies/{scheme.body_id}/points/compare?year={scheme.year}"
    response = client.get(url, **head)
    if role not in COMPARERS:
        assert response.status_code in {401, 404}, response.content
        assert response.json()["detail"]
        return
    assert response.status_code == 200, response.content
    found = response.json()
    assert (found["before"], found["after"], found["versions"]) == (1, 2, [2, 1])
    moved = [row for row in found["people"] if Decimal(row["change"])]
    assert [row["person_id"] for row in moved] == [account("member").person_id]
    assert Decimal(moved[0]["change"]) == Decimal("1.5")
    assert [(Decimal(k["before"]), Decimal(k["after"])) for k in moved[0]["kinds"]] == [
        (Decimal("0.5"), Decimal("2"))
    ]
    back = client.get(url + "&before=2&after=1", **head).json()
    assert [Decimal(row["change"]) for row in back["people"] if Decimal(row["change"])] == [Decimal("-1.5")]


@pytest.mark.parametrize(
    "query",
    ["&before=9", "&after=0", "&before=-1", "&before=x", "&after=99999999999", "&before=1.5", "&before=%00"],
)
def test_bad_versions_are_refused_with_a_message(headers, scheme, query):  # noqa: F811
    url = f"/api/records/bodies/{scheme.body_id}/points/compare?year={scheme.year}{query}"
    response = Client().get(url, **headers["cppcc_staff"])
    assert 400 <= response.status_code < 500 and response.json()["detail"]


@pytest.mark.parametrize("query", ["?year=1900", "?year=abc", "", "?year=2100"])
def test_bad_years_and_bodies_are_refused(headers, scheme, query):  # noqa: F811
    for body in (scheme.body_id, 999_999, "x"):
        response = Client().get(f"/api/records/bodies/{body}/points/compare{query}", **headers["cppcc_staff"])
        assert 400 <= response.status_code < 500


def _photo(name: str = "照片.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG", size=(30, 40), exif=_exif_with_gps()))


@pytest.mark.parametrize("role", ROLES)
def test_the_photo_as_every_role(role, headers):  # noqa: F811
    from PIL import Image

    client, head = Client(), headers[role]
    deputy = account("deputy")
    url = f"/api/records/people/{deputy.person_id}/photo"
    uploaded = client.post(url, {"photo": _photo()}, **head)
    if role not in PHOTO_SETTERS:
        assert uploaded.status_code in {401, 403}, uploaded.content
        assert uploaded.json()["detail"]
        assert not Attachment.objects.exists() and not Event.objects.filter(verb="photo").exists()
        services.profile_photo_set(actor=deputy, person=deputy.person, upload=_photo())
        removed = client.delete(url, **head)
        assert removed.status_code in {401, 403} and Attachment.objects.count() == 1, (
            "a refusal changes nothing"
        )
        return
    assert uploaded.status_code == 201, uploaded.content
    served = Client().get(uploaded.json()["url"])
    data = b"".join(served.streaming_content)
    assert served.status_code == 200 and not Image.open(io.BytesIO(data)).getexif()
    assert client.delete(url, **head).status_code == 204
    assert not Attachment.objects.exists() and Event.objects.filter(verb="photo_remove").count() == 1
    assert Client().get(f"/records/people/{deputy.person_id}/photo").status_code == 404
    assert client.delete(url, **head).status_code == 404, "no photo left to remove"


@pytest.mark.parametrize(
    "files",
    [
        {"photo": SimpleUploadedFile("page.html", b"<html><script>alert(1)</script></html>")},
        {"photo": SimpleUploadedFile("empty.jpg", b"")},
        {"photo": SimpleUploadedFile("fake.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64)},
        {},
        {"other": _photo()},
    ],
)
def test_bad_photos_are_refused_and_store_nothing(headers, files):  # noqa: F811
    deputy = account("deputy")
    response = Client().post(f"/api/records/people/{deputy.person_id}/photo", files, **headers["deputy"])
    assert 400 <= response.status_code < 500 and response.json()["detail"]
    assert not Attachment.objects.exists() and not Event.objects.filter(verb="photo").exists()


def test_no_profile_no_photo(headers):  # noqa: F811
    for person in ("999999", "x", account("handler").person_id or 0):
        response = Client().post(
            f"/api/records/people/{person}/photo", {"photo": _photo()}, **headers["admin"]
        )
        assert 400 <= response.status_code < 500
        assert (
            400
            <= Client().delete(f"/api/records/people/{person}/photo", **headers["admin"]).status_code
            < 500
        )


def test_the_profile_page_removes_the_photo_for_who_may():
    deputy = account("deputy")
    services.profile_photo_set(actor=deputy, person=deputy.person, upload=_photo())
    url = f"/records/people/{deputy.person_id}/photo/remove/"
    client = Client()
    client.force_login(account("member"))
    client.post(url)
    assert Attachment.objects.count() == 1, "another body's member may not"
    client.force_login(deputy)
    assert "删除照片" in client.get(f"/records/people/{deputy.person_id}/").content.decode()
    assert client.post(url).status_code == 302 and not Attachment.objects.exists()
    assert "删除照片" not in client.get(f"/records/people/{deputy.person_id}/").content.decode()
