"""Permission matrix: role × state × action, allowed exactly where expected; a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from minsheng.core.errors import DomainError
from minsheng.core.models import Event
from minsheng.org.selectors import today
from minsheng.oversight import services, views
from minsheng.oversight.models import (
    Activity,
    ProgressReport,
    RectificationItem,
    SatisfactionBallot,
    TeamMember,
    Visit,
)
from tests.oversight.builders import TASK, World, activity, problem
from tests.oversight.files import docx_bytes

pytestmark = pytest.mark.django_db

ROLES = ["staff", "cppcc_staff", "handler", "other_handler", "team", "deputy", "sc_member", "leader"]


class Rollback(Exception):
    pass


def _people(world: World, act: Activity) -> dict[str, Any]:
    return {
        "staff": world["staff"],
        "cppcc_staff": world["cppcc_staff"],
        "handler": world["handler"],  # 区交通运输局
        "other_handler": world.handler_of(world.unit("区应急管理局")),
        "team": world.for_person(act.team.order_by("id").first().person),
        "deputy": world["deputy"],
        "sc_member": world.sc_members(1)[0],
        "leader": world["leader"],
    }


def _fresh(user: Any) -> Any:
    return type(user).objects.get(pk=user.pk)


def _matrix(
    subject: Any, actions: dict[str, Callable[[Any], Any]], users: dict[str, Any], snapshot: Callable[[], Any]
):
    outcome: dict[tuple[str, str], bool] = {}
    for action, run in actions.items():
        for role in ROLES:
            before = snapshot()
            try:
                with transaction.atomic():
                    run(_fresh(users[role]))
                    raise Rollback
            except Rollback:
                outcome[(action, role)] = True
            except (DomainError, ObjectDoesNotExist):
                outcome[(action, role)] = False
                assert snapshot() == before, f"{action} by {role} was refused but changed something"
            assert snapshot() == before
    return {cell for cell, ok in outcome.items() if ok}


def offered(actions: dict[str, Any], obj: Any, users: dict[str, Any]) -> set[tuple[str, str]]:
    """(action, role) for each action form the page shows each role."""
    return {
        (bound.name, role)
        for role in ROLES
        for bound in views._bound(actions, _fresh(users[role]), obj, lambda name: name)
    }


# --- rectification items ----------------------------------------------------------------------------

ITEM_STATES = ["open", "under_review", "closed"]
ITEM_EXPECTED: dict[str, set[tuple[str, str]]] = {
    "report": {("open", "handler")},
    "accept": {("under_review", "staff"), ("under_review", "team")},
    "send_back": {("under_review", "staff"), ("under_review", "team")},
    "extend": {("open", "staff")},
    "reopen": {("closed", "staff")},
}


def _item_in(state: str, world: World, act: Activity) -> RectificationItem:
    found = problem(world, act)
    (made,) = services.problem_assign(
        actor=world["staff"], problem=found, units=[world.unit("区交通运输局")], task=TASK
    )
    if state == "open":
        return made
    services.item_report(actor=world["handler"], item=made, text="已完成。", is_final=True)
    made.refresh_from_db()
    if state == "under_review":
        return made
    return services.item_review(actor=world["staff"], item=made, accept=True)


@pytest.mark.parametrize("state", ITEM_STATES)
def test_item_permission_matrix(state: str, world: World):
    act = activity(world)
    users = _people(world, act)
    target = _item_in(state, world, act)

    def fresh() -> RectificationItem:
        return RectificationItem.objects.get(pk=target.pk)

    actions = {
        "report": lambda u: services.item_report(actor=u, item=fresh(), text="进展", expected_state=None),
        "accept": lambda u: services.item_review(actor=u, item=fresh(), accept=True, expected_state=None),
        "send_back": lambda u: services.item_review(
            actor=u, item=fresh(), accept=False, reason="请补充材料", expected_state=None
        ),
        "extend": lambda u: services.item_extend(
            actor=u,
            item=fresh(),
            until=fresh().due + dt.timedelta(days=10),
            reason="协调难度大",
            expected_state=None,
        ),
        "reopen": lambda u: services.item_reopen(
            actor=u, item=fresh(), reason="测评不满意", expected_state=None
        ),
    }

    def snapshot() -> tuple:
        item = fresh()
        return (
            item.status,
            item.due,
            item.round,
            Event.objects.count(),
            tuple(ProgressReport.objects.filter(item=item).values_list("status", flat=True)),
        )

    allowed = _matrix(target, actions, users, snapshot)
    expected = {
        (action, role) for action, cells in ITEM_EXPECTED.items() for (s, role) in cells if s == state
    }
    assert allowed == expected


# --- activities -------------------------------------------------------------------------------------

ACTIVITY_STATES = ["planned", "under_way", "reported", "closed", "cancelled"]
WORKING = ("under_way", "reported")
ACTIVITY_EXPECTED: dict[str, set[tuple[str, str]]] = {
    "start": {("planned", "staff")},
    "cancel": {("planned", "staff")},
    "report": {("under_way", "staff")},
    "close": {("reported", "staff")},
    "finding": {(s, "staff") for s in WORKING},
    "visit": {(s, role) for s in WORKING for role in ("staff", "team")},
    "team": {(s, "staff") for s in ("planned", "under_way")},
    "publish": {(s, "staff") for s in ("under_way", "reported", "closed")},
    "ballot": {(s, "staff") for s in WORKING},
}


def _activity_in(state: str, world: World) -> Activity:
    act = activity(world, start=state != "planned" and state != "cancelled")
    if state == "cancelled":
        return services.activity_cancel(actor=world["staff"], activity=act, reason="计划调整")
    if state in ("reported", "closed"):
        act = services.activity_report(
            actor=world["staff"],
            activity=act,
            report=SimpleUploadedFile("报告.docx", docx_bytes("报告")),
            summary="小结",
        )
    if state == "closed":
        act = services.activity_close(actor=world["staff"], activity=act)
    return act


@pytest.mark.parametrize("state", ACTIVITY_STATES)
def test_activity_permission_matrix(state: str, world: World):
    act = _activity_in(state, world)
    users = _people(world, act)
    newcomer = world.deputies(1, offset=90)[0].person

    def fresh() -> Activity:
        return Activity.objects.get(pk=act.pk)

    actions = {
        "start": lambda u: services.activity_start(actor=u, activity=fresh(), expected_state=None),
        "cancel": lambda u: services.activity_cancel(
            actor=u, activity=fresh(), reason="调整", expected_state=None
        ),
        "report": lambda u: services.activity_report(
            actor=u,
            activity=fresh(),
            report=SimpleUploadedFile("报告.docx", docx_bytes("报告")),
            summary="小结",
            expected_state=None,
        ),
        "close": lambda u: services.activity_close(actor=u, activity=fresh(), expected_state=None),
        "finding": lambda u: services.problem_add(actor=u, activity=fresh(), text="发现的问题"),
        "visit": lambda u: services.visit_record(actor=u, activity=fresh(), date=today(), place="现场"),
        "team": lambda u: services.activity_team_add(actor=u, activity=fresh(), people=[newcomer]),
        "publish": lambda u: services.activity_publish(actor=u, activity=fresh()),
        "ballot": lambda u: services.ballot_open(actor=u, activity=fresh(), unit=world.unit("区交通运输局")),
    }

    def snapshot() -> tuple:
        current = fresh()
        return (
            current.status,
            current.published_at,
            Event.objects.count(),
            Visit.objects.filter(activity=current).count(),
            current.problems.count(),
            TeamMember.objects.filter(activity=current).count(),
            SatisfactionBallot.objects.filter(activity=current).count(),
        )

    allowed = _matrix(act, actions, users, snapshot)
    expected = {
        (action, role) for action, cells in ACTIVITY_EXPECTED.items() for (s, role) in cells if s == state
    }
    assert allowed == expected
