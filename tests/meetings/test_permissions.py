"""Permission matrix: role × meeting state × action, allowed exactly as expected; refusals change nothing."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

from minsheng.core.errors import DomainError
from minsheng.core.models import BallotVoter, Event
from minsheng.meetings import services
from minsheng.meetings.models import (
    AgendaItem,
    Appointment,
    Attendee,
    ItemKind,
    Meeting,
    MeetingStatus,
    Poll,
    PollKind,
    SignInMethod,
)
from tests.meetings.conftest import World, fresh

pytestmark = pytest.mark.django_db

STATES = ["draft", "notified", "in_session", "closed", "published"]
ROLES = ["staff", "admin", "chair", "member", "guest", "cppcc_staff", "outsider", "anonymous"]
RUN = {"staff", "admin"}
PRESIDE = RUN | {"chair"}
SESSION = {"in_session"}

EXPECTED: dict[str, set[tuple[str, str]]] = {
    "edit": {(s, r) for s in ("draft", "notified") for r in RUN},
    "notify": {("draft", r) for r in RUN},
    "open": {("notified", r) for r in RUN},
    "close": {("in_session", r) for r in RUN},
    "publish": {("closed", r) for r in RUN},
    "add_item": {(s, r) for s in ("draft", "notified", "in_session") for r in RUN},
    "add_poll": {(s, r) for s in ("draft", "notified", "in_session") for r in RUN},
    "add_guest": {(s, r) for s in ("draft", "notified", "in_session") for r in RUN},
    "request_leave": {(s, r) for s in ("notified", "in_session") for r in ("member", "chair")},
    "decide_leave": {(s, r) for s in ("notified", "in_session") for r in RUN},
    "sign_in": {("in_session", r) for r in ("member", "chair", "guest")},
    "clerk_sign_in": {("in_session", r) for r in RUN},
    "open_poll": {("in_session", r) for r in PRESIDE},
    "close_poll": {("in_session", r) for r in PRESIDE},
    "announce": {("in_session", r) for r in PRESIDE},
    "show_of_hands": {("in_session", r) for r in RUN},
    "vote": {("in_session", r) for r in ("member", "chair")},
}


class Rollback(Exception):
    pass


def _users(world: World) -> dict[str, Any]:
    return {
        "staff": world.staff,
        "admin": world.admin,
        "chair": world.chair,
        "member": world.deputies[5],
        "guest": world.outsider,
        "cppcc_staff": world.cppcc_staff,
        "outsider": world.cppcc_members[0],
        "anonymous": AnonymousUser(),
    }


def _meeting_in(state: str, world: World) -> Meeting:
    staff = world.staff
    meeting = world.meeting()
    services.attendee_add(actor=staff, meeting=meeting, person=world.outsider.person, capacity="区财政局局长")
    world.decision(meeting)
    if state == "draft":
        return meeting
    meeting = services.meeting_notify(actor=staff, meeting=meeting)
    if state == "notified":
        return meeting
    meeting = services.meeting_open(actor=staff, meeting=meeting)
    for user in [world.deputies[n] for n in (1, 2, 3, 4, 6, 7)]:
        services.attendee_sign_in(actor=user, meeting=meeting)
    if state == "in_session":
        return meeting
    meeting = services.meeting_close(actor=staff, meeting=meeting)
    if state == "closed":
        return meeting
    return services.meeting_publish(actor=staff, meeting=meeting)


def _draft_poll(meeting: Meeting) -> Poll:
    return Poll.objects.filter(meeting=meeting, status="draft").order_by("id").first() or Poll.objects.get(
        pk=0
    )


def _open_poll(world: World, meeting: Meeting) -> Poll:
    return services.poll_open(actor=world.chair, poll=_draft_poll(meeting))


def _prepared(world: World, meeting: Meeting, user: Any) -> dict[str, Callable[[], Any]]:
    """Steps taken first (inside the rolled-back transaction), per action: by an authorised user, and
    for a vote the voter's own sign-in when they can."""

    def leave_asked() -> Attendee:
        return services.leave_request(actor=world.deputies[8], meeting=meeting, reason="出差")

    def closed_poll() -> Poll:
        return services.poll_close(actor=world.chair, poll=_open_poll(world, meeting))

    def open_and_signed_in() -> Poll:
        poll = _open_poll(world, meeting)
        with contextlib.suppress(DomainError):
            services.attendee_sign_in(actor=user, meeting=meeting)
        return poll

    return {"decide_leave": leave_asked, "close_poll": lambda: _open_poll(world, meeting),
            "announce": closed_poll, "vote": open_and_signed_in}  # fmt: skip


