"""Random sequences of actions by random roles keep the workflow's invariants (hypothesis)."""

from __future__ import annotations

import datetime as dt
import itertools

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.core.errors import DomainError
from minsheng.core.events import events_for, events_verify
from minsheng.voices.models import HANDLING_STATES, Rating, ReplySource, VoiceReply, VoiceStatus, WorkOrder
from minsheng.voices.rules import TrackingActor
from minsheng.voices.services import voice_rate
from tests.voices.workflow import ACTIONS, DECISIONS, ROLES, act, actor_for

STEP = st.tuples(
    st.sampled_from((*ACTIONS, *DECISIONS, "rate_dissatisfied")),
    st.sampled_from(ROLES),
    st.integers(min_value=0, max_value=20),  # days that pass before the step
)


def _check_invariants(voice, due_history):
    voice.refresh_from_db()
    events = list(events_for(voice))
    # One state at a time, and the Event chain tells how it got there.
    assert events[0].verb == "create" and events[0].to_state == VoiceStatus.RECEIVED
    for previous, current in itertools.pairwise(events):
        assert current.from_state == previous.to_state
    assert events[-1].to_state == voice.status
    # A work order is open exactly while a unit is handling the voice; never two.
    open_orders = list(WorkOrder.objects.filter(voice=voice, status="open"))
    assert len(open_orders) == (1 if voice.status in HANDLING_STATES else 0)
    # No unit reply without a work order; one reply Event per reply.
    unit_replies = VoiceReply.objects.filter(voice=voice, source=ReplySource.UNIT)
    assert all(reply.work_order_id is not None for reply in unit_replies)
    assert unit_replies.count() == sum(1 for e in events if e.verb == "reply")
    # A deadline moves only with an Event that gives the new date (re-handling, or more time granted
    # on the work order); a returned work order is closed, and never open again.
    for order in WorkOrder.objects.filter(voice=voice):
        moves = [*events, *(e for e in events_for(order) if e.verb == "extend")]
        previous_due = due_history.get(order.pk)
        if previous_due is not None and order.due != previous_due:
            new_due = order.due.isoformat()
            assert any(e.verb in ("rehandle", "extend") and e.payload.get("due") == new_due for e in moves)
            if order.due < previous_due:
                assert any(e.payload.get("previous_due") == previous_due.isoformat() for e in moves)
            assert order.max_due is None or order.due <= order.max_due
        due_history[order.pk] = order.due
        if order.status == "returned":
            assert order.return_reason and not order.replies.exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=12))
def test_random_action_sequences_keep_the_invariants(db, make_voice, transport_unit, steps):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        voice = make_voice()
        other = make_voice(text="同样的问题，隔壁小区也有。")
        due_history: dict[int, dt.date] = {}
        for action, role, days in steps:
            traveller.shift(dt.timedelta(days=days))
            actor = actor_for(role, voice)
            try:
                if action == "rate_dissatisfied":
                    voice_rate(actor=actor, voice=voice, rating=Rating.DISSATISFIED)
                else:
                    act(action, actor, voice, unit=transport_unit, other=other)
            except DomainError:
                pass
            _check_invariants(voice, due_history)
    assert events_verify() == []


def test_dissatisfied_with_unit_reply_reopens_the_work_order_with_a_new_deadline(
    db, make_voice, transport_unit
):
    from minsheng.voices.services import voice_forward, voice_reply
    from tests.voices.conftest import account

    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        voice = voice_forward(actor=account("staff"), voice=make_voice(), unit=transport_unit)
        first_due = WorkOrder.objects.get(voice=voice).due
        traveller.shift(dt.timedelta(days=7))
        voice = voice_reply(actor=account("handler"), voice=voice, text="已处理。")
        voice = voice_rate(actor=TrackingActor(voice.pk), voice=voice, rating=Rating.DISSATISFIED)
    order = WorkOrder.objects.get(voice=voice)
    assert voice.status == VoiceStatus.REHANDLING
    assert order.is_open and order.round == 2 and order.due > first_due
    rehandle = list(events_for(voice))[-1]
    assert rehandle.verb == "rehandle"
    assert rehandle.payload["due"] == order.due.isoformat()
    assert rehandle.payload["previous_due"] == first_due.isoformat()
