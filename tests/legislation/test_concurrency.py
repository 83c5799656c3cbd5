"""Two people act on the same task at once: one wins, the other is refused, nothing is lost."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from minsheng.core.errors import ConflictError, DomainError
from minsheng.core.events import events_for, events_verify
from minsheng.legislation import services
from minsheng.legislation.models import ConsultationTask, Opinion, TaskStatus
from minsheng.legislation.sample import SAMPLE_DRAFT
from minsheng.org.models import BodyKind, JurisdictionLevel, Role, User
from tests.core.thread_database import ThreadDatabase, threads_with_own_connections
from tests.factories import BodyFactory, JurisdictionFactory, MembershipFactory, PersonFactory, UserFactory


@pytest.fixture
def thread_database(tmp_path: Path) -> Iterator[ThreadDatabase]:
    with threads_with_own_connections(tmp_path) as database:
        yield database


def _arrange() -> tuple[int, int, int]:
    district = JurisdictionFactory(level=JurisdictionLevel.DISTRICT)
    point = BodyFactory(jurisdiction=district, kind=BodyKind.LEGISLATIVE_CONTACT_POINT)
    person = PersonFactory()
    MembershipFactory(person=person, body=point, role=Role.STAFF, start=dt.date(2020, 1, 1))
    staff = UserFactory(person=person)
    resident = UserFactory()
    task = services.task_create(
        actor=staff, contact_point=point, title="并发测试条例（草案）", issuing_body="省人大常委会法工委",
        received_on=timezone.localdate(), draft=services.draft_read(text=SAMPLE_DRAFT),
    )  # fmt: skip
    services.task_advance(actor=staff, task=task, action="open")
    return task.pk, staff.pk, resident.pk


def _race(database: ThreadDatabase, *attempts: Callable[[threading.Barrier], Any]) -> list[dict[str, Any]]:
    barrier = threading.Barrier(len(attempts), timeout=10)
    started = [database.start(lambda attempt=attempt: attempt(barrier)) for attempt in attempts]
    for thread, _outcome in started:
        thread.join(timeout=60)
    return [outcome for _thread, outcome in started]


@pytest.mark.django_db(transaction=True)
def test_two_staff_close_at_once(thread_database: ThreadDatabase) -> None:
    task_pk, staff_pk, _resident_pk = thread_database.run(_arrange)

    def close(barrier: threading.Barrier) -> str:
        stale = ConsultationTask.objects.get(pk=task_pk)
        staff = User.objects.get(pk=staff_pk)
        barrier.wait()
        services.task_advance(actor=staff, task=stale, action="close", expected_state=TaskStatus.CONSULTING)
        return "closed"

    outcomes = _race(thread_database, close, close)
    assert sorted("value" in o for o in outcomes) == [False, True], outcomes
    assert isinstance(next(o["error"] for o in outcomes if "error" in o), ConflictError)

    def observe() -> tuple[str, list[str], list[str]]:
        task = ConsultationTask.objects.get(pk=task_pk)
        return task.status, [e.verb for e in events_for(task)], events_verify()

    status, verbs, problems = thread_database.run(observe)
    assert status == TaskStatus.SORTING and verbs.count("close") == 1 and problems == []


@pytest.mark.django_db(transaction=True)
def test_comment_racing_the_close_is_either_kept_or_refused(thread_database: ThreadDatabase) -> None:
    cache.clear()
    task_pk, staff_pk, resident_pk = thread_database.run(_arrange)

    def close(barrier: threading.Barrier) -> str:
        stale = ConsultationTask.objects.get(pk=task_pk)
        staff = User.objects.get(pk=staff_pk)
        barrier.wait()
        services.task_advance(actor=staff, task=stale, action="close")
        return "closed"

    def comment(barrier: threading.Barrier) -> str:
        stale = ConsultationTask.objects.get(pk=task_pk)
        resident = User.objects.get(pk=resident_pk)
        barrier.wait()
        services.opinion_submit(actor=resident, task=stale, text="赶在截止前的意见。")
        return "commented"

    outcomes = _race(thread_database, close, comment)
    assert outcomes[0].get("value") == "closed", outcomes
    refused = "error" in outcomes[1]
    if refused:
        assert isinstance(outcomes[1]["error"], DomainError)

    def observe() -> tuple[int, list[str]]:
        task = ConsultationTask.objects.get(pk=task_pk)
        return Opinion.objects.filter(task=task).count(), [e.verb for e in events_for(task)]

    opinions, verbs = thread_database.run(observe)
    assert opinions == (0 if refused else 1)
    if not refused:
        assert verbs.index("opinion_submit") < verbs.index("close")  # accepted only while still open
