"""Secret ballots, shared by every app that holds a poll (sessions' votes, oversight's satisfaction ballots).

The rule (issue 13): while a poll is open a voter's ballot is stored under ``HMAC(per-poll key, voter)``
so that the voter may change it; who voted is stored apart (``BallotVoter``: one row per voter, no
choice, no time); closing the box destroys the key and rewrites the choice rows in a random order with
no seal, so that afterwards nobody — staff, administrators, whoever reads the database — can join a
voter to a choice. Results are computed from the choice rows. Named polls (记名) keep a roll-call
record (``NamedBallot``) instead.

Usage, from an app's services (the app checks who may vote and records its own Events)::

    box = ballot_box_open(poll=poll, secret=True)          # inside the service that opens the poll
    ballot_cast(box_id=box.pk, voter_id=person.pk, choice="yes", client_key=key)   # hot path
    ballot_box_close(box_id=box.pk)                          # inside the service that closes the poll
    ballot_choices(box_id=box.pk)                            # → ["yes", "no", …] in no particular order

A choice is any JSON value (a string for a yes/no/abstain vote, an object for a ballot with a row per
candidate); it is stored as canonical JSON text. Nothing here writes an Event or a log line: a vote
is not a change of state, and an Event or log line per ballot would be a record joining a voter to a
moment (and would serialise every ballot on the Event chain head).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minsheng.core.errors import ConflictError, NotFoundError, ValidationFailedError
from minsheng.core.locking import rows_locked
from minsheng.core.models import Ballot, BallotBox, BallotReceipt, BallotVoter, NamedBallot

CHOICE_MAX_LENGTH = 4000
CLIENT_KEY_MAX_LENGTH = 64
KEY_BYTES = 32


class BallotBoxClosedError(ConflictError):
    """The poll is closed: it takes no more ballots."""

    code = "poll_closed"
    default_message = _("Voting has closed: this ballot was not counted.")

    def __init__(self) -> None:
        super().__init__(message=self.default_message)


class AlreadyVotedError(ConflictError):
    """The voter has voted and this poll does not let a ballot be changed."""

    code = "already_voted"
    default_message = _("You have already voted in this poll, and ballots cannot be changed in it.")

    def __init__(self) -> None:
        super().__init__(message=self.default_message)


@dataclass(frozen=True)
class CastResult:
    first: bool
    """The voter had not voted in this box before."""
    replayed: bool
    """The same submission (same client key) was already counted: nothing changed."""


def choice_text(choice: Any) -> str:
    """The canonical JSON of a choice (sorted keys, no spaces): equal choices give equal text."""
    try:
        text = json.dumps(choice, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise ValidationFailedError(_("The ballot is not valid."), field="choice") from error
    if len(text) > CHOICE_MAX_LENGTH:
        raise ValidationFailedError(_("The ballot is too long."), field="choice")
    return text


def _digest(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def _seal(key: bytes, voter_id: int) -> str:
    return _digest(key, f"voter:{voter_id}")


def _receipt(key: bytes, voter_id: int, client_key: str) -> str:
    return _digest(key, f"receipt:{voter_id}:{client_key}")


def ballot_box_open(*, poll: models.Model, secret: bool = True) -> BallotBox:
    """The box of ``poll``, opened now. Call it inside the transaction of the service that opens the poll."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ballot_box_open must run inside the transaction that opens the poll.")
    return BallotBox.objects.create(
        poll_type=ContentType.objects.get_for_model(poll),
        poll_id=str(poll.pk),
        secret=secret,
        key=secrets.token_bytes(KEY_BYTES) if secret else None,
        opened_at=timezone.now(),
    )


def ballot_box_of(poll: models.Model) -> BallotBox | None:
    return BallotBox.objects.filter(
        poll_type=ContentType.objects.get_for_model(poll), poll_id=str(poll.pk)
    ).first()


@dataclass(frozen=True)
class _CastSql:
    """The hot path in SQL that SQLite (≥ 3.24) and PostgreSQL both run (the ORM's compile time per
    statement costs about as much as running it; see the deliberation votes, docs/benchmarks.md)."""

    box: str
    receipt: str
    voter: str
    secret: str
    named: str


@cache
def _cast_sql(vendor: str) -> _CastSql:
    box, voter = BallotBox._meta.db_table, BallotVoter._meta.db_table
    ballot, receipt, named = Ballot._meta.db_table, BallotReceipt._meta.db_table, NamedBallot._meta.db_table
    # PostgreSQL: a shared lock on the box, so casts run side by side but a close waits for them (and
    # a cast after the close sees it closed). SQLite serialises every write transaction anyway.
    share = " FOR SHARE" if vendor == "postgresql" else ""
    return _CastSql(
        box=f"SELECT secret, key, closed_at FROM {box} WHERE id = %s{share}",  # noqa: S608 - table names
        receipt=f"INSERT INTO {receipt} (box_id, digest) VALUES (%s, %s) ON CONFLICT DO NOTHING",  # noqa: S608
        voter=f"INSERT INTO {voter} (box_id, voter_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",  # noqa: S608
        secret=(
            f"INSERT INTO {ballot} (box_id, seal, choice) VALUES (%s, %s, %s) "  # noqa: S608 - table names
            "ON CONFLICT (box_id, seal) DO UPDATE SET choice = excluded.choice"
        ),
        named=(
            f"INSERT INTO {named} (box_id, voter_id, choice) VALUES (%s, %s, %s) "  # noqa: S608 - table names
            "ON CONFLICT (box_id, voter_id) DO UPDATE SET choice = excluded.choice"
        ),
    )


