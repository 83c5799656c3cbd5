"""Reads of the organisational model. Each returns only public data unless it says otherwise."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from minsheng.core.queries import once_per_request
from minsheng.org.models import (
    CPPCC_PLACE_KINDS,
    PUBLIC_PLACE_KINDS,
    REPRESENTATIVE_ROLES,
    STATION_KINDS,
    Body,
    BodyKind,
    Jurisdiction,
    JurisdictionLevel,
    Membership,
    Person,
    Role,
    Unit,
)

MAX_QUERY_LENGTH = 50


def today() -> dt.date:
    return timezone.localdate()


def jurisdictions_all() -> QuerySet[Jurisdiction]:
    return Jurisdiction.objects.select_related("parent").order_by("code")


@dataclass(frozen=True)
class JurisdictionTree:
    """Every jurisdiction's parent and children, by id."""

    parent_of: dict[int, int | None]
    children_of: dict[int, tuple[int, ...]]

    def lineage(self, jurisdiction_id: int | None) -> list[int]:
        """The jurisdiction, then its ancestors up to the root."""
        chain: list[int] = []
        node = jurisdiction_id
        while node is not None and node not in chain:  # a cycle cannot be saved, but never loop
            chain.append(node)
            node = self.parent_of.get(node)
        return chain

    def with_descendants(self, ids: Iterable[int]) -> set[int]:
        """The jurisdictions and everything below them."""
        covered: set[int] = set()
        frontier = set(ids)
        while frontier:
            covered |= frontier
            frontier = {child for node in frontier for child in self.children_of.get(node, ())} - covered
        return covered


_tree_lock = threading.Lock()
_tree_kept: tuple[tuple[Any, ...], JurisdictionTree] | None = None


def _aggregates_sql(table: str, columns: tuple[str, ...], where: str = "") -> list[str]:
    """One scalar subquery per aggregate; every name here is a quoted model table or a constant."""
    return [f"(SELECT {column} FROM {table}{where})" for column in columns]  # noqa: S608 - names


def _org_tables_version_read() -> tuple[Any, ...]:
    """Row count, last change and sums of ids and parents of the places, bodies and units, in one
    statement written here (the ORM would spend longer compiling it than the database answers it)."""
    from django.db import connections, router

    alias = router.db_for_read(Jurisdiction)
    quote = connections[alias].ops.quote_name
    parts: list[str] = []
    for model, parented in ((Jurisdiction, True), (Body, True), (Unit, False)):
        columns = ("COUNT(*)", "MAX(updated_at)", "MAX(id)") + (("SUM(parent_id)",) if parented else ())
        parts += _aggregates_sql(quote(model._meta.db_table), columns)
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


def org_tables_version() -> tuple[Any, ...]:
    """What the places, bodies and units are now, read once per request: a place, body or unit saved,
    added, removed or moved changes it (every save sets ``updated_at``; nothing updates them in bulk).
    Per-process copies of the tree of places and of people's memberships are checked against it."""
    return once_per_request("org.tables_version", _org_tables_version_read)


def jurisdiction_tree() -> JurisdictionTree:
    """The tree of places, kept per process and checked against ``org_tables_version()`` (once per
    request). Staff scopes walk it on every voice page: walking it in SQL cost two queries, and joining
    four levels of parents made a voice's query slow to plan."""
    global _tree_kept
    version = org_tables_version()
    kept = _tree_kept
    if kept is not None and kept[0] == version:
        return kept[1]
    parent_of: dict[int, int | None] = dict(Jurisdiction.objects.order_by().values_list("id", "parent_id"))
    children: dict[int, list[int]] = {}
    for node, parent in parent_of.items():
        if parent is not None:
            children.setdefault(parent, []).append(node)
    tree = JurisdictionTree(parent_of, {node: tuple(sorted(ids)) for node, ids in children.items()})
    with _tree_lock:
        _tree_kept = (version, tree)
    return tree


def jurisdiction_tree_forget() -> None:
    """Drop the kept tree (tests: each builds its own places, and ids repeat after a rollback)."""
    global _tree_kept
    with _tree_lock:
        _tree_kept = None


def townships_of(district: Jurisdiction | None = None) -> QuerySet[Jurisdiction]:
    """Towns and streets, of one district or of every district."""
    towns = Jurisdiction.objects.filter(level=JurisdictionLevel.TOWNSHIP).select_related("parent")
    return towns.filter(parent=district) if district else towns.order_by("code")


def place_find(name: str) -> Jurisdiction | None:
    """A township or street by its name (exact, then unique prefix such as 湖塘 for 湖塘镇)."""
    name = name.strip()
    towns = Jurisdiction.objects.filter(level=JurisdictionLevel.TOWNSHIP)
    exact = towns.filter(name=name).first()
    if exact is not None:
        return exact
    candidates = list(towns.filter(name__startswith=name)[:2]) if name else []
    return candidates[0] if len(candidates) == 1 else None


