"""Row locks never make a foreign-key check wait (PostgreSQL).

Seen under the cluster bench's mixed traffic: a voice submission held the Event chain head and, at
COMMIT, PostgreSQL's deferred foreign-key check took ``FOR KEY SHARE`` on its ``org_jurisdiction`` row,
while a filing had locked the term with a plain ``SELECT … FOR UPDATE`` whose default ordering joined
body and jurisdiction (locking those rows too, in the strongest mode) and waited for the chain head:
a deadlock. Services lock only their own rows, in the mode that leaves foreign-key checks free
(``core.locking.rows_locked``).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from minsheng.core.events import event_record, events_verify
from minsheng.core.locking import rows_locked
from minsheng.motions import services
from minsheng.motions.models import Motion
from minsheng.org.models import Body, BodyKind, Term, User
from tests.conftest import demo_seed_once
from tests.core.thread_database import threads_with_own_connections
from tests.motions.builders import Accounts, office, submitted

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises whole write transactions (BEGIN IMMEDIATE)"
)


@pytest.fixture
def thread_database(tmp_path):
    with threads_with_own_connections(tmp_path) as database:
        yield database


def _backend_waits_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else one snapshot per transaction
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


@pytest.mark.django_db(transaction=True)
def test_a_filing_and_a_writer_holding_the_chain_head_both_commit(thread_database):
    def arrange() -> tuple[int, int, int]:
        demo_seed_once()
        accounts = Accounts()
        motion = submitted(accounts)
        return motion.pk, office(accounts, motion).pk, motion.term.body.jurisdiction_id

    motion_pk, reviewer_pk, jurisdiction_pk = thread_database.run(arrange)
    holder_has_head = threading.Event()
    filer = {"pid": 0}
    filer_started = threading.Event()

    def hold_head_then_insert_a_reference() -> str:
        with transaction.atomic():
            event_record(actor=None, verb="test_hold")
            # A new row pointing at the term's jurisdiction: its foreign key is checked at COMMIT.
            Body.objects.create(
                jurisdiction_id=jurisdiction_pk, kind=BodyKind.WORKING_BODY, name="锁序测试组"
            )
            holder_has_head.set()
            assert filer_started.wait(20)
            # Commit only once the filing is blocked (on the chain head we hold).
            deadline = time.monotonic() + 20
            while not _backend_waits_on_a_lock(filer["pid"]):
                assert time.monotonic() < deadline, "the filing never waited for the chain head"
                time.sleep(0.02)
        return "held"

    def file_motion() -> str:
        connection.ensure_connection()
        filer["pid"] = connection.connection.info.backend_pid
        reviewer = User.objects.get(pk=reviewer_pk)
        motion = Motion.objects.get(pk=motion_pk)
        assert holder_has_head.wait(20)
        filer_started.set()
        return services.motion_file(actor=reviewer, motion=motion).number

    started = [thread_database.start(hold_head_then_insert_a_reference), thread_database.start(file_motion)]
    for thread, _outcome in started:
        thread.join(timeout=60)
    outcomes = [outcome for _thread, outcome in started]
    assert all("error" not in outcome for outcome in outcomes), outcomes
    assert outcomes[0]["value"] == "held"
    assert outcomes[1]["value"].startswith("建议第")
    assert thread_database.run(events_verify) == []


@pytest.mark.django_db(transaction=True)
def test_a_locked_row_leaves_foreign_keys_to_its_joined_rows_free(thread_database):
    """``rows_locked`` locks the term only (not the body and jurisdiction its ordering joins), and in a
    mode that lets another transaction commit a row pointing at them."""

    def arrange() -> tuple[int, int]:
        demo_seed_once()
        term = Term.objects.select_related("body").first()
        assert term is not None
        return term.pk, term.body.jurisdiction_id

    term_pk, jurisdiction_pk = thread_database.run(arrange)
    locked = threading.Event()
    inserted = threading.Event()

    def hold_the_term() -> bool:
        with transaction.atomic():
            rows_locked(Term).filter(pk=term_pk).first()  # first(): the default ordering would join
            locked.set()
            return inserted.wait(15)  # True: the other commit went through while the lock was held

    def insert_a_reference() -> None:
        assert locked.wait(20)
        with transaction.atomic():
            Body.objects.create(
                jurisdiction_id=jurisdiction_pk, kind=BodyKind.WORKING_BODY, name="外键检查组"
            )
        inserted.set()

    started = [thread_database.start(hold_the_term), thread_database.start(insert_a_reference)]
    for thread, _outcome in started:
        thread.join(timeout=60)
    outcomes = [outcome for _thread, outcome in started]
    assert all("error" not in outcome for outcome in outcomes), outcomes
    assert outcomes[0]["value"] is True, "the insert waited for the term's lock"
