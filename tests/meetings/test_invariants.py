"""Random sequences of sign-ins, leave, votes, changes, retries, opening and closing keep the invariants
(hypothesis): one voter row and one choice row per voter while a box is open; a closed box has no key
and no seal; a result counts exactly the last ballot of each member who voted, within those present;
the stated outcome is the pass rule applied to it; nobody is signed in and on leave; one vote open at a
time; the Event chain stays intact."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.core.errors import DomainError
from minsheng.core.events import events_verify
from minsheng.core.models import Ballot, BallotBox, BallotVoter
from minsheng.meetings import counting, services
from minsheng.meetings.models import Attendee, Meeting, Poll, PollStatus
from tests.meetings.conftest import World

pytestmark = pytest.mark.django_db

STEPS = ["sign_in", "ask_leave", "approve_leave", "vote", "retry", "open", "close", "hands", "prepare"]


class Rollback(Exception):
    pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])  # fmt: skip
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(STEPS), st.integers(0, 8), st.sampled_from(counting.VALUES)),
        min_size=1,
        max_size=40,
    )
)
def test_random_sequences_keep_the_invariants(steps: list[tuple[str, int, str]], world: World) -> None:
    try:
        with transaction.atomic():
            _run(steps, world)
            raise Rollback
    except Rollback:
        pass


def _run(steps: list[tuple[str, int, str]], world: World) -> None:
    meeting = services.meeting_notify(actor=world.staff, meeting=world.meeting())
    state: dict[str, Any] = {"meeting": meeting, "last": {}, "keys": {}, "in_session": False}
    for step, who, value in steps:
        try:
            with transaction.atomic():
                _do(step, who, value, world, state)
        except DomainError:
            pass  # refused: the invariants must hold all the same
        _check(state)
    assert events_verify() == []


def _do(step: str, who: int, value: str, world: World, state: dict[str, Any]) -> None:
    meeting: Meeting = state["meeting"]
    user = world.deputies[who]
    if not state["in_session"] and step in {"sign_in", "open", "vote", "retry", "close", "hands"}:
        state["meeting"] = services.meeting_open(actor=world.staff, meeting=meeting)
        state["in_session"] = True
        return
    if step == "sign_in":
        services.attendee_sign_in(actor=user, meeting=meeting)
    elif step == "ask_leave":
        services.leave_request(actor=user, meeting=meeting, reason="外出")
    elif step == "approve_leave":
        seat = Attendee.objects.get(meeting=meeting, person=user.person)
        services.leave_decide(actor=world.staff, attendee=seat, approve=True)
    elif step == "prepare":
        world.decision(meeting, title=f"决议{Poll.objects.count() + 1}")
    elif step == "open":
        poll = Poll.objects.filter(meeting=meeting, status=PollStatus.DRAFT).first()
        if poll is not None:
            services.poll_open(actor=world.chair, poll=poll)
            state["last"], state["keys"] = {}, {}
    elif step in {"vote", "retry"}:
        poll = Poll.objects.filter(meeting=meeting, status=PollStatus.OPEN).first()
        if poll is None:
            return
        if step == "retry" and who in state["keys"]:
            key, choice = state["keys"][who]  # the same submission again: it must count once, unchanged
        else:
            key, choice = f"{who}-{len(state['keys'])}-{value}", value
        receipt = services.ballot_submit(actor=user, poll_id=poll.pk, choice=choice, client_key=key)
        if not receipt.replayed:
            state["last"][user.person_id] = choice
        state["keys"][who] = (key, choice)
    elif step == "close":
        poll = Poll.objects.filter(meeting=meeting, status=PollStatus.OPEN).first()
        if poll is not None:
            closed = services.poll_close(actor=world.chair, poll=poll)
            expected = counting.tally_values(state["last"].values())
            assert (closed.result["yes"], closed.result["no"], closed.result["abstain"]) == (
                expected.yes,
                expected.no,
                expected.abstain,
            )
    elif step == "hands":
        poll = Poll.objects.filter(meeting=meeting, status=PollStatus.DRAFT).first()
        present = services.attendance_counts(meeting).present
        if poll is not None:
            services.show_of_hands_record(actor=world.staff, poll=poll, yes=present // 2, no=0, abstain=0)


def _check(state: dict[str, Any]) -> None:
    meeting: Meeting = state["meeting"]
    assert not Attendee.objects.filter(meeting=meeting, present=True, leave_status="approved").exists()
    assert Poll.objects.filter(meeting=meeting, status=PollStatus.OPEN).count() <= 1
    for poll in Poll.objects.filter(meeting=meeting):
        box = BallotBox.objects.filter(pk=poll.box_id).first() if poll.box_id else None
        if poll.status == PollStatus.OPEN:
            assert box is not None and box.key is not None and box.closed_at is None
            assert BallotVoter.objects.filter(box=box).count() == Ballot.objects.filter(box=box).count()
        elif poll.status in (PollStatus.CLOSED, PollStatus.ANNOUNCED):
            result = poll.result
            cast = result["yes"] + result["no"] + result["abstain"]
            assert cast == poll.cast_count <= (poll.present_count or 0) <= (poll.entitled_count or 0)
            turnout = counting.Turnout(
                poll.entitled_count or 0, poll.present_count or 0, poll.cast_count or 0
            )
            assert poll.passed == counting.rule_met(services.poll_rule(poll), result["yes"], turnout)
            if box is not None:
                assert box.key is None and box.closed_at is not None
                assert not Ballot.objects.filter(box=box, seal__isnull=False).exists()
                assert Ballot.objects.filter(box=box).count() == BallotVoter.objects.filter(box=box).count()
