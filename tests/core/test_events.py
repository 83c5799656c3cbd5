"""The Event log: chaining, tamper detection, timelines, the verify command."""

from __future__ import annotations

import io
import json
import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import translation

from minsheng.core.events import (
    GENESIS_HASH,
    event_chain_version,
    event_hash,
    event_record,
    events_for,
    events_verify,
)
from minsheng.core.middleware import request_id_bound
from minsheng.core.models import Event, EventChainHead

from .thread_database import threads_with_own_connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor():
    return get_user_model().objects.create_user(username="clerk", password="a-long-password")


def record_many(actor, count: int) -> list[Event]:
    events = []
    for number in range(count):
        with transaction.atomic():
            events.append(event_record(actor=actor, verb="note", target=actor, payload={"n": number}))
    return events


def test_events_chain_from_genesis_without_gaps(actor):
    events = record_many(actor, 3)

    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert events_verify() == []
    head = EventChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (3, events[2].hash)


def test_event_record_stores_what_it_hashes(actor):
    """A payload with a date or non-ASCII text reads back identical, so the stored hash still matches."""
    import datetime as dt

    with transaction.atomic(), request_id_bound("req-12345678"):
        event = event_record(
            actor=actor,
            verb="assign",
            target=actor,
            from_state="new",
            to_state="assigned",
            payload={"due": dt.date(2026, 2, 24), "单位": "区住建局"},
        )
    stored = Event.objects.select_related("target_type").get(seq=event.seq)

    assert stored.payload == {"due": "2026-02-24", "单位": "区住建局"}
    assert stored.request_id == "req-12345678"
    assert stored.actor_id == actor.pk
    assert stored.target_type == ContentType.objects.get_for_model(actor)
    assert stored.target_id == str(actor.pk)
    assert event_hash(stored) == stored.hash


@pytest.mark.django_db(transaction=True)
def test_event_record_refuses_to_run_outside_a_transaction(actor):
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        event_record(actor=actor, verb="note")
    assert Event.objects.count() == 0


def test_anonymous_actor_is_recorded_as_system():
    from django.contrib.auth.models import AnonymousUser

    with transaction.atomic():
        event = event_record(actor=AnonymousUser(), verb="submit")
    assert event.actor_id is None
    assert events_verify() == []


def test_a_changed_payload_is_detected(actor):
    record_many(actor, 3)
    Event.objects.filter(seq=2).update(payload={"n": 99})

    problems = events_verify()

    assert len(problems) == 1
    assert "#2" in problems[0]


def test_a_changed_state_is_detected(actor):
    record_many(actor, 3)
    Event.objects.filter(seq=3).update(to_state="approved")

    assert any("#3" in problem for problem in events_verify())


def test_a_deleted_middle_row_is_detected(actor):
    record_many(actor, 4)
    Event.objects.filter(seq=2).delete()

    problems = events_verify()

    assert problems, "a missing row must be reported"
    assert all("#3" in problem for problem in problems)  # the row after the gap reports both breaks
    assert len(problems) == 2


def test_a_deleted_last_row_is_detected_by_the_chain_head(actor):
    record_many(actor, 3)
    Event.objects.filter(seq=3).delete()

    problems = events_verify()

    assert len(problems) == 1
    assert "#3" in problems[0] and "#2" in problems[0]


def test_swapped_rows_are_detected(actor):
    """Swapping two rows' contents (keeping each row's hashes) breaks seq-bound hashes and links."""
    record_many(actor, 4)
    second, third = Event.objects.get(seq=2), Event.objects.get(seq=3)
    fields = ["at", "verb", "payload", "prev_hash", "hash", "request_id"]
    values_second = {f: getattr(second, f) for f in fields}
    values_third = {f: getattr(third, f) for f in fields}
    Event.objects.filter(seq=2).update(hash="x" * 64)  # free the unique hash while swapping
    Event.objects.filter(seq=3).update(**values_second)
    Event.objects.filter(seq=2).update(**values_third)

    problems = events_verify()

    assert any("#2" in p for p in problems)
    assert any("#3" in p for p in problems)


