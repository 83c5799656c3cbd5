"""The organisational model: constituency lookup, dated memberships, roles from memberships."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from minsheng.core.queries import request_memo_bound
from minsheng.org.models import BodyKind, JurisdictionLevel, Membership, Role
from minsheng.org.selectors import (
    deputies_for_place,
    jurisdiction_tree,
    memberships_of,
    place_find,
    profile_public,
    roles_of,
)
from tests.factories import (
    BodyFactory,
    ConstituencyFactory,
    JurisdictionFactory,
    MembershipFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 1)


@pytest.fixture
def district_with_two_towns():
    district = JurisdictionFactory(level=JurisdictionLevel.DISTRICT, name="测试区")
    north = JurisdictionFactory(parent=district, name="北测镇")
    south = JurisdictionFactory(parent=district, name="南测街道")
    congress = BodyFactory(jurisdiction=district, kind=BodyKind.CONGRESS)
    north_c = ConstituencyFactory(term__body=congress, name="北测镇第1选区")
    north_c.places.add(north)
    south_c = ConstituencyFactory(term=north_c.term, name="南测街道第1选区")
    south_c.places.add(south)
    north_deputy = MembershipFactory(body=congress, term=north_c.term, constituency=north_c)
    south_deputy = MembershipFactory(body=congress, term=north_c.term, constituency=south_c)
    return district, north, south, north_deputy, south_deputy


def test_deputies_for_a_place_are_those_whose_constituency_covers_it(district_with_two_towns):
    district, north, south, north_deputy, south_deputy = district_with_two_towns
    assert list(deputies_for_place(north, DAY)) == [north_deputy]
    assert list(deputies_for_place(south, DAY)) == [south_deputy]
    assert set(deputies_for_place(district, DAY)) == {north_deputy, south_deputy}


def test_a_constituency_can_cover_several_places(district_with_two_towns):
    _district, _north, south, north_deputy, _south = district_with_two_towns
    north_deputy.constituency.places.add(south)
    assert north_deputy in deputies_for_place(south, DAY)


def test_ended_and_future_memberships_do_not_count(district_with_two_towns):
    _district, north, _south, north_deputy, _ = district_with_two_towns
    north_deputy.end = dt.date(2024, 12, 31)
    north_deputy.save()
    assert list(deputies_for_place(north, DAY)) == []
    assert north_deputy.is_active_on(dt.date(2024, 12, 31))
    assert not north_deputy.is_active_on(DAY)
    future = MembershipFactory(
        body=north_deputy.body,
        term=north_deputy.term,
        constituency=north_deputy.constituency,
        start=dt.date(2026, 1, 1),
    )
    assert list(deputies_for_place(north, DAY)) == []
    assert list(deputies_for_place(north, dt.date(2026, 1, 1))) == [future]


def test_place_lookup_by_exact_name_and_unique_prefix(district_with_two_towns):
    _district, north, south, *_ = district_with_two_towns
    assert place_find("北测镇") == north
    assert place_find("  南测街道 ") == south
    assert place_find("南测") == south
    assert place_find("不存在镇") is None
    assert place_find("") is None


def test_roles_come_from_active_memberships_only():
    person = PersonFactory()
    MembershipFactory(person=person, role=Role.DEPUTY, start=dt.date(2020, 1, 1))
    MembershipFactory(person=person, role=Role.STAFF, start=dt.date(2020, 1, 1), end=dt.date(2020, 12, 31))
    assert roles_of(person, DAY) == {Role.DEPUTY}
    assert roles_of(person, dt.date(2020, 6, 1)) == {Role.DEPUTY, Role.STAFF}
    assert roles_of(None) == set()


def test_membership_must_belong_to_exactly_one_body_or_unit():
    person = PersonFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(person=person, role=Role.DEPUTY, start=DAY)
    assert not Membership.objects.filter(person=person).exists()


def test_membership_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(start=DAY, end=DAY - dt.timedelta(days=1))


def test_public_profile_only_for_representatives(district_with_two_towns):
    *_, north_deputy, _ = district_with_two_towns
    profile = profile_public(north_deputy.person_id, DAY)
    assert profile is not None and profile.seats == [north_deputy]
    staff = MembershipFactory(role=Role.STAFF, body__kind=BodyKind.WORKING_BODY)
    assert profile_public(staff.person_id, DAY) is None
    assert profile_public(10**9, DAY) is None


def test_jurisdiction_tree_walks_up_and_down(district_with_two_towns):
    district, north, south, *_ = district_with_two_towns
    village = JurisdictionFactory(parent=north, name="北测村")
    tree = jurisdiction_tree()
    assert tree.lineage(village.pk)[:3] == [village.pk, north.pk, district.pk]
    assert tree.with_descendants({north.pk}) == {north.pk, village.pk}
    assert tree.with_descendants({district.pk}) >= {district.pk, north.pk, south.pk, village.pk}
    assert tree.lineage(None) == []


def test_jurisdiction_tree_sees_a_place_added_moved_or_removed(district_with_two_towns):
    _district, north, south, *_ = district_with_two_towns
    assert jurisdiction_tree().with_descendants({south.pk}) == {south.pk}
    village = JurisdictionFactory(parent=south, name="南测村")
    assert jurisdiction_tree().with_descendants({south.pk}) == {south.pk, village.pk}
    village.parent = north
    village.save()
    assert jurisdiction_tree().lineage(village.pk)[:2] == [village.pk, north.pk]
    assert jurisdiction_tree().with_descendants({south.pk}) == {south.pk}
    village.delete()
    assert jurisdiction_tree().with_descendants({north.pk}) == {north.pk}


def test_jurisdiction_tree_is_checked_once_per_request(district_with_two_towns, django_assert_num_queries):
    with request_memo_bound():
        with django_assert_num_queries(2):  # the version, then the tree
            first = jurisdiction_tree()
        with django_assert_num_queries(0):
            assert jurisdiction_tree() is first
    with request_memo_bound(), django_assert_num_queries(1):  # the next request checks the version
        assert jurisdiction_tree() is first


def _signed_in(user_id: int):
    from minsheng.org.models import User

    return User.objects.get(pk=user_id)  # a new user object, as each request has


def _seen(user_id: int) -> list[tuple[str, str, str]]:
    with request_memo_bound():
        return [(m.role, m.title, m.body.name) for m in memberships_of(_signed_in(user_id))]


def test_memberships_kept_per_process_are_read_again_when_anything_they_show_changes(
    django_assert_num_queries,
):
    person = PersonFactory()
    user = UserFactory(person=person)
    seat = MembershipFactory(person=person, role=Role.DEPUTY)
    assert _seen(user.pk) == [(Role.DEPUTY, "", seat.body.name)]
    reader = _signed_in(user.pk)
    with request_memo_bound(), django_assert_num_queries(2):  # the person's rows' and the tables' versions
        assert [m.pk for m in memberships_of(reader)] == [seat.pk]
    seat.title = "代表小组组长"  # edited
    seat.save()
    assert _seen(user.pk) == [(Role.DEPUTY, "代表小组组长", seat.body.name)]
    seat.body.name = "测试区人大常委会"  # the body it points to renamed
    seat.body.save()
    assert _seen(user.pk) == [(Role.DEPUTY, "代表小组组长", "测试区人大常委会")]
    second = MembershipFactory(person=person, role=Role.STAFF, body=seat.body)  # granted
    assert {role for role, _title, _body in _seen(user.pk)} == {Role.DEPUTY, Role.STAFF}
    second.end = dt.date(2022, 1, 1)  # ended (it began in 2021)
    second.save()
    assert [role for role, _title, _body in _seen(user.pk)] == [Role.DEPUTY]
    other = PersonFactory()
    seat.person = other  # moved to someone else
    seat.save()
    assert _seen(user.pk) == []
    seat.person = person
    seat.save()
    assert len(_seen(user.pk)) == 1
    seat.delete()  # removed
    assert _seen(user.pk) == []
