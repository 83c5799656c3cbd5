"""Reads of the motions app: each returns only what the user may see, with its relations loaded."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import caches
from django.db import connections, router
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from minsheng.core.events import event_chain_version
from minsheng.core.privacy import mask_names, mask_text
from minsheng.core.queries import (
    columns_sql,
    compiled_condition,
    fields_in_model_order,
    kept_query_rows,
    model_field,
    models_from_sql,
    placeholders,
    prefetch_where_rows,
    table_sql,
)
from minsheng.core.search import search_filter
from minsheng.motions.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Category,
    Disclosure,
    Evaluation,
    KeySupervision,
    Motion,
    MotionKind,
    MotionSettings,
    MotionStatus,
    Rating,
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


@dataclass(frozen=True)
class _ReaderScope:
    """All that decides which motions a reader sees: the visibility condition is built from this alone,
    so its compiled SQL is kept under it (``core.queries.compiled_condition``)."""

    every_office: bool = False  # the system administrator
    places_by_kinds: tuple[tuple[tuple[int, ...], tuple[str, ...]], ...] = ()  # leaders and office staff
    units: tuple[int, ...] = ()
    person_id: int | None = None


def _reader_scope(user: Any) -> _ReaderScope:
    places_by_kinds: list[tuple[tuple[int, ...], tuple[str, ...]]] = []
    for role_kinds, leader_kinds in LEADER_SCOPE:
        # Congress leaders see suggestions and bills, CPPCC leaders proposals; nobody sees others' drafts.
        seats = {m.body.jurisdiction_id for m in memberships_of(user) if m.role in role_kinds and m.body}
        if seats:
            places_by_kinds.append((tuple(sorted(seats)), tuple(leader_kinds)))
    for kind in (MotionKind.SUGGESTION, MotionKind.PROPOSAL):
        places = staff_jurisdictions(user, kind)
        if places:
            kinds = (
                (MotionKind.PROPOSAL,)
                if kind == MotionKind.PROPOSAL
                else (MotionKind.SUGGESTION, MotionKind.BILL)
            )
            places_by_kinds.append((tuple(sorted(places)), kinds))
    return _ReaderScope(
        # The system administrator may step in for any office (the transitions allow it), so sees
        # what the offices see: every item but others' drafts.
        every_office=bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False)),
        places_by_kinds=tuple(places_by_kinds),
        units=tuple(sorted(handler_unit_ids(user))),
        person_id=getattr(user, "person_id", None),
    )


def _visible_condition(scope: _ReaderScope) -> Q:
    condition = Q(pk__in=[])
    if scope.every_office:
        condition |= ~Q(status=MotionStatus.DRAFT)
    for places, kinds in scope.places_by_kinds:
        condition |= Q(jurisdiction_id__in=places, kind__in=kinds) & ~Q(status=MotionStatus.DRAFT)
    if scope.units:
        condition |= Q(
            Exists(
                Assignment.objects.filter(motion=OuterRef("pk"), unit_id__in=scope.units).exclude(
                    status=AssignmentStatus.RETURNED
                )
            )
        )
    if scope.person_id:
        condition |= Q(Exists(Signature.objects.filter(motion=OuterRef("pk"), person_id=scope.person_id)))
        # The proposers of a merged item follow the item it went into: they are answered with it.
        condition |= Q(
            Exists(
                Signature.objects.filter(
                    motion__merged_into=OuterRef("pk"),
                    person_id=scope.person_id,
                    status=SignatureStatus.ACCEPTED,
                )
            )
        )
    return condition


def motions_visible_to(user: Any) -> QuerySet[Motion]:
    """Office staff see their office's items in their jurisdiction, leaders all, units what is assigned
    to them, deputies and members what they signed or were invited to sign."""
    if not getattr(user, "is_authenticated", False):
        return Motion.objects.none()
    return _visible_in(_reader_scope(user))


def _visible_in(scope: _ReaderScope) -> QuerySet[Motion]:
    return _base().filter(compiled_condition(Motion, scope, lambda: _visible_condition(scope)))


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
    # Filters on a unit's part or a reply are Exists tests, not joins: no duplicate rows, so no
    # DISTINCT, and SQLite can walk the newest-first index and stop after one page.
    if filters.unit:
        motions = motions.filter(
            Exists(Assignment.objects.filter(motion=OuterRef("pk"), unit_id=filters.unit))
        )
    if filters.category:
        motions = motions.filter(
            Exists(
                Reply.objects.filter(motion=OuterRef("pk")).filter(
                    Q(reviewed_category=filters.category) | Q(reviewed_category="", category=filters.category)
                )
            )
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
        # A word may match a fifth of all items: test each row while walking the newest-first index.
        motions = search_filter(motions, filters.query[:MAX_QUERY_LENGTH], walk=True)
    return _list_relations(motions).order_by("-created_at", "-id")


def _list_relations(motions: QuerySet[Motion]) -> QuerySet[Motion]:
    # A list row shows the lead signer and the key-supervision mark, and its units: no more joins.
    motions = motions.select_related(None).select_related("lead_signer", "key_supervision")
    return motions.prefetch_related(_live_assignments())


_KIND_LABELS = dict(MotionKind.choices)
_STATUS_LABELS = dict(MotionStatus.choices)
_ROLE_LABELS = dict(AssignmentRole.choices)


# What a list row shows, and no more: the rows are read by primary key after the search, written as
# SQL (compiling the joins and the units' prefetch through the ORM cost more than running them).
_ROW_FIELDS = ("id", "number", "kind", "title", "status")


@dataclass(frozen=True)
class ListedPart:
    """A unit's part as a list row shows it."""

    unit_name: str
    role: str
    role_label: str
    status: str


