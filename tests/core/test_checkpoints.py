"""Issue 12.15: signed checkpoints catch what the hash chain alone cannot — truncation with the head
rewound, and a rewritten row with every later hash recomputed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client, override_settings

from minsheng.core.checkpoints import (
    SignedHead,
    checkpoint_sign,
    checkpoints_published,
    checkpoints_verify,
    signing_key_create,
)
from minsheng.core.events import GENESIS_HASH, event_hash, event_record, events_verify
from minsheng.core.models import Event, EventChainHead, EventCheckpoint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def keyed(tmp_path: Path, settings):
    """A fresh signing key and checkpoint folder for this test."""
    settings.MINSHENG = {
        **settings.MINSHENG,
        "EVENT_SIGNING_KEY": str(tmp_path / "key.pem"),
        "CHECKPOINT_DIR": str(tmp_path / "published"),
        "EVENT_TRUSTED_KEYS": [],
    }
    signing_key_create()
    return tmp_path


@pytest.fixture
def actor():
    return get_user_model().objects.create_user(username="clerk", password="a-long-password")


def record(actor, count: int) -> None:
    for number in range(count):
        with transaction.atomic():
            event_record(actor=actor, verb="note", target=actor, payload={"n": number})


def sign() -> EventCheckpoint:
    from django.test import TestCase

    # Publishing runs on commit; the test's own transaction never commits, so run the callbacks here.
    with TestCase.captureOnCommitCallbacks(execute=True):
        checkpoint = checkpoint_sign()
    assert checkpoint is not None
    return checkpoint


def test_the_key_file_is_private_and_never_overwritten(keyed: Path) -> None:
    key = keyed / "key.pem"
    assert key.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):
        signing_key_create(key)


def test_an_intact_chain_matches_its_checkpoints(keyed: Path, actor) -> None:
    record(actor, 3)
    first = sign()
    assert sign().pk == first.pk  # nothing new: the same checkpoint
    record(actor, 2)
    second = sign()
    assert (first.seq, second.seq) == (3, 5)
    assert checkpoints_verify() == [] and events_verify() == []
    assert [s.seq for s in checkpoints_published()] == [3, 5]


def test_truncation_with_the_head_rewound_is_caught(keyed: Path, actor) -> None:
    record(actor, 5)
    sign()
    # The attack: delete the last two rows and rewind the chain head, so the chain is consistent again.
    Event.objects.filter(seq__gt=3).delete()
    last = Event.objects.get(seq=3)
    EventChainHead.objects.update(last_seq=3, last_hash=last.hash)
    assert events_verify() == []  # the chain alone sees nothing
    problems = checkpoints_verify()
    assert len(problems) == 1 and "#4" in problems[0] and "#5" in problems[0]


def test_a_rewritten_row_with_every_later_hash_recomputed_is_caught(keyed: Path, actor) -> None:
    record(actor, 3)
    sign()
    record(actor, 3)
    sign()
    # The attack: change row 4, then recompute its hash and every later link and hash, and the head.
    previous = Event.objects.get(seq=3).hash
    for event in Event.objects.select_related("target_type").filter(seq__gte=4).order_by("seq"):
        if event.seq == 4:
            event.payload = {"n": "rewritten"}
        event.prev_hash = previous
        event.hash = event_hash(event)
        event.save()
        previous = event.hash
    EventChainHead.objects.update(last_hash=previous)
    assert events_verify() == []
    problems = checkpoints_verify()
    assert len(problems) == 1 and "#6" in problems[0] and "#4" in problems[0]


def test_deleting_the_stored_checkpoints_does_not_hide_it(keyed: Path, actor) -> None:
    record(actor, 4)
    sign()
    EventCheckpoint.objects.all().delete()  # the published file is still there
    Event.objects.filter(seq=4).delete()
    EventChainHead.objects.update(last_seq=3, last_hash=Event.objects.get(seq=3).hash)
    assert "#4" in checkpoints_verify()[0]


def test_a_forged_checkpoint_is_refused(keyed: Path, actor) -> None:
    record(actor, 2)
    real = sign()
    forged = SignedHead(real.seq, "f" * 64, real.at, real.public_key, real.signature)
    assert "invalid signature" in checkpoints_verify(extra=[forged])[0]


def test_a_checkpoint_by_another_key_is_not_trusted(keyed: Path, actor, tmp_path: Path, settings) -> None:
    record(actor, 2)
    sign()
    settings.MINSHENG = {**settings.MINSHENG, "EVENT_SIGNING_KEY": str(tmp_path / "other.pem")}
    signing_key_create()
    assert "unknown key" in checkpoints_verify()[0]


def test_verify_events_reports_the_first_row_that_disagrees(keyed: Path, actor) -> None:
    record(actor, 3)
    sign()
    Event.objects.filter(seq=3).delete()
    EventChainHead.objects.update(last_seq=2, last_hash=Event.objects.get(seq=2).hash)
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_events", stderr=errors, stdout=io.StringIO())
    assert "#3" in errors.getvalue()


def test_the_public_page_lists_the_checkpoints(keyed: Path, actor) -> None:
    record(actor, 2)
    checkpoint = sign()
    page = Client().get("/checkpoints/")
    assert page.status_code == 200 and f"#{checkpoint.seq}" in page.content.decode()
    text = Client().get("/checkpoints/?format=txt").content.decode()
    assert SignedHead.from_line(text.splitlines()[0]).signature == checkpoint.signature


def test_without_a_key_nothing_is_signed(tmp_path: Path, actor, settings) -> None:
    settings.MINSHENG = {**settings.MINSHENG, "EVENT_SIGNING_KEY": str(tmp_path / "absent.pem")}
    record(actor, 1)
    assert checkpoint_sign() is None
    assert GENESIS_HASH  # the chain itself still works without checkpoints


@override_settings()
def test_the_periodic_job_is_registered() -> None:
    from minsheng.core.jobs import job_get

    assert job_get("core.event_checkpoint").task.name == "event_checkpoint_task"
