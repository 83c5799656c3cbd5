"""Timelines for people to read, made from Events (the only source of a voice's history)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.core.models import Event
from minsheng.voices.models import Rating, ReferralReason, VoiceChannel, VoiceStatus


def _verb_labels() -> dict[str, str]:
    return {
        "create": _("Message received"),
        "answer": _("Answered directly"),
        "forward": _("Forwarded to a unit"),
        "refer": _("Referred elsewhere"),
        "merge": _("Merged with a similar message"),
        "adopt": _("Adopted into a motion"),
        "reply": _("The unit replied"),
        "close": _("Rated and closed"),
        "rehandle": _("Sent back for re-handling"),
        "reopen": _("Reopened after a dissatisfied rating"),
        "publish": _("Published"),
        "update": _("Changed"),
        "cancel": _("Cancelled"),
        "hold": _("The reception day was held"),
        "archive": _("Archived"),
        "remind": _("The unit was reminded"),
        "return": _("The unit returned it as not its business"),
        "request_extension": _("The unit asked for more time"),
        "extend": _("More time was granted"),
        "refuse_extension": _("More time was refused"),
        "rate_outcome": _("Rated the outcome"),
        "release": _("The draft made from it was withdrawn; to be routed again"),
        "remind_routing": _("Reminded to route it"),
        "remind_reply": _("The unit was reminded of the reply date"),
    }


# A resident's rating of what became of the voice uses the motions app's scale.
OUTCOME_RATINGS = {
    "satisfied": gettext_lazy("satisfied"),
    "basically": gettext_lazy("basically satisfied"),
    "dissatisfied": gettext_lazy("dissatisfied"),
}


@dataclass(frozen=True)
class TimelineRow:
    at: Any
    label: str
    detail: str
    actor: str
    state: str


def _date_text(value: Any) -> str:
    day = parse_date(str(value)) if value else None
    return _("%(y)s-%(m)s-%(d)s") % {"y": day.year, "m": day.month, "d": day.day} if day else ""


def _detail(event: Event) -> str:
    payload = event.payload or {}
    parts: list[str] = []
    if event.verb == "create" and payload.get("channel") in VoiceChannel.values:
        parts.append(_("via %(channel)s") % {"channel": str(VoiceChannel(payload["channel"]).label)})
    if payload.get("unit"):
        parts.append(str(payload["unit"]))
    if payload.get("due") and event.verb in ("forward", "rehandle", "remind", "extend", "remind_reply"):
        parts.append(_("reply by %(date)s") % {"date": _date_text(payload["due"])})
    if payload.get("until") and event.verb == "request_extension":
        parts.append(_("until %(date)s") % {"date": _date_text(payload["until"])})
    if payload.get("reason") in ReferralReason.values:
        parts.append(str(ReferralReason(payload["reason"]).label))
    elif payload.get("reason") and event.verb in (
        "return",
        "request_extension",
        "extend",
        "refuse_extension",
    ):
        parts.append(str(payload["reason"]))
    if payload.get("note"):
        parts.append(str(payload["note"]))
    if payload.get("rating") in Rating.values:
        parts.append(str(Rating(payload["rating"]).label))
    if payload.get("outcome_rating") in OUTCOME_RATINGS:  # the motions app's codes
        parts.append(str(OUTCOME_RATINGS[payload["outcome_rating"]]))
    if payload.get("motion"):
        parts.append(str(payload["motion"]))
    return "；".join(str(p) for p in parts)


def timeline_rows(events: list[Event], *, public: bool) -> list[TimelineRow]:
    """One row per Event; the public view names no official, only what happened and when."""
    labels = _verb_labels()
    rows = []
    for event in events:
        actor = ""
        if not public and event.actor is not None:
            actor = event.actor.get_full_name() or event.actor.username
        state = VoiceStatus(event.to_state).label if event.to_state in VoiceStatus.values else event.to_state
        rows.append(
            TimelineRow(
                at=event.at,
                label=labels.get(event.verb, event.verb),
                detail=_detail(event),
                actor=actor,
                state=str(state),
            )
        )
    return rows


@dataclass(frozen=True)
class TrackingPanel:
    """A block another app adds to a resident's tracking page: a template and what it needs
    (``voices.views.TRACKING_MODULES``)."""

    template: str
    context: dict[str, Any]
