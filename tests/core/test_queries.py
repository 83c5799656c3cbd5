"""Reads written as SQL give what the ORM gives: the same fields, converted the same way, the same rows."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef, Q
from django.test import Client
from django.utils import timezone

from minsheng.core.queries import compiled_condition, kept_query_rows, row_by_pk
from minsheng.org.models import Jurisdiction, User
from tests.factories import JurisdictionFactory, UserFactory

pytestmark = pytest.mark.django_db


def fields_of(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_row_by_pk_reads_what_the_orm_reads():
    user = UserFactory(phone="13900001111", first_name="测试")
    user.last_login = timezone.now()
    user.save()
    read = row_by_pk(User, user.pk)
    assert read is not None and fields_of(read) == fields_of(User.objects.get(pk=user.pk))
    assert timezone.is_aware(read.last_login) and not read._state.adding  # a saved row, as the ORM's
    assert row_by_pk(User, user.pk + 1000) is None


def test_a_session_is_read_while_valid_and_not_after_it_expires():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert client.get("/me/").status_code == 200  # the role home opens for a signed-in user
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    assert client.get("/me/").status_code == 302  # expired: signed out, sent to sign in


def _tree() -> None:
    """A district with two towns; one town has a village named 甲…, the other a village named 乙…."""
    district = JurisdictionFactory(level="district", name="测试区")
    east = JurisdictionFactory(level="town", name="东镇", parent=district)
    west = JurisdictionFactory(level="town", name="西镇", parent=district)
    JurisdictionFactory(level="village", name="甲村", parent=east)
    JurisdictionFactory(level="village", name="乙村", parent=west)


def _with_a_jia_child(key: str = "jia") -> Q:
    """Places with a child named 甲…, or villages: an EXISTS correlated with the base table."""
    child = Jurisdiction.objects.filter(parent=OuterRef("pk"), name__startswith="甲")
    return Q(Exists(child)) | Q(level="village")


def test_a_compiled_condition_finds_the_rows_the_condition_finds():
    _tree()
    built: list[str] = []

    def build() -> Q:
        built.append("once")
        return _with_a_jia_child()

    key = ("test-jia", 1)
    first = set(Jurisdiction.objects.filter(compiled_condition(Jurisdiction, key, build)))
    again = set(Jurisdiction.objects.filter(compiled_condition(Jurisdiction, key, build)))
    assert first == again == set(Jurisdiction.objects.filter(_with_a_jia_child()))
    assert {place.name for place in first} == {"东镇", "甲村", "乙村"}
    assert built == ["once"]  # kept under its key: built and compiled once
    negated = set(Jurisdiction.objects.exclude(compiled_condition(Jurisdiction, key, build)))
    assert negated == set(Jurisdiction.objects.exclude(_with_a_jia_child()))


def test_a_compiled_condition_follows_its_table_into_a_subquery():
    """Inside a subquery the table is renamed (U0…); the condition must name the inner table, not the
    outer query's table of the same name (which would quietly test the wrong rows)."""
    _tree()
    condition = compiled_condition(Jurisdiction, ("test-jia", 2), _with_a_jia_child)
    inner = Jurisdiction.objects.filter(condition).values("pk")
    children = Jurisdiction.objects.filter(parent__in=inner)
    expected = Jurisdiction.objects.filter(
        parent__in=Jurisdiction.objects.filter(_with_a_jia_child()).values("pk")
    )
    assert set(children) == set(expected) and {place.name for place in children} == {"甲村"}


