"""The Event log: append-only, hash-chained, verifiable.

Each row's ``hash`` is ``sha256(prev_hash + canonical JSON of the row's fields)``, and ``prev_hash`` is
the hash of the row before it. Sequence numbers are assigned here, under a lock, without gaps, so that:

- a changed row no longer matches its own hash;
- a deleted row leaves a gap in ``seq`` and breaks the ``prev_hash`` link of the row after it
  (a deleted tail no longer matches the chain head);
- re-ordered rows fail both, because ``seq`` is part of what is hashed.

Writers serialise on the single ``EventChainHead`` row (``select_for_update``) so that two concurrent
transactions never both append after the same head. On SQLite ``select_for_update`` is a no-op, but
every write transaction there starts with ``BEGIN IMMEDIATE`` (settings), which serialises writers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.actors import ActorOrSystem
from minsheng.core.middleware import request_id_get
from minsheng.core.models import Event, EventChainHead
from minsheng.core.queries import kept_query_rows, once_per_request

GENESIS_HASH = "0" * 64
_HEAD_ID = 1


def _payload_normalised(payload: dict[str, Any] | None) -> dict[str, Any]:
    """The payload exactly as the JSON column will give it back (dates and decimals become strings)."""
    if not payload:
        return {}
    normalised = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    if not isinstance(normalised, dict):
        raise TypeError("An Event payload must be a JSON object.")
    return normalised


def _content_type_label(content_type: ContentType | None) -> str:
    # The natural key, not the numeric id: it survives a dump and reload into another database.
    return f"{content_type.app_label}.{content_type.model}" if content_type else ""


def _at_text(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def event_canonical(event: Event) -> str:
    """The row's hashed fields as canonical JSON: sorted keys, no whitespace, UTF-8 text kept."""
    fields = {
        "seq": event.seq,
        "at": _at_text(event.at),
        "actor": event.actor_id,
        "verb": event.verb,
        "target_type": _content_type_label(event.target_type),
        "target_id": event.target_id,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "payload": event.payload,
        "request_id": event.request_id,
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(event: Event) -> str:
    return hashlib.sha256((event.prev_hash + event_canonical(event)).encode("utf-8")).hexdigest()


def chain_head_locked() -> EventChainHead:
    """The chain head, locked for the rest of the transaction (created on first use)."""
    head = EventChainHead.objects.select_for_update().filter(pk=_HEAD_ID).first()
    if head is not None:
        return head
    last = Event.objects.order_by("-seq").only("seq", "hash").first()
    EventChainHead.objects.get_or_create(
        pk=_HEAD_ID,
        defaults={"last_seq": last.seq if last else 0, "last_hash": last.hash if last else ""},
    )
    return EventChainHead.objects.select_for_update().get(pk=_HEAD_ID)


def event_chain_version() -> str:
    """Where the Event log ends now (sequence number and hash of the last Event), in one primary-key
    read, once per request. Every change of the platform's records writes an Event in its own
    transaction, so a value computed from those records can be kept under this version: any change
    moves it (the hash, not only the number: a restored older database that reaches the same number
    again has another hash). Read it *before* the records, so a value is never filed under a later
    version than it saw; a second call in the same request answers the first read, which is still
    before anything the request reads after it."""
    return once_per_request("core.event_chain_version", _event_chain_version_read)


def _event_chain_version_read() -> str:
    # Written as SQL: the ORM spent longer compiling this read than the database answering it.
    alias = router.db_for_read(EventChainHead)
    table = connections[alias].ops.quote_name(EventChainHead._meta.db_table)
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT last_seq, last_hash FROM {table} WHERE id = %s", [_HEAD_ID])  # noqa: S608
        head = cursor.fetchone()
    if head is None:  # no Event written through event_record yet (the head is made on first use)
        head = Event.objects.order_by("-seq").values_list("seq", "hash").first() or (0, "")
    return f"{head[0]}:{head[1]}"


def event_record(
    *,
    actor: ActorOrSystem,
    verb: str,
    target: models.Model | None = None,
    from_state: str = "",
    to_state: str = "",
    payload: dict[str, Any] | None = None,
) -> Event:
    """Append one Event. Call it inside the ``transaction.atomic`` block of the change it records.

    ``actor`` is a user or ``None`` (the system); anonymous users are recorded as ``None``.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("event_record must run inside transaction.atomic, with the change it records.")

    head = chain_head_locked()
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = Event(
        seq=head.last_seq + 1,
        at=timezone.now(),
        actor_id=actor_id,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        from_state=str(from_state),
        to_state=str(to_state),
        payload=_payload_normalised(payload),
        request_id=request_id_get(),
        prev_hash=head.last_hash or GENESIS_HASH,
    )
    event.hash = event_hash(event)
    event.save(force_insert=True)
    head.last_seq = event.seq
    head.last_hash = event.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return event


def _events_verify_rows(events: Iterable[Event]) -> tuple[list[str], Event | None, int]:
    problems: list[str] = []
    previous: Event | None = None
    count = 0
    for event in events:
        count += 1
        expected_seq = previous.seq + 1 if previous else 1
        expected_prev_hash = previous.hash if previous else GENESIS_HASH
        if event.seq != expected_seq:
            problems.append(
                _("Event #%(seq)s: expected #%(expected)s here; events are missing or were re-numbered.")
                % {"seq": event.seq, "expected": expected_seq}
            )
        if event.prev_hash != expected_prev_hash:
            problems.append(
                _("Event #%(seq)s: its link to the previous event is broken (a row was deleted or moved).")
                % {"seq": event.seq}
            )
        if event_hash(event) != event.hash:
            problems.append(
                _("Event #%(seq)s: its content was changed after it was written.") % {"seq": event.seq}
            )
        previous = event
    return problems, previous, count


def events_verify() -> list[str]:
    """Recompute the whole chain; returns the problems found (an empty list means intact)."""
    rows = Event.objects.select_related("target_type").order_by("seq").iterator(chunk_size=2000)
    problems, last, _count = _events_verify_rows(rows)
    head = EventChainHead.objects.filter(pk=_HEAD_ID).first()
    if head is not None:
        last_seq = last.seq if last else 0
        last_hash = last.hash if last else ""
        if head.last_seq != last_seq or head.last_hash != last_hash:
            problems.append(
                _(
                    "The chain should end at event #%(expected)s but ends at #%(actual)s: "
                    "events were removed or added."
                )
                % {"expected": head.last_seq, "actual": last_seq}
            )
    elif last is not None:
        problems.append(_("The chain head is missing although events exist."))
    return problems


def events_count() -> int:
    return Event.objects.count()


def events_of(obj: models.Model) -> list[Event]:
    """``events_for(obj)`` as a list, its query compiled once per process (a page's timeline)."""
    content_type = ContentType.objects.get_for_model(obj)
    return kept_query_rows(Event, "events-of", _events_of_target, content_type.pk, str(obj.pk))


def _events_of_target(content_type_id: int, target_id: str) -> QuerySet[Event]:
    return (
        Event.objects.filter(target_type=content_type_id, target_id=target_id)
        .select_related("actor", "target_type")
        .order_by("seq")
    )


def events_for(obj: models.Model) -> QuerySet[Event]:
    """The timeline of one object, oldest first, with the actors loaded in the same query."""
    return _events_of_target(ContentType.objects.get_for_model(obj).pk, str(obj.pk))
