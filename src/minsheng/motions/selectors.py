"""Reads of the motions app: each returns only what the user may see, with its relations loaded."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from minsheng.analysis.text.similarity import similar_texts
from minsheng.core.search import search_filter
from minsheng.motions.models import (
    Assignment,
    AssignmentStatus,
    Disclosure,
    Evaluation,
    Motion,
    MotionKind,
    MotionSettings,
    MotionStatus,
    Reply,
    Signature,
    SignatureStatus,
)
from minsheng.motions.rules import handler_unit_ids, memberships_of, staff_jurisdictions
from minsheng.org.models import Jurisdiction, Role
from minsheng.org.selectors import today

MAX_QUERY_LENGTH = 50
SIMILAR_CORPUS_LIMIT = 2000
OPEN_STATES = (MotionStatus.ASSIGNED, MotionStatus.REHANDLING, MotionStatus.FOLLOW_UP)
REPLYING_ROLES = ("lead", "separate")
LEADER_SCOPE = (
    ((Role.SC_CHAIR, Role.SC_VICE_CHAIR), (MotionKind.SUGGESTION, MotionKind.BILL)),
    ((Role.CPPCC_CHAIR, Role.CPPCC_VICE_CHAIR), (MotionKind.PROPOSAL,)),
)


def motion_settings_for(jurisdiction: Jurisdiction | None) -> MotionSettings:
    """The settings row of the jurisdiction or its nearest ancestor, else the default row, else defaults."""
    chain: list[Any] = []
    node = jurisdiction
    while node is not None and node not in chain:
        chain.append(node)
        node = node.parent
    rows = {
        row.jurisdiction_id: row
        for row in MotionSettings.objects.filter(
            Q(jurisdiction__isnull=True) | Q(jurisdiction_id__in=[n.pk for n in chain])
        )
    }
    for key in [*(n.pk for n in chain), None]:
        if key in rows:
            return rows[key]
    return MotionSettings()


def _base() -> QuerySet[Motion]:
    return Motion.objects.select_related(
        "lead_signer", "term", "term__body", "jurisdiction", "merged_into", "key_supervision__leader"
    )


def motions_visible_to(user: Any) -> QuerySet[Motion]:
    """Office staff see their office's items in their jurisdiction, leaders all, units what is assigned
    to them, deputies and members what they signed or were invited to sign."""
    if not getattr(user, "is_authenticated", False):
        return Motion.objects.none()
    condition = Q(pk__in=[])
    for role_kinds, leader_kinds in LEADER_SCOPE:
        # Congress leaders see suggestions and bills, CPPCC leaders proposals; nobody sees others' drafts.
        seats = {m.body.jurisdiction_id for m in memberships_of(user) if m.role in role_kinds and m.body}
        if seats:
            condition |= Q(jurisdiction_id__in=seats, kind__in=leader_kinds) & ~Q(status=MotionStatus.DRAFT)
    for kind in (MotionKind.SUGGESTION, MotionKind.PROPOSAL):
        places = staff_jurisdictions(user, kind)
        if places:
            kinds = (
                [MotionKind.PROPOSAL]
                if kind == MotionKind.PROPOSAL
                else [MotionKind.SUGGESTION, MotionKind.BILL]
            )
            condition |= Q(jurisdiction_id__in=places, kind__in=kinds) & ~Q(status=MotionStatus.DRAFT)
    units = handler_unit_ids(user)
    if units:
        condition |= Q(
            Exists(
                Assignment.objects.filter(motion=OuterRef("pk"), unit_id__in=units).exclude(
                    status=AssignmentStatus.RETURNED
                )
            )
        )
    if getattr(user, "person_id", None):
        condition |= Q(Exists(Signature.objects.filter(motion=OuterRef("pk"), person_id=user.person_id)))
        # The proposers of a merged item follow the item it went into: they are answered with it.
        condition |= Q(
            Exists(
                Signature.objects.filter(
                    motion__merged_into=OuterRef("pk"),
                    person_id=user.person_id,
                    status=SignatureStatus.ACCEPTED,
                )
            )
        )
    return _base().filter(condition)


@dataclass(frozen=True)
class MotionFilters:
    query: str = ""
    kind: str = ""
    status: str = ""
    unit: int | None = None
    category: str = ""
    term: int | None = None
    session: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def motions_search(user: Any, filters: MotionFilters) -> QuerySet[Motion]:
    motions = motions_visible_to(user)
    if filters.kind:
        motions = motions.filter(kind=filters.kind)
    if filters.status:
        motions = motions.filter(status=filters.status)
    if filters.unit:
        motions = motions.filter(assignments__unit_id=filters.unit)
    if filters.category:
        motions = motions.filter(
            Q(replies__reviewed_category=filters.category)
            | Q(replies__reviewed_category="", replies__category=filters.category)
        )
    if filters.term:
        motions = motions.filter(term_id=filters.term)
    if filters.session:
        motions = motions.filter(session=filters.session)
    if filters.date_from:
        motions = motions.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        motions = motions.filter(created_at__date__lte=filters.date_to)
    if filters.query:
        motions = search_filter(motions, filters.query[:MAX_QUERY_LENGTH])
    return motions.distinct().prefetch_related(_live_assignments()).order_by("-created_at", "-id")


def _live_assignments() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.select_related("unit").order_by("role", "id"),
    )


def motion_detail(user: Any, pk: int) -> Motion | None:
    return (
        motions_visible_to(user)
        .filter(pk=pk)
        .prefetch_related(
            Prefetch("signatures", queryset=Signature.objects.select_related("person")),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("unit").prefetch_related("views_sent"),
            ),
            Prefetch("replies", queryset=Reply.objects.select_related("assignment__unit")),
            Prefetch("evaluations", queryset=Evaluation.objects.select_related("proposer")),
            Prefetch("merged_items", queryset=Motion.objects.select_related("lead_signer")),
        )
        .first()
    )


def motion_proposers(motion: Motion) -> list[Any]:
    """Every signer of the motion and of the items merged into it (the people who must be answered)."""
    from minsheng.org.models import Person

    ids = Signature.objects.filter(
        status=SignatureStatus.ACCEPTED,
        motion__in=[motion.pk, *motion.merged_items.values_list("pk", flat=True)],
    ).values("person_id")
    return list(Person.objects.filter(pk__in=ids).order_by("pinyin", "id"))


def similar_motions(
    *, text: str, jurisdiction_id: int, kind: str = "", exclude: int | None = None, limit: int = 5
) -> list[tuple[Motion, float]]:
    """Earlier items close to ``text`` (TF-IDF over character bigrams, cosine)."""
    kinds = [MotionKind.PROPOSAL] if kind == MotionKind.PROPOSAL else [MotionKind.SUGGESTION, MotionKind.BILL]
    corpus = list(
        Motion.objects.filter(jurisdiction_id=jurisdiction_id, kind__in=kinds if kind else MotionKind.values)
        .exclude(status__in=(MotionStatus.DRAFT, MotionStatus.WITHDRAWN))
        .exclude(pk=exclude or 0)
        .select_related("lead_signer")
        .order_by("-id")[:SIMILAR_CORPUS_LIMIT]
    )
    ranked = similar_texts(text, [f"{m.title} {m.text}" for m in corpus], top_k=limit)
    return [(corpus[index], score) for index, score in ranked]


def review_queue(user: Any) -> QuerySet[Motion]:
    return motions_visible_to(user).filter(status=MotionStatus.SUBMITTED).order_by("submitted_at", "id")


def assignment_queue(user: Any) -> QuerySet[Motion]:
    return motions_visible_to(user).filter(status=MotionStatus.FILED).order_by("assign_due", "id")


def returned_assignments(user: Any) -> QuerySet[Assignment]:
    """Parts returned by a unit as misassigned and not yet given to another unit."""
    visible = motions_visible_to(user).filter(status=MotionStatus.ASSIGNED)
    return Assignment.objects.filter(
        motion__in=visible, status=AssignmentStatus.RETURNED, replacement__isnull=True
    ).select_related("motion", "unit")


def extension_requests(user: Any) -> QuerySet[Assignment]:
    visible = motions_visible_to(user).filter(status__in=OPEN_STATES)
    return (
        Assignment.objects.filter(
            motion__in=visible, status=AssignmentStatus.PENDING, extension_requested_to__isnull=False
        )
        .select_related("motion", "unit")
        .order_by("due", "id")
    )


def disclosure_queue(user: Any) -> QuerySet[Reply]:
    visible = motions_visible_to(user)
    return (
        Reply.objects.filter(motion__in=visible, disclosure=Disclosure.UNDECIDED)
        .select_related("motion", "assignment__unit")
        .order_by("created_at", "id")
    )


def assignments_for_handler(user: Any) -> QuerySet[Assignment]:
    """The user's units' open items, earliest deadline first."""
    return (
        Assignment.objects.filter(
            unit_id__in=handler_unit_ids(user),
            status=AssignmentStatus.PENDING,
            motion__status__in=OPEN_STATES,
        )
        .select_related("motion", "unit", "motion__lead_signer")
        .order_by("due", "id")
    )


def awaiting_rating(user: Any) -> list[Motion]:
    """Items replied to whose current round this person has not rated yet."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    mine = Signature.objects.filter(person_id=person_id, status=SignatureStatus.ACCEPTED).values("motion_id")
    candidates = (
        _base()
        .filter(status=MotionStatus.REPLIED)
        .filter(Q(pk__in=mine) | Q(merged_items__in=mine))
        .distinct()
    )
    rated = set(
        Evaluation.objects.filter(proposer_id=person_id, motion__in=candidates).values_list(
            "motion_id", "round"
        )
    )
    return [m for m in candidates if (m.pk, m.round) not in rated]


