"""Permission matrix: role × state × action, allowed exactly where expected; a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from minsheng.core.ballots import ballot_box_of
from minsheng.core.errors import DomainError
from minsheng.core.models import Ballot, BallotVoter, Event
from minsheng.org.selectors import today
from minsheng.oversight import services, views
from minsheng.oversight.models import (
    Activity,
    Milestone,
    Problem,
    ProgressReport,
    Project,
    ProjectOutcome,
    ProjectProgress,
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
        for role in users:
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
        for role in users
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
    # The item page offers exactly the actions the services allow (one review form: accept or send back).
    page_names = {"accept": "review", "send_back": "review"}
    assert offered(views.ITEM_ACTIONS, fresh(), users) == {
        (page_names.get(action, action), role) for action, role in allowed
    }


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
    # The activity page offers exactly what the services allow (of the actions tried here).
    page = {cell for cell in offered(views.ACTIVITY_ACTIONS, fresh(), users) if cell[0] in actions}
    assert page == allowed


# --- satisfaction ballots ---------------------------------------------------------------------------

BALLOT_STATES = ["open_empty", "open_voted", "closed"]
COUNCIL = ("sc_member", "leader")  # standing-committee members and its chair / vice-chairs rate units
BALLOT_EXPECTED: dict[str, set[tuple[str, str]]] = {
    "vote": {(s, role) for s in ("open_empty", "open_voted") for role in COUNCIL},
    "close": {("open_voted", "staff")},
}


@pytest.mark.parametrize("state", BALLOT_STATES)
def test_ballot_permission_matrix(state: str, world: World):
    act = activity(world)
    users = _people(world, act)
    _item_in("open", world, act)
    ballot = services.ballot_open(actor=world["staff"], activity=act, unit=world.unit("区交通运输局"))
    if state != "open_empty":
        voter = world.sc_members(2)[1]
        services.ballot_vote(actor=voter, ballot=ballot, choice="satisfied")
    if state == "closed":
        services.ballot_close(actor=world["staff"], ballot=ballot)

    def fresh() -> SatisfactionBallot:
        return SatisfactionBallot.objects.get(pk=ballot.pk)

    actions = {
        "vote": lambda u: services.ballot_vote(actor=u, ballot=fresh(), choice="dissatisfied"),
        "close": lambda u: services.ballot_close(actor=u, ballot=fresh(), expected_state=None),
    }

    def snapshot() -> tuple:
        current = fresh()
        box = ballot_box_of(current)
        return (
            current.status,
            current.passed,
            Event.objects.count(),
            BallotVoter.objects.filter(box=box).count(),
            tuple(Ballot.objects.filter(box=box).order_by("pk").values_list("pk", "seal")),
            RectificationItem.objects.filter(problem__activity=act).count(),
        )

    allowed = _matrix(ballot, actions, users, snapshot)
    expected = {
        (action, role) for action, cells in BALLOT_EXPECTED.items() for (s, role) in cells if s == state
    }
    assert allowed == expected
    # The ballot page asks the same guards the services check.
    guards = {"vote": services.can_vote, "close": services.can_close_ballot}
    page = {
        (action, role)
        for action, can in guards.items()
        for role in users
        if can(_fresh(users[role]), fresh())
    }
    assert page == allowed


# --- key projects -----------------------------------------------------------------------------------

PROJECT_STATES = ["planned", "under_construction", "suspended", "in_production", "completed"]
PROJECT_STAFF = ("staff", "cppcc_staff")  # staff of either supervising body of the district
PROJECT_POSTERS = (*PROJECT_STAFF, "owner")
PROJECT_EXPECTED: dict[str, set[tuple[str, str]]] = {
    "progress": {(s, role) for s in PROJECT_STATES for role in PROJECT_POSTERS},
    "reach": {(s, role) for s in PROJECT_STATES for role in PROJECT_POSTERS},
    "visit": {(s, role) for s in PROJECT_STATES for role in (*PROJECT_STAFF, "supervisor")},
    "problem": {(s, role) for s in PROJECT_STATES for role in PROJECT_STAFF},
    "milestone": {(s, role) for s in PROJECT_STATES for role in PROJECT_STAFF},
    "replan": {(s, role) for s in PROJECT_STATES for role in PROJECT_STAFF},
    "publish": {(s, role) for s in PROJECT_STATES for role in PROJECT_STAFF},
    "outcome": set(),  # a key project records no outcomes (cooperation items do)
    "start": {("planned", role) for role in PROJECT_STAFF},
    "suspend": {("under_construction", role) for role in PROJECT_STAFF},
    "resume": {("suspended", role) for role in PROJECT_STAFF},
    "produce": {("under_construction", role) for role in PROJECT_STAFF},
    "complete": {("in_production", role) for role in PROJECT_STAFF},
}
PROJECT_PATH = {
    "planned": [],
    "under_construction": ["start"],
    "suspended": ["start", "suspend"],
    "in_production": ["start", "produce"],
    "completed": ["start", "produce", "complete"],
}


@pytest.mark.parametrize("state", PROJECT_STATES)
def test_project_permission_matrix(state: str, world: World):
    begin = today()
    project = services.project_create(
        actor=world["staff"],
        name="10GW TOPCon高效电池项目",
        owner="某光伏科技股份有限公司",
        investment_planned="560000",
        park="武进国家高新区",
        milestones=[
            services.MilestonePlan("start", "", begin),
            services.MilestonePlan("production", "", begin + dt.timedelta(days=400)),
        ],
        supervisors=[world["deputy"].person],
    )
    for action in PROJECT_PATH[state]:
        project = services.project_transition(actor=world["staff"], project=project, action=action)
    users = {
        "staff": world["staff"],
        "cppcc_staff": world["cppcc_staff"],
        "handler": world["handler"],
        "owner": world.owner_contact(project),
        "supervisor": world["deputy"],
        "other_deputy": world.deputies(1, offset=90)[0],
        "sc_member": world.sc_members(1)[0],
        "leader": world["leader"],
    }

    def fresh() -> Project:
        return Project.objects.get(pk=project.pk)

    def first_unreached() -> Milestone:
        return fresh().milestones.filter(actual_date__isnull=True).order_by("order").first()

    transitions = {
        name: (lambda u, name=name: services.project_transition(actor=u, project=fresh(), action=name))
        for name in ("start", "suspend", "resume", "produce", "complete")
    }
    actions = {
        "progress": lambda u: services.project_progress_post(actor=u, project=fresh(), text="主体结构施工中"),
        "reach": lambda u: services.milestone_reach(actor=u, milestone=first_unreached(), actual_date=begin),
        "visit": lambda u: services.visit_record(actor=u, project=fresh(), date=begin, place="施工现场"),
        "problem": lambda u: services.problem_add_for_project(actor=u, project=fresh(), text="设备到货延迟"),
        "milestone": lambda u: services.milestone_add(
            actor=u, project=fresh(), kind="equipment", name="", planned_date=begin + dt.timedelta(days=300)
        ),
        "replan": lambda u: services.milestone_replan(
            actor=u,
            milestone=first_unreached(),
            planned_date=begin + dt.timedelta(days=30),
            reason="审批延后",
        ),
        "publish": lambda u: services.project_publish(actor=u, project=fresh()),
        "outcome": lambda u: services.outcome_record(
            actor=u, project=fresh(), kind="patent", title="专利", date=begin
        ),
        **transitions,
    }

    def snapshot() -> tuple:
        current = fresh()
        return (
            current.status,
            current.published_at,
            Event.objects.count(),
            tuple(current.milestones.order_by("pk").values_list("planned_date", "actual_date")),
            ProjectProgress.objects.filter(project=current).count(),
            Visit.objects.filter(project=current).count(),
            Problem.objects.filter(project=current).count(),
            ProjectOutcome.objects.filter(project=current).count(),
        )

    allowed = _matrix(project, actions, users, snapshot)
    expected = {
        (action, role) for action, cells in PROJECT_EXPECTED.items() for (s, role) in cells if s == state
    }
    assert allowed == expected
    # The project page offers exactly what the services allow ("assign" needs a problem: none here).
    page = {cell for cell in offered(views.PROJECT_ACTIONS, fresh(), users) if cell[0] in actions}
    assert page == allowed
