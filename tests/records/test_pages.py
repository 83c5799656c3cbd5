"""Pages of the records app: the public profile (phone-first, only published acts), search, my duties,
reading; constant query counts at two sizes; bad input in the address."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from minsheng.org.models import REPRESENTATIVE_ROLES, Membership, Role
from minsheng.records.engine import record_update
from minsheng.records.models import RecordEntry
from tests.records.conftest import account

pytestmark = pytest.mark.django_db


def _acts(
    person_id: int, body_id: int, n: int, *, public: bool = False, kind: str = "suggestion_led"
) -> None:
    at = timezone.now() - dt.timedelta(days=1)
    base = RecordEntry.objects.count()
    RecordEntry.objects.bulk_create(
        RecordEntry(
            person_id=person_id,
            body_id=body_id,
            year=timezone.localdate(at).year,
            kind=kind,
            at=at,
            seq=base + i,
            target_type="motions.motion",
            target_id=str(900000 + base + i),
            title=f"公开建议{base + i}" if public else f"未公开建议{base + i}",
            public=public,
        )
        for i in range(n)
    )


@pytest.fixture
def deputy_seat() -> Membership:
    return (
        Membership.objects.filter(person__user__username="deputy", role=Role.DEPUTY)
        .select_related("body")
        .first()
    )


def test_the_profile_shows_counts_and_only_published_acts(client: Client, deputy_seat):
    _acts(deputy_seat.person_id, deputy_seat.body_id, 2, public=True)
    _acts(deputy_seat.person_id, deputy_seat.body_id, 3, public=False)
    page = client.get(f"/records/people/{deputy_seat.person_id}/").content.decode()
    assert "公开建议" in page and "未公开建议" not in page
    assert "5" in page  # all five counted
    assert 'name="viewport"' in page


@pytest.mark.parametrize("query", ["?year=abcd", "?year=99999", "?year=all", "?year=1999", "?year=%00"])
def test_odd_years_show_a_page(client: Client, deputy_seat, query):
    assert client.get(f"/records/people/{deputy_seat.person_id}/{query}").status_code == 200


def test_only_deputies_and_members_have_a_profile(client: Client):
    staff = account("staff")
    assert client.get(f"/records/people/{staff.person_id}/").status_code == 404
    assert client.get("/records/people/0/").status_code == 404


def test_search_finds_a_deputy_from_the_directory(client: Client, deputy_seat):
    name = deputy_seat.person.name
    page = client.get("/records/", {"q": name}).content.decode()
    assert f"/records/people/{deputy_seat.person_id}/" in page
    assert client.get("/records/", {"q": "<script>" * 40}).status_code == 200
    find = client.get(f"/people/{deputy_seat.person_id}/").content.decode()
    assert f"/records/people/{deputy_seat.person_id}/" in find, "the directory profile links to the record"


@pytest.mark.parametrize("size", [3, 60])
def test_profile_and_inbox_query_counts_do_not_grow(
    client: Client, deputy_seat, size, django_assert_max_num_queries
):
    record_update()
    _acts(deputy_seat.person_id, deputy_seat.body_id, size, public=True)
    _acts(deputy_seat.person_id, deputy_seat.body_id, size, kind="voice_received")
    # 9 for the record, +2 for the photo (its attachment, and its content type on a cold cache).
    with django_assert_max_num_queries(11):
        client.get(f"/records/people/{deputy_seat.person_id}/")
    client.force_login(account("deputy"))
    # One or two queries per app that contributes duties (seven apps after the merges), the same at 3 and 60.
    with django_assert_max_num_queries(30):
        assert client.get("/records/mine/").status_code == 200


def test_my_duties_lists_work_from_several_apps(client: Client):
    client.force_login(account("deputy"))
    page = client.get("/records/mine/")
    assert page.status_code == 200
    assert client.get("/records/mine/").context["items"] is not None
    assert Client().get("/records/mine/").status_code == 302, "signed out: to the sign-in page"


def test_the_role_home_shows_my_duties_to_a_deputy_and_the_records_link_to_staff(client: Client):
    client.force_login(account("deputy"))
    page = client.get("/me/").content.decode()
    assert 'data-panel="records-duties"' in page and "/records/mine/" in page
    client.force_login(account("staff"))
    page = client.get("/me/").content.decode()
    assert 'data-panel="records-staff"' in page and 'data-panel="records-duties"' not in page


def test_the_profile_reads_more_than_n_percent_from_the_stored_distribution(client: Client, deputy_seat):
    """The share is the stored distribution's answer, kept by the update: a deputy with more acts
    than every peer ranks above all of them who have fewer."""
    from minsheng.records.engine import record_update, tallies_rebuild
    from minsheng.records.selectors import peers_of, record_of

    record_update()
    _acts(deputy_seat.person_id, deputy_seat.body_id, 40, kind="voice_received")
    tallies_rebuild()  # the acts were written past the engine: count them again
    record = record_of(deputy_seat.person, year=None, public=True)
    body = next(b for b in record.bodies if b.body.pk == deputy_seat.body_id)
    line = next(line for line in body.lines if line.kind == "voice_received")
    peers = peers_of(deputy_seat.body_id, None)
    acts = RecordEntry.objects.filter(body_id=deputy_seat.body_id, kind="voice_received")
    seated = Membership.objects.filter(body_id=deputy_seat.body_id, role__in=REPRESENTATIVE_ROLES)
    others = set(seated.values_list("person_id", flat=True)) - {deputy_seat.person_id}
    others_with_as_many = sum(1 for other in others if acts.filter(person_id=other).count() >= line.count)
    assert line.count >= 40
    assert line.share_below == min(99, 100 * (peers - 1 - others_with_as_many) // peers)


@pytest.mark.parametrize("bodies", [1, 3])
def test_the_profile_query_count_does_not_grow_with_the_bodies(
    client: Client, deputy_seat, bodies, django_assert_max_num_queries
):
    """A deputy at several levels: each body's distribution and peers come in one query for all."""
    from minsheng.org.models import Body
    from minsheng.records.engine import tallies_rebuild

    others = list(Body.objects.exclude(pk=deputy_seat.body_id).order_by("id")[: bodies - 1])
    for body in others:
        Membership.objects.create(
            person=deputy_seat.person, body=body, role=Role.DEPUTY, start=dt.date(2020, 1, 1)
        )
        _acts(deputy_seat.person_id, body.pk, 5)
    _acts(deputy_seat.person_id, deputy_seat.body_id, 5)
    tallies_rebuild()
    with django_assert_max_num_queries(11):  # 9, and the photo (the attachment, its file)
        page = client.get(f"/records/people/{deputy_seat.person_id}/?year=all")
    html = page.content.decode()
    assert page.status_code == 200
    assert all(body.name in html for body in [deputy_seat.body, *others]), "each level's work apart"
