"""Two reviewers at once, one unit reporting twice at once: one wins, the other gets a conflict."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from minsheng.core.errors import ConflictError, DomainError
from minsheng.core.events import events_verify
from minsheng.org.models import User
from minsheng.oversight import services
from minsheng.oversight.models import ProgressReport, RectificationItem
from tests.conftest import demo_seed_once
from tests.core.thread_database import threads_with_own_connections
from tests.oversight.builders import World, activity, item, team_user


@pytest.fixture
def thread_database(tmp_path):
    with threads_with_own_connections(tmp_path) as database:
        yield database


def _race(thread_database, attempts: list[Callable[[], str]]) -> tuple[list[str], list[Exception]]:
    started = [thread_database.start(attempt) for attempt in attempts]
    for thread, _outcome in started:
        thread.join(timeout=120)
    outcomes = [outcome for _thread, outcome in started]
    return [o["value"] for o in outcomes if "value" in o], [o["error"] for o in outcomes if "error" in o]


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_accept_and_send_back_at_once(thread_database):
    def arrange() -> tuple[int, int, int]:
        demo_seed_once()
        world = World()
        act = activity(world)
        target = item(world, act=act)
        services.item_report(actor=world["handler"], item=target, text="已完成。", is_final=True)
        return target.pk, world["staff"].pk, team_user(world, act).pk

    item_pk, staff_pk, team_pk = thread_database.run(arrange)
    both_have_read = threading.Barrier(2, timeout=20)

    def review(user_pk: int, accept: bool) -> Callable[[], str]:
        def act() -> str:
            stale = RectificationItem.objects.get(pk=item_pk)  # both see "under_review"
            user = User.objects.get(pk=user_pk)
            both_have_read.wait()
            services.item_review(
                actor=user,
                item=stale,
                accept=accept,
                reason="" if accept else "请补充",
                expected_state="under_review",
            )
            return "accepted" if accept else "sent back"

        return act

    winners, errors = _race(thread_database, [review(staff_pk, True), review(team_pk, False)])
    assert len(winners) == 1 and len(errors) == 1
    assert isinstance(errors[0], DomainError)

    def check() -> tuple[str, list[str]]:
        current = RectificationItem.objects.get(pk=item_pk)
        return current.status, list(
            ProgressReport.objects.filter(item=current).values_list("status", flat=True)
        )

    status, reports = thread_database.run(check)
    assert (status, reports) in [("closed", ["accepted"]), ("open", ["sent_back"])]
    assert thread_database.run(events_verify) == []


@pytest.mark.django_db(transaction=True)
def test_two_clerks_report_at_once_one_report_is_kept(thread_database):
    def arrange() -> tuple[int, int]:
        demo_seed_once()
        world = World()
        return item(world).pk, world["handler"].pk

    item_pk, clerk_pk = thread_database.run(arrange)
    both_have_read = threading.Barrier(2, timeout=20)

    def report(text: str) -> Callable[[], str]:
        def act() -> str:
            stale = RectificationItem.objects.get(pk=item_pk)
            clerk = User.objects.get(pk=clerk_pk)
            both_have_read.wait()
            services.item_report(actor=clerk, item=stale, text=text, expected_state="open")
            return text

        return act

    winners, errors = _race(thread_database, [report("第一份报告"), report("第二份报告")])
    assert len(winners) == 1 and len(errors) == 1 and isinstance(errors[0], ConflictError)
    texts = thread_database.run(
        lambda: list(ProgressReport.objects.filter(item_id=item_pk).values_list("text", flat=True))
    )
    assert texts == winners
