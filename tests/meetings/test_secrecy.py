"""Secret polls: no table, Event, log line, export or query joins a member to a choice."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from minsheng.core.models import Ballot, BallotBox, BallotVoter, Event, NamedBallot
from minsheng.meetings import selectors, services
from minsheng.meetings.models import Poll
from tests.core.thread_database import ThreadDatabase, threads_with_own_connections
from tests.meetings.conftest import World, build_world
from tests.meetings.test_api import bearer, post

pytestmark = pytest.mark.django_db

PEOPLE_MODELS = {"org.Person", "org.User", "meetings.Attendee"}
CHOICE_WORDS = ("yes", "no", "abstain", "赞成", "反对", "弃权")


def _voter_fields(model: type[models.Model]) -> list[str]:
    """Fields that could name a person or an account: relations to them, or a *voter*/*person* integer."""
    names = []
    for field in model._meta.concrete_fields:
        related = getattr(field, "related_model", None)
        points_at_people = related is not None and related._meta.label in PEOPLE_MODELS
        if points_at_people or any(word in field.name for word in ("voter", "person", "user", "member")):
            names.append(field.name)
    return names


def test_no_table_holds_both_a_voter_and_a_secret_choice() -> None:
    """Every model of the platform with a *choice* column: only Ballot (no voter) and NamedBallot (named
    polls only, on purpose) hold ballots; Ballot has no voter and no time."""
    with_choice = {
        model._meta.label
        for model in apps.get_models()
        if any(field.name == "choice" for field in model._meta.concrete_fields)
    }
    assert with_choice == {"core.Ballot", "core.NamedBallot"}
    assert _voter_fields(Ballot) == []
    assert not any(
        isinstance(f, models.DateTimeField | models.DateField) for f in Ballot._meta.concrete_fields
    )
    assert _voter_fields(BallotVoter) == ["voter_id"]
    assert not any(f.name == "choice" for f in BallotVoter._meta.concrete_fields)


def test_a_secret_vote_leaves_no_join_in_events_logs_exports_or_queries(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    meeting = world.in_session(world.meeting(), present=world.deputies[:7])
    poll = services.poll_open(actor=world.chair, poll=world.decision(meeting))
    clients = [bearer(user) for user in world.deputies[:7]]
    opened = Event.objects.order_by("-seq").first()
    assert opened is not None
    choices = ["yes", "yes", "no", "abstain", "yes", "no", "yes"]
    with caplog.at_level(logging.DEBUG):
        for client, choice in zip(clients, choices, strict=True):
            assert post(client, f"/polls/{poll.pk}/ballot", {"choice": choice}).status_code == 200
        post(clients[2], f"/polls/{poll.pk}/ballot", {"choice": "yes"})  # a change of mind
    # Logs: nothing written while members voted says what anyone voted.
    for record in caplog.records:
        text = record.getMessage()
        assert not any(word in text for word in CHOICE_WORDS), text
    # Events: no Event at all while the poll was open (votes write none).
    assert not Event.objects.filter(seq__gt=opened.seq).exists()
    closed = services.poll_close(actor=world.chair, poll=Poll.objects.get(pk=poll.pk))
    close_event = Event.objects.order_by("-seq").first()
    assert close_event is not None and close_event.verb == "close"
    assert set(close_event.payload) == {"entitled", "present", "cast", "passed", "result"}
    assert set(close_event.payload["result"]) == {"needed", "base", "yes", "no", "abstain", "not_voting"}
    # The database: the key is gone, the choice rows carry no seal, who voted stays apart.
    box = BallotBox.objects.get(pk=closed.box_id)
    assert box.key is None
    assert list(Ballot.objects.filter(box=box).values_list("seal", flat=True)) == [None] * 7
    assert sorted(Ballot.objects.filter(box=box).values_list("choice", flat=True)) == sorted(
        ['"yes"'] * 5 + ['"no"', '"abstain"']
    )
    assert not NamedBallot.objects.filter(box=box).exists()
    # Queries: no member can learn their own choice any more, and no one else's.
    for user in world.deputies[:7]:
        assert selectors.my_ballot(user, closed) is None
        assert clients[0].get(f"/api/meetings/polls/{poll.pk}/ballot").json()["choice"] is None
    # Exports: no roll call of a secret poll; the minutes hold counts only.
    staff = Client()
    staff.force_login(world.staff)
    assert staff.get(f"/meetings/polls/{poll.pk}/roll-call.xlsx").status_code == 404
    assert staff.get(f"/meetings/{meeting.pk}/minutes.docx").status_code == 200


# Concurrency -------------------------------------------------------------------------------------


@pytest.fixture
def thread_database(tmp_path: Path) -> Iterator[ThreadDatabase]:
    with threads_with_own_connections(tmp_path) as database:
        yield database


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_casting_the_same_members_ballot_leave_one_ballot(
    thread_database: ThreadDatabase,
) -> None:
    def arrange() -> tuple[int, int, int]:
        world = build_world()
        meeting = world.in_session(world.meeting(), present=world.deputies[:7])
        poll = services.poll_open(actor=world.chair, poll=world.decision(meeting))
        return poll.pk, world.deputies[0].pk, meeting.pk

    poll_id, user_id, _meeting_id = thread_database.run(arrange)
    barrier = threading.Barrier(20, timeout=20)

    def cast(n: int) -> Any:
        from minsheng.org.models import User

        user = User.objects.get(pk=user_id)
        barrier.wait()
        return services.ballot_submit(
            actor=user, poll_id=poll_id, choice=("yes", "no", "abstain")[n % 3], client_key=f"phone-{n % 4}"
        )

    started = [thread_database.start(lambda n=n: cast(n)) for n in range(20)]
    for thread, _outcome in started:
        thread.join(timeout=60)
    assert all("error" not in outcome for _t, outcome in started), [o.get("error") for _t, o in started]
    assert sum(1 for _t, outcome in started if outcome["value"].first) == 1

    def stored() -> tuple[int, int]:
        box_id = Poll.objects.get(pk=poll_id).box_id
        return BallotVoter.objects.filter(box_id=box_id).count(), Ballot.objects.filter(box_id=box_id).count()

    assert thread_database.run(stored) == (1, 1)
