"""Writes of the text-intelligence app: training routing models, category mappings, hot-issue reports,
residents' support for an open voice, and handing a hot issue to a unit.

Training runs outside any transaction (it takes seconds to a minute) and then records the version
and its Event in one. A new model replaces the active one only if it scores at least as well on the
same held-back slice (the newest fifth of the examples), so a bad batch of data cannot make
suggestions worse without someone seeing it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from minsheng.analysis.text.hot import Message, hot_issues
from minsheng.analysis.text.routing import (
    RECIPE,
    RoutingError,
    RoutingModel,
    model_dumps,
    quality_of,
    routing_train,
)
from minsheng.core.actors import Actor, ActorOrSystem, account_or_none
from minsheng.core.conf import setting
from minsheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailedError
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.text import plain_text_checked
from minsheng.core.throttle import throttle_count
from minsheng.insight.models import (
    HotIssueReport,
    RoutingCategory,
    RoutingModelVersion,
    RoutingSource,
    VoiceSupport,
)
from minsheng.org.models import Jurisdiction, Unit

HELDOUT_SHARE = 0.2
MIN_EXAMPLES = 20
UNIT_LABEL = "unit:"
Progress = Callable[[str, int, int], None]


def models_dir() -> Path:
    return Path(setting("MODELS_DIR"))


def unit_label(unit_id: int) -> str:
    return f"{UNIT_LABEL}{unit_id}"


@dataclass(frozen=True)
class Examples:
    texts: list[str]
    labels: list[str]
    times: list[datetime]


def org_dictionary() -> list[str]:
    """Place and unit names of the org model: words the segmenter must keep whole (湖塘镇, 区城市管理局)."""
    names = set(Jurisdiction.objects.values_list("name", flat=True))
    names.update(Unit.objects.values_list("name", flat=True))
    return sorted(name for name in names if len(name) >= 2)


def routing_examples_platform() -> Examples:
    """Confirmed assignments: each voice's first work order (the unit staff forwarded it to) and each
    motion's lead unit (or its first unit when handled separately), oldest first."""
    from minsheng.motions.models import Assignment, AssignmentRole
    from minsheng.voices.models import WorkOrder

    rows: list[tuple[datetime, str, str]] = []
    first_orders = (
        WorkOrder.objects.filter(round=1)
        .order_by("voice_id", "id")
        .values_list("voice_id", "unit_id", "created_at", "voice__text")
    )
    seen: set[int] = set()
    for voice_id, unit_id, created, text in first_orders.iterator(chunk_size=2000):
        if voice_id not in seen:
            seen.add(voice_id)
            rows.append((created, text, unit_label(unit_id)))
    assignments = (
        Assignment.objects.filter(role__in=(AssignmentRole.LEAD, AssignmentRole.SEPARATE))
        .order_by("motion_id", "id")
        .values_list("motion_id", "unit_id", "motion__created_at", "motion__title", "motion__text")
    )
    seen = set()
    for motion_id, unit_id, created, title, text in assignments.iterator(chunk_size=2000):
        if motion_id not in seen:
            seen.add(motion_id)
            rows.append((created, f"{title}\n{text}", unit_label(unit_id)))
    rows.sort(key=lambda row: row[0])
    return Examples([r[1] for r in rows], [r[2] for r in rows], [r[0] for r in rows])


def _learnable(examples: Examples) -> Examples:
    """Only labels with at least two examples: a unit confirmed once cannot be learned yet."""
    from collections import Counter

    counts = Counter(examples.labels)
    keep = [i for i, label in enumerate(examples.labels) if counts[label] >= 2]
    return Examples(
        [examples.texts[i] for i in keep],
        [examples.labels[i] for i in keep],
        [examples.times[i] for i in keep],
    )


def split_examples(examples: Examples) -> tuple[list[int], list[int]]:
    """Training and held-back positions: the newest fifth is held back (time order is how a model
    meets new messages); labels seen only there stay there and count as misses."""
    held = max(1, round(len(examples.texts) * HELDOUT_SHARE))
    order = sorted(range(len(examples.texts)), key=lambda i: (examples.times[i], i))
    return order[:-held], order[-held:]


