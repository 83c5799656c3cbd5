"""The engine's one rule: Credits and Marks apply in Event order — a Mark changes exactly the lines
credited before it, whether they were stored in an earlier batch or are still in this one — so any
cut of the log into batches gives the same lines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.org.models import Membership, Role
from minsheng.records.contract import Credit, Mark
from minsheng.records.engine import _apply
from minsheng.records.models import RecordEntry

pytestmark = pytest.mark.django_db
AT = timezone.make_aware(dt.datetime(2026, 5, 1, 9))


def _people() -> tuple[int, int, int]:
    seats = list(Membership.objects.filter(role=Role.DEPUTY).order_by("id")[:2])
    return seats[0].person_id, seats[1].person_id, seats[0].body_id


def _credit(person: int, body: int, target: str, seq: int) -> Credit:
    return Credit(person, "suggestion_led", AT, seq, "motions.motion", target, "标题", body)


def _lines() -> list[tuple[object, ...]]:
    return sorted(RecordEntry.objects.values_list("person_id", "target_id", "outcome", "public"))


def test_a_mark_touches_only_what_was_credited_before_it():
    a, b, body = _people()
    _apply(
        [_credit(a, body, "1", 1), Mark("motions.motion", "1", outcome="withdrawn"), _credit(b, body, "1", 3)]
    )
    assert _lines() == [(a, "1", "withdrawn", False), (b, "1", "", False)]


def test_a_repeated_credit_changes_nothing():
    a, _b, body = _people()
    assert _apply([_credit(a, body, "1", 1), _credit(a, body, "1", 2)]) == 1
    assert _apply([_credit(a, body, "1", 5)]) == 0
    assert RecordEntry.objects.get().seq == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["credit_a", "credit_b", "withdraw", "rate_a", "disclose"]), st.sampled_from("12")
        ),
        min_size=1,
        max_size=15,
    ),
    cut=st.integers(0, 15),
)
def test_any_cut_into_batches_gives_the_same_lines(steps, cut):
    a, b, body = _people()
    items: list[Credit | Mark] = []
    for seq, (step, target) in enumerate(steps, start=1):
        if step == "credit_a":
            items.append(_credit(a, body, target, seq))
        elif step == "credit_b":
            items.append(_credit(b, body, target, seq))
        elif step == "withdraw":
            items.append(Mark("motions.motion", target, outcome="withdrawn"))
        elif step == "rate_a":
            items.append(Mark("motions.motion", target, outcome="satisfied", person_id=a))
        else:
            items.append(Mark("motions.motion", target, public=True))
    RecordEntry.objects.all().delete()
    _apply(items)
    whole = _lines()
    RecordEntry.objects.all().delete()
    _apply(items[:cut])
    _apply(items[cut:])
    assert _lines() == whole
