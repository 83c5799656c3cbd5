"""Random action sequences keep the invariants of the handling loop (hypothesis).

After every step: one state per item and the Event chain of the item leads to it; no reply without an
assignment of the same item; every proposer of a merged item is a proposer of the item it went into,
and has rated it once it is closed; a deadline never moves earlier without an Event giving both dates.
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
from minsheng.motions import services
from minsheng.motions.models import (
    Assignment,
    Evaluation,
    HandlingMode,
    Motion,
    MotionKind,
    MotionStatus,
    Reply,
)
from minsheng.motions.rules import proposer_ids
from tests.motions.builders import TEXT, leader_person

pytestmark = pytest.mark.django_db

STEPS = [
    "submit",
    "file",
    "decline",
    "merge",
    "assign_lead_co",
    "assign_separate",
    "return",
    "reassign",
    "views",
    "reply_A",
    "reply_B",
    "extend",
    "review",
    "rate_ok",
    "rate_bad",
    "cosigner_rate_ok",
    "withdraw",
    "supervise",
]


class Rollback(Exception):
    pass


def _assignment(motion: Motion, role: str) -> Assignment | None:
    return motion.assignments.filter(role=role).exclude(status="returned").order_by("-id").first()


def _do(step: str, which: int, world: dict[str, Any]) -> None:
    motion = Motion.objects.get(pk=world["motions"][which].pk)
    other = Motion.objects.get(pk=world["motions"][1 - which].pk)
    users, units = world["users"], world["units"]
    staff, handler = users["staff"], users["handler"]
    lead = users["lead"] if which == 0 else users["other"]
    if step == "submit":
        services.motion_submit(actor=lead, motion=motion, expected_state=None)
    elif step == "file":
        services.motion_file(actor=staff, motion=motion, expected_state=None)
    elif step == "decline":
        services.motion_decline(actor=staff, motion=motion, reason="不符合条件", expected_state=None)
    elif step == "merge":
        services.motion_merge(actor=staff, motion=motion, into=other)
    elif step == "assign_lead_co":
        services.motion_assign(
            actor=staff,
            motion=motion,
            mode=HandlingMode.LEAD_CO,
            lead_unit=units[0],
            co_units=[units[1]],
            expected_state=None,
        )
    elif step == "assign_separate":
        services.motion_assign(
            actor=staff, motion=motion, mode=HandlingMode.SEPARATE, units=[units[0]], expected_state=None
        )
    elif step == "return":
        target = _assignment(motion, "lead") or _assignment(motion, "separate")
        if target:
            services.assignment_return(
                actor=handler, assignment=target, reason="非本单位职责", expected_state=None
            )
    elif step == "reassign":
        returned = motion.assignments.filter(status="returned", replacement__isnull=True).first()
        if returned:
            services.motion_reassign(
                actor=staff,
                assignment=returned,
                unit=units[2] if returned.unit_id != units[2].pk else units[0],
            )
    elif step == "views":
        target = _assignment(motion, "co")
        if target:
            services.assignment_send_views(
                actor=users["co_handler"], assignment=target, text="同意。", expected_state=None
            )
    elif step in ("reply_A", "reply_B"):
        target = _assignment(motion, "lead") or _assignment(motion, "separate")
        if target:
            clerk = users["handler"] if target.unit_id == units[0].pk else users["third_handler"]
            services.assignment_reply(
                actor=clerk, assignment=target, category=step[-1], text="答复。", expected_state=None
            )
    elif step == "extend":
        target = _assignment(motion, "lead") or _assignment(motion, "separate")
        if target:
            services.assignment_extend(
                actor=staff,
                assignment=target,
                until=target.due + dt.timedelta(days=3),
                reason="难度大",
                expected_state=None,
            )
    elif step == "review":
        reply = motion.replies.filter(round=motion.round).first()
        if reply:
            services.reply_review(actor=staff, reply=reply, category="A")
    elif step in ("rate_ok", "rate_bad"):
        services.motion_rate(
            actor=lead,
            motion=motion,
            overall="satisfied" if step == "rate_ok" else "dissatisfied",
            expected_state=None,
        )
    elif step == "cosigner_rate_ok":
        services.motion_rate(actor=users["cosigner"], motion=motion, overall="satisfied", expected_state=None)
    elif step == "withdraw":
        services.motion_withdraw(actor=lead, motion=motion)
    elif step == "supervise":
        services.motion_supervise(actor=staff, motion=motion, leader=leader_person())


def _check(world: dict[str, Any], dues: dict[int, dt.date]) -> None:
    for item in world["motions"]:
        motion = Motion.objects.get(pk=item.pk)
        assert motion.status in MotionStatus.values
        transitions = [e for e in events_for(motion) if e.to_state]
        state = ""
        for event in transitions:
            assert event.from_state == state, (
                f"{event.verb}: chain broken at {event.from_state} after {state}"
            )
            state = event.to_state
        assert state == motion.status, "the last Event leads to the current state"
        if motion.status == MotionStatus.MERGED:
            target = motion.merged_into
            assert target is not None
            assert proposer_ids(motion) <= proposer_ids(target)
            if target.status == MotionStatus.CLOSED:
                rated = set(Evaluation.objects.filter(motion=target).values_list("proposer_id", flat=True))
                assert proposer_ids(target) <= rated, "every proposer of a merged item was answered"
    for reply in Reply.objects.select_related("assignment"):
        assert reply.assignment.motion_id == reply.motion_id, "no reply without an assignment of the item"
    for assignment in Assignment.objects.all():
        before = dues.get(assignment.pk)
        if before is not None and assignment.due < before:
            explained = [
                e
                for e in events_for(assignment)
                if e.payload.get("due_from") == before.isoformat()
                and e.payload.get("due_to") == assignment.due.isoformat()
            ]
            assert explained, "a deadline moved earlier without an Event saying why"
        dues[assignment.pk] = assignment.due


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.sampled_from(STEPS), st.integers(0, 1)), min_size=1, max_size=25))
def test_random_sequences_keep_the_invariants(steps, accounts):
    try:
        with transaction.atomic():
            _run(steps, accounts)
            raise Rollback
    except Rollback:
        pass


def _run(steps: list[tuple[str, int]], accounts) -> None:
    cosigner, other = accounts.deputies(2)
    units = [
        accounts.unit("区交通运输局"),
        accounts.unit("区住房和城乡建设局"),
        accounts.unit("湖塘镇人民政府"),
    ]
    users = {
        "lead": accounts.fresh("deputy"),
        "other": other,
        "cosigner": cosigner,
        "staff": accounts.fresh("staff"),
        "handler": accounts.fresh("handler"),
        "co_handler": accounts.handler_of(units[1]),
        "third_handler": accounts.handler_of(units[2]),
    }
    first = services.motion_create(
        actor=users["lead"], kind=MotionKind.SUGGESTION, title="关于增设信号灯的建议", text=TEXT
    )
    services.motion_invite(actor=users["lead"], motion=first, people=[cosigner.person])
    services.signature_respond(actor=cosigner, signature=first.signatures.get(role="co"), accept=True)
    second = services.motion_create(
        actor=other, kind=MotionKind.SUGGESTION, title="关于路口安全的建议", text=TEXT
    )
    world = {"motions": [first, second], "users": users, "units": units}
    dues: dict[int, dt.date] = {}
    for step, which in steps:
        try:
            with transaction.atomic():
                _do(step, which, world)
        except DomainError:
            pass  # refused: the invariants must hold all the same
        _check(world, dues)
    assert events_verify() == []


def test_the_checks_catch_a_silent_deadline_move_and_a_state_without_event(accounts):
    from tests.motions.builders import assigned

    motion = assigned(accounts, with_co=False)
    world = {"motions": [motion, motion]}
    dues: dict[int, dt.date] = {}
    _check(world, dues)
    Assignment.objects.filter(motion=motion).update(due=dt.date(2000, 1, 1))
    with pytest.raises(AssertionError, match="deadline moved earlier"):
        _check(world, dues)
    Assignment.objects.filter(motion=motion).update(due=dues[motion.assignments.get().pk])
    Motion.objects.filter(pk=motion.pk).update(status=MotionStatus.CLOSED)
    with pytest.raises(AssertionError, match="last Event"):
        _check(world, {})