def motions_rows(ids: list[int], *, with_parts: bool = True) -> list[Motion]:
    """The list page's rows by id (in no particular order): for ids a visibility-filtered query gave.

    Each has the fields of ``_ROW_FIELDS`` (others are read on first use, as after ``only()``) and
    carries ``kind_label``, ``status_label``, ``lead_signer_name``, ``is_key`` and ``parts`` (its
    units' parts, ``ListedPart``, by role; none read without ``with_parts``). Django's
    get_FOO_display() rebuilds the choices mapping on every call (~50 µs a label)."""
    if not ids:
        return []
    from minsheng.org.models import Person

    alias = router.db_for_read(Motion)
    quote = connections[alias].ops.quote_name
    fields = fields_in_model_order(Motion, _ROW_FIELDS)
    columns, marks = columns_sql("m", fields, quote), placeholders(len(ids))
    sql = (
        f"SELECT {columns}, p.{quote('name')}, k.{quote('id')} FROM {table_sql(Motion, quote)} m"  # noqa: S608 - names from the models
        f" JOIN {table_sql(Person, quote)} p ON p.{quote('id')} = m.{quote('lead_signer_id')}"
        f" LEFT JOIN {table_sql(KeySupervision, quote)} k ON k.{quote('motion_id')} = m.{quote('id')}"
        f" WHERE m.{quote('id')} IN ({marks})"
    )
    parts = _listed_parts(alias, ids) if with_parts else {}
    rows: list[Motion] = []
    extra = [model_field(Person, "name"), KeySupervision._meta.pk]
    for motion, (signer_name, key_id) in models_from_sql(Motion, alias, sql, list(ids), fields, extra):
        motion.lead_signer_name = signer_name  # type: ignore[attr-defined]
        motion.is_key = key_id is not None  # type: ignore[attr-defined]
        motion.parts = parts.get(motion.pk, [])  # type: ignore[attr-defined]
        motion.kind_label = _KIND_LABELS.get(motion.kind, motion.kind)  # type: ignore[attr-defined]
        motion.status_label = _STATUS_LABELS.get(motion.status, motion.status)  # type: ignore[attr-defined]
        rows.append(motion)
    return rows