def invitations_for(user: Any) -> QuerySet[Signature]:
    person_id = getattr(user, "person_id", None) or 0
    return (
        Signature.objects.filter(
            person_id=person_id,
            status=SignatureStatus.INVITED,
            motion__status=MotionStatus.DRAFT,
            answer_by__gte=today(),
        )
        .select_related("motion", "motion__lead_signer")
        .order_by("answer_by", "id")
    )


def my_motions(user: Any) -> QuerySet[Motion]:
    person_id = getattr(user, "person_id", None) or 0
    mine = Signature.objects.filter(person_id=person_id, status=SignatureStatus.ACCEPTED).values("motion_id")
    return _base().filter(pk__in=mine).order_by("-created_at", "-id")


# --- public disclosure -------------------------------------------------------------------------


def public_replies() -> QuerySet[Reply]:
    """Replies staff chose to publish (full text or summary): the only public motion data."""
    return (
        Reply.objects.filter(disclosure__in=(Disclosure.FULL, Disclosure.SUMMARY))
        .select_related("motion", "motion__lead_signer", "assignment__unit")
        .order_by("-disclosed_at", "-id")
    )


def public_motion(pk: int) -> tuple[Motion, list[Reply]] | None:
    replies = list(public_replies().filter(motion_id=pk))
    if not replies:
        return None
    return replies[0].motion, replies


