"""Secret ballots (core.ballots): changeable while open, unlinkable once closed, counted once."""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import translation

from minsheng.core.ballots import (
    AlreadyVotedError,
    BallotBoxClosedError,
    ballot_box_close,
    ballot_box_open,
    ballot_cast,
    ballot_choices,
    ballot_of,
    ballot_voter_count,
    ballot_voter_ids,
    choice_text,
    named_ballots,
)
from minsheng.core.errors import NotFoundError, ValidationFailedError
from minsheng.core.models import Ballot, BallotBox, BallotReceipt, BallotVoter, Event, NamedBallot
from tests.core.thread_database import ThreadDatabase, threads_with_own_connections
from tests.factories import JurisdictionFactory

pytestmark = pytest.mark.django_db


def _box(*, secret: bool = True) -> BallotBox:
    poll = JurisdictionFactory()  # any model instance stands for "the poll"
    with transaction.atomic():
        return ballot_box_open(poll=poll, secret=secret)


def _close(box: BallotBox) -> BallotBox:
    with transaction.atomic():
        return ballot_box_close(box_id=box.pk)


def test_a_voter_may_change_the_ballot_while_the_box_is_open() -> None:
    box = _box()
    assert ballot_cast(box_id=box.pk, voter_id=7, choice="yes").first
    assert not ballot_cast(box_id=box.pk, voter_id=7, choice="no").first
    ballot_cast(box_id=box.pk, voter_id=8, choice="abstain")
    assert ballot_of(box=BallotBox.objects.get(pk=box.pk), voter_id=7) == "no"
    assert Counter(ballot_choices(box_id=box.pk)) == {"no": 1, "abstain": 1}
    assert ballot_voter_count(box_id=box.pk) == 2
    assert ballot_voter_ids(box_id=box.pk) == {7, 8}


def test_a_retried_submission_counts_once_even_after_a_change() -> None:
    box = _box()
    ballot_cast(box_id=box.pk, voter_id=7, choice="yes", client_key="k1")
    ballot_cast(box_id=box.pk, voter_id=7, choice="no", client_key="k2")
    # The first submission's retry arrives late (a bad connection): it must not undo the change.
    result = ballot_cast(box_id=box.pk, voter_id=7, choice="yes", client_key="k1")
    assert result.replayed
    assert ballot_choices(box_id=box.pk) == ["no"]
    assert BallotVoter.objects.filter(box=box).count() == 1
    # Another voter using the same client key is not taken for a retry.
    assert not ballot_cast(box_id=box.pk, voter_id=8, choice="yes", client_key="k1").replayed


def test_without_changes_a_second_ballot_is_refused_and_nothing_is_saved() -> None:
    box = _box()
    ballot_cast(box_id=box.pk, voter_id=7, choice="yes", allow_change=False, client_key="a")
    receipts = BallotReceipt.objects.count()
    with pytest.raises(AlreadyVotedError) as refused:
        ballot_cast(box_id=box.pk, voter_id=7, choice="no", allow_change=False, client_key="b")
    with translation.override("zh-hans"):
        assert refused.value.message == "您已在本次表决中投票，本次表决不允许修改选票。"
    assert ballot_choices(box_id=box.pk) == ["yes"]
    assert BallotReceipt.objects.count() == receipts
    # The retry of the accepted ballot is still answered as counted.
    assert ballot_cast(box_id=box.pk, voter_id=7, choice="yes", allow_change=False, client_key="a").replayed


def test_a_closed_box_takes_no_ballot_and_a_missing_box_is_not_found() -> None:
    box = _close(_box())
    with pytest.raises(BallotBoxClosedError):
        ballot_cast(box_id=box.pk, voter_id=1, choice="yes")
    assert not BallotVoter.objects.filter(box=box).exists()
    with pytest.raises(BallotBoxClosedError):
        _close(box)
    with pytest.raises(NotFoundError):
        ballot_cast(box_id=box.pk + 1000, voter_id=1, choice="yes")


def test_bad_choices_are_refused() -> None:
    box = _box()
    with pytest.raises(ValidationFailedError):
        ballot_cast(box_id=box.pk, voter_id=1, choice="x" * 5000)
    with pytest.raises(ValidationFailedError):
        ballot_cast(box_id=box.pk, voter_id=1, choice={1, 2})
    with pytest.raises(ValidationFailedError):
        ballot_cast(box_id=box.pk, voter_id=1, choice="yes", client_key="k" * 65)
    assert not BallotVoter.objects.filter(box=box).exists()
    assert choice_text({"b": 1, "a": "赞成"}) == '{"a":"赞成","b":1}'