def _listed_parts(alias: str, motion_ids: list[int]) -> dict[int, list[ListedPart]]:
    """The units' parts of these items, by role then age, with the unit's name."""
    from minsheng.org.models import Unit

    quote = connections[alias].ops.quote_name
    marks = placeholders(len(motion_ids))
    sql = (
        f"SELECT a.{quote('motion_id')}, u.{quote('name')}, a.{quote('role')}, a.{quote('status')}"  # noqa: S608 - names from the models
        f" FROM {table_sql(Assignment, quote)} a JOIN {table_sql(Unit, quote)} u"
        f" ON u.{quote('id')} = a.{quote('unit_id')} WHERE a.{quote('motion_id')} IN ({marks})"
        f" ORDER BY a.{quote('role')}, a.{quote('id')}"
    )
    parts: dict[int, list[ListedPart]] = defaultdict(list)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, list(motion_ids))
        for motion_id, unit_name, role, status in cursor.fetchall():
            parts[motion_id].append(ListedPart(unit_name, role, str(_ROLE_LABELS.get(role, role)), status))
    return parts


def _live_assignments() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.select_related("unit").order_by("role", "id"),
    )


# Relations of an item's page that most items have none of (no reply yet, no rating, nothing merged
# into it): an Exists each tells, and only the relations with rows are prefetched.
_DETAIL_SOMETIMES_EMPTY = ("assignments", "replies", "evaluations", "merged_items")
_SIGNATURE_FIELDS = ("motion", "person__name", "role", "status", "order", "answer_by", "answered_at")


def _detail_prefetches() -> list[Prefetch]:
    return [
        # A signer shows their name: the person's other columns (a biography, a phone) are not read.
        Prefetch("signatures", queryset=Signature.objects.select_related("person").only(*_SIGNATURE_FIELDS)),
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("unit").prefetch_related("views_sent"),
        ),
        Prefetch("replies", queryset=Reply.objects.select_related("assignment__unit")),
        Prefetch("evaluations", queryset=Evaluation.objects.select_related("proposer")),
        Prefetch("merged_items", queryset=Motion.objects.select_related("lead_signer")),
    ]


def motion_detail(user: Any, pk: int) -> Motion | None:
    """The item, if ``user`` may see it, with what its page shows. Its reads are compiled once per
    reader scope (``kept_query_rows``): they are the same on every view of every item."""
    if not getattr(user, "is_authenticated", False):
        return None
    scope = _reader_scope(user)
    found = kept_query_rows(
        Motion,
        ("motion-detail", scope),
        # The page shows the lead signer and the key-supervision mark. The term, its body and the place
        # are not shown, and the item a merged one went into is read for merged items only (one query
        # then).
        lambda key: (
            _visible_in(scope)
            .filter(pk=key)
            .select_related(None)
            .select_related("lead_signer", "key_supervision__leader")
            .order_by()[:1]
        ),
        int(pk),
    )
    motion = found[0] if found else None
    if motion is not None:
        prefetch_where_rows(
            motion, _detail_prefetches(), sometimes_empty=_DETAIL_SOMETIMES_EMPTY, plans="motion-detail"
        )
    return motion


