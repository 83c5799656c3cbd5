"""Points: rules as data; recomputing is deterministic, explained, and a rule change moves only what it
touches; a withdrawn motion counts as the rules say."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from minsheng.org.models import Membership, Role
from minsheng.records.models import PointRule, PointsScheme, RecordEntry
from minsheng.records.selectors import points_of, rankings

pytestmark = pytest.mark.django_db


def _entry(person_id: int, body_id: int, kind: str, n: int, outcome: str = "", year: int = 2026) -> None:
    at = timezone.make_aware(dt.datetime(year, 6, 1, 10))
    start = RecordEntry.objects.count()
    RecordEntry.objects.bulk_create(
        RecordEntry(
            person_id=person_id,
            body_id=body_id,
            year=year,
            kind=kind,
            at=at,
            seq=start + i,
            target_type="test.act",
            target_id=f"{kind}-{outcome}-{start + i}",
            outcome=outcome,
        )
        for i in range(n)
    )


@pytest.fixture
def body_and_people():
    seats = list(Membership.objects.filter(role=Role.DEPUTY, body__kind="congress").order_by("id")[:3])
    body_id = seats[0].body_id
    scheme = PointsScheme.objects.create(body_id=body_id, year=2026)
    PointRule.objects.create(
        scheme=scheme, kind="suggestion_led", points=Decimal(3), cap=4,
        bonus_outcomes="satisfied", bonus_points=Decimal(1), excluded_outcomes="withdrawn",
    )  # fmt: skip
    PointRule.objects.create(scheme=scheme, kind="reception_day", points=Decimal(2))
    return scheme, body_id, [s.person_id for s in seats]


def test_points_are_explained_line_by_line(body_and_people):
    _scheme, body_id, (a, _b, _c) = body_and_people
    _entry(a, body_id, "suggestion_led", 3)
    _entry(a, body_id, "suggestion_led", 2, "satisfied")
    _entry(a, body_id, "suggestion_led", 2, "withdrawn")
    _entry(a, body_id, "reception_day", 1)
    points = points_of(a, body_id, 2026)
    led = next(line for line in points.lines if line.kind == "suggestion_led")
    # 7 acts: 2 withdrawn do not count, 5 eligible, cap 4 → 1 over the cap; 2 satisfied earn the bonus.
    assert (led.acts, led.excluded, led.counted, led.capped, led.bonus_acts) == (7, 2, 4, 1, 2)
    assert led.subtotal == Decimal(3) * 4 + Decimal(1) * 2
    assert points.total == led.subtotal + Decimal(2)
    assert points_of(a, body_id, 2026) == points, "recomputing gives the same points"


def test_a_rule_change_moves_only_what_it_touches(body_and_people):
    scheme, body_id, (a, b, c) = body_and_people
    _entry(a, body_id, "suggestion_led", 2)
    _entry(b, body_id, "reception_day", 3)
    _entry(c, body_id, "suggestion_led", 1)
    _entry(c, body_id, "reception_day", 1)
    before = {row.person.pk: row.points for row in rankings(body_id, 2026)}
    PointRule.objects.filter(scheme=scheme, kind="reception_day").update(points=Decimal(5))
    after = {row.person.pk: row.points for row in rankings(body_id, 2026)}
    assert [x.subtotal for x in after[a].lines] == [x.subtotal for x in before[a].lines], (
        "a has no reception days"
    )
    assert after[b].total == Decimal(15) and after[c].total == before[c].total + 3
    for person in (b, c):
        untouched = [(x.kind, x.subtotal) for x in after[person].lines if x.kind != "reception_day"]
        assert untouched == [(x.kind, x.subtotal) for x in before[person].lines if x.kind != "reception_day"]


def test_a_withdrawn_motion_counts_as_the_rules_say(body_and_people):
    scheme, body_id, (a, _b, _c) = body_and_people
    _entry(a, body_id, "suggestion_led", 1, "withdrawn")
    assert points_of(a, body_id, 2026).total == 0
    PointRule.objects.filter(scheme=scheme, kind="suggestion_led").update(excluded_outcomes="")
    assert points_of(a, body_id, 2026).total == 3


def test_rankings_share_ranks_on_ties(body_and_people):
    _scheme, body_id, (a, b, c) = body_and_people
    _entry(a, body_id, "reception_day", 2)
    _entry(b, body_id, "reception_day", 2)
    rows = rankings(body_id, 2026)
    ranks = {row.person.pk: row.rank for row in rows}
    assert ranks[a] == ranks[b] == 1 and ranks[c] > 1
    assert len(rows) == len({r.person.pk for r in rows})
