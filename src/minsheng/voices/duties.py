"""What voices, reception days and social-conditions reports give the duty record and the my-duties
inbox (the contract: ``minsheng.records.contract``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minsheng.records.contract import ActPage, Credit, EventRow, InboxItem, Mark, RecordKind, Seats
from minsheng.voices.models import ReceptionDay, Voice, VoiceStatus
from minsheng.voices.selectors import reception_days_received_by, today, voices_addressed_to_user

GROUP = _("Voices and reception")
VOICE = "voices.voice"
DAY = "voices.receptionday"
REPORT = "voices.socialreport"
SECONDS_PER_DAY = 86400.0

RECORD_KINDS = (
    RecordKind("voice_received", _("voices received"), GROUP),
    RecordKind("voice_handled", _("voices handled (days taken)"), GROUP),
    RecordKind("reception_day", _("reception days held (visits recorded)"), GROUP),
    RecordKind("social_report", _("social-conditions reports"), GROUP),
)

# The first move out of "received" is the deputy's handling of the voice, whoever clicked.
HANDLING_ACTIONS = frozenset({"answer", "forward", "refer", "merge", "adopt"})
HANDLES = {
    VOICE: frozenset({"create", *HANDLING_ACTIONS}),
    DAY: frozenset({"hold"}),  # a day counts when held, not when announced
    REPORT: frozenset({"create", "adopt"}),
}
# Voices and reports are private: no public page; a reception day's page is public.
ACT_URLS = {
    VOICE: ActPage("voices:detail"),
    REPORT: ActPage("voices:report"),
    DAY: ActPage("voices:reception_day", "voices:reception_day"),
}


def _voice_rows(events: list[EventRow]) -> dict[int, Any]:
    ids = {int(e.target_id) for e in events if e.target_type == VOICE}
    rows = Voice.objects.filter(pk__in=ids, addressed_to__isnull=False).values(
        "pk", "tracking_code", "created_at", "addressed_to__person_id", "addressed_to__body_id"
    )
    return {row["pk"]: row for row in rows}


def _day_titles(events: list[EventRow]) -> dict[int, str]:
    ids = {int(e.target_id) for e in events if e.target_type == DAY}
    rows = ReceptionDay.objects.filter(pk__in=ids).values_list("pk", "station__name", "date")
    return {pk: f"{station} {date:%Y-%m-%d}" for pk, station, date in rows}


def _voice_credits(event: EventRow, voice: dict[str, Any] | None) -> Iterator[Credit]:
    if voice is None:
        return
    common = {
        "person_id": voice["addressed_to__person_id"],
        "body_id": voice["addressed_to__body_id"],
        "at": event.at,
        "seq": event.seq,
        "target_type": VOICE,
        "target_id": event.target_id,
        "title": voice["tracking_code"],
    }
    if event.verb == "create":
        yield Credit(kind="voice_received", **common)
    elif event.from_state == VoiceStatus.RECEIVED:
        days = (event.at - voice["created_at"]).total_seconds() / SECONDS_PER_DAY
        yield Credit(kind="voice_handled", value=round(max(days, 0.0), 2), **common)


def _day_credits(event: EventRow, seats: Seats, title: str) -> Iterator[Credit]:
    """A held day, for each deputy who received on it, with the visits recorded by then; public, as
    the announcement was."""
    visits = float(event.payload.get("visits", 0))
    for membership_id in event.payload.get("deputies", []):
        seat = seats.membership(int(membership_id))
        if seat is None or seat[1] is None:
            continue
        person_id, body_id = seat
        yield Credit(person_id, "reception_day", event.at, event.seq, DAY, event.target_id, title, body_id,
                     value=visits, public=True)  # fmt: skip


def credits(events: list[EventRow], seats: Seats) -> Iterator[Credit | Mark]:
    voices = _voice_rows(events)
    titles = _day_titles(events)
    for event in events:
        if event.target_type == VOICE:
            yield from _voice_credits(event, voices.get(int(event.target_id)))
        elif event.target_type == DAY:
            yield from _day_credits(event, seats, titles.get(int(event.target_id), ""))
        elif event.verb == "create":
            person_id = seats.person(event.actor_id)
            body_id = seats.body(person_id, event.at) if person_id else None
            if person_id and body_id:
                yield Credit(
                    person_id, "social_report", event.at, event.seq, REPORT, event.target_id, "", body_id
                )
        else:
            yield Mark(REPORT, event.target_id, outcome="adopted")


def inbox(user: Any) -> list[InboxItem]:
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    items = [
        InboxItem(
            app="voices",
            kind=_("Voice to handle"),
            title=voice.summary,
            url=reverse("voices:detail", args=[voice.pk]),
            action=_("Handle the voice"),
            due=voice.triage_due,
            order=30,
        )
        for voice in voices_addressed_to_user(user, 20)
        if voice.status == VoiceStatus.RECEIVED
    ]
    for day in reception_days_received_by(person_id):
        past = day.date <= today()
        items.append(
            InboxItem(
                app="voices",
                kind=_("Reception day to record as held") if past else _("Reception day"),
                title=f"{day.station.name} · {day.place}",
                url=reverse("voices:reception_day", args=[day.pk]),
                action=_("Record that it was held") if past else _("See the day"),
                due=day.date,
                order=35 if past else 40,
            )
        )
    return items