def motion_ids_visible_to(user: Any, ids: list[int]) -> set[int]:
    """Which of the items ``ids`` the user may open (a page lists or links only those)."""
    if not ids:
        return set()
    return set(motions_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def motion_proposers(motion: Motion) -> list[Any]:
    """Every signer of the motion and of the items merged into it (the people who must be answered)."""
    from minsheng.org.models import Person

    ids = Signature.objects.filter(
        status=SignatureStatus.ACCEPTED,
        motion__in=[motion.pk, *(m.pk for m in motion.merged_items.all())],  # prefetched on the detail page
    ).values("person_id")
    return list(Person.objects.filter(pk__in=ids).order_by("pinyin", "id"))


def similar_motions(
    *, text: str, jurisdiction_id: int, kind: str = "", exclude: int | None = None, limit: int = 5
) -> list[tuple[Motion, float]]:
    """Earlier items close to ``text`` (TF-IDF over character bigrams, cosine), each a row as
    ``motions_rows`` reads it (without its units).

    The same scores as ``similar_texts`` over the newest ``SIMILAR_CORPUS_LIMIT`` items, but the
    corpus is counted once per process and reused while its rows are unchanged: fitting it on every
    page view cost ~160 ms at 10,000 motions."""
    kinds: list[str] = (
        [MotionKind.PROPOSAL] if kind == MotionKind.PROPOSAL else [MotionKind.SUGGESTION, MotionKind.BILL]
    )
    kinds = kinds if kind else list(MotionKind.values)

    def newest() -> QuerySet[Motion]:  # built only when the kept corpus must be checked
        return (
            Motion.objects.filter(jurisdiction_id=jurisdiction_id, kind__in=kinds)
            .exclude(status__in=(MotionStatus.DRAFT, MotionStatus.WITHDRAWN))
            .order_by("-id")[: SIMILAR_CORPUS_LIMIT + 1]
        )

    corpus = _similar_corpus((jurisdiction_id, tuple(sorted(kinds))), newest)
    if corpus is None:
        return []
    import numpy as np  # with the corpus (numpy loads when first needed)

    keep = corpus.id_array != (exclude if exclude is not None else 0)  # ids are positive
    if int(keep.sum()) > SIMILAR_CORPUS_LIMIT:  # the newest LIMIT items other than the excluded one
        keep[int(np.flatnonzero(keep)[-1])] = False
    ranked = corpus.ranked(text, keep, top_k=limit)
    # The rows as the list reads them (title, state, lead signer), in the ranking's order.
    found = {motion.pk: motion for motion in motions_rows([pk for pk, _score in ranked], with_parts=False)}
    return [(found[pk], score) for pk, score in ranked if pk in found]


class _SimilarCorpus:
    """Character uni- and bigram counts of a corpus, for exact TF-IDF cosine scores of any query.

    ``similar_texts`` fits scikit-learn's TfidfVectorizer(analyzer="char", ngram_range=(1, 2),
    sublinear_tf=True) on [query, *corpus]; the query changes the idf of every term (n + 1, and
    df + 1 for its own terms), so this keeps the sublinear term frequencies and the document
    frequencies and applies the query's idf when scoring: the same numbers, two sparse
    matrix-vector products instead of a refit."""

    def __init__(self, ids: list[int], texts: list[str]) -> None:
        import numpy as np
        import scipy.sparse as sp

        vocabulary: dict[str, int] = {}
        indptr, indices, values = [0], [], []
        for text in texts:
            for term, count in Counter(_char_ngrams(text)).items():
                indices.append(vocabulary.setdefault(term, len(vocabulary)))
                values.append(1.0 + math.log(count))  # sublinear tf
            indptr.append(len(indices))
        if not vocabulary:
            raise ValueError("empty vocabulary")
        self.ids = ids
        self.id_array = np.asarray(ids, dtype=np.int64)
        self.tf = sp.csr_matrix((values, indices, indptr), shape=(len(texts), len(vocabulary)))
        self.tf_squared = self.tf.multiply(self.tf).tocsr()
        present = (self.tf > 0).astype(np.float64).tocsr()
        self.present = present
        self.df = np.asarray(present.sum(axis=0)).ravel()
        self.vocabulary = vocabulary

    def ranked(self, query: str, keep: Any, *, top_k: int, min_score: float = 0.2) -> list[tuple[int, float]]:
        """(id, score) of the kept rows most like ``query``, best first (as ``similar_texts``)."""
        import numpy as np

        query = query.strip()
        kept = np.asarray(keep, dtype=bool)
        if not query or not kept.any() or top_k <= 0:
            return []
        n = int(kept.sum()) + 1  # the kept rows and the query
        df = self.df.copy()
        indptr, indices = self.present.indptr, self.present.indices
        for row in np.flatnonzero(~kept):  # rows left out (the item itself) do not count
            df[indices[indptr[row] : indptr[row + 1]]] -= 1.0  # the row's terms (each once per row)
        terms: Counter[str] = Counter(_char_ngrams(query))
        vocabulary = self.vocabulary
        known = [(vocabulary[t], c) for t, c in terms.items() if t in vocabulary]
        if not known:
            return []
        columns = np.array([column for column, _count in known], dtype=np.int64)
        # math.log per term: numpy's log of one number costs ten times more, for every term of the text.
        query_tf = np.array([1.0 + math.log(count) for _column, count in known])
        unknown_tf = np.array([1.0 + math.log(c) for t, c in terms.items() if t not in vocabulary])
        df[columns] += 1
        idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        query_vector = np.zeros(len(idf))
        query_vector[columns] = query_tf * idf[columns]
        unknown_weights = unknown_tf * (np.log((1.0 + n) / 2.0) + 1.0)
        query_norm = float(np.sqrt((query_vector**2).sum() + (unknown_weights**2).sum()))
        dots = self.tf @ (query_vector * idf)
        doc_norms = np.sqrt(self.tf_squared @ (idf**2))
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = np.where(kept & (doc_norms > 0), dots / (doc_norms * query_norm), -1.0)
        # Best first, ties in corpus order (as similar_texts ranks them), sorted in numpy: thousands of
        # rows may pass min_score when titles repeat, and only top_k become Python objects.
        candidates = np.flatnonzero(scores >= min_score)
        best = candidates[np.lexsort((candidates, -scores[candidates]))[:top_k]]
        return [(self.ids[int(row)], round(float(scores[row]), 4)) for row in best]


_WHITE_SPACES = re.compile(r"\s\s+")


def _char_ngrams(text: str) -> list[str]:
    """Characters and character pairs, as scikit-learn's analyzer="char", ngram_range=(1, 2) makes
    them (lower-cased, runs of white space made one space); without importing scikit-learn."""
    text = _WHITE_SPACES.sub(" ", text.lower())
    return [*text, *(text[i : i + 2] for i in range(len(text) - 1))]


_SIMILAR_CACHE: dict[tuple[Any, ...], tuple[str, tuple[Any, ...], _SimilarCorpus | None]] = {}
_SIMILAR_CACHE_SIZE = 16


def _similar_corpus(key: tuple[Any, ...], newest: Callable[[], QuerySet[Motion]]) -> _SimilarCorpus | None:
    """The counted corpus of these rows, from this process's cache while they are unchanged.

    Every change that services make to an item records an Event and saves its ``updated_at`` (texts,
    states). While the Event log's version (one primary-key read, read before the rows) is the one
    the corpus was checked at, no row can have changed; after any Event, the number of rows, the sum
    of their ids and the latest ``updated_at`` tell, in one aggregate over the window (~4 ms at
    10,000 items, the largest part of a reviewer's page before), whether a row came, went or
    changed since the corpus was counted."""
    version = event_chain_version()
    cached = _SIMILAR_CACHE.get(key)
    if cached is not None and cached[0] == version:
        return cached[2]
    fingerprint = tuple(
        newest()
        .values("id", "updated_at")
        .aggregate(rows=Count("id"), latest=Max("updated_at"), ids=Sum("id"))
        .values()
    )
    if cached is not None and cached[1] == fingerprint:
        corpus = cached[2]
    else:
        rows = list(newest().values_list("id", "title", "text"))
        try:
            corpus = _SimilarCorpus(
                [pk for pk, _t, _x in rows], [f"{title} {text}" for _pk, title, text in rows]
            )
        except ValueError:  # nothing to count (no rows, or only empty texts)
            corpus = None
    if key not in _SIMILAR_CACHE and len(_SIMILAR_CACHE) >= _SIMILAR_CACHE_SIZE:
        _SIMILAR_CACHE.pop(next(iter(_SIMILAR_CACHE)), None)  # another thread may evict it first
    _SIMILAR_CACHE[key] = (version, fingerprint, corpus)
    return corpus


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
    """Replies awaiting the office's disclosure decision, the earliest ``disclose_by`` first."""
    visible = motions_visible_to(user)
    return (
        Reply.objects.filter(motion__in=visible, disclosure=Disclosure.UNDECIDED)
        .select_related("motion", "assignment__unit")
        .order_by(F("disclose_by").asc(nulls_last=True), "created_at", "id")
    )


def consultations_due(user: Any, *, overdue_only: bool = False) -> QuerySet[Assignment]:
    """Proposals' handling consultations not yet recorded, soonest first: for a unit's handlers, their
    own parts; for the office, every part of the items it sees (only overdue ones with
    ``overdue_only``)."""
    parts = Assignment.objects.filter(
        consult_by__isnull=False,
        consulted_on__isnull=True,
        status=AssignmentStatus.PENDING,
        motion__status__in=OPEN_STATES,
    )
    units = handler_unit_ids(user)
    parts = parts.filter(unit_id__in=units) if units else parts.filter(motion__in=motions_visible_to(user))
    if overdue_only:
        parts = parts.filter(consult_by__lt=today())
    return parts.select_related("motion", "unit").order_by("consult_by", "id")


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
        .select_related("motion", "motion__lead_signer", "assignment__unit", "motion__source_voice")
        .order_by("-disclosed_at", "-id")
    )