def _representative_memberships(day: dt.date) -> QuerySet[Membership]:
    return (
        Membership.objects.active_on(day)
        .select_related("person", "body", "term", "term__body", "sector", "constituency")
        .order_by("person__pinyin", "person_id")
    )


def deputies_for_place(
    place: Jurisdiction, day: dt.date | None = None, query: str = ""
) -> QuerySet[Membership]:
    """The deputies whose constituency covers ``place`` (or, for a district, any of its townships),
    optionally only those matching ``query`` (name, pinyin, initials, constituency)."""
    places = Q(constituency__places=place) | Q(constituency__places__parent=place)
    seats = _representative_memberships(day or today()).filter(places, role=Role.DEPUTY)
    query = query.strip()[:MAX_QUERY_LENGTH]
    if query:
        seats = seats.filter(seat_search_condition(query))
    return seats.distinct()


_SEAT_LISTING_FIELDS = ("person__name", "person__pinyin", "constituency__name")


def deputy_listing_for_place(place: Jurisdiction, query: str = "") -> QuerySet[Membership]:
    """``deputies_for_place`` with only what the public page lists (name, profile link, constituency):
    loading the six related rows of each seat cost more than all the rest of the page."""
    return (
        deputies_for_place(place, query=query)
        .select_related(None)
        .select_related("person", "constituency")
        .only(*_SEAT_LISTING_FIELDS)
    )


@dataclass(frozen=True)
class ConstituencyGroup:
    """A constituency (选区) and the deputies it elected, as the find-my-representatives page lists them."""

    name: str
    seats: list[Membership]


def deputies_by_constituency(seats: list[Membership]) -> list[ConstituencyGroup]:
    """Seats grouped by constituency, in the order the constituencies were numbered (第1选区, 第2选区…)."""
    groups: dict[int, tuple[str, list[Membership]]] = {}
    for seat in seats:
        key = seat.constituency_id or 0
        name = seat.constituency.name if seat.constituency else ""
        groups.setdefault(key, (name, []))[1].append(seat)
    return [ConstituencyGroup(name, members) for _key, (name, members) in sorted(groups.items())]


def public_places_for(place: Jurisdiction, kinds: tuple[str, ...] = PUBLIC_PLACE_KINDS) -> QuerySet[Body]:
    """Stations, studios and consultation rooms located in ``place``."""
    return (
        Body.objects.filter(jurisdiction=place, kind__in=kinds)
        .select_related("jurisdiction")
        .order_by("kind", "name")
    )


def stations_for(place: Jurisdiction) -> QuerySet[Body]:
    return public_places_for(place, STATION_KINDS)


def cppcc_places_for(place: Jurisdiction) -> QuerySet[Body]:
    return public_places_for(place, CPPCC_PLACE_KINDS)


def stations_all() -> QuerySet[Body]:
    return (
        Body.objects.filter(kind__in=PUBLIC_PLACE_KINDS)
        .select_related("jurisdiction")
        .order_by("jurisdiction__code", "kind", "name")
    )


# The offices the public writes to or visits about the site and its work (the footer's "contact us").
CONTACT_OFFICE_KINDS = (
    BodyKind.STANDING_COMMITTEE,
    BodyKind.CPPCC_COMMITTEE,
    BodyKind.LEGISLATIVE_CONTACT_POINT,
)


def contact_offices() -> QuerySet[Body]:
    return (
        Body.objects.filter(kind__in=CONTACT_OFFICE_KINDS)
        .select_related("jurisdiction")
        .order_by("jurisdiction__code", "kind", "name")
    )


def bodies_all() -> QuerySet[Body]:
    return Body.objects.select_related("jurisdiction", "parent").order_by(
        "jurisdiction__code", "kind", "name"
    )


def units_all() -> QuerySet[Unit]:
    return Unit.objects.select_related("jurisdiction").order_by("jurisdiction__code", "kind", "name")


class DirectoryKind:
    ALL = ""
    DEPUTIES = "deputies"
    MEMBERS = "members"


def directory_search(
    query: str = "", kind: str = DirectoryKind.ALL, day: dt.date | None = None
) -> QuerySet[Membership]:
    """Deputies and CPPCC members by name, pinyin, pinyin initials, constituency or sector.

    One row per representative seat (a deputy's seat in the congress, a member's seat in the committee),
    so a person who is both appears twice, once in each role.
    """
    day = day or today()
    seats = _representative_memberships(day).filter(
        Q(role=Role.DEPUTY, body__kind=BodyKind.CONGRESS)
        | Q(role=Role.CPPCC_MEMBER, body__kind=BodyKind.CPPCC_COMMITTEE)
    )
    if kind == DirectoryKind.DEPUTIES:
        seats = seats.filter(role=Role.DEPUTY)
    elif kind == DirectoryKind.MEMBERS:
        seats = seats.filter(role=Role.CPPCC_MEMBER)
    query = query.strip()[:MAX_QUERY_LENGTH]
    if query:
        seats = seats.filter(seat_search_condition(query)).distinct()
    return seats


