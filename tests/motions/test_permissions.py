"""Permission matrix: action × role × state; allowed exactly where expected; a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

from minsheng.core.errors import DomainError
from minsheng.core.models import Event
from minsheng.motions import services
from minsheng.motions.models import Evaluation, HandlingMode, Motion, MotionKind, Reply, Signature
from tests.demo_roles import demo_user
from tests.motions.builders import TEXT, leader_person

pytestmark = pytest.mark.django_db

STATES = ["draft", "submitted", "filed", "declined", "assigned", "replied", "closed"]
ROLES = [
    "lead",
    "cosigner",
    "other_deputy",
    "member",
    "staff",
    "cppcc_staff",
    "handler",
    "co_handler",
    "leader",
    # The other demo roles: none of them takes part in a suggestion's handling.
    "admin",
    "station",
    "lawstaff",
    "jumin",
    "anonymous",
]

EXPECTED: dict[str, set[tuple[str, str]]] = {
    "edit": {("draft", "lead")},
    "invite": {("draft", "lead")},
    "submit": {("draft", "lead")},
    "withdraw": {("draft", "lead"), ("submitted", "lead")},
    "file": {("submitted", "staff")},
    "decline": {("submitted", "staff")},
    "merge": {("submitted", "staff"), ("filed", "staff")},
    "assign": {("filed", "staff")},
    "return": {("assigned", "handler")},
    "send_views": {("assigned", "co_handler")},
    "reply": {("assigned", "handler")},
    "extend": {("assigned", "staff")},
    "request_extension": {("assigned", "handler")},
    "review_category": {("replied", "staff")},
    "disclose": {("replied", "staff"), ("closed", "staff")},
    "rate": {("replied", "lead"), ("replied", "cosigner")},
    "supervise": {(state, "staff") for state in ("submitted", "filed", "assigned", "replied")},
}
# The system administrator may step in for the office, never for a deputy, a proposer or a unit.
OFFICE_ACTIONS = ("file", "decline", "merge", "assign", "extend", "review_category", "disclose", "supervise")
for _action in OFFICE_ACTIONS:
    EXPECTED[_action] |= {(state, "admin") for state, role in EXPECTED[_action] if role == "staff"}


class Rollback(Exception):
    pass


def _people(accounts) -> dict[str, Any]:
    cosigner, other = accounts.deputies(2)
    return {
        "lead": accounts["deputy"],
        "cosigner": cosigner,
        "other_deputy": other,
        "member": accounts["member"],
        "staff": accounts["staff"],
        "cppcc_staff": accounts["cppcc_staff"],
        "handler": accounts["handler"],
        "co_handler": accounts.handler_of(accounts.unit("区住房和城乡建设局")),
        "leader": accounts["leader"],
        **{name: demo_user(name) for name in ("admin", "station", "lawstaff", "jumin", "anonymous")},
    }


def _fresh(user: Any) -> Any:
    """A fresh user object: permissions are computed from the database, not from a warm cache."""
    return user if not user.is_authenticated else type(user).objects.get(pk=user.pk)


def _in_state(state: str, users: dict[str, Any], accounts) -> Motion:
    lead, staff = users["lead"], users["staff"]
    motion = services.motion_create(
        actor=lead, kind=MotionKind.SUGGESTION, title="关于增设学校路口信号灯的建议", text=TEXT
    )
    services.motion_invite(actor=lead, motion=motion, people=[users["cosigner"].person])
    services.signature_respond(
        actor=users["cosigner"], signature=motion.signatures.get(role="co"), accept=True
    )
    if state == "draft":
        return motion
    motion = services.motion_submit(actor=lead, motion=motion)
    if state == "submitted":
        return motion
    if state == "declined":
        return services.motion_decline(actor=staff, motion=motion, reason="不符合立案条件")
    motion = services.motion_file(actor=staff, motion=motion)
    if state == "filed":
        return motion
    motion = services.motion_assign(
        actor=staff,
        motion=motion,
        mode=HandlingMode.LEAD_CO,
        lead_unit=accounts.unit("区交通运输局"),
        co_units=[accounts.unit("区住房和城乡建设局")],
    )
    if state == "assigned":
        return motion
    services.assignment_reply(
        actor=users["handler"], assignment=motion.assignments.get(role="lead"), category="A", text="已办结。"
    )
    motion.refresh_from_db()
    if state == "replied":
        return motion
    for who in ("lead", "cosigner"):
        services.motion_rate(actor=users[who], motion=motion, overall="satisfied")
    motion.refresh_from_db()
    assert state == "closed" and motion.status == "closed"
    return motion


def _actions(
    motion: Motion, other: Motion, users: dict[str, Any], accounts
) -> dict[str, Callable[[Any], Any]]:
    def lead_assignment():
        return motion.assignments.get(role="lead")

    def co_assignment():
        return motion.assignments.get(role="co")

    def reply():
        return motion.replies.get()

    return {
        "edit": lambda u: services.motion_update(actor=u, motion=motion, title="新标题", text=TEXT),
        "invite": lambda u: services.motion_invite(
            actor=u, motion=motion, people=[users["other_deputy"].person]
        ),
        "submit": lambda u: services.motion_submit(actor=u, motion=motion, expected_state=None),
        "withdraw": lambda u: services.motion_withdraw(actor=u, motion=motion),
        "file": lambda u: services.motion_file(actor=u, motion=motion, expected_state=None),
        "decline": lambda u: services.motion_decline(
            actor=u, motion=motion, reason="重复", expected_state=None
        ),
        "merge": lambda u: services.motion_merge(actor=u, motion=motion, into=other),
        "assign": lambda u: services.motion_assign(
            actor=u,
            motion=motion,
            mode=HandlingMode.SEPARATE,
            units=[accounts.unit("区交通运输局")],
            expected_state=None,
        ),
        "return": lambda u: services.assignment_return(
            actor=u, assignment=lead_assignment(), reason="非本单位职责"
        ),
        "send_views": lambda u: services.assignment_send_views(
            actor=u, assignment=co_assignment(), text="同意。"
        ),
        "reply": lambda u: services.assignment_reply(
            actor=u, assignment=lead_assignment(), category="A", text="已办。"
        ),
        "extend": lambda u: services.assignment_extend(
            actor=u,
            assignment=lead_assignment(),
            until=lead_assignment().due + dt.timedelta(days=1),
            reason="难度大",
        ),
        "request_extension": lambda u: services.assignment_extension_request(
            actor=u,
            assignment=lead_assignment(),
            until=lead_assignment().due + dt.timedelta(days=1),
            reason="难度大",
        ),
        "review_category": lambda u: services.reply_review(actor=u, reply=reply(), category="B"),
        "disclose": lambda u: services.reply_disclose(actor=u, reply=reply(), disclosure="full"),
        "rate": lambda u: services.motion_rate(
            actor=u, motion=motion, overall="satisfied", expected_state=None
        ),
        "supervise": lambda u: services.motion_supervise(actor=u, motion=motion, leader=leader_person()),
    }


def _snapshot(motion: Motion) -> tuple:
    return (
        Motion.objects.get(pk=motion.pk).status,
        Event.objects.count(),
        Reply.objects.filter(motion=motion).count(),
        Evaluation.objects.filter(motion=motion).count(),
        Signature.objects.filter(motion=motion).count(),
        tuple(motion.assignments.order_by("id").values_list("status", "due", "extension_requested_to")),
        tuple(Reply.objects.filter(motion=motion).values_list("disclosure", "reviewed_category")),
    )


@pytest.mark.parametrize("state", STATES)
def test_permission_matrix(state, accounts):
    users = _people(accounts)
    motion = _in_state(state, users, accounts)
    other_author = accounts.deputies(3)[2]
    other = services.motion_create(
        actor=other_author, kind=MotionKind.SUGGESTION, title="关于路口安全的建议", text=TEXT
    )
    other = services.motion_submit(actor=other_author, motion=other)
    actions = _actions(motion, other, users, accounts)
    outcome: dict[tuple[str, str], bool] = {}
    for action, run in actions.items():
        for role in ROLES:
            user = _fresh(users[role])
            before = _snapshot(motion)
            try:
                with transaction.atomic():
                    run(user)
                    raise Rollback
            except Rollback:
                outcome[(action, role)] = True
            except (DomainError, ObjectDoesNotExist):  # refused, or nothing to act on in this state
                outcome[(action, role)] = False
                assert _snapshot(motion) == before, (
                    f"{action} by {role} in {state} was refused but changed something"
                )
            assert _snapshot(motion) == before
    allowed = {(action, role) for (action, role), ok in outcome.items() if ok}
    expected = {(action, role) for action, cells in EXPECTED.items() for (s, role) in cells if s == state}
    assert allowed == expected


# The pages offer a form exactly where the services allow the action. A co-unit may also return its
# own part or ask for more time on it (the matrix above tries the lead unit's part only).
OFFERED: dict[str, set[tuple[str, str]]] = {
    **EXPECTED,
    "return": EXPECTED["return"] | {("assigned", "co_handler")},
    "request_extension": EXPECTED["request_extension"] | {("assigned", "co_handler")},
}


@pytest.mark.parametrize("state", STATES)
def test_pages_offer_exactly_the_allowed_actions(state, accounts):
    from minsheng.motions.selectors import motion_detail
    from minsheng.motions.views import available_actions

    users = _people(accounts)
    motion = _in_state(state, users, accounts)
    offered: set[tuple[str, str]] = set()
    for role in ROLES:
        user = _fresh(users[role])
        shown = motion_detail(user, motion.pk)
        if shown is not None:
            offered |= {(form.name, role) for form in available_actions(user, shown)}
    expected = {(action, role) for action, cells in OFFERED.items() for (s, role) in cells if s == state}
    assert offered == expected