def _evaluate(model: RoutingModel, texts: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    quality = quality_of(labels, model.probabilities(texts), model.labels)
    quality["n"] = len(texts)
    return quality


def _store(model: RoutingModel) -> tuple[str, str]:
    data = model_dumps(model)
    digest = hashlib.sha256(data).hexdigest()
    folder = models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"routing-{digest[:16]}.pickle"
    partial = folder / (name + ".part")
    partial.write_bytes(data)
    partial.replace(folder / name)
    return name, digest


def routing_model_train(
    *,
    actor: ActorOrSystem,
    source: str,
    examples: Examples | None = None,
    extra_words: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> RoutingModelVersion:
    """Train a routing model (from ``examples``, else the platform's confirmed assignments), score
    it and the active model on the newest fifth, and keep it; it becomes active if it did at least
    as well. ``actor`` None is the platform itself (the weekly job, the command line).
    ``extra_words`` default: the org model's place and unit names (``org_dictionary``)."""
    from minsheng.insight.selectors import routing_model_active

    if actor is not None and not actor.has_perm("insight.train_routingmodel"):
        raise PermissionDeniedError()
    if source not in RoutingSource.values:
        raise ValidationFailedError(_("Unknown training source."))
    examples = _learnable(examples if examples is not None else routing_examples_platform())
    if len(examples.texts) < MIN_EXAMPLES:
        raise ValidationFailedError(
            _("Training needs at least %(count)d examples; there are %(found)d.")
            % {"count": MIN_EXAMPLES, "found": len(examples.texts)}
        )
    if extra_words is None:
        extra_words = org_dictionary()
    started = time.perf_counter()
    train, held = split_examples(examples)
    try:
        trial = routing_train(
            [examples.texts[i] for i in train], [examples.labels[i] for i in train], extra_words=extra_words
        )
        held_texts = [examples.texts[i] for i in held]
        held_labels = [examples.labels[i] for i in held]
        quality = _evaluate(trial, held_texts, held_labels)
        active = routing_model_active()
        baseline = _evaluate(active[1], held_texts, held_labels) if active is not None else {}
        accepted = not baseline or quality["accuracy"] >= baseline["accuracy"]
        final = routing_train(
            examples.texts, examples.labels, extra_words=extra_words, progress=progress or _quiet
        )
    except RoutingError as error:
        raise ValidationFailedError(
            _("The examples cannot be learned from: %(why)s") % {"why": error}
        ) from None
    file_name, digest = _store(final)
    if not baseline:
        reason = _("First model: accepted.")
    elif accepted:
        reason = _("Accepted: accuracy %(new).3f on the held-back slice, the previous model %(old).3f.") % {
            "new": quality["accuracy"],
            "old": baseline["accuracy"],
        }
    else:
        reason = _(
            "Kept the previous model: accuracy %(new).3f on the held-back slice against %(old).3f."
        ) % {
            "new": quality["accuracy"],
            "old": baseline["accuracy"],
        }
    try:
        with transaction.atomic():
            last = rows_locked(RoutingModelVersion).order_by("-number").first()
            version = RoutingModelVersion.objects.create(
                number=(last.number + 1) if last else 1,
                source=source,
                recipe=RECIPE.name,
                trained_by=account_or_none(actor) if actor is not None else None,
                n_train=len(examples.texts),
                n_heldout=len(held),
                labels=list(final.labels),
                quality=quality,
                baseline=baseline,
                accepted=accepted,
                reason=reason,
                file_name=file_name,
                sha256=digest,
                seconds=round(time.perf_counter() - started, 2),
            )
            event_record(
                actor=actor,
                verb="train",
                target=version,
                to_state="accepted" if accepted else "rejected",
                payload={"source": source, "accuracy": quality["accuracy"], "macro_f1": quality["macro_f1"]},
            )
    except IntegrityError:
        raise ConflictError(expected="", actual="") from None
    return version


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def routing_category_save(*, actor: Actor, name: str, units: Sequence[Unit]) -> RoutingCategory:
    """Create or change the units that handle a category the models may suggest."""
    if not actor.has_perm("insight.train_routingmodel"):
        raise PermissionDeniedError()
    name = plain_text_checked(name, field="name", label=_("Category"), max_length=50)
    with transaction.atomic():
        category, created = RoutingCategory.objects.get_or_create(name=name)
        category.units.set(units)
        event_record(
            actor=actor,
            verb="create" if created else "update",
            target=category,
            payload={"units": sorted(u.pk for u in units)},
        )
    return category


# Hot issues ------------------------------------------------------------------------------------


def hot_issues_compute(*, actor: ActorOrSystem, jurisdiction: Jurisdiction, days: int = 0) -> HotIssueReport:
    """Cluster the jurisdiction's voices of the last ``days`` (setting HOT_ISSUE_DAYS) into hot issues
    and keep the report. Voices merged into another still count: each is someone who wrote."""
    from minsheng.insight.selectors import jurisdiction_and_below, voice_title
    from minsheng.voices.models import Voice

    if actor is not None and not actor.has_perm("insight.view_hotissuereport", jurisdiction):
        raise PermissionDeniedError()
    days = days or int(setting("HOT_ISSUE_DAYS", 90))
    end = timezone.localdate()
    start = end - timedelta(days=days)
    scope = jurisdiction_and_below(jurisdiction)
    voices = (
        Voice.objects.filter(jurisdiction_id__in=scope, created_at__date__gte=start)
        .select_related("place")
        .order_by("id")
    )
    supports = dict(_support_counts([v.pk for v in voices]))
    messages = [
        Message(
            id=str(voice.pk),
            title=voice_title(voice.text),
            body=voice.text,
            person=str(voice.submitter_id or voice.phone or voice.pk),
            at=voice.created_at,
            likes=supports.get(voice.pk, 0),
            place=voice.place.name if voice.place is not None else "",
        )
        for voice in voices[: int(setting("HOT_ISSUE_MAX_MESSAGES", 20000))]
    ]
    places = list(Jurisdiction.objects.filter(pk__in=scope).values_list("name", flat=True))
    found = hot_issues(messages, top=int(setting("HOT_ISSUE_TOP", 20)), known_places=places)
    issues = [
        {
            **issue.as_dict(),
            "people": issue.people,
            "likes": issue.likes,
            "ids": [int(i) for i in issue.message_ids],
        }
        for issue in found
    ]
    with transaction.atomic():
        report = HotIssueReport.objects.create(
            jurisdiction=jurisdiction,
            period_start=start,
            period_end=end,
            n_messages=len(messages),
            issues=issues,
        )
        event_record(actor=actor, verb="compute", target=report, payload={"issues": len(issues)})
    return report


def _support_counts(voice_ids: list[int]) -> list[tuple[int, int]]:
    from django.db.models import Count

    return list(
        VoiceSupport.objects.filter(voice_id__in=voice_ids)
        .values("voice_id")
        .annotate(n=Count("id"))
        .values_list("voice_id", "n")
    )


def hot_issue_forward(
    *, actor: Actor, report: HotIssueReport, rank: int, unit: Unit, instructions: str = ""
) -> Any:
    """Hand a hot issue to a unit as one item: its earliest voice still waiting for routing is
    forwarded to ``unit`` and the issue's other waiting voices are merged into it (each person is
    told, as a merge always does). Voices already routed stay as they are."""
    from minsheng.voices import services as voice_services
    from minsheng.voices.models import ReplyRule, Voice, VoiceStatus

    issue = next((i for i in report.issues if i.get("rank") == rank), None)
    if issue is None:
        raise ValidationFailedError(_("No such hot issue in this report."))
    waiting = list(
        Voice.objects.filter(pk__in=issue["ids"], status=VoiceStatus.RECEIVED).order_by("created_at", "id")
    )
    if not waiting:
        raise ValidationFailedError(_("Every message of this issue has already been routed."))
    instructions = plain_text_checked(
        instructions
        or _("Hot issue: %(title)s (%(count)d messages)")
        % {"title": issue["title"], "count": len(issue["ids"])},
        field="instructions",
        label=_("Instructions"),
        max_length=500,
        required=False,
    )
    lead = waiting[0]
    with transaction.atomic():
        for voice in waiting[1:]:
            voice_services.voice_merge(actor=actor, voice=voice, into=lead)
        voice_services.voice_forward(
            actor=actor, voice=lead, unit=unit, reply_rule=ReplyRule.COMPLAINT, instructions=instructions
        )
    return lead


# Support ---------------------------------------------------------------------------------------

SUPPORTS_PER_HOUR = 20


def voice_support(*, actor: Actor, voice: Any, phone: str, client: str) -> VoiceSupport:
    """A resident adds their support to an open voice instead of writing the same message again.

    One support per phone and voice (a second is refused, not counted twice); at most
    SUPPORTS_PER_HOUR per client address and hour."""
    from minsheng.voices.models import FINAL_STATES

    if voice.status in FINAL_STATES:
        raise ValidationFailedError(_("This message is no longer open for support."))
    throttle_count(f"voice-support:{client}", limit=SUPPORTS_PER_HOUR, seconds=3600)
    phone_hash = salted_hmac("minsheng.insight.voice_support", phone).hexdigest()
    try:
        with transaction.atomic():
            support = VoiceSupport.objects.create(
                voice=voice, phone_hash=phone_hash, user=account_or_none(actor)
            )
            event_record(actor=actor, verb="support", target=voice, payload={"support": support.pk})
    except IntegrityError:
        raise ValidationFailedError(_("You have already supported this message.")) from None
    return support
