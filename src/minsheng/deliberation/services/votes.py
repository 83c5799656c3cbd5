"""Votes: the hot path, one conditional upsert per vote and no Event (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.errors import (
    ConflictError,
    NotFoundError,
    ValidationFailedError,
)
from minsheng.deliberation.models import (
    Participant,
    Statement,
    Topic,
    Vote,
    VoteValue,
)
from minsheng.deliberation.services.analysis import analysis_request
from minsheng.deliberation.services.workflow import (
    NotOpenError,
    S,
    T,
)


@dataclass(frozen=True)
class _VoteSql:
    """The hot path's statements, in SQL that SQLite (≥ 3.24) and PostgreSQL both run.

    Written out rather than built by the ORM: compiling the queries cost about as much as running
    them (profiled; see docs/benchmarks.md), and these run for every vote.
    """

    upsert: str
    pending: str
    refusal: str


@cache
def _vote_sql() -> _VoteSql:
    statement, topic, vote = Statement._meta.db_table, Topic._meta.db_table, Vote._meta.db_table
    # One statement, so one implicit transaction: the state check and the write happen together,
    # and SQLite's write lock is held only while it runs (never across Python code, where another
    # thread of the process could take the interpreter while every other writer waits). A vote
    # stamped earlier than the stored one (two tabs racing) does not replace it: the latest counts.
    upsert = (
        f"INSERT INTO {vote} (topic_id, statement_id, participant_id, value, voted_at) "  # noqa: S608 - table names
        f"SELECT s.topic_id, s.id, %s, %s, %s FROM {statement} s JOIN {topic} t ON t.id = s.topic_id "
        "WHERE s.id = %s AND s.topic_id = %s AND s.status = %s AND t.status = %s "
        "AND (t.closes_on IS NULL OR t.closes_on >= %s) "
        "ON CONFLICT (statement_id, participant_id) DO UPDATE SET value = excluded.value, "
        f"voted_at = excluded.voted_at WHERE excluded.voted_at >= {vote}.voted_at"
    )
    pending = f"SELECT analysis_pending FROM {topic} WHERE id = %s"  # noqa: S608 - table name
    refusal = (
        f"SELECT s.status, t.status, t.closes_on FROM {statement} s "  # noqa: S608 - table names
        f"JOIN {topic} t ON t.id = s.topic_id WHERE s.id = %s AND s.topic_id = %s"
    )
    return _VoteSql(upsert=upsert, pending=pending, refusal=refusal)


def _vote_refusal(cursor: Any, sql: _VoteSql, *, statement_id: int, topic_id: int, today: str) -> None:
    """Why the upsert wrote nothing: raise the error the voter should see, or return when a vote of
    the same pair stamped later is already stored (this one is superseded, not refused)."""
    cursor.execute(sql.refusal, [statement_id, topic_id])
    found = cursor.fetchone()
    if found is None:
        raise NotFoundError(_("There is no such statement in this topic."))
    statement_status, topic_status, closes_on = found
    # Past its closing date a topic takes no votes, even before staff close it.
    if topic_status != T.OPEN or (closes_on is not None and str(closes_on) < today):
        raise NotOpenError(
            _("This topic is closed: it takes no more votes."), action="vote", state=topic_status
        )
    if statement_status != S.PUBLISHED:
        raise ConflictError(message=_("This statement is not open for votes."))


def vote_cast(*, participant: Participant, statement_id: int, value: int) -> Vote:
    """Record a participant's vote; voting again on the same statement replaces the earlier vote.

    One conditional upsert (the topic open and not past its closing date, the statement published),
    then the map's flag: when no update is pending, flag it and queue one. No Event (module docstring).
    """
    if value not in VoteValue.values:
        raise ValidationFailedError(_("A vote is agree (1), disagree (-1) or pass (0)."), field="vote")
    now = timezone.now()
    today = timezone.localdate(now)
    sql = _vote_sql()
    connection = transaction.get_connection()
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            sql.upsert,
            [
                participant.pk,
                value,
                ops.adapt_datetimefield_value(now),
                statement_id,
                participant.topic_id,
                S.PUBLISHED.value,
                T.OPEN.value,
                ops.adapt_datefield_value(today),
            ],
        )
        if cursor.rowcount != 1:
            _vote_refusal(
                cursor, sql, statement_id=statement_id, topic_id=participant.topic_id, today=today.isoformat()
            )
        # Read after the vote is stored: a pending update clears the flag before it reads the votes,
        # so if the flag is still set, that update will see this vote; if not, this vote flags it.
        cursor.execute(sql.pending, [participant.topic_id])
        flagged = cursor.fetchone()
    if flagged is not None and not flagged[0]:
        analysis_request(topic_id=participant.topic_id)
    return Vote(
        topic_id=participant.topic_id,
        statement_id=statement_id,
        participant=participant,
        value=value,
        voted_at=now,
    )
