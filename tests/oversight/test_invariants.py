"""Random action sequences keep the invariants of rectification (hypothesis).

After every step: an item's state is one of its states and its last state-changing Event leads to it;
at most one report awaits review, and only while the item is under review; an item is closed exactly
when its last reviewed report is an accepted final report; a deadline never moves without an Event
giving both dates; the Event chain verifies.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.core.errors import DomainError
from minsheng.core.events import events_for, events_verify
from minsheng.oversight import services
from minsheng.oversight.models import ItemStatus, ProgressReport, RectificationItem, ReportStatus
from tests.oversight.builders import World, items

pytestmark = pytest.mark.django_db

STEPS = [
    "report",
    "report_final",
    "accept",
    "send_back",
    "extend",
    "reopen",
    "team_accept",
    "stranger_accept",
]


class Rollback(Exception):
    pass


def _do(step: str, item: RectificationItem, world: dict[str, Any]) -> None:
    handler, staff = world["handler"], world["staff"]
    if step in ("report", "report_final"):
        services.item_report(
            actor=handler, item=item, text="进展。", is_final=step == "report_final", expected_state=None
        )
    elif step == "accept":
        services.item_review(actor=staff, item=item, accept=True, expected_state=None)
    elif step == "team_accept":
        services.item_review(actor=world["team"], item=item, accept=True, expected_state=None)
    elif step == "stranger_accept":
        services.item_review(actor=world["stranger"], item=item, accept=True, expected_state=None)
    elif step == "send_back":
        services.item_review(actor=staff, item=item, accept=False, reason="请补充。", expected_state=None)
    elif step == "extend":
        services.item_extend(
            actor=staff, item=item, until=item.due + dt.timedelta(days=7), reason="协调", expected_state=None
        )
    elif step == "reopen":
        services.item_reopen(actor=staff, item=item, reason="测评不满意", expected_state=None)


def _check(item: RectificationItem) -> None:
    item.refresh_from_db()
    assert item.status in ItemStatus.values
    changes = [e for e in events_for(item) if e.to_state]
    assert changes and changes[-1].to_state == item.status
    reports = list(ProgressReport.objects.filter(item=item).order_by("id"))
    pending = [r for r in reports if r.status == ReportStatus.SUBMITTED]
    assert len(pending) == (1 if item.status == ItemStatus.UNDER_REVIEW else 0)
    reviewed = [r for r in reports if r.status != ReportStatus.SUBMITTED]
    last_closed = bool(reviewed) and reviewed[-1].status == ReportStatus.ACCEPTED and reviewed[-1].is_final
    if item.status == ItemStatus.CLOSED:
        assert last_closed and item.closed_at is not None
    else:
        assert item.closed_at is None
    due = None
    for event in events_for(item):
        if event.verb == "assigned":
            due = event.payload["due"]
        elif "due_to" in event.payload:
            assert event.payload["due_from"] == due
            due = event.payload["due_to"]
    assert due == item.due.isoformat()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.sampled_from(STEPS), st.integers(0, 1)), min_size=1, max_size=14))
def test_random_sequences_keep_the_invariants(world: World, steps: list[tuple[str, int]]) -> None:
    try:
        with transaction.atomic():
            made = items(world, units=("区交通运输局", "区应急管理局"))
            act = made[0].problem.activity
            people = {
                "staff": world["staff"],
                "handler": world["handler"],
                "team": world.for_person(act.team.order_by("id").first().person),
                "stranger": world["deputy"],
            }
            people_other = {**people, "handler": world.handler_of(world.unit("区应急管理局"))}
            for step, which in steps:
                target = RectificationItem.objects.get(pk=made[which].pk)
                try:
                    with transaction.atomic():
                        _do(step, target, people if which == 0 else people_other)
                except DomainError:
                    pass
                for each in made:
                    _check(each)
            assert events_verify() == []
            raise Rollback
    except Rollback:
        pass
