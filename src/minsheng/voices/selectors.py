"""Reads of the voices app: each returns only what the user may see, in SQL, with related rows loaded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.base import SessionBase
from django.db import connections, router
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.translation import get_language, override

from minsheng.core.events import events_of
from minsheng.core.models import Event
from minsheng.core.queries import (
    columns_sql,
    compiled_condition,
    fields_in_model_order,
    kept_on,
    kept_query_rows,
    model_field,
    models_from_sql,
    once_per_user,
    one_or_none,
    placeholders,
    relations_without_rows,
    table_sql,
)
from minsheng.core.search import search_condition, search_is_common, unindexed
from minsheng.org.models import STATION_KINDS, Body, Membership, Person, Role, Unit
from minsheng.org.rules import has_admin_role
from minsheng.org.selectors import jurisdiction_tree
from minsheng.voices.models import (
    FINAL_STATES,
    HANDLING_STATES,
    ReceptionDay,
    ReceptionDayStatus,
    SocialReport,
    Voice,
    VoiceKind,
    VoiceReply,
    VoiceStatus,
    WorkOrder,
    WorkOrderStatus,
)
from minsheng.voices.rules import (
    congress_office_ids_of,
    cppcc_office_ids_of,
    handler_unit_ids_of,
    memberships_of,
    station_ids_of,
)
from minsheng.voices.services import (
    TRACKED_SESSION_KEY,
    VOICE_TRANSITIONS,
    WORK_ORDER_TRANSITIONS,
    tracking_code_normalise,
)

MAX_QUERY_LENGTH = 50
BROAD_SEARCH_MATCHES = 1000


def today() -> dt.date:
    return timezone.localdate()


def _scope_with_descendants(user: Any, ids: set[int]) -> set[int]:
    """Jurisdictions a staff member covers: theirs and everything below."""
    return jurisdiction_tree().with_descendants(ids)


@dataclass(frozen=True)
class _ReaderScope:
    """All that decides which voices a reader routes and sees: the conditions are built from this
    alone, so their compiled SQL is kept under it (``core.queries.compiled_condition``)."""

    seats: tuple[int, ...] = ()  # the reader's deputy and member seats (memberships)
    stations: tuple[int, ...] = ()
    congress_places: tuple[int, ...] = ()  # a congress office's places and all below them
    cppcc_places: tuple[int, ...] = ()
    user_id: int | None = None
    units: tuple[int, ...] = ()


def _reader_scope(user: Any) -> _ReaderScope:
    return once_per_user(user, "voices_reader_scope", lambda: _reader_scope_read(user))


def _reader_scope_read(user: Any) -> _ReaderScope:
    if not getattr(user, "is_authenticated", False):
        return _ReaderScope()
    memberships = memberships_of(user)
    congress, cppcc = congress_office_ids_of(user), cppcc_office_ids_of(user)
    return _ReaderScope(
        seats=tuple(sorted(m.pk for m in memberships if m.role in (Role.DEPUTY, Role.CPPCC_MEMBER))),
        stations=tuple(sorted(station_ids_of(user))),
        congress_places=tuple(sorted(_scope_with_descendants(user, congress))) if congress else (),
        cppcc_places=tuple(sorted(_scope_with_descendants(user, cppcc))) if cppcc else (),
        user_id=user.pk,
        units=tuple(sorted(handler_unit_ids_of(user))),
    )


def voices_routed_condition(user: Any) -> Q | None:
    """The SQL condition for the voices ``user`` routes (answers, forwards, decides on a unit's request
    for more time): as addressee, station staff or office staff in scope. None means every voice
    (administrators). Computed once per request: a voice's page asks it several times."""
    return once_per_user(user, "voices_routed", lambda: _routed_condition(user))


def _routed_condition(user: Any) -> Q | None:
    if has_admin_role(user):
        return None
    scope = _reader_scope(user)
    return compiled_condition(Voice, ("routed", scope), lambda: _routed_by(scope))