# --- the leaders' dashboard --------------------------------------------------------------------


@dataclass
class Dashboard:
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)
    on_time_rate: float | None = None
    satisfaction: dict[str, int] = field(default_factory=dict)
    satisfaction_by_month: dict[str, dict[str, int]] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    units: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[Assignment] = field(default_factory=list)
    key_items: list[Motion] = field(default_factory=list)


def dashboard_for(user: Any) -> Dashboard:
    """Counts over what the user may see, computed from a fixed number of queries."""
    visible = motions_visible_to(user).exclude(status=MotionStatus.DRAFT)
    board = Dashboard()
    rows = list(visible.values_list("kind", "status", "created_at"))
    board.total = len(rows)
    board.by_kind = dict(Counter(kind for kind, _s, _c in rows))
    board.by_status = dict(Counter(status for _k, status, _c in rows))
    board.by_month = dict(
        sorted(Counter(timezone.localtime(c).strftime("%Y-%m") for _k, _s, c in rows).items())
    )
    replies = list(
        Reply.objects.filter(motion__in=visible).values_list(
            "assignment__unit__name", "category", "reviewed_category", "created_at", "assignment__due"
        )
    )
    per_unit: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"replies": 0, "on_time": 0, "categories": Counter()}
    )
    on_time = 0
    for unit, category, reviewed, created, due in replies:
        final = reviewed or category
        board.categories[final] = board.categories.get(final, 0) + 1
        timely = timezone.localtime(created).date() <= due
        on_time += timely
        per_unit[unit]["replies"] += 1
        per_unit[unit]["on_time"] += timely
        per_unit[unit]["categories"][final] += 1
    board.on_time_rate = round(100 * on_time / len(replies), 1) if replies else None
    board.categories = dict(sorted(board.categories.items()))
    ratings = list(Evaluation.objects.filter(motion__in=visible).values_list("overall", "created_at"))
    board.satisfaction = dict(Counter(overall for overall, _at in ratings))
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    for overall, at in ratings:
        by_month[timezone.localtime(at).strftime("%Y-%m")][overall] += 1
    board.satisfaction_by_month = {month: dict(by_month[month]) for month in sorted(by_month)}
    board.units = sorted(
        (
            {
                "unit": unit,
                "replies": data["replies"],
                "on_time": data["on_time"],
                "categories": dict(data["categories"]),
            }
            for unit, data in per_unit.items()
        ),
        key=lambda row: -row["replies"],
    )[:15]
    board.overdue = list(
        Assignment.objects.filter(
            motion__in=visible.filter(status__in=OPEN_STATES),
            status=AssignmentStatus.PENDING,
            due__lt=today(),
        )
        .select_related("motion", "unit")
        .order_by("due")[:20]
    )
    board.key_items = list(visible.filter(key_supervision__isnull=False).order_by("-id")[:20])
    return board


def timeline_for(motion: Motion) -> list[Any]:
    """The item's Events and those of its units' parts (replies, returns, extensions), oldest first."""
    from django.contrib.contenttypes.models import ContentType

    from minsheng.core.models import Event

    assignment_ids = [str(pk) for pk in Assignment.objects.filter(motion=motion).values_list("pk", flat=True)]
    return list(
        Event.objects.filter(
            Q(target_type=ContentType.objects.get_for_model(Motion), target_id=str(motion.pk))
            | Q(target_type=ContentType.objects.get_for_model(Assignment), target_id__in=assignment_ids)
        )
        .select_related("actor")
        .order_by("seq")
    )


def open_states() -> tuple[str, ...]:
    return tuple(str(s) for s in OPEN_STATES)
