"""Many participants vote at once, some on the same statement at the same moment: nothing is lost."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from minsheng.deliberation import services
from minsheng.deliberation.models import Participant, Statement, Vote
from minsheng.org.models import BodyKind, JurisdictionLevel, Role
from tests.core.thread_database import ThreadDatabase, threads_with_own_connections
from tests.factories import BodyFactory, JurisdictionFactory, MembershipFactory, PersonFactory, UserFactory


@pytest.fixture
def thread_database(tmp_path: Path) -> Iterator[ThreadDatabase]:
    with threads_with_own_connections(tmp_path) as database:
        yield database


def _arrange() -> tuple[list[int], list[int]]:
    district = JurisdictionFactory(level=JurisdictionLevel.DISTRICT)
    committee = BodyFactory(jurisdiction=district, kind=BodyKind.CPPCC_COMMITTEE)
    person = PersonFactory()
    MembershipFactory(person=person, body=committee, role=Role.STAFF, start=dt.date(2020, 1, 1))
    staff = UserFactory(person=person)
    topic = services.topic_propose(actor=staff, body=committee, title="并发", question="并发投票？")
    topic = services.topic_accept(
        actor=staff, topic=topic, setup=services.TopicSetup(), seeds=["甲", "乙", "丙"]
    )
    topic = services.topic_open(actor=staff, topic=topic)
    people = [
        services.participant_join(topic=topic, verified_phone=f"1390000{n:04d}").participant.pk
        for n in range(6)
    ]
    statements = list(Statement.objects.filter(topic=topic).values_list("pk", flat=True))
    return people, statements


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_are_all_kept_once(thread_database: ThreadDatabase) -> None:
    people, statements = thread_database.run(_arrange)

    def vote_all(participant_pk: int, barrier: threading.Barrier) -> int:
        participant = Participant.objects.get(pk=participant_pk)
        barrier.wait()
        for _round in range(3):
            for statement_pk in statements:
                value = (1, -1, 0)[(participant_pk + statement_pk) % 3]  # both tabs agree
                services.vote_cast(participant=participant, statement_id=statement_pk, value=value)
        return participant_pk

    # Each participant votes from two threads at once (two tabs): the same pairs race.
    barrier = threading.Barrier(len(people) * 2, timeout=20)
    started = [
        thread_database.start(lambda pk=pk: vote_all(pk, barrier)) for pk in people for _tab in range(2)
    ]
    for thread, _outcome in started:
        thread.join(timeout=120)
    assert all("error" not in outcome for _thread, outcome in started), [o for _t, o in started]
    rows = thread_database.run(
        lambda: list(Vote.objects.values_list("participant_id", "statement_id", "value"))
    )
    assert len(rows) == len(people) * len(statements)
    final = {(p, s): (1, -1, 0)[(p + s) % 3] for p in people for s in statements}
    assert {(p, s): v for p, s, v in rows} == final


@pytest.mark.django_db(transaction=True)
def test_racing_tabs_of_one_participant_leave_the_latest_stamped_vote(
    thread_database: ThreadDatabase,
) -> None:
    """Two tabs change the same vote back and forth at once: one row remains, the latest-stamped one."""
    people, statements = thread_database.run(_arrange)
    participant_pk, statement_pk = people[0], statements[0]

    def change_vote(tab: int, barrier: threading.Barrier) -> list[tuple[dt.datetime, int]]:
        participant = Participant.objects.get(pk=participant_pk)
        barrier.wait()
        cast = []
        for round_ in range(20):
            value = (1, -1, 0)[(tab + round_) % 3]
            vote = services.vote_cast(participant=participant, statement_id=statement_pk, value=value)
            cast.append((vote.voted_at, vote.value))
        return cast

    barrier = threading.Barrier(4, timeout=20)
    started = [thread_database.start(lambda tab=tab: change_vote(tab, barrier)) for tab in range(4)]
    for thread, _outcome in started:
        thread.join(timeout=120)
    assert all("error" not in outcome for _thread, outcome in started), [o for _t, o in started]
    cast = [vote for _thread, outcome in started for vote in outcome["value"]]
    rows = thread_database.run(
        lambda: list(Vote.objects.filter(participant_id=participant_pk).values_list("voted_at", "value"))
    )
    assert len(rows) == 1
    latest_at = max(at for at, _value in cast)
    assert rows[0][0] == latest_at
    assert rows[0][1] in {value for at, value in cast if at == latest_at}