def ballot_cast(
    *, box_id: int, voter_id: int, choice: Any, client_key: str = "", allow_change: bool = True
) -> CastResult:
    """Store ``voter_id``'s ballot in an open box; a later ballot of the same voter replaces it.

    ``client_key`` (chosen by the voter's device, one per submission) makes a retried submission
    count once: the same key again changes nothing, even after the voter has since changed the
    ballot. ``allow_change=False`` refuses a second ballot (``AlreadyVotedError``). The caller has
    already checked that the voter may vote. Runs in its own transaction (or the caller's).
    """
    text = choice_text(choice)
    client_key = client_key.strip()
    if len(client_key) > CLIENT_KEY_MAX_LENGTH:
        raise ValidationFailedError(_("The client key is too long."), field="client_key")
    sql = _cast_sql(connection.vendor)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.box, [box_id])
        row = cursor.fetchone()
        if row is None:
            raise NotFoundError()
        secret, key, closed_at = row
        if closed_at is not None:
            raise BallotBoxClosedError()
        key = bytes(key) if key is not None else b""
        if client_key:
            # Named boxes have no key: their receipts are keyed by the voter alone (they are not secret).
            cursor.execute(sql.receipt, [box_id, _receipt(key, voter_id, client_key)])
            if cursor.rowcount == 0:
                return CastResult(first=False, replayed=True)
        cursor.execute(sql.voter, [box_id, voter_id])
        first = cursor.rowcount == 1
        if not first and not allow_change:
            raise AlreadyVotedError()
        if secret:
            cursor.execute(sql.secret, [box_id, _seal(key, voter_id), text])
        else:
            cursor.execute(sql.named, [box_id, voter_id, text])
    return CastResult(first=first, replayed=False)


def ballot_of(*, box: BallotBox, voter_id: int) -> Any | None:
    """The voter's own current choice: while a secret box is open (through the seal), or from a
    named box at any time; ``None`` when there is none or it can no longer be known."""
    if box.secret:
        if box.key is None:
            return None
        text = (
            Ballot.objects.filter(box=box, seal=_seal(bytes(box.key), voter_id))
            .values_list("choice", flat=True)
            .first()
        )
    else:
        text = NamedBallot.objects.filter(box=box, voter_id=voter_id).values_list("choice", flat=True).first()
    return json.loads(text) if text is not None else None


def ballot_box_close(*, box_id: int) -> BallotBox:
    """Close the box: no more ballots; for a secret box destroy the key and unlink the choice rows.

    The choice rows are read, deleted and written again in a random order without their seals, so
    that neither a seal, nor the row order, nor a row id, nor (on PostgreSQL) the writing
    transaction of a row matches a voter's row. Receipts go too. Call it inside the transaction of
    the service that closes the poll.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ballot_box_close must run inside the transaction that closes the poll.")
    box = rows_locked(BallotBox).filter(pk=box_id).first()
    if box is None:
        raise NotFoundError()
    if box.closed_at is not None:
        raise BallotBoxClosedError()
    BallotReceipt.objects.filter(box=box).delete()
    if box.secret:
        choices = list(Ballot.objects.filter(box=box).values_list("choice", flat=True))
        _erase_ballots(box)
        secrets.SystemRandom().shuffle(choices)
        Ballot.objects.bulk_create([Ballot(box=box, seal=None, choice=text) for text in choices])
        count = len(choices)
    else:
        count = NamedBallot.objects.filter(box=box).count()
    box.key = None
    box.closed_at = timezone.now()
    box.ballots_at_close = count
    box.save(update_fields=["key", "closed_at", "ballots_at_close"])
    transaction.on_commit(_release_erased_pages)
    return box


def _erase_ballots(box: BallotBox) -> None:
    """Delete the sealed rows; on SQLite overwrite their bytes on disk as well (secure_delete)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete")
            (previous,) = cursor.fetchone()
            cursor.execute("PRAGMA secure_delete = ON")
            try:
                Ballot.objects.filter(box=box).delete()
            finally:
                cursor.execute(f"PRAGMA secure_delete = {int(previous)}")
    else:
        Ballot.objects.filter(box=box).delete()


def _release_erased_pages() -> None:
    """After the close commits, let the database drop old copies of the sealed rows: SQLite's
    write-ahead log is checkpointed and truncated (best effort: readers may hold it a while)."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def ballot_choices(*, box_id: int) -> list[Any]:
    """Every choice in the box (secret or named), in no meaningful order: what results are computed from."""
    box = BallotBox.objects.filter(pk=box_id).only("secret").first()
    if box is None:
        raise NotFoundError()
    model: type[Ballot] | type[NamedBallot] = Ballot if box.secret else NamedBallot
    return [json.loads(text) for text in model.objects.filter(box_id=box_id).values_list("choice", flat=True)]


def ballot_voter_count(*, box_id: int) -> int:
    return BallotVoter.objects.filter(box_id=box_id).count()


def ballot_voter_ids(*, box_id: int) -> set[int]:
    """Who voted (never what): for the roll of those who have not voted yet."""
    return set(BallotVoter.objects.filter(box_id=box_id).values_list("voter_id", flat=True))


def named_ballots(*, box_id: int) -> dict[int, Any]:
    """The roll-call record of a named box: voter → choice. Empty for a secret box."""
    rows = NamedBallot.objects.filter(box_id=box_id).values_list("voter_id", "choice")
    return {voter_id: json.loads(text) for voter_id, text in rows}