def _actions(world: World, meeting: Meeting) -> dict[str, Callable[[Any, Any], Any]]:
    data = services.MeetingIn(
        kind=meeting.kind,
        title="新标题",
        starts_on=meeting.starts_on,
        ends_on=meeting.ends_on,
        venue="新会场",
    )

    def vote(user: Any, poll: Poll) -> Any:
        return services.ballot_submit(actor=user, poll_id=poll.pk, choice="yes")

    return {
        "edit": lambda u, _p: services.meeting_update(actor=u, meeting=meeting, data=data),
        "notify": lambda u, _p: services.meeting_notify(actor=u, meeting=meeting),
        "open": lambda u, _p: services.meeting_open(actor=u, meeting=meeting),
        "close": lambda u, _p: services.meeting_close(actor=u, meeting=meeting),
        "publish": lambda u, _p: services.meeting_publish(actor=u, meeting=meeting),
        "add_item": lambda u, _p: services.item_add(
            actor=u, meeting=meeting, kind=ItemKind.REPORT, title="报告"
        ),
        "add_poll": lambda u, _p: services.poll_create(
            actor=u,
            item=AgendaItem.objects.filter(meeting=meeting).first(),
            data=services.PollIn(title="第二项", kind=PollKind.DECISION),
        ),
        "add_guest": lambda u, _p: services.attendee_add(
            actor=u, meeting=meeting, person=world.cppcc_members[1].person
        ),
        "request_leave": lambda u, _p: services.leave_request(actor=u, meeting=meeting, reason="出差"),
        "decide_leave": lambda u, seat: services.leave_decide(actor=u, attendee=seat, approve=True),
        "sign_in": lambda u, _p: services.attendee_sign_in(actor=u, meeting=meeting),
        "clerk_sign_in": lambda u, _p: services.attendee_sign_in(
            actor=u, meeting=meeting, method=SignInMethod.CLERK, person=world.deputies[8].person
        ),
        "open_poll": lambda u, _p: services.poll_open(actor=u, poll=_draft_poll(meeting)),
        "close_poll": lambda u, poll: services.poll_close(actor=u, poll=poll),
        "announce": lambda u, poll: services.poll_announce(actor=u, poll=poll),
        "show_of_hands": lambda u, _p: services.show_of_hands_record(
            actor=u, poll=_draft_poll(meeting), yes=6, no=0, abstain=0
        ),
        "vote": vote,
    }


def _snapshot(meeting: Meeting) -> tuple[Any, ...]:
    return (
        Meeting.objects.filter(pk=meeting.pk).values_list("status", "title", "venue").get(),
        tuple(Poll.objects.filter(meeting=meeting).order_by("id").values_list("status", "passed")),
        tuple(Attendee.objects.filter(meeting=meeting).order_by("id").values_list("present", "leave_status")),
        AgendaItem.objects.filter(meeting=meeting).count(),
        Event.objects.count(),
        BallotVoter.objects.count(),
        Appointment.objects.count(),
    )


def _fresh(user: Any) -> Any:
    return user if isinstance(user, AnonymousUser) else fresh(user)


@pytest.mark.parametrize("state", STATES)
def test_permission_matrix(state: str, world: World) -> None:
    meeting = _meeting_in(state, world)
    assert meeting.status == MeetingStatus(state)
    users = _users(world)
    outcome: dict[tuple[str, str], bool] = {}
    for action in EXPECTED:
        for role in ROLES:
            try:
                with transaction.atomic():
                    prepared = None
                    try:
                        step = _prepared(world, meeting, _fresh(users[role])).get(action)
                        prepared = step() if step else None
                    except DomainError:  # the action has nothing to act on in this state
                        outcome[(action, role)] = False
                        raise Rollback from None
                    before = _snapshot(meeting)
                    try:
                        _actions(world, meeting)[action](_fresh(users[role]), prepared)
                    except (DomainError, ObjectDoesNotExist):
                        outcome[(action, role)] = False
                        assert _snapshot(meeting) == before, (
                            f"{action} by {role} in {state} was refused but changed"
                        )
                    else:
                        outcome[(action, role)] = True
                    raise Rollback
            except Rollback:
                pass
    allowed = {(action, role) for (action, role), ok in outcome.items() if ok}
    expected = {(action, role) for action, cells in EXPECTED.items() for (s, role) in cells if s == state}
    assert allowed - expected == set(), "allowed but not expected"
    assert expected - allowed == set(), "expected but refused"