def reply_public_text(reply: Reply) -> str:
    """What the public reads of a disclosed reply: the full text or the summary, with personal data
    masked (``core.privacy.mask_text``) and the names of private persons masked: the resident whose
    voice became the item, and every name staff marked when disclosing."""
    text = reply.summary if reply.disclosure == Disclosure.SUMMARY else reply.text
    names = list(reply.private_names or [])
    voice = reply.motion.source_voice
    if voice is not None and voice.name:
        names.append(voice.name)
    return mask_text(mask_names(text, names))


def public_motion(pk: int) -> tuple[Motion, list[Reply]] | None:
    replies = list(public_replies().filter(motion_id=pk))
    if not replies:
        return None
    return replies[0].motion, replies


def motion_public_text(motion: Motion) -> str:
    """What the public reads of a suggestion or proposal whose reply was published: its text, with
    personal data masked (a resident's voice it grew from may name a phone, an address) and the name
    of that resident masked, as in the reply."""
    voice = motion.source_voice
    return mask_text(mask_names(motion.text, [voice.name] if voice is not None and voice.name else []))


@dataclass(frozen=True)
class PublicFilters:
    """What the public list of published replies narrows by; every field optional."""

    query: str = ""
    kind: str = ""
    year: int | None = None
    unit: int | None = None
    category: str = ""
    place: int | None = None