def _routed_by(scope: _ReaderScope) -> Q:
    condition = Q(pk__in=[])
    if scope.seats:
        condition |= Q(addressed_to_id__in=scope.seats)
    if scope.stations:
        condition |= Q(station_id__in=scope.stations)
    # Office staff: the voices of their office (a voice to a CPPCC member is the CPPCC's, every other
    # one the congress's) in the jurisdictions they cover.
    # A subquery, not a join: the condition is kept as compiled SQL, which cannot carry a JOIN.
    to_member = Q(addressed_to_id__in=Membership.objects.filter(role=Role.CPPCC_MEMBER).values("pk"))
    for places, office in ((scope.congress_places, ~to_member), (scope.cppcc_places, to_member)):
        if places:
            # A scope is most of the district: SQLite walks the newest-first index and skips the few
            # rows outside it (0.3 ms instead of 160 ms a page at 100,000 voices); PostgreSQL is
            # given the plain column, whose statistics lead it to the same plan (the `+` form hid
            # them: a parallel scan and sort, 365 ms a page at 1,000,000 voices).
            condition |= Q(In(unindexed(F("jurisdiction_id")), places)) & office
    return condition


def voices_visible_condition(user: Any) -> Q | None:
    """The SQL condition for the voices ``user`` may see; None means every voice (administrators)."""
    return once_per_user(user, "voices_visible", lambda: _visible_condition(user))


def _visibility_key(user: Any) -> Hashable:
    """What ``voices_visible_condition(user)`` is built from: nothing for those who see every voice,
    else the reader's scope (a visitor's is empty)."""
    return "every voice" if voices_visible_condition(user) is None else _reader_scope(user)


def _visible_condition(user: Any) -> Q | None:
    routed = voices_routed_condition(user)
    if routed is None or not getattr(user, "is_authenticated", False):
        return routed
    scope = _reader_scope(user)
    return compiled_condition(Voice, ("visible", scope), lambda: _visible_by(scope))


def _visible_by(scope: _ReaderScope) -> Q:
    condition = _routed_by(scope) | Q(submitter_id=scope.user_id)
    if scope.units:
        # A unit sees the voices it handles or handled; not one it returned as not its business.
        held = WorkOrder.objects.filter(voice=OuterRef("pk"), unit_id__in=scope.units)
        condition |= Q(Exists(held.exclude(status=WorkOrderStatus.RETURNED)))
    return condition


def extension_requests_for(user: Any, limit: int = 20) -> list[WorkOrder]:
    """Open work orders whose unit asked for more time, on voices the user routes: the desk's queue."""
    orders = WorkOrder.objects.filter(status=WorkOrderStatus.OPEN, extension_requested_to__isnull=False)
    condition = voices_routed_condition(user)
    if condition is not None:
        orders = orders.filter(voice__in=Voice.objects.filter(condition).values("pk"))
    return list(orders.select_related("voice", "unit").order_by("due", "id")[:limit])


def _with_relations(voices: QuerySet[Voice]) -> QuerySet[Voice]:
    return voices.select_related(
        "addressed_to__person", "station", "jurisdiction", "place", "submitter"
    ).prefetch_related(
        Prefetch(
            "work_orders",
            queryset=WorkOrder.objects.select_related("unit").order_by("-id"),
            to_attr="work_orders_latest_first",
        )
    )


def voices_visible_to(user: Any) -> QuerySet[Voice]:
    voices = _with_relations(Voice.objects.all())
    condition = voices_visible_condition(user)
    return voices if condition is None else voices.filter(condition)


def enterprise_voices_visible_to(user: Any) -> QuerySet[Voice]:
    """Enterprises' needs (企业诉求) the user may see, newest first."""
    return voices_visible_to(user).exclude(credit_code="").order_by("-created_at", "-id")