def seat_search_condition(query: str) -> Q:
    """A seat whose holder's name, full pinyin or pinyin initials, constituency (or its places) or
    sector matches ``query`` (already trimmed and non-empty)."""
    compact = query.replace(" ", "").lower()
    return (
        Q(person__name__contains=query)
        | Q(person__pinyin_initials__startswith=compact)
        | Q(person__pinyin__icontains=query.lower())
        | Q(constituency__name__contains=query)
        | Q(constituency__places__name__contains=query)
        | Q(sector__name__contains=query)
    )


@dataclass(frozen=True)
class Profile:
    person: Person
    seats: list[Membership]
    duties: list[Membership]


def profile_public(person_id: int, day: dt.date | None = None) -> Profile | None:
    """A representative's public profile; None when the person holds no representative seat.

    Staff, handlers and administrators have no public profile: only deputies and members do.
    """
    day = day or today()
    person = (
        Person.objects.filter(pk=person_id)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.active_on(day).select_related(
                    "body", "unit", "term", "term__body", "sector", "constituency"
                ),
                to_attr="active_memberships",
            )
        )
        .first()
    )
    if person is None:
        return None
    memberships: list[Membership] = person.active_memberships
    seats = [
        m
        for m in memberships
        if m.role in REPRESENTATIVE_ROLES
        and m.body
        and m.body.kind in (BodyKind.CONGRESS, BodyKind.CPPCC_COMMITTEE)
    ]
    if not seats:
        return None
    duties = [m for m in memberships if m not in seats]
    return Profile(person=person, seats=seats, duties=duties)


def roles_of(person: Person | None, day: dt.date | None = None) -> set[str]:
    """The roles a person holds today, from memberships (the only source of roles)."""
    if person is None:
        return set()
    return set(
        Membership.objects.active_on(day or today()).filter(person=person).values_list("role", flat=True)
    )


_MEMBERSHIPS_CACHE = "_minsheng_memberships"


def memberships_of(user: Any) -> list[Membership]:
    """The user's memberships in force today, loaded once per user object (a request, a test).

    Every app's permission predicates read roles from here, so one page asks the database once.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "person_id", None):
        return []
    cached = getattr(user, _MEMBERSHIPS_CACHE, None)
    if cached is None:
        cached = _memberships_in_force(user.person_id)
        setattr(user, _MEMBERSHIPS_CACHE, cached)
    return cached


# Each person's memberships with their bodies, units and places, per process, under what they were read
# from (a signed-in page's costliest query to compile, asked on every page for the same few people).
_memberships_kept: dict[tuple[int, dt.date], tuple[tuple[Any, ...], list[Membership]]] = {}
MEMBERSHIPS_KEPT_PEOPLE = 5000


def _memberships_version(person_id: int) -> tuple[Any, ...]:
    """The person's membership rows (count, sum of ids, last change) and ``org_tables_version()``: a
    membership granted, ended, edited or moved, or a body, unit or place it points to changed, moves
    it. Read before the rows, so that rows are never filed under a version older than they are."""
    from django.db import connections, router

    alias = router.db_for_read(Membership)
    quote = connections[alias].ops.quote_name
    where = f" WHERE {quote('person_id')} = %s"
    columns = ("COUNT(*)", "SUM(id)", "MAX(updated_at)", "MIN(updated_at)")
    with connections[alias].cursor() as cursor:
        sql = _aggregates_sql(quote(Membership._meta.db_table), columns, where)
        cursor.execute("SELECT " + ", ".join(sql), [person_id] * len(columns))
        return (*cursor.fetchone(), *org_tables_version())


def _memberships_in_force(person_id: int) -> list[Membership]:
    day = today()
    version = _memberships_version(person_id)
    kept = _memberships_kept.get((person_id, day))
    if kept is not None and kept[0] == version:
        return list(kept[1])
    rows = (
        Membership.objects.active_on(day)
        .filter(person_id=person_id)
        # Bodies are at most three deep: every app's walk to a body's root stays in memory.
        .select_related("body__jurisdiction", "body__parent__parent", "unit__jurisdiction")
        # Unordered in SQL, sorted here: with an ORDER BY, Django hashes each of the ~70 selected
        # columns while compiling, which cost more than the rest of the query on every page.
        .order_by()
    )
    memberships = sorted(rows, key=lambda membership: (membership.start, membership.pk))
    if len(_memberships_kept) >= MEMBERSHIPS_KEPT_PEOPLE:
        _memberships_kept.clear()  # a new day's or many people's: start again rather than track use
    _memberships_kept[(person_id, day)] = (version, memberships)
    return list(memberships)


def memberships_forget() -> None:
    """Drop the kept memberships (tests: ids and times repeat after a rollback or a frozen clock)."""
    _memberships_kept.clear()