def test_a_rewritten_chain_tail_without_the_head_is_detected(actor):
    """Re-hashing a changed row makes the next row's link fail."""
    record_many(actor, 3)
    event = Event.objects.select_related("target_type").get(seq=2)
    event.payload = {"n": 42}
    event.hash = event_hash(event)
    event.save()

    problems = events_verify()

    assert problems and all("#3" in p for p in problems)


def test_events_for_returns_one_objects_timeline_oldest_first(actor, django_assert_num_queries):
    other = get_user_model().objects.create_user(username="other", password="a-long-password")
    with transaction.atomic():
        first = event_record(actor=actor, verb="submit", target=actor)
        event_record(actor=actor, verb="submit", target=other)
        last = event_record(actor=other, verb="accept", target=actor)

    ContentType.objects.get_for_model(actor)  # warm the content type cache, as a running site has it
    with django_assert_num_queries(1):
        timeline = list(events_for(actor))
        actors = [e.actor.username if e.actor else "" for e in timeline]

    assert [e.seq for e in timeline] == [first.seq, last.seq]
    assert actors == ["clerk", "other"]


def test_verify_events_command_reports_an_intact_chain(actor):
    record_many(actor, 2)
    out = io.StringIO()

    with translation.override("en"):
        call_command("verify_events", stdout=out)

    assert "Event chain intact: 2 events." in out.getvalue()


def test_verify_events_command_speaks_chinese_by_default(actor):
    record_many(actor, 2)
    out = io.StringIO()

    with translation.override("zh-hans"):
        call_command("verify_events", stdout=out)

    assert "事件链完整：2 条" in out.getvalue()


def test_verify_events_command_lists_problems_and_exits_1(actor):
    record_many(actor, 3)
    Event.objects.filter(seq=2).update(payload={"tampered": True})
    err = io.StringIO()

    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("verify_events", stderr=err)

    assert raised.value.returncode == 1
    assert "#2" in err.getvalue()
    assert "1 problem" in str(raised.value)


def test_canonical_form_is_stable_json(actor):
    with transaction.atomic():
        event = event_record(actor=actor, verb="note", payload={"b": 1, "a": [1, 2]})
    from minsheng.core.events import event_canonical

    canonical = event_canonical(event)
    assert json.loads(canonical)["payload"] == {"a": [1, 2], "b": 1}
    assert canonical.index('"a"') < canonical.index('"b"')
    assert " " not in canonical


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_append_after_the_same_head(tmp_path):
    """Eight threads append at once; the chain stays gapless and verifies."""
    writers, per_writer = 8, 5
    with threads_with_own_connections(tmp_path) as database:
        start_together = threading.Barrier(writers, timeout=10)

        def write() -> int:
            start_together.wait()
            for number in range(per_writer):
                with transaction.atomic():
                    event_record(actor=None, verb="note", payload={"n": number})
            return per_writer

        started = [database.start(write) for _ in range(writers)]
        for thread, _outcome in started:
            thread.join(timeout=60)
        assert [outcome.get("value") for _thread, outcome in started] == [per_writer] * writers, started

        def observe() -> tuple[list[int], list[str]]:
            return list(Event.objects.order_by("seq").values_list("seq", flat=True)), events_verify()

        seqs, problems = database.run(observe)

    assert seqs == list(range(1, writers * per_writer + 1))
    assert problems == []


def test_the_chain_version_moves_with_every_event(actor):
    """``event_chain_version`` is a cache key: each recorded change gives a new one, and it reads the
    last Event itself while the chain head is not yet made."""
    EventChainHead.objects.all().delete()
    first = record_many(actor, 1)[0]
    EventChainHead.objects.all().delete()
    assert event_chain_version() == f"{first.seq}:{first.hash}"
    seen = {event_chain_version()}
    for _ in range(3):
        event = record_many(actor, 1)[0]
        version = event_chain_version()
        assert version == f"{event.seq}:{event.hash}" and version not in seen
        seen.add(version)