@lru_cache(maxsize=8)
def _row_labels(language: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """The kinds' and statuses' names in ``language`` as plain strings: turning a lazy label into text
    costs about as much as writing the rest of its row, twice a row."""
    with override(language):
        return (
            {value: str(label) for value, label in VoiceKind.choices},
            {value: str(label) for value, label in VoiceStatus.choices},
        )


# What a list row shows, and no more (read by id after the search, written as SQL: compiling the two
# joins and the work orders' prefetch through the ORM cost ~2 ms a page, ten times running them).
_ROW_FIELDS = ("id", "created_at", "text", "kind", "status", "triage_due", "addressed_to", "station")
_ROW_ORDER_FIELDS = ("id", "voice", "status", "due")


def voices_rows(ids: list[int]) -> list[Voice]:
    """The list page's rows by id, in no particular order: for ids a visibility-filtered query gave.

    Each voice has the fields of ``_ROW_FIELDS`` (others are read on first use, as after ``only()``)
    and carries ``kind_label``, ``status_label``, ``addressed_to_name``, ``station_name`` and
    ``latest_work_order`` (with its ``unit_name``), or None. Django's get_FOO_display() rebuilds the
    choices mapping on every call (~50 µs a label, a tenth of a list page's rendering)."""
    if not ids:
        return []
    alias = router.db_for_read(Voice)
    quote = connections[alias].ops.quote_name
    voice_fields = fields_in_model_order(Voice, _ROW_FIELDS)
    names = [model_field(Person, "name"), model_field(Body, "name")]
    columns, marks = columns_sql("v", voice_fields, quote), placeholders(len(ids))
    sql = (
        f"SELECT {columns}, p.{quote('name')}, b.{quote('name')} FROM {table_sql(Voice, quote)} v"  # noqa: S608 - names from the models
        f" LEFT JOIN {table_sql(Membership, quote)} m ON m.{quote('id')} = v.{quote('addressed_to_id')}"
        f" LEFT JOIN {table_sql(Person, quote)} p ON p.{quote('id')} = m.{quote('person_id')}"
        f" LEFT JOIN {table_sql(Body, quote)} b ON b.{quote('id')} = v.{quote('station_id')}"
        f" WHERE v.{quote('id')} IN ({marks})"
    )
    latest = _latest_work_orders(alias, ids)
    kind_labels, status_labels = _row_labels(get_language())
    rows: list[Voice] = []
    for voice, (addressee, station) in models_from_sql(Voice, alias, sql, list(ids), voice_fields, names):
        voice.addressed_to_name, voice.station_name = addressee or "", station or ""  # type: ignore[attr-defined]
        voice.latest_work_order = latest.get(voice.pk)  # type: ignore[attr-defined]
        voice.kind_label = kind_labels.get(voice.kind, voice.kind)  # type: ignore[attr-defined]
        voice.status_label = status_labels.get(voice.status, voice.status)  # type: ignore[attr-defined]
        rows.append(voice)
    return rows


def _latest_work_orders(alias: str, voice_ids: list[int]) -> dict[int, WorkOrder]:
    """Each voice's newest work order, with its unit's name as ``unit_name``."""
    quote = connections[alias].ops.quote_name
    fields = fields_in_model_order(WorkOrder, _ROW_ORDER_FIELDS)
    columns, marks = columns_sql("w", fields, quote), placeholders(len(voice_ids))
    sql = (
        f"SELECT {columns}, u.{quote('name')} FROM {table_sql(WorkOrder, quote)} w"  # noqa: S608 - names from the models
        f" JOIN {table_sql(Unit, quote)} u ON u.{quote('id')} = w.{quote('unit_id')}"
        f" WHERE w.{quote('voice_id')} IN ({marks}) ORDER BY w.{quote('id')} DESC"
    )
    latest: dict[int, WorkOrder] = {}
    unit_name = [model_field(Unit, "name")]
    for order, (name,) in models_from_sql(WorkOrder, alias, sql, list(voice_ids), fields, unit_name):
        order.unit_name = name  # type: ignore[attr-defined]
        latest.setdefault(order.voice_id, order)  # newest first: the first seen is the latest
    return latest


@dataclass(frozen=True)
class VoiceFilters:
    """What a list page narrows by; every field optional."""

    query: str = ""
    status: str = ""
    kind: str = ""
    channel: str = ""
    unit: int | None = None
    station: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    overdue: bool = False
    mine: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def voices_overdue_condition(day: dt.date | None = None) -> Q:
    """Overdue is a query: not routed by its routing deadline, or a work order past its reply date."""
    day = day or today()
    late_work = WorkOrder.objects.filter(status=WorkOrderStatus.OPEN, due__lt=day).values("voice_id")
    return Q(status=VoiceStatus.RECEIVED, triage_due__lt=day) | Q(
        pk__in=late_work, status__in=HANDLING_STATES
    )


def voices_search(user: Any, filters: VoiceFilters) -> QuerySet[Voice]:
    """The list pages' query: visible voices narrowed by the filters and Chinese full-text search."""
    voices = voices_visible_to(user)
    if filters.status:
        voices = voices.filter(status=filters.status)
    if filters.kind:
        voices = voices.filter(kind=filters.kind)
    if filters.channel:
        voices = voices.filter(channel=filters.channel)
    if filters.unit:
        voices = voices.filter(Exists(WorkOrder.objects.filter(voice=OuterRef("pk"), unit_id=filters.unit)))
    if filters.station:
        voices = voices.filter(station_id=filters.station)
    if filters.date_from:
        voices = voices.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        voices = voices.filter(created_at__date__lte=filters.date_to)
    if filters.overdue:
        voices = voices.filter(voices_overdue_condition())
    if filters.mine and getattr(user, "is_authenticated", False):
        seats = [m.pk for m in memberships_of(user)]
        voices = voices.filter(Q(addressed_to_id__in=seats) | Q(submitter_id=user.pk))
    query = (filters.query or "").strip()[:MAX_QUERY_LENGTH]
    broad = False
    if query:
        code = tracking_code_normalise(query)
        by_code = Q(tracking_code=code) if len(code) >= 8 else Q(pk__in=[])
        # A common word (道路) matches thousands of voices: sorting them all costs more than walking
        # the newest-first index and testing each row, which stops after one page. A rare one is
        # cheaper the other way round; `search_is_common` tells which.
        broad = search_is_common(Voice, query, matches=BROAD_SEARCH_MATCHES)
        matched = search_condition(Voice, query, walk=broad)
        voices = voices.filter(by_code | matched if matched is not None else by_code)
    if filters.overdue or filters.unit or (query and not broad):
        # Narrow filters: find the few rows through their own indexes, then sort them. (Ordering by
        # an expression keeps SQLite from walking the newest-first index across every row instead.)
        return voices.order_by(Coalesce(F("created_at"), F("updated_at")).desc(), "-id")
    return voices.order_by("-created_at", "-id")


def voice_for_tracking(*, code: str, phone: str) -> Voice | None:
    """The voice with this tracking code whose phone matches; None for any mismatch (no hint which)."""
    normalised = tracking_code_normalise(code)
    if not normalised or not phone:
        return None
    return (
        Voice.objects.select_related("addressed_to__person", "station", "jurisdiction", "merged_into")
        .filter(tracking_code=normalised, phone=phone)
        .first()
    )


def voice_tracked_in(session: SessionBase, voice_id: int) -> Voice | None:
    """A voice this browser opened with its tracking code and phone number, else None."""
    if voice_id not in list(session.get(TRACKED_SESSION_KEY, [])):
        return None
    return one_or_none(
        Voice.objects.select_related("addressed_to__person", "station", "jurisdiction").filter(pk=voice_id)
    )


def voice_detail(user: Any, voice_id: int) -> Voice | None:
    """The voice, if ``user`` may see it, with what its page and the API show (addressee, station,
    place; the submitter and the reported place are read when a service needs them). Its query is
    compiled once per process for each reader's visibility (``core.queries.kept_query_rows``)."""

    def one_voice(key: int) -> QuerySet[Voice]:
        detail = voices_visible_to(user).select_related(None).prefetch_related(None)
        return detail.select_related("addressed_to__person", "station", "jurisdiction").filter(pk=key)

    found = kept_query_rows(Voice, ("voice-detail", _visibility_key(user)), one_voice, int(voice_id))
    voice = found[0] if found else None
    if voice is not None:
        # Its work orders, newest first, read only if it has any (most voices wait to be routed).
        orders = WorkOrder.objects.filter(voice=voice).select_related("unit").order_by("-id")
        empty = "work_orders" in voice_relations_without_rows(voice)
        voice.work_orders_latest_first = [] if empty else list(orders)  # type: ignore[attr-defined]
    return voice


def voice_ids_visible_to(user: Any, ids: list[int]) -> set[int]:
    """Which of the voices ``ids`` the user may open (a page links only those)."""
    if not ids:
        return set()
    return set(voices_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def voice_relations_without_rows(voice: Voice) -> set[str]:
    """Which of the voice's work orders, replies, duplicates and adopting motions have no rows, asked
    once per voice object in one statement (``core.queries.relations_without_rows``)."""
    adoptable = hasattr(voice, "adopted_motions")  # the motions app adds the relation
    names = ("work_orders", "replies", "duplicates", *(("adopted_motions",) if adoptable else ()))
    return kept_on(voice, "empty_relations", lambda: relations_without_rows(voice, names))


# What happens on a work order that belongs on the voice's timeline (its reply, return and reopening
# have their own Events on the voice): staff see the request and the decision, the person the result.
WORK_ORDER_TIMELINE_VERBS = ("request_extension", "extend", "refuse_extension")
WORK_ORDER_PUBLIC_VERBS = ("extend",)


def voice_timeline(voice: Voice, *, public: bool = False) -> list[Event]:
    """The voice's Events and its work orders' extension Events, oldest first (the timeline people see
    is read from these only)."""
    orders = [str(order.pk) for order in _work_orders_newest_first(voice)]
    verbs = WORK_ORDER_PUBLIC_VERBS if public else WORK_ORDER_TIMELINE_VERBS
    of_orders: list[Event] = []
    if orders:  # compiled once per number of work orders: the IN list's length shapes the query
        work_type = ContentType.objects.get_for_model(WorkOrder).pk
        of_orders = kept_query_rows(
            Event,
            ("voice-order-events", verbs, len(orders)),
            partial(_events_of_orders, verbs),
            work_type,
            *orders,
        )
    return sorted([*events_of(voice), *of_orders], key=lambda e: e.seq)


def _events_of_orders(verbs: tuple[str, ...], work_type: int, *orders: str) -> QuerySet[Event]:
    of_orders = Event.objects.filter(target_type=work_type, target_id__in=orders, verb__in=verbs)
    return of_orders.select_related("actor", "target_type")


def voice_replies(voice: Voice) -> list[VoiceReply]:
    """Replies to the voice, and, for a merged duplicate, the replies to the voice that absorbed it."""
    ids = [voice.pk] + ([voice.merged_into_id] if voice.merged_into_id else [])
    return list(
        VoiceReply.objects.filter(voice_id__in=ids)
        .select_related("work_order__unit", "author")
        .order_by("created_at", "id")
    )


def _work_orders_newest_first(voice: Voice) -> list[WorkOrder]:
    """The voice's work orders with their units: those its query loaded (``voices_visible_to``
    prefetches them), else read now. A voice's page asked the database for them four times."""
    loaded = getattr(voice, "work_orders_latest_first", None)
    if loaded is None:
        loaded = list(WorkOrder.objects.filter(voice=voice).select_related("unit").order_by("-id"))
    return loaded


def voice_open_work_order(voice: Voice) -> WorkOrder | None:
    """The open work order (a constraint allows one at a time)."""
    return next((o for o in _work_orders_newest_first(voice) if o.status == WorkOrderStatus.OPEN), None)


def voice_work_orders(voice: Voice) -> list[WorkOrder]:
    """The voice's work orders, oldest first (the order they were forwarded in)."""
    return sorted(_work_orders_newest_first(voice), key=lambda order: order.pk)


def merge_candidates(user: Any, voice: Voice, limit: int = 20) -> QuerySet[Voice]:
    """Voices this one may be merged into: visible, not itself, not already merged or closed out."""
    return (
        voices_visible_to(user)
        .exclude(pk=voice.pk)
        .exclude(status__in=[VoiceStatus.MERGED, VoiceStatus.REFERRED])
        .order_by("-created_at")[:limit]
    )


def work_orders_for_handler(user: Any, *, open_only: bool = True) -> QuerySet[WorkOrder]:
    """The work orders of the user's units, soonest deadline first."""
    units = handler_unit_ids_of(user)
    orders = WorkOrder.objects.filter(unit_id__in=units).select_related("voice", "unit")
    if open_only:
        orders = orders.filter(status=WorkOrderStatus.OPEN)
    return orders.order_by("due", "id")


def units_for_forwarding(voice: Voice) -> QuerySet[Unit]:
    """Units of the voice's jurisdiction and its parents (a township matter may go to a district bureau)."""
    ids = jurisdiction_tree().lineage(voice.jurisdiction_id)
    return (
        Unit.objects.filter(jurisdiction_id__in=ids).select_related("jurisdiction").order_by("kind", "name")
    )


def stations_managed_by(user: Any) -> QuerySet[Body]:
    """Stations whose reception days the user announces (station staff; staff and admins in scope)."""
    stations = Body.objects.filter(kind__in=STATION_KINDS).select_related("jurisdiction")
    if has_admin_role(user):
        return stations.order_by("jurisdiction__code", "name")
    condition = Q(pk__in=station_ids_of(user))
    staff_places = congress_office_ids_of(user)  # stations are the congress's
    if staff_places:
        condition |= Q(jurisdiction_id__in=_scope_with_descendants(user, staff_places))
    return stations.filter(condition).order_by("jurisdiction__code", "name")


def reception_days_upcoming(
    *, station: Body | None = None, day: dt.date | None = None
) -> QuerySet[ReceptionDay]:
    """Published reception days from ``day`` on: public information."""
    days = ReceptionDay.objects.filter(date__gte=day or today(), status=ReceptionDayStatus.PUBLISHED)
    if station is not None:
        days = days.filter(station=station)
    return (
        days.select_related("station", "station__jurisdiction")
        .prefetch_related(Prefetch("deputies", queryset=Membership.objects.select_related("person")))
        .order_by("date", "start_time", "id")
    )


def reception_days_received_by(person_id: int, limit: int = 10) -> list[ReceptionDay]:
    """Published (not yet held) days this deputy receives on: the past ones to record as held, oldest
    first, then the coming ones."""
    days = ReceptionDay.objects.filter(
        deputies__person_id=person_id, status=ReceptionDayStatus.PUBLISHED
    ).select_related("station")
    past = list(days.filter(date__lte=today()).order_by("date", "start_time", "id").distinct()[:limit])
    coming = list(days.filter(date__gt=today()).order_by("date", "start_time", "id").distinct()[:limit])
    return past + coming


def reception_day_visits(day: ReceptionDay) -> int:
    return Voice.objects.filter(reception_day=day).count()


def reception_days_of_user(user: Any) -> QuerySet[ReceptionDay]:
    """Reception days of the stations the user manages, recent and upcoming, with visit counts."""
    from django.db.models import Count

    return (
        ReceptionDay.objects.filter(station__in=stations_managed_by(user))
        .filter(date__gte=today() - dt.timedelta(days=60))
        .select_related("station")
        .prefetch_related(Prefetch("deputies", queryset=Membership.objects.select_related("person")))
        .annotate(visit_count=Count("visits"))
        .order_by("date", "start_time", "id")
    )


def representatives_for_qr() -> QuerySet[Membership]:
    """Deputies and members in office: each has a printable QR code."""
    return (
        Membership.objects.active_on(today())
        .filter(role__in=(Role.DEPUTY, Role.CPPCC_MEMBER))
        .select_related("person", "body")
        .order_by("role", "person__pinyin", "id")
    )


def representative_for_qr(person_id: int) -> Membership | None:
    return representatives_for_qr().filter(person_id=person_id).first()


def social_reports_visible_to(user: Any) -> QuerySet[SocialReport]:
    reports = SocialReport.objects.select_related("author", "jurisdiction")
    if has_admin_role(user) or cppcc_office_ids_of(user):
        return reports
    if getattr(user, "is_authenticated", False):
        return reports.filter(author_id=user.pk)
    return reports.none()


def voices_counts_by_status(user: Any) -> dict[str, int]:
    """How many visible voices are in each state that still needs work (final states are not counted)."""
    from django.db.models import Count

    condition = voices_visible_condition(user)
    voices = Voice.objects.exclude(status__in=FINAL_STATES)
    voices = voices if condition is None else voices.filter(condition)
    return dict(voices.values_list("status").annotate(n=Count("id")).values_list("status", "n"))


def voices_addressed_to_user(user: Any, limit: int = 10) -> QuerySet[Voice]:
    seats = [m.pk for m in memberships_of(user) if m.role in (Role.DEPUTY, Role.CPPCC_MEMBER)]
    return (
        Voice.objects.filter(addressed_to_id__in=seats)
        .exclude(status__in=FINAL_STATES)
        .select_related("station", "jurisdiction")
        .order_by("triage_due", "-created_at")[:limit]
    )


def voices_of_stations(user: Any, limit: int = 10) -> QuerySet[Voice]:
    return (
        Voice.objects.filter(station_id__in=station_ids_of(user))
        .exclude(status__in=FINAL_STATES)
        .select_related("station", "jurisdiction")
        .order_by("triage_due", "-created_at")[:limit]
    )


def receiving_deputies_for(
    stations: QuerySet[Body], *, keep: list[int] | None = None
) -> QuerySet[Membership]:
    """Deputies in office who can receive at these stations: those elected for a station's place (a
    list short enough for a phone rather than all the district's deputies), plus any already chosen."""
    places = stations.values("jurisdiction_id")
    covering = Q(constituency__places__in=places) | Q(constituency__places__parent__in=places)
    return (
        Membership.objects.active_on(today())
        .filter(covering | Q(pk__in=keep or []), role=Role.DEPUTY)
        .select_related("person")
        .distinct()
        .order_by("person__pinyin", "person_id")
    )


def reception_day_of(day_id: int) -> ReceptionDay | None:
    return ReceptionDay.objects.select_related("station__jurisdiction").filter(pk=day_id).first()


def reception_days_held(stations: QuerySet[Body], limit: int = 30) -> QuerySet[ReceptionDay]:
    """Days a visit can be recorded against: published or held, today or earlier, newest first."""
    days = ReceptionDay.objects.filter(
        station__in=stations,
        status__in=(ReceptionDayStatus.PUBLISHED, ReceptionDayStatus.HELD),
        date__lte=today(),
    ).order_by("-date")
    # The form's choice field filters the set again, which a sliced queryset cannot be: a subquery.
    return ReceptionDay.objects.filter(pk__in=days.values("pk")[:limit]).select_related("station")


def voice_target_from(param: str) -> tuple[Membership | None, Body | None]:
    """``deputy:<person_id>``, ``member:<person_id>`` or ``station:<body_id>`` from a QR link."""
    kind, _sep, raw_id = (param or "").partition(":")
    if not raw_id.isdigit():
        return None, None
    if kind in ("deputy", "member"):
        role = Role.DEPUTY if kind == "deputy" else Role.CPPCC_MEMBER
        seat = representatives_for_qr().filter(person_id=int(raw_id), role=role).first()
        return seat, None
    if kind == "station":
        return None, Body.objects.filter(pk=int(raw_id), kind__in=STATION_KINDS).select_related(
            "jurisdiction"
        ).first()
    return None, None


# Actions a form or an API client offers on a voice; the services check the same conditions again.
VOICE_FORM_ACTIONS = ("answer", "forward", "refer", "merge", "adopt", "reply", "close", "rehandle", "reopen")


def voice_actions(voice: Voice, user: Any) -> list[str]:
    """What ``user`` may do on ``voice`` now: its own transitions, and on its open work order the
    unit's return (within its period) and request for more time, or the decision on that request."""
    allowed = [a for a in VOICE_TRANSITIONS.allowed_actions(voice, user) if a in VOICE_FORM_ACTIONS]
    work_order = voice_open_work_order(voice)
    if work_order is None:
        return allowed
    asked = work_order.extension_requested_to is not None
    can_extend = work_order.max_due is not None and work_order.max_due > work_order.due
    in_time = work_order.return_by is not None and today() <= work_order.return_by
    if in_time and "return" in VOICE_TRANSITIONS.allowed_actions(voice, user):
        allowed.append("return")
    for action in WORK_ORDER_TRANSITIONS.allowed_actions(work_order, user):
        asking = action == "request_extension" and can_extend and not asked
        deciding = action in ("extend", "refuse_extension") and asked
        if asking or deciding:
            allowed.append(action)
    return allowed