def _places_under(place_id: int) -> list[int]:
    ids, frontier = {place_id}, {place_id}
    while frontier:
        frontier = set(Jurisdiction.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return sorted(ids)


# What the public list shows of each reply (``reply_public_text`` and the card): reading only these
# columns halves the query's cost, which Django spends compiling every column of five joined tables.
PUBLIC_LIST_COLUMNS = (
    "motion_id",
    "disclosure",
    "text",
    "summary",
    "private_names",
    "category",
    "reviewed_category",
    "disclosed_at",
    "motion__kind",
    "motion__number",
    "motion__title",
    "motion__source_voice__name",
    "assignment__unit__name",
)


def public_replies_search(filters: PublicFilters) -> QuerySet[Reply]:
    """Published replies narrowed by kind, year submitted, unit, result category, place (with the
    places under it) and full-text search over the item's title and text; newest published first.
    Each reply holds only what the public list shows (``PUBLIC_LIST_COLUMNS``)."""
    replies = (
        public_replies()
        .select_related(None)
        .select_related("motion__source_voice", "assignment__unit")
        .only(*PUBLIC_LIST_COLUMNS)
    )
    if filters.kind:
        replies = replies.filter(motion__kind=filters.kind)
    if filters.year:
        replies = replies.filter(motion__submitted_at__year=filters.year)
    if filters.unit:
        replies = replies.filter(assignment__unit_id=filters.unit)
    if filters.category:
        replies = replies.filter(
            Q(reviewed_category=filters.category) | Q(reviewed_category="", category=filters.category)
        )
    if filters.place:
        replies = replies.filter(motion__jurisdiction_id__in=_places_under(filters.place))
    query = (filters.query or "").strip()[:MAX_QUERY_LENGTH]
    if query:
        replies = replies.filter(motion__in=search_filter(Motion.objects.all(), query).values("pk"))
    return replies


@dataclass(frozen=True)
class PublicChoices:
    years: list[int]
    units: list[tuple[int, str]]
    places: list[tuple[int, str]]

    @property
    def key(self) -> str:
        """These lists as a short cache key: the filter form rendered from them is kept under it."""
        return hashlib.sha256(repr((self.years, self.units, self.places)).encode("utf-8")).hexdigest()[:16]


PUBLIC_CHOICES_SECONDS = 60


def public_filter_choices() -> PublicChoices:
    """The years, units and places that have published replies: filters that always find something.
    Kept per process for a minute (the ``fragments`` cache): every visitor of the public list reads
    the same three lists, which cost three grouped queries, more than the page's own rows. A unit's
    first published reply is listed at once; the unit shows among the filters within the minute."""
    fragments = caches["fragments"]
    choices: PublicChoices | None = fragments.get("public-filter-choices")
    if choices is None:
        choices = _public_filter_choices_read()
        fragments.set("public-filter-choices", choices, PUBLIC_CHOICES_SECONDS)
    return choices


def _public_filter_choices_read() -> PublicChoices:
    published = Reply.objects.filter(disclosure__in=(Disclosure.FULL, Disclosure.SUMMARY))
    years = sorted(
        {d.year for d in published.values_list("motion__submitted_at", flat=True) if d is not None},
        reverse=True,
    )
    units = list(
        published.order_by("assignment__unit__name")
        .values_list("assignment__unit_id", "assignment__unit__name")
        .distinct()
    )
    places = list(
        published.order_by("motion__jurisdiction__code")
        .values_list("motion__jurisdiction_id", "motion__jurisdiction__name")
        .distinct()
    )
    return PublicChoices(years=years, units=units, places=places)


# --- what became of a resident's voice ----------------------------------------------------------

ANSWERED_STATES = (MotionStatus.REPLIED, MotionStatus.REHANDLING, MotionStatus.FOLLOW_UP, MotionStatus.CLOSED)


@dataclass(frozen=True)
class OutcomeReply:
    unit: str
    category: str
    round: int
    replied_at: dt.datetime
    published: bool
    summary: bool
    text: str  # as published, masked; empty when the reply is not public


@dataclass(frozen=True)
class OutcomeRating:
    who: str
    rating: str
    round: int


@dataclass(frozen=True)
class VoiceOutcome:
    """What a suggestion or proposal adopted from a voice became, as its resident may see it."""

    motion_id: int
    kind_label: str
    title: str
    number: str
    status: str
    status_label: str
    merged_into: str
    units: list[tuple[str, str]]
    replies: list[OutcomeReply]
    proposer_ratings: list[OutcomeRating]
    resident_ratings: list[OutcomeRating]
    rate_round: int | None  # the round of replies the resident may rate now, if any
    public: bool  # a reply is published: the public page exists


def _outcome(motion: Motion, voice_id: int) -> VoiceOutcome:
    handled = motion.merged_into or motion  # a merged item is answered with the one it joined
    replies = sorted(handled.replies.all(), key=lambda r: (r.round, r.created_at, r.pk))
    shown = [
        OutcomeReply(
            unit=r.assignment.unit.name,
            category=str(Category(r.final_category).label),
            round=r.round,
            replied_at=r.created_at,
            published=r.disclosure in (Disclosure.FULL, Disclosure.SUMMARY),
            summary=r.disclosure == Disclosure.SUMMARY,
            text=reply_public_text(r) if r.disclosure in (Disclosure.FULL, Disclosure.SUMMARY) else "",
        )
        for r in replies
    ]
    mine = [
        OutcomeRating(who="", rating=str(Rating(r.rating).label), round=r.round)
        for r in handled.resident_ratings.all()
        if r.voice_id == voice_id
    ]
    latest = max((r.round for r in replies), default=None)
    rated = {r.round for r in mine}
    can_rate = handled.status in ANSWERED_STATES and latest is not None and latest not in rated
    return VoiceOutcome(
        motion_id=handled.pk,
        kind_label=str(MotionKind(motion.kind).label),
        title=mask_text(motion.title),
        number=motion.number,
        status=handled.status,
        status_label=str(MotionStatus(handled.status).label),
        merged_into=mask_text(handled.title) if handled.pk != motion.pk else "",
        units=[
            (a.unit.name, str(AssignmentRole(a.role).label))
            for a in handled.assignments.all()
            if a.status != AssignmentStatus.RETURNED
        ],
        replies=shown,
        proposer_ratings=[
            OutcomeRating(who=e.proposer.name, rating=str(Rating(e.overall).label), round=e.round)
            for e in handled.evaluations.all()
        ],
        resident_ratings=mine,
        rate_round=latest if can_rate else None,
        public=any(r.published for r in shown),
    )


def voice_outcomes(voice: Any) -> list[VoiceOutcome]:
    """The suggestions and proposals a voice (or the voice it was merged into) became, and for each
    its units, its replies as published, the proposers' and the resident's ratings. Drafts count:
    the resident learns that a deputy is writing one."""
    ids = [voice.pk] + ([voice.merged_into_id] if getattr(voice, "merged_into_id", None) else [])
    handled = Prefetch(
        "merged_into",
        queryset=Motion.objects.prefetch_related(*_OUTCOME_RELATIONS),
    )
    motions = (
        Motion.objects.filter(source_voice_id__in=ids)
        .prefetch_related(handled, *_OUTCOME_RELATIONS)
        .order_by("created_at", "id")
    )
    return [_outcome(m, voice.pk) for m in motions]


_OUTCOME_RELATIONS = (
    Prefetch("replies", queryset=Reply.objects.select_related("assignment__unit")),
    Prefetch("assignments", queryset=Assignment.objects.select_related("unit").order_by("role", "id")),
    Prefetch("evaluations", queryset=Evaluation.objects.select_related("proposer").order_by("round", "id")),
    "resident_ratings",
)


# --- the leaders' dashboard --------------------------------------------------------------------


@dataclass
class Dashboard:
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)
    # On-time rate over every reply due so far: replies (on time or late) plus parts still unanswered
    # after their deadline, so that the rate and the overdue count describe the same parts.
    on_time_rate: float | None = None
    on_time_count: int = 0
    due_count: int = 0
    overdue_count: int = 0
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
    overdue_parts = Assignment.objects.filter(
        motion__in=visible.filter(status__in=OPEN_STATES), status=AssignmentStatus.PENDING, due__lt=today()
    )
    board.overdue_count = overdue_parts.count()
    board.on_time_count = on_time
    board.due_count = len(replies) + board.overdue_count
    board.on_time_rate = round(100 * on_time / board.due_count, 1) if board.due_count else None
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
    board.overdue = list(overdue_parts.select_related("motion", "unit").order_by("due")[:20])
    board.key_items = list(visible.filter(key_supervision__isnull=False).order_by("-id")[:20])
    return board


def timeline_for(motion: Motion) -> list[Any]:
    """The item's Events and those of its units' parts (replies, returns, extensions), oldest first."""
    from django.contrib.contenttypes.models import ContentType

    from minsheng.core.models import Event

    assignment_ids = [str(a.pk) for a in motion.assignments.all()]  # prefetched on the detail page

    def events(motion_type: int, motion_key: str, *of_units: Any) -> QuerySet[Event]:
        condition = Q(target_type=motion_type, target_id=motion_key)
        if of_units:  # the units' type, then their keys
            condition |= Q(target_type=of_units[0], target_id__in=of_units[1:])
        return Event.objects.filter(condition).select_related("actor").order_by("seq")

    # One plan per number of units (a query's shape changes with the length of its IN list).
    types = ContentType.objects.get_for_models(Motion, Assignment)
    of_units = [types[Assignment].pk, *assignment_ids] if assignment_ids else []
    name = ("motion-timeline", len(assignment_ids))
    return kept_query_rows(Event, name, events, types[Motion].pk, str(motion.pk), *of_units)


def open_states() -> tuple[str, ...]:
    return tuple(str(s) for s in OPEN_STATES)
