"""Filing numbers (建议第12号): handed out once each, in order per term and kind, whatever was deleted,
bulk-loaded or filed at the same moment."""

from __future__ import annotations

import pytest
from django.db import connection

from minsheng.core.events import events_verify
from minsheng.core.models import NumberSequence
from minsheng.motions import services
from minsheng.motions.models import Motion, MotionKind
from minsheng.org.models import User
from tests.conftest import demo_seed_once
from tests.core.thread_database import threads_with_own_connections
from tests.motions.builders import Accounts, filed, office, submitted


def _serial(number: str) -> int:
    return int(number.removeprefix("建议第").removesuffix("号"))


@pytest.mark.django_db
def test_a_deleted_filed_item_does_not_make_the_next_number_clash(accounts):
    first = filed(accounts)
    second = filed(accounts)
    assert _serial(second.number) == _serial(first.number) + 1
    Motion.objects.filter(pk=first.pk).delete()  # e.g. removed in the admin: a gap in the numbers
    third = filed(accounts)
    # Counting the numbered items would hand out the second item's number again (a 500 at the
    # unique constraint); the number after the highest ever given is the right one, and gaps stay.
    assert _serial(third.number) == _serial(second.number) + 1


@pytest.mark.django_db
def test_numbers_continue_after_the_highest_already_given(accounts):
    earlier = filed(accounts)
    later = submitted(accounts, kind=MotionKind.PROPOSAL)  # the other kind keeps its own numbers
    # Items numbered by hand or loaded in bulk, beyond the sequence: the sequence row is made on the
    # first filing of a term and kind, after the highest number found then.
    Motion.objects.filter(pk=earlier.pk).update(number="建议第41号")
    NumberSequence.objects.all().delete()
    assert filed(accounts).number == "建议第42号"
    assert services.motion_file(actor=office(accounts, later), motion=later).number.startswith("提案第")


@pytest.fixture
def thread_database(tmp_path):
    with threads_with_own_connections(tmp_path) as database:
        yield database


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises write transactions")
@pytest.mark.django_db(transaction=True)
def test_reviewers_filing_at_the_same_moment_get_distinct_numbers(thread_database):
    def arrange() -> tuple[list[int], int]:
        demo_seed_once()
        accounts = Accounts()
        items = [submitted(accounts, title=f"关于第{n}个路口增设信号灯的建议") for n in range(6)]
        return [item.pk for item in items], office(accounts, items[0]).pk

    motion_pks, reviewer_pk = thread_database.run(arrange)

    def file(pk: int):
        def act() -> Motion:
            reviewer = User.objects.get(pk=reviewer_pk)
            return services.motion_file(actor=reviewer, motion=Motion.objects.get(pk=pk))

        return act

    started = [thread_database.start(file(pk)) for pk in motion_pks]
    for thread, _outcome in started:
        thread.join(timeout=120)
    outcomes = [outcome for _thread, outcome in started]
    assert all("error" not in outcome for outcome in outcomes), outcomes
    serials = sorted(_serial(outcome["value"].number) for outcome in outcomes)
    assert serials == list(range(serials[0], serials[0] + len(motion_pks)))
    assert thread_database.run(events_verify) == []
