"""Satisfaction ballots: members rate a unit anonymously; below the share needed it rectifies again."""

from __future__ import annotations

import pytest
from django.test import Client

from minsheng.core.ballots import ballot_box_of
from minsheng.core.errors import PermissionDeniedError, ValidationFailedError
from minsheng.core.events import events_verify
from minsheng.core.models import Ballot, BallotVoter, Event
from minsheng.oversight import services
from minsheng.oversight.models import BallotStatus, ItemStatus, ProblemSource, RectificationItem
from tests.oversight.builders import World, activity, item

pytestmark = pytest.mark.django_db


def closed_item(world: World) -> RectificationItem:
    target = item(world)
    services.item_report(actor=world["handler"], item=target, text="已整改完毕。", is_final=True)
    return services.item_review(actor=world["staff"], item=target, accept=True)


def test_members_rate_anonymously_and_the_result_is_counted(world: World):
    target = closed_item(world)
    act = target.problem.activity
    ballot = services.ballot_open(actor=world["staff"], activity=act, unit=target.unit)
    voters = world.sc_members(5)
    choices = ["satisfied", "satisfied", "basically", "dissatisfied", "satisfied"]
    for voter, choice in zip(voters, choices, strict=True):
        services.ballot_vote(actor=voter, ballot=ballot, choice=choice)
    # A member changes their mind while the ballot is open: one ballot each still.
    services.ballot_vote(actor=voters[3], ballot=ballot, choice="basically")
    box = ballot_box_of(ballot)
    assert BallotVoter.objects.filter(box=box).count() == 5
    closed = services.ballot_close(actor=world["staff"], ballot=ballot)
    assert (closed.satisfied, closed.basically, closed.dissatisfied) == (3, 2, 0)
    assert closed.passed and closed.status == BallotStatus.CLOSED
    # Nothing links a member to a choice any more: no seal, no key, and no Event names a voter.
    assert not Ballot.objects.filter(box=box, seal__isnull=False).exists()
    box.refresh_from_db()
    assert box.key is None
    ballot_events = Event.objects.filter(target_type__model="satisfactionballot", target_id=str(ballot.pk))
    assert [e.verb for e in ballot_events] == ["ballot_open", "close"]
    counts_only = {
        "activity",
        "unit",
        "pass_percent",
        "satisfied",
        "basically",
        "dissatisfied",
        "votes",
        "passed",
    }
    for event in ballot_events:
        assert set(event.payload) <= counts_only and event.actor_id == world["staff"].pk
    # Votes write no Event at all (an Event per vote would join a member to a moment).
    assert not Event.objects.filter(actor__in=voters).exists()
    assert events_verify() == []


def test_below_the_share_the_unit_rectifies_again(world: World):
    target = closed_item(world)
    ballot = services.ballot_open(actor=world["staff"], activity=target.problem.activity, unit=target.unit)
    for voter, choice in zip(
        world.sc_members(4), ["dissatisfied", "dissatisfied", "basically", "satisfied"], strict=True
    ):
        services.ballot_vote(actor=voter, ballot=ballot, choice=choice)
    closed = services.ballot_close(actor=world["staff"], ballot=ballot)
    assert closed.passed is False  # exactly half satisfied: not more than 50 %
    reopened = RectificationItem.objects.get(pk=target.pk)
    assert (
        reopened.status == ItemStatus.OPEN
        and reopened.round == 2
        and reopened.due_rule == "oversight_rerectify"
    )


def test_failing_a_ballot_after_a_report_makes_a_new_item(world: World):
    act = activity(world)
    unit = act.units.get(name="区应急管理局")
    ballot = services.ballot_open(actor=world["staff"], activity=act, unit=unit)
    services.ballot_vote(actor=world.sc_members(1)[0], ballot=ballot, choice="dissatisfied")
    services.ballot_close(actor=world["staff"], ballot=ballot)
    made = RectificationItem.objects.get(problem__activity=act, unit=unit)
    assert made.problem.source == ProblemSource.BALLOT and made.due_rule == "oversight_rerectify"


def test_only_members_vote_and_only_valid_choices(world: World):
    target = closed_item(world)
    ballot = services.ballot_open(actor=world["staff"], activity=target.problem.activity, unit=target.unit)
    with pytest.raises(PermissionDeniedError):
        services.ballot_vote(actor=world["handler"], ballot=ballot, choice="satisfied")
    with pytest.raises(PermissionDeniedError):
        services.ballot_vote(actor=world["deputy"], ballot=ballot, choice="satisfied")
    with pytest.raises(ValidationFailedError):
        services.ballot_vote(actor=world.sc_members(1)[0], ballot=ballot, choice="very")
    with pytest.raises(ValidationFailedError):  # nobody voted yet
        services.ballot_close(actor=world["staff"], ballot=ballot)


def test_vote_page_counts_a_retry_once(world: World):
    target = closed_item(world)
    ballot = services.ballot_open(actor=world["staff"], activity=target.problem.activity, unit=target.unit)
    member = world.sc_members(1)[0]
    client = Client()
    client.force_login(member)
    assert "vote-form" in client.get(f"/oversight/ballots/{ballot.pk}/").content.decode()
    for _attempt in range(2):
        response = client.post(
            f"/oversight/ballots/{ballot.pk}/vote/", {"choice": "satisfied", "client_key": "k-1"}
        )
        assert response.status_code == 302
    assert BallotVoter.objects.filter(box=ballot_box_of(ballot)).count() == 1
    assert Ballot.objects.filter(box=ballot_box_of(ballot)).count() == 1


def test_activity_cannot_close_while_a_ballot_is_open(world: World):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.oversight.files import docx_bytes

    target = closed_item(world)
    act = services.activity_report(
        actor=world["staff"],
        activity=target.problem.activity,
        report=SimpleUploadedFile("报告.docx", docx_bytes("报告")),
        summary="小结",
    )
    services.ballot_open(actor=world["staff"], activity=act, unit=target.unit)
    with pytest.raises(ValidationFailedError):
        services.activity_close(actor=world["staff"], activity=act)
