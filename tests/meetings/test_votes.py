"""Ballots: who may vote, each refusal in Chinese with nothing saved; changing; retries; results."""

from __future__ import annotations

import pytest
from django.utils import translation

from minsheng.core.ballots import AlreadyVotedError, BallotBoxClosedError
from minsheng.core.errors import DomainError, PermissionDeniedError, ValidationFailedError
from minsheng.core.models import Ballot, BallotVoter, Event, NamedBallot
from minsheng.meetings import services
from minsheng.meetings.models import ItemKind, MeetingKind, Poll, PollKind, PollStatus
from tests.meetings.conftest import World

pytestmark = pytest.mark.django_db


def zh(error: DomainError) -> str:
    with translation.override("zh-hans"):
        return error.message


def _ballots() -> tuple[int, int, int, int]:
    return (
        BallotVoter.objects.count(),
        Ballot.objects.count(),
        NamedBallot.objects.count(),
        Event.objects.count(),
    )


@pytest.fixture
def open_poll(world: World) -> Poll:
    meeting = world.in_session(world.meeting(), present=world.deputies[:7])
    return services.poll_open(actor=world.chair, poll=world.decision(meeting))


def test_each_refusal_is_clear_and_saves_nothing(world: World, open_poll: Poll) -> None:
    meeting = open_poll.meeting
    # 列席: a department head attends without a vote.
    guest = world.outsider
    services.attendee_add(actor=world.staff, meeting=meeting, person=guest.person, capacity="区财政局局长")
    absent = world.deputies[8]  # on the roster, not signed in
    cases = [
        (world.cppcc_members[0], PermissionDeniedError, "您不在本次会议的出席名单中，不能表决。"),
        (guest, PermissionDeniedError, "列席人员不参加表决。"),
        (absent, PermissionDeniedError, "请先签到再表决。"),
    ]
    before = _ballots()
    for user, error, message in cases:
        with pytest.raises(error) as refused:
            services.ballot_submit(actor=user, poll_id=open_poll.pk, choice="yes")
        assert zh(refused.value) == message
    assert _ballots() == before
    with pytest.raises(ValidationFailedError) as bad:
        services.ballot_submit(actor=world.deputies[0], poll_id=open_poll.pk, choice="maybe")
    assert zh(bad.value) == "请选择赞成、反对或弃权。"
    assert _ballots() == before


def test_a_member_on_leave_cannot_vote(world: World) -> None:
    meeting = services.meeting_notify(actor=world.staff, meeting=world.meeting())
    member = world.deputies[8]
    seat = services.leave_request(actor=member, meeting=meeting, reason="住院治疗")
    services.leave_decide(actor=world.staff, attendee=seat, approve=True)
    meeting = services.meeting_open(actor=world.staff, meeting=meeting)
    for user in world.deputies[:7]:
        services.attendee_sign_in(actor=user, meeting=meeting)
    poll = services.poll_open(actor=world.chair, poll=world.decision(meeting))
    with pytest.raises(PermissionDeniedError) as refused:
        services.ballot_submit(actor=member, poll_id=poll.pk, choice="yes")
    assert zh(refused.value) == "您已请假，不能表决。"
    assert not BallotVoter.objects.exists()


def test_before_opening_and_after_closing_no_ballot_counts(world: World) -> None:
    meeting = world.in_session(world.meeting(), present=world.deputies[:7])
    poll = world.decision(meeting)
    with pytest.raises(DomainError):
        services.ballot_submit(actor=world.deputies[0], poll_id=poll.pk, choice="yes")
    poll = services.poll_open(actor=world.chair, poll=poll)
    services.ballot_submit(actor=world.deputies[0], poll_id=poll.pk, choice="yes")
    poll = services.poll_close(actor=world.chair, poll=poll)
    before = _ballots()
    with pytest.raises(BallotBoxClosedError) as late:
        services.ballot_submit(actor=world.deputies[1], poll_id=poll.pk, choice="yes")
    assert zh(late.value) == "表决已结束，本张选票未计入。"
    assert _ballots() == before


def test_a_ballot_may_be_changed_until_the_close_and_counts_once(world: World, open_poll: Poll) -> None:
    member = world.deputies[2]
    first = services.ballot_submit(actor=member, poll_id=open_poll.pk, choice="no", client_key="a1")
    assert first.first and first.may_change
    services.ballot_submit(actor=member, poll_id=open_poll.pk, choice="yes", client_key="a2")
    assert services.ballot_submit(actor=member, poll_id=open_poll.pk, choice="no", client_key="a1").replayed
    poll = services.poll_close(actor=world.chair, poll=open_poll)
    assert (poll.result["yes"], poll.result["no"], poll.cast_count) == (1, 0, 1)