def test_a_compiled_condition_with_values_is_compiled_once_and_filled_in_each_time():
    """The values (a search's words) take the place of marks: one compilation for every word."""
    _tree()
    built: list[tuple[str, ...]] = []

    def with_a_child_named(*names: str) -> Q:
        built.append(names)
        condition = Q()
        for name in names:  # an exact parameter each (a LIKE pattern would wrap the mark)
            condition &= Q(Exists(Jurisdiction.objects.filter(parent=OuterRef("pk"), name=name)))
        return condition

    def found(*names: str) -> set[str]:
        condition = compiled_condition(
            Jurisdiction, ("test-child-named", len(names)), with_a_child_named, *names
        )
        return set(Jurisdiction.objects.filter(condition).values_list("name", flat=True))

    assert found("甲村") == {"东镇"} and found("乙村") == {"西镇"} and found("丙村") == set()
    assert found("东镇", "西镇") == {"测试区"} and found("东镇", "丙村") == set()
    assert len(built) == 2  # once for one word, once for two; the words were marks both times
    with pytest.raises(ValueError, match="each key must appear once"):
        compiled_condition(Jurisdiction, ("test-no-value",), lambda value: Q(level="town"), "甲")


def test_a_condition_for_no_rows_or_every_row_is_kept_too():
    _tree()
    nothing = compiled_condition(Jurisdiction, ("test-none",), lambda: Q(pk__in=[]))
    everything = compiled_condition(Jurisdiction, ("test-all",), lambda: Q())
    assert not Jurisdiction.objects.filter(nothing).exists()
    assert Jurisdiction.objects.filter(everything).count() == Jurisdiction.objects.count()


def test_a_condition_through_a_relation_is_refused():
    """Only the WHERE is kept, so a condition that needs a JOIN of the outer query cannot be."""
    with pytest.raises(ValueError, match="may not join"):
        compiled_condition(Jurisdiction, ("test-join",), lambda: Q(parent__name="测试区"))


def _children_of(key: int):
    return (
        Jurisdiction.objects.filter(parent=key).select_related("parent").only("name", "code", "parent__name")
    )


def test_a_kept_plan_reads_what_the_orm_reads_for_every_key(django_assert_num_queries):
    _tree()
    east, west = Jurisdiction.objects.get(name="东镇"), Jurisdiction.objects.get(name="西镇")
    built: list[int] = []

    def build(key: int):
        built.append(key)
        return _children_of(key)

    for town in (east, west, east):
        with django_assert_num_queries(1):  # the rows and their joined parents in one statement
            read = kept_query_rows(Jurisdiction, "test-children", build, town.pk)
            shown = [(c.pk, c.name, c.code, c.parent.name) for c in read]
        assert shown == [(c.pk, c.name, c.code, c.parent.name) for c in _children_of(town.pk)]
        orm_row = _children_of(town.pk)[0]
        assert read and not read[0]._state.adding  # saved rows, as the ORM's
        assert read[0].get_deferred_fields() == orm_row.get_deferred_fields() != set()
    assert len(built) == 1  # compiled once, with a mark in place of the key


def test_a_kept_plan_takes_text_keys_and_runs_the_querysets_prefetches():
    _tree()
    district = Jurisdiction.objects.get(name="测试区")

    def by_name(name: str):
        return Jurisdiction.objects.filter(name=name).prefetch_related("children")

    (read,) = kept_query_rows(Jurisdiction, "test-by-name", by_name, "测试区")
    assert read.pk == district.pk
    assert sorted(c.name for c in read.children.all()) == ["东镇", "西镇"]  # prefetched with the rows
    assert kept_query_rows(Jurisdiction, "test-by-name", by_name, "没有这个地方") == []


def test_a_kept_plan_refuses_a_query_without_its_key_and_finds_nothing_for_a_key_out_of_range(
    django_assert_num_queries,
):
    _tree()
    with pytest.raises(ValueError, match="each key must appear once"):
        kept_query_rows(Jurisdiction, "test-no-key", lambda key: Jurisdiction.objects.all(), 1)
    with django_assert_num_queries(0):  # any digits of a page's address: no 64-bit key, no query
        assert kept_query_rows(Jurisdiction, "test-out-of-range", _children_of, 2**70) == []


def test_a_kept_plan_of_a_query_that_finds_nothing_asks_nothing(django_assert_num_queries):
    _tree()
    with django_assert_num_queries(0):  # Django knows an empty IN list finds no row: no SQL at all
        for key in (1, 2):
            found = kept_query_rows(
                Jurisdiction,
                "test-nothing",
                lambda key: Jurisdiction.objects.filter(pk=key, parent__in=[]),
                key,
            )
            assert found == []