def test_closing_destroys_the_key_and_every_link_between_voters_and_choices() -> None:
    box = _box()
    voters = list(range(1000, 1300))
    for voter in voters:  # each choice unique, so the row order would show any leftover link
        ballot_cast(box_id=box.pk, voter_id=voter, choice={"n": voter}, client_key=f"c{voter}")
    sealed_before = set(Ballot.objects.filter(box=box).values_list("seal", flat=True))
    assert None not in sealed_before

    closed = _close(box)

    fresh = BallotBox.objects.get(pk=box.pk)
    assert fresh.key is None and fresh.closed_at is not None and fresh.ballots_at_close == len(voters)
    assert ballot_of(box=fresh, voter_id=voters[0]) is None
    rows = list(Ballot.objects.filter(box=closed).order_by("id").values_list("seal", "choice"))
    assert all(seal is None for seal, _choice in rows)
    assert not BallotReceipt.objects.filter(box=box).exists()
    # The choices are all there, and their order is not the order the voters voted in.
    by_row = [json.loads(choice)["n"] for _seal, choice in rows]
    assert sorted(by_row) == voters
    assert by_row != voters and by_row != voters[::-1]
    voter_rows = list(BallotVoter.objects.filter(box=box).order_by("id").values_list("voter_id", flat=True))
    assert voter_rows == voters  # who voted is kept, apart
    assert by_row != voter_rows


def test_the_schema_gives_a_secret_choice_no_voter_and_no_time() -> None:
    """The choice table has no column that could hold a voter or a moment; the voter table no choice."""
    with connection.cursor() as cursor:
        ballot_columns = {
            c.name for c in connection.introspection.get_table_description(cursor, Ballot._meta.db_table)
        }
        voter_columns = {
            c.name for c in connection.introspection.get_table_description(cursor, BallotVoter._meta.db_table)
        }
        relations = connection.introspection.get_relations(cursor, Ballot._meta.db_table)
    assert ballot_columns == {"id", "box_id", "seal", "choice"}
    assert voter_columns == {"id", "box_id", "voter_id"}
    assert {target for _column, (_field, target) in relations.items()} == {BallotBox._meta.db_table}
    for model in (Ballot, BallotVoter):
        kinds = {field.get_internal_type() for field in model._meta.concrete_fields}
        assert not kinds & {"DateTimeField", "DateField", "TimeField"}, model


def test_named_polls_keep_the_roll_call() -> None:
    box = _box(secret=False)
    assert box.key is None
    ballot_cast(box_id=box.pk, voter_id=5, choice="yes", client_key="x")
    ballot_cast(box_id=box.pk, voter_id=6, choice="no")
    ballot_cast(box_id=box.pk, voter_id=5, choice="abstain")
    assert ballot_cast(box_id=box.pk, voter_id=5, choice="yes", client_key="x").replayed
    _close(box)
    assert named_ballots(box_id=box.pk) == {5: "abstain", 6: "no"}
    assert not Ballot.objects.filter(box=box).exists()
    assert NamedBallot.objects.filter(box=box).count() == 2


def test_casting_writes_no_event_and_no_log_line(caplog: pytest.LogCaptureFixture) -> None:
    box = _box()
    events = Event.objects.count()
    with caplog.at_level(logging.DEBUG):
        for voter in range(20):
            ballot_cast(box_id=box.pk, voter_id=voter, choice="yes" if voter % 2 else "no")
        _close(box)
    assert Event.objects.count() == events
    assert [r for r in caplog.records if r.name.startswith("minsheng")] == []


@pytest.mark.django_db(transaction=True)
def test_open_and_close_must_run_inside_the_poll_transaction() -> None:
    with pytest.raises(RuntimeError):
        ballot_box_open(poll=JurisdictionFactory())
    box = _box()
    with pytest.raises(RuntimeError):
        ballot_box_close(box_id=box.pk)


@pytest.fixture
def thread_database(tmp_path: Path) -> Iterator[ThreadDatabase]:
    with threads_with_own_connections(tmp_path) as database:
        yield database


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_casting_the_same_voters_ballot_leave_one_ballot(
    thread_database: ThreadDatabase,
) -> None:
    def arrange() -> int:
        poll = JurisdictionFactory()
        with transaction.atomic():
            return ballot_box_open(poll=poll).pk

    box_id = thread_database.run(arrange)
    barrier = threading.Barrier(20, timeout=20)

    def cast(n: int) -> bool:
        barrier.wait()
        return ballot_cast(
            box_id=box_id, voter_id=42, choice="yes" if n % 2 else "no", client_key=f"tab{n % 3}"
        ).first

    started = [thread_database.start(lambda n=n: cast(n)) for n in range(20)]
    for thread, _outcome in started:
        thread.join(timeout=60)
    assert all("error" not in outcome for _t, outcome in started), [o for _t, o in started]
    assert sum(1 for _t, outcome in started if outcome["value"]) == 1  # exactly one was the first

    def counts() -> tuple[int, int]:
        return (
            BallotVoter.objects.filter(box_id=box_id).count(),
            Ballot.objects.filter(box_id=box_id).count(),
        )

    assert thread_database.run(counts) == (1, 1)
