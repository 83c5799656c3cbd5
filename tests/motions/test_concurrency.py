"""Two clerks of the same unit reply to the same item at once: one wins, the other gets a conflict."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.utils import translation

from minsheng.core.errors import ConflictError
from minsheng.core.events import events_for, events_verify
from minsheng.motions import services
from minsheng.motions.models import Assignment, Reply
from minsheng.org.models import User
from tests.conftest import demo_seed_once
from tests.core.thread_database import threads_with_own_connections
from tests.motions.builders import Accounts, assigned


@pytest.fixture
def thread_database(tmp_path):
    with threads_with_own_connections(tmp_path) as database:
        yield database


@pytest.mark.django_db(transaction=True)
def test_two_clerks_reply_at_once_one_wins_the_other_gets_a_conflict(thread_database):
    def arrange() -> tuple[int, int, int]:
        demo_seed_once()
        accounts = Accounts()
        motion = assigned(accounts, with_co=False)
        second = accounts.second_handler()
        return motion.assignments.get().pk, accounts["handler"].pk, second.pk

    assignment_pk, first_clerk, second_clerk = thread_database.run(arrange)
    both_have_read = threading.Barrier(2, timeout=20)

    def attempt(user_pk: int, text: str) -> Callable[[], str]:
        def act() -> str:
            stale = Assignment.objects.select_related("motion").get(pk=assignment_pk)  # both see "pending"
            clerk = User.objects.get(pk=user_pk)
            both_have_read.wait()
            services.assignment_reply(
                actor=clerk, assignment=stale, category="A", text=text, expected_state="pending"
            )
            return text

        return act

    started = [
        thread_database.start(attempt(first_clerk, "第一位办理员的答复")),
        thread_database.start(attempt(second_clerk, "第二位办理员的答复")),
    ]
    for thread, _outcome in started:
        thread.join(timeout=120)
    outcomes = [outcome for _thread, outcome in started]
    winners = [o["value"] for o in outcomes if "value" in o]
    errors = [o["error"] for o in outcomes if "error" in o]
    assert len(winners) == 1, outcomes
    assert len(errors) == 1 and isinstance(errors[0], ConflictError), outcomes
    with translation.override("zh-hans"):
        assert errors[0].message.endswith("请刷新后重试。")

    def observe() -> tuple[list[str], list[str], list[str]]:
        assignment = Assignment.objects.get(pk=assignment_pk)
        replies = list(Reply.objects.filter(assignment=assignment).values_list("text", flat=True))
        verbs = [e.verb for e in events_for(assignment)]
        return replies, verbs, events_verify()

    replies, verbs, problems = thread_database.run(observe)
    assert replies == winners, "exactly the winner's reply is kept; nothing half-saved"
    assert verbs.count("reply") == 1
    assert problems == []