def test_a_second_ballot_is_refused_where_changes_are_not_allowed(world: World) -> None:
    meeting = world.in_session(world.meeting(), present=world.deputies[:7])
    poll = services.poll_open(actor=world.chair, poll=world.decision(meeting, allow_change=False))
    services.ballot_submit(actor=world.deputies[0], poll_id=poll.pk, choice="yes", client_key="k")
    with pytest.raises(AlreadyVotedError) as again:
        services.ballot_submit(actor=world.deputies[0], poll_id=poll.pk, choice="no", client_key="k2")
    assert zh(again.value) == "您已在本次表决中投票，本次表决不允许修改选票。"
    assert services.ballot_submit(
        actor=world.deputies[0], poll_id=poll.pk, choice="yes", client_key="k"
    ).replayed
    assert services.poll_close(actor=world.chair, poll=poll).result["yes"] == 1


def test_the_pass_rule_counts_all_members_by_default(world: World) -> None:
    """5 of 9 members present (quorum 2/3 → 6 needed): after 6 sign in, 4 for is not a majority of 9."""
    meeting = world.in_session(world.meeting(), present=world.deputies[:6])
    poll = services.poll_open(actor=world.chair, poll=world.decision(meeting))
    for user, value in zip(world.deputies[:6], ["yes"] * 4 + ["no", "abstain"], strict=True):
        services.ballot_submit(actor=user, poll_id=poll.pk, choice=value)
    poll = services.poll_close(actor=world.chair, poll=poll)
    assert poll.passed is False and poll.result["needed"] == 5
    # The same count passes under a rule on those present (4 of 6 > 1/2).
    from minsheng.meetings.counting import PassRule

    other = world.decision(meeting, title="程序性决定", rule=PassRule("present", 1, 2, True))
    other = services.poll_open(actor=world.chair, poll=other)
    for user, value in zip(world.deputies[:6], ["yes"] * 4 + ["no", "abstain"], strict=True):
        services.ballot_submit(actor=user, poll_id=other.pk, choice=value)
    assert services.poll_close(actor=world.chair, poll=other).passed is True


def test_named_polls_keep_a_roll_call_and_secret_ones_do_not(world: World) -> None:
    meeting = world.in_session(world.meeting(), present=world.deputies[:7])
    named = services.poll_open(actor=world.chair, poll=world.decision(meeting, secret=False))
    assert not named.secret
    services.ballot_submit(actor=world.deputies[3], poll_id=named.pk, choice="no")
    from minsheng.meetings import selectors

    progress = selectors.poll_progress(Poll.objects.get(pk=named.pk))
    assert progress.voted == 1 and progress.not_voted == 6 and len(progress.not_voted_names or []) == 6
    named = services.poll_close(actor=world.chair, poll=named)
    roll = dict((seat.person_id, choice) for seat, choice in selectors.roll_call(named))
    assert roll[world.deputies[3].person_id] == "no" and roll[world.deputies[4].person_id] is None
    secret = services.poll_open(actor=world.chair, poll=world.decision(meeting, title="第二项"))
    services.ballot_submit(actor=world.deputies[3], poll_id=secret.pk, choice="no")
    assert selectors.poll_progress(Poll.objects.get(pk=secret.pk)).not_voted_names is None
    assert selectors.roll_call(services.poll_close(actor=world.chair, poll=secret)) == []


def test_show_of_hands_is_a_fallback_with_counts_checked(world: World) -> None:
    meeting = world.in_session(world.meeting(), present=world.deputies[:7])
    poll = world.decision(meeting)
    with pytest.raises(ValidationFailedError) as too_many:
        services.show_of_hands_record(actor=world.staff, poll=poll, yes=6, no=1, abstain=1)
    assert zh(too_many.value) == "举手合计8票，但实到只有7人。"
    with pytest.raises(PermissionDeniedError):
        services.show_of_hands_record(actor=world.deputies[6], poll=poll, yes=6, no=1, abstain=0)
    poll = services.show_of_hands_record(actor=world.staff, poll=poll, yes=6, no=1, abstain=0)
    assert poll.status == PollStatus.CLOSED and poll.method == "show_of_hands" and poll.passed


def test_elections_are_always_secret(world: World) -> None:
    meeting = world.in_session(world.meeting(), present=world.deputies[:7])
    item = services.item_add(actor=world.staff, meeting=meeting, kind=ItemKind.ELECTION, title="选举副主任")
    data = services.PollIn(
        title="选举副主任",
        kind=PollKind.ELECTION,
        secret=False,
        nominees=[
            services.NomineeIn(name="甲", office="副主任"),
            services.NomineeIn(name="乙", office="副主任"),
        ],
    )
    assert services.poll_create(actor=world.staff, item=item, data=data).secret is True
    with pytest.raises(ValidationFailedError):
        services.poll_create(
            actor=world.staff, item=item, data=services.PollIn(title="x", kind=PollKind.APPOINTMENT)
        )


def test_a_cppcc_plenary_is_run_by_cppcc_staff(world: World) -> None:
    plenary = world.meeting(kind=MeetingKind.CPPCC_PLENARY, title="政协十五届四次全会")
    with pytest.raises(PermissionDeniedError):
        services.meeting_notify(actor=world.staff, meeting=plenary)
    plenary = services.meeting_notify(actor=world.cppcc_staff, meeting=plenary)
    assert plenary.attendees.count() == 5
