"""Two clerks act on the same voice at once: one wins, the other gets a clear conflict, nothing is lost."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from minsheng.core.errors import ConflictError
from minsheng.core.events import events_for, events_verify
from minsheng.org.demo import demo_seed
from minsheng.org.models import Unit, User
from minsheng.voices.models import Voice, VoiceChannel, WorkOrder
from minsheng.voices.services import voice_create, voice_forward
from tests.conftest import demo_seed_once
from tests.core.thread_database import ThreadDatabase, threads_with_own_connections


@pytest.fixture
def thread_database(tmp_path, transactional_db) -> Iterator[ThreadDatabase]:
    # On PostgreSQL the threads share the test database: the district must be there (an earlier
    # transactional test may have flushed it); on SQLite ``prepare`` seeds the threads' own file.
    demo_seed_once()
    with threads_with_own_connections(tmp_path, prepare=demo_seed) as database:
        yield database


@pytest.mark.django_db(transaction=True)
def test_two_clerks_forward_the_same_voice(thread_database):
    def arrange() -> int:
        voice = voice_create(
            actor=AnonymousUser(),
            channel=VoiceChannel.WEB,
            text="路口积水严重，车辆无法通行。",
            phone="13912345678",
        )
        return voice.pk

    voice_pk = thread_database.run(arrange)
    both_have_read = threading.Barrier(2, timeout=10)

    def attempt(username: str, unit_name: str) -> Callable[[], str]:
        def act() -> str:
            stale = Voice.objects.select_related("jurisdiction").get(pk=voice_pk)
            clerk = User.objects.get(username=username)
            unit = Unit.objects.get(name=unit_name)
            both_have_read.wait()
            voice_forward(actor=clerk, voice=stale, unit=unit, expected_state=stale.status)
            return unit_name

        return act

    started = [
        thread_database.start(attempt("staff", "区交通运输局")),
        thread_database.start(attempt("admin", "区城市管理局")),  # both route voices to deputies
    ]
    for thread, _outcome in started:
        thread.join(timeout=60)
    outcomes = [outcome for _thread, outcome in started]
    winners = [outcome["value"] for outcome in outcomes if "value" in outcome]
    errors = [outcome["error"] for outcome in outcomes if "error" in outcome]
    assert len(winners) == 1, outcomes
    assert len(errors) == 1 and isinstance(errors[0], ConflictError), outcomes
    with translation.override("zh-hans"):
        assert "已被他人修改" in errors[0].message

    def observe() -> tuple[str, list[str], list[str], list[str]]:
        voice = Voice.objects.get(pk=voice_pk)
        orders = list(WorkOrder.objects.filter(voice=voice).values_list("unit__name", flat=True))
        return voice.status, [e.verb for e in events_for(voice)], orders, events_verify()

    status, verbs, orders, problems = thread_database.run(observe)
    assert status == "forwarded"
    assert verbs == ["create", "forward"]
    assert orders == winners  # the winner's work order, and only it
    assert problems == []
