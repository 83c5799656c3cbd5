"""Reads of the text-intelligence app: the active routing model and its suggestions, similar items,
hot-issue reports, reply-quality flags. Each returns only what the asking user may see."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from minsheng.analysis.text.reply_quality import ReplyFlag, reply_flags
from minsheng.analysis.text.routing import RoutingError, RoutingModel, model_load
from minsheng.core.conf import setting
from minsheng.core.privacy import mask_text
from minsheng.core.similarity import similar_records
from minsheng.insight.models import HotIssueReport, RoutingCategory, RoutingModelVersion, VoiceSupport
from minsheng.insight.rules import may_hold_hot_issue_roles
from minsheng.org.models import Jurisdiction, Unit

UNIT_LABEL = "unit:"

# The active model, loaded once per process and replaced when a newer version is accepted.
_loaded: dict[str, Any] = {}
_loading = threading.Lock()


def routing_versions() -> QuerySet[RoutingModelVersion]:
    return RoutingModelVersion.objects.select_related("trained_by").order_by("-number")


def routing_version_active() -> RoutingModelVersion | None:
    """The newest accepted version."""
    return RoutingModelVersion.objects.filter(accepted=True).order_by("-number").first()


def routing_model_active() -> tuple[RoutingModelVersion, RoutingModel] | None:
    """The active version and its model (loaded from its file when the digest matches), or None."""
    from minsheng.insight.services import models_dir

    version = routing_version_active()
    if version is None:
        return None
    with _loading:
        if _loaded.get("sha256") != version.sha256:
            try:
                model = model_load(models_dir() / version.file_name, version.sha256)
            except (OSError, RoutingError):
                return None  # the file is gone or altered: no suggestions rather than wrong ones
            _loaded.update(sha256=version.sha256, model=model)
        return version, _loaded["model"]


@dataclass(frozen=True)
class RoutingSuggestion:
    """A suggested category or unit, the units it means here, and how sure the model is."""

    label: str
    name: str
    confidence: float
    units: list[Unit] = field(default_factory=list)


@dataclass(frozen=True)
class RoutingAdvice:
    version: RoutingModelVersion
    suggestions: list[RoutingSuggestion]
    prefill_unit: Unit | None  # the first unit of a suggestion above the pre-fill confidence


def routing_advice(text: str, *, allowed_units: QuerySet[Unit] | None = None) -> RoutingAdvice | None:
    """The active model's top-2 suggestions for ``text``, with the units they mean. A unit is
    proposed for pre-filling only above MINSHENG["ROUTING_PREFILL_CONFIDENCE"] and only if the
    form offers it (``allowed_units``); a person still confirms."""
    active = routing_model_active()
    if active is None or not text.strip():
        return None
    version, model = active
    raw = model.suggest(text, top=2)
    unit_ids = [int(s.label[len(UNIT_LABEL) :]) for s in raw if s.label.startswith(UNIT_LABEL)]
    units = Unit.objects.in_bulk(unit_ids)
    categories = {
        c.name: c
        for c in RoutingCategory.objects.filter(name__in=[s.label for s in raw]).prefetch_related("units")
    }
    allowed = set(allowed_units.values_list("pk", flat=True)) if allowed_units is not None else None
    suggestions = []
    for suggestion in raw:
        if suggestion.label.startswith(UNIT_LABEL):
            unit = units.get(int(suggestion.label[len(UNIT_LABEL) :]))
            if unit is None:
                continue  # a unit that no longer exists
            found = [unit]
            name = unit.name
        else:
            category = categories.get(suggestion.label)
            found = list(category.units.all()) if category is not None else []
            name = suggestion.label
        if allowed is not None:
            found = [u for u in found if u.pk in allowed]
        suggestions.append(RoutingSuggestion(suggestion.label, name, suggestion.confidence, found))
    threshold = float(setting("ROUTING_PREFILL_CONFIDENCE", 0.9))
    prefill = None
    if suggestions and suggestions[0].confidence >= threshold and suggestions[0].units:
        prefill = suggestions[0].units[0]
    return RoutingAdvice(version, suggestions, prefill)


def voice_title(text: str) -> str:
    """A voice has no title: its first sentence (at most 40 characters) stands for one."""
    first = text.strip().split("\n", 1)[0]
    for stop in "。！？!?；;":
        first = first.split(stop, 1)[0]
    return first[:40]


def jurisdiction_and_below(jurisdiction: Jurisdiction) -> list[int]:
    """Ids of the jurisdiction and every place under it (a few queries: the tree is shallow)."""
    ids = [jurisdiction.pk]
    frontier = [jurisdiction.pk]
    while frontier:
        frontier = list(Jurisdiction.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


# Similar items ---------------------------------------------------------------------------------

RESIDENT_SIMILAR_THRESHOLD = 0.3
MERGE_THRESHOLD = 0.5
SNIPPET_CHARS = 80


@dataclass(frozen=True)
class SimilarVoice:
    voice: Any
    score: float
    snippet: str
    supports: int


def _snippet(text: str) -> str:
    masked = mask_text(" ".join(text.split()))
    return masked if len(masked) <= SNIPPET_CHARS else masked[:SNIPPET_CHARS] + "…"


def similar_open_voices(text: str, *, limit: int = 3) -> list[SimilarVoice]:
    """Open voices a resident's message nearly repeats, for "support it instead" (public: texts are
    masked and cut short, nothing else about the person is shown)."""
    from minsheng.voices.models import FINAL_STATES, Voice

    found = similar_records(Voice, text, threshold=RESIDENT_SIMILAR_THRESHOLD, limit=limit * 4)
    if not found:
        return []
    scores = dict(found)
    voices = Voice.objects.filter(pk__in=scores).exclude(status__in=FINAL_STATES).select_related("place")
    counts = dict(
        VoiceSupport.objects.filter(voice__in=voices)
        .values("voice_id")
        .annotate(n=Count("id"))
        .values_list("voice_id", "n")
    )
    ranked = sorted(voices, key=lambda v: (-scores[v.pk], -v.pk))[:limit]
    return [SimilarVoice(v, scores[v.pk], _snippet(v.text), counts.get(v.pk, 0)) for v in ranked]


def voice_merge_candidates(user: Any, voice: Any, *, limit: int = 5) -> list[tuple[Any, float]]:
    """Voices the user may see that nearly repeat ``voice`` (merge candidates: a person confirms)."""
    from minsheng.core.similarity import similar_to_record
    from minsheng.voices.models import Voice, VoiceStatus
    from minsheng.voices.selectors import voices_visible_condition

    found = dict(similar_to_record(voice, threshold=MERGE_THRESHOLD, limit=limit * 3))
    if not found:
        return []
    # The bare rows: the list shows each one's code, summary and state, not a voice page's relations.
    visible = Voice.objects.filter(pk__in=found).exclude(status=VoiceStatus.MERGED).order_by()
    condition = voices_visible_condition(user)
    if condition is not None:
        visible = visible.filter(condition)
    return sorted(((v, found[v.pk]) for v in visible), key=lambda pair: (-pair[1], -pair[0].pk))[:limit]


def voice_support_count(voice: Any) -> int:
    return VoiceSupport.objects.filter(voice=voice).count()


@dataclass(frozen=True)
class SimilarMotion:
    motion: Any
    score: float
    category: str  # the reply's final category (A/B/C/D) or ""
    reply: str


def similar_past_motions(
    text: str, *, jurisdiction_id: int, kind: str, limit: int = 5
) -> list[SimilarMotion]:
    """Earlier suggestions or proposals like a draft, with their replies' categories (智慧政协's look-up
    of similar past proposals). Only items past filing: what the public record holds."""
    from minsheng.motions.models import Reply
    from minsheng.motions.selectors import similar_motions

    found = similar_motions(text=text, jurisdiction_id=jurisdiction_id, kind=kind, limit=limit)
    replies: dict[int, Any] = {}
    for reply in Reply.objects.filter(motion__in=[motion for motion, _score in found]).order_by("id"):
        replies[reply.motion_id] = reply  # the latest reply of each
    return [
        SimilarMotion(
            motion,
            score,
            replies[motion.pk].final_category if motion.pk in replies else "",
            _snippet(replies[motion.pk].text) if motion.pk in replies else "",
        )
        for motion, score in found
    ]


# Hot issues ------------------------------------------------------------------------------------


def hot_report_latest(jurisdiction: Jurisdiction) -> HotIssueReport | None:
    return HotIssueReport.objects.filter(jurisdiction=jurisdiction).order_by("-computed_at", "-id").first()


def hot_jurisdictions_for(user: Any) -> list[Jurisdiction]:
    """Jurisdictions whose hot issues the user may see (staff and leaders of their bodies)."""
    if not may_hold_hot_issue_roles(user):  # every page's menu asks: most users hold no such role
        return []
    candidates = (
        Jurisdiction.objects.filter(level__in=("city", "district"))
        .select_related("parent__parent")  # the rule walks up to the province without queries
        .order_by()  # sorted here: an ORDER BY makes Django hash every selected column (core.queries)
    )
    return sorted(
        (j for j in candidates if user.has_perm("insight.view_hotissuereport", j)), key=lambda j: j.code
    )


# Reply quality ---------------------------------------------------------------------------------

FLAG_TEXT = {
    "too_short": lambda detail: (
        _("Too short: %(count)s characters once greetings are left out.") % {"count": detail}
    ),
    "no_action": lambda detail: _(
        "No concrete action (repaired, ordered to rectify …) and no date or period."
    ),
    "place_missing": lambda detail: (
        _("Does not name the place the message names (%(places)s).") % {"places": detail}
    ),
    "problem_missing": lambda detail: (
        _("Does not mention what the message is about (%(words)s).") % {"words": detail}
    ),
    "no_contact": lambda detail: _("No telephone number or contact for follow-up questions."),
    "late": lambda detail: (
        _("Late: %(days)s working days after the message (the limit is %(limit)s).")
        % {"days": detail, "limit": setting("REPLY_LATE_WORKING_DAYS", 15)}
    ),
}


@dataclass(frozen=True)
class FlagShown:
    code: str
    text: str


def _working_days(start: date, end: date) -> int:
    from minsheng.core.calendar import add_working_days

    count, day = 0, start
    while day < end and count <= 400:
        day = add_working_days(day, 1)
        if day <= end:
            count += 1
    return count


def reply_flags_shown(
    *,
    message_title: str,
    message_text: str,
    reply: str,
    asked_at: datetime | date | None,
    replied_at: datetime | date | None,
) -> list[FlagShown]:
    """The reply-quality flags with their explanations, in the user's language. Working days come
    from the platform's calendar (holidays, make-up days and the administrator's overrides)."""
    places = list(Jurisdiction.objects.filter(level="township").values_list("name", flat=True))
    flags: list[ReplyFlag] = reply_flags(
        message_title=message_title,
        message_text=message_text,
        reply=reply,
        asked_at=asked_at,
        replied_at=replied_at,
        known_places=places,
        min_chars=int(setting("REPLY_MIN_CHARS", 80)),
        late_after=int(setting("REPLY_LATE_WORKING_DAYS", 15)),
        working_days=_working_days,
        segmenter=_segmenter(tuple(places)),
    )
    return [FlagShown(flag.code, FLAG_TEXT[flag.code](flag.detail)) for flag in flags]


_segmenters: dict[tuple[str, ...], Any] = {}


def _segmenter(places: tuple[str, ...]) -> Any:
    from minsheng.analysis.text.segment import Segmenter

    if places not in _segmenters:
        _segmenters.clear()
        _segmenters[places] = Segmenter(places)
    return _segmenters[places]


def voice_ids_openable(user: Any, ids: list[int]) -> set[int]:
    """Which of the voices a hot issue lists the user may open (one query): a leader sees the issue
    but not every message in it, so the others are named without a link."""
    from minsheng.voices.selectors import voices_visible_to

    return set(voices_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
