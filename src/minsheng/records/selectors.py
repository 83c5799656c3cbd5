"""Reading the record: a person's lines per body and year, the body's distribution, points with their
explanation, rankings, the my-duties inbox. Each function asks a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from minsheng.org.models import REPRESENTATIVE_ROLES, Body, Membership, Person
from minsheng.records.contract import ActPage, InboxItem, RecordKind
from minsheng.records.engine import duty_modules, record_kinds
from minsheng.records.models import (
    ALL_YEARS,
    AnnualReport,
    PointsScheme,
    ReadingGroup,
    RecordDistribution,
    RecordEntry,
    ReportStatus,
)

ENTRY_ROWS = 200
# What an act's outcome code reads as (the apps' duties.py set the codes).
OUTCOME_LABELS: dict[str, StrOrPromise] = {
    "withdrawn": _("withdrawn"),
    "merged": _("merged"),
    "declined": _("not filed"),
    "converted": _("handled as a suggestion"),
    "satisfied": _("satisfied"),
    "basically": _("basically satisfied"),
    "dissatisfied": _("dissatisfied"),
    "cancelled": _("cancelled"),
    "removed": _("taken off the day"),
    "adopted": _("adopted"),
}


def outcome_label(code: str) -> StrOrPromise:
    return OUTCOME_LABELS.get(code, code)


def this_year() -> int:
    return timezone.localdate().year


def _void(kinds: dict[str, RecordKind], kind: str, outcome: str) -> bool:
    found = kinds.get(kind)
    return bool(found and outcome in found.void_outcomes)


def act_urls(acts: Sequence[tuple[str, str]], *, public: bool) -> dict[tuple[str, str], str]:
    """(act type, act id) → the page its record line links to (``ActPage`` in the apps' ``ACT_URLS``),
    or nothing when it has none for this reader: one query per act type that needs one."""
    pages: dict[str, ActPage] = {}
    for module in duty_modules():
        pages.update(getattr(module, "ACT_URLS", {}))
    ids_of: dict[str, list[str]] = defaultdict(list)
    for target_type, target_id in acts:
        ids_of[target_type].append(target_id)
    found: dict[tuple[str, str], str] = {}
    for target_type, ids in ids_of.items():
        page = pages.get(target_type)
        name = (page.public if public else page.private) if page else ""
        if page is None or not name:
            continue
        if page.pages is not None:
            found.update(((target_type, i), url) for i, url in page.pages(ids).items())
            continue
        page_ids: dict[str, Any] = page.via(ids) if page.via else {i: i for i in ids}
        for target_id in ids:
            url = _page_url(name, page, page_ids.get(target_id))
            if url:
                found[(target_type, target_id)] = url
    return found


def _page_url(name: str, page: ActPage, page_id: Any) -> str:
    if page_id is None:
        return ""
    try:
        if page.anchor:
            return reverse(name) + "#" + page.anchor.format(id=page_id)
        return reverse(name, args=[page_id])
    except NoReverseMatch:
        return ""


@dataclass
class Line:
    kind: str
    label: StrOrPromise
    group: StrOrPromise
    count: int = 0
    void: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)  # outcome label → acts
    average: float | None = None
    share_below: int | None = None  # % of the body's peers with fewer


@dataclass
class BodyRecord:
    body: Body
    lines: list[Line]

    @property
    def total(self) -> int:
        return sum(line.count for line in self.lines)


@dataclass
class PersonRecord:
    person: Person
    year: int | None
    years: list[int]
    bodies: list[BodyRecord]
    together: list[Line]
    entries: list[dict[str, Any]]


def _lines(rows: Sequence[Mapping[str, Any]], kinds: dict[str, RecordKind]) -> list[Line]:
    lines: dict[str, Line] = {}
    for row in rows:
        kind = kinds.get(row["kind"])
        if kind is None:
            continue
        line = lines.setdefault(row["kind"], Line(row["kind"], kind.label, kind.group))
        if _void(kinds, row["kind"], row["outcome"]):
            line.void += row["n"]
        else:
            line.count += row["n"]
        if row["outcome"]:
            label = str(outcome_label(row["outcome"]))
            line.outcomes[label] = line.outcomes.get(label, 0) + row["n"]
        if row["avg"] is not None:
            line.average = round(row["avg"], 1)
    order = list(kinds)
    return sorted(lines.values(), key=lambda line: order.index(line.kind))


def _year_filter(year: int | None) -> Q:
    return Q(year=year) if year else Q()


def _seated_during(seats: QuerySet[Membership], year: int | None) -> QuerySet[Membership]:
    if not year:
        return seats
    return seats.filter(start__lte=dt.date(year, 12, 31)).filter(
        Q(end__isnull=True) | Q(end__gte=dt.date(year, 1, 1))
    )


def peers_of(body_id: int, year: int | None) -> int:
    """How many deputies or members held a seat in the body that year (or ever)."""
    return peers_in({body_id}, year).get(body_id, 0)


def peers_in(body_ids: set[int], year: int | None) -> dict[int, int]:
    """Per body, how many deputies or members held a seat in it that year (or ever): one query."""
    seats = Membership.objects.filter(body_id__in=body_ids, role__in=REPRESENTATIVE_ROLES)
    grouped = (
        _seated_during(seats, year)
        .values("body_id")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
        .values_list("body_id", "n")
    )
    return dict(grouped)


def distributions_in(body_ids: set[int], year: int | None) -> dict[tuple[int, str], list[int]]:
    """(body, kind) → every counted person's acts, ascending (people with none are not listed): stored
    by the engine at each update and rebuild, read here in one query."""
    rows = RecordDistribution.objects.filter(body_id__in=body_ids, year=year or ALL_YEARS)
    found = rows.values_list("body_id", "kind", "counts")
    return {(body_id, kind): counts for body_id, kind, counts in found}


def _share_below(count: int, ascending: list[int], peers: int) -> int | None:
    """The share of peers with fewer acts (peers without any have zero)."""
    if peers <= 1:
        return None
    with_more_or_equal = len(ascending) - bisect_left(ascending, count)
    fewer = peers - with_more_or_equal
    return max(0, min(99, (100 * fewer) // peers))  # floor: never "more than 100 %"


def record_of(person: Person, *, year: int | None, public: bool) -> PersonRecord:
    """The person's record for a year (``None``: every year), per body and together.

    ``public``: only what the public may see — counts, and the acts marked public (a disclosed
    motion); never the acts themselves otherwise (voices are private).
    """
    kinds = record_kinds()
    entries = RecordEntry.objects.filter(person=person)
    years = list(entries.values_list("year", flat=True).distinct().order_by("-year"))
    counted = list(
        entries.filter(_year_filter(year))
        .values("body_id", "kind", "outcome")
        .annotate(n=Count("id"), avg=Avg("value"))
        .order_by()
    )
    body_ids = sorted({row["body_id"] for row in counted if row["body_id"]})
    bodies = {b.pk: b for b in Body.objects.filter(pk__in=body_ids).select_related("jurisdiction")}
    distributions = distributions_in(set(body_ids), year)
    peers = peers_in(set(body_ids), year)
    per_body: list[BodyRecord] = []
    for body_id in sorted(body_ids, key=lambda pk: (bodies[pk].jurisdiction.level, pk)):
        lines = _lines([row for row in counted if row["body_id"] == body_id], kinds)
        for line in lines:
            found = distributions.get((body_id, line.kind), [])
            line.share_below = _share_below(line.count, found, peers.get(body_id, 0))
        per_body.append(BodyRecord(bodies[body_id], lines))
    listed = entries.filter(_year_filter(year))
    if public:
        listed = listed.filter(public=True)
    shown = list(listed.order_by("-at", "-seq")[:ENTRY_ROWS])
    urls = act_urls([(e.target_type, e.target_id) for e in shown], public=public)
    rows = [
        {
            "kind": kinds[e.kind].label if e.kind in kinds else e.kind,
            "title": e.title,
            "at": e.at,
            "outcome": outcome_label(e.outcome) if e.outcome else "",
            "void": _void(kinds, e.kind, e.outcome),
            "url": urls.get((e.target_type, e.target_id), ""),
        }
        for e in shown
    ]
    return PersonRecord(person, year, years, per_body, _lines(counted, kinds), rows)


def record_counts(person_id: int, year: int | None = None) -> dict[tuple[int | None, str], int]:
    """(body, kind) → counted acts: what the tests compare with a direct recount."""
    kinds = record_kinds()
    counts: dict[tuple[int | None, str], int] = defaultdict(int)
    rows = (
        RecordEntry.objects.filter(_year_filter(year), person_id=person_id)
        .values("body_id", "kind", "outcome")
        .annotate(n=Count("id"))
    )
    for row in rows:
        if not _void(kinds, row["kind"], row["outcome"]):
            counts[(row["body_id"], row["kind"])] += row["n"]
    return dict(counts)


# --- points --------------------------------------------------------------------------------------


@dataclass
class PointsLine:
    kind: str
    label: StrOrPromise
    acts: int
    counted: int
    excluded: int
    capped: int
    bonus_acts: int
    points_each: Decimal
    bonus_each: Decimal
    subtotal: Decimal


@dataclass
class Points:
    person_id: int
    total: Decimal
    lines: list[PointsLine]
    version: int


def scheme_for(body_id: int, year: int) -> PointsScheme | None:
    return PointsScheme.objects.filter(body_id=body_id, year=year).prefetch_related("rules").first()


def _split(values: str) -> set[str]:
    return {part.strip() for part in values.split(",") if part.strip()}


def points_compute(
    scheme: PointsScheme, outcomes_by_kind: dict[str, dict[str, int]], person_id: int = 0
) -> Points:
    """Deterministic: the same acts and rules give the same points, explained line by line."""
    kinds = record_kinds()
    lines: list[PointsLine] = []
    for rule in sorted(scheme.rules.all(), key=lambda r: r.kind):
        by_outcome = outcomes_by_kind.get(rule.kind, {})
        excluded_outcomes, bonus_outcomes = _split(rule.excluded_outcomes), _split(rule.bonus_outcomes)
        acts = sum(by_outcome.values())
        excluded = sum(n for outcome, n in by_outcome.items() if outcome in excluded_outcomes)
        eligible = acts - excluded
        counted = min(eligible, rule.cap) if rule.cap is not None else eligible
        bonus_eligible = sum(
            n
            for outcome, n in by_outcome.items()
            if outcome in bonus_outcomes and outcome not in excluded_outcomes
        )
        bonus_acts = min(bonus_eligible, counted)
        subtotal = rule.points * counted + rule.bonus_points * bonus_acts
        label = kinds[rule.kind].label if rule.kind in kinds else rule.kind
        lines.append(
            PointsLine(
                rule.kind,
                label,
                acts,
                counted,
                excluded,
                eligible - counted,
                bonus_acts,
                rule.points,
                rule.bonus_points,
                subtotal,
            )
        )
    total = sum((line.subtotal for line in lines), Decimal("0"))
    return Points(person_id, total, lines, scheme.version)


def _outcomes(rows: QuerySet[RecordEntry]) -> dict[int, dict[str, dict[str, int]]]:
    found: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows.values("person_id", "kind", "outcome").annotate(n=Count("id")).order_by():
        found[row["person_id"]][row["kind"]][row["outcome"]] = row["n"]
    return found


def points_of(person_id: int, body_id: int, year: int) -> Points | None:
    scheme = scheme_for(body_id, year)
    if scheme is None:
        return None
    rows = RecordEntry.objects.filter(person_id=person_id, body_id=body_id, year=year)
    return points_compute(scheme, _outcomes(rows).get(person_id, {}), person_id)


@dataclass
class RankRow:
    rank: int
    person: Person
    points: Points


def _seated_in(body_id: int, year: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(body_id=body_id, role__in=REPRESENTATIVE_ROLES)
        .filter(start__lte=dt.date(year, 12, 31))
        .filter(Q(end__isnull=True) | Q(end__gte=dt.date(year, 1, 1)))
    )


def body_people(body_id: int, year: int) -> list[Person]:
    """The deputies or members who held a seat in the body that year."""
    seated = _seated_in(body_id, year).values("person_id")
    return list(Person.objects.filter(pk__in=seated).order_by("pinyin", "id"))


def body_counts(body_id: int, year: int) -> dict[int, dict[str, int]]:
    """person → kind → counted acts in the body that year."""
    kinds = record_kinds()
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        RecordEntry.objects.filter(body_id=body_id, year=year)
        .values("person_id", "kind", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        if not _void(kinds, row["kind"], row["outcome"]):
            counts[row["person_id"]][row["kind"]] += row["n"]
    return counts


def rankings(body_id: int, year: int) -> list[RankRow]:
    """Every deputy or member of the body that year by points, highest first (ties share a rank);
    empty when the body has no points scheme for the year."""
    scheme = scheme_for(body_id, year)
    if scheme is None:
        return []
    people = body_people(body_id, year)
    outcomes = _outcomes(RecordEntry.objects.filter(body_id=body_id, year=year))
    scored = [(p, points_compute(scheme, outcomes.get(p.pk, {}), p.pk)) for p in people]
    scored.sort(key=lambda pair: -pair[1].total)
    rows: list[RankRow] = []
    for index, (person, points) in enumerate(scored):
        rank = rows[-1].rank if rows and rows[-1].points.total == points.total else index + 1
        rows.append(RankRow(rank, person, points))
    return rows


def representative_bodies(root_ids: set[int] | None = None) -> QuerySet[Body]:
    """Bodies with deputies or members (congresses, CPPCC committees), all levels."""
    bodies = Body.objects.filter(
        pk__in=Membership.objects.filter(role__in=REPRESENTATIVE_ROLES).values("body_id")
    ).select_related("jurisdiction")
    if root_ids is not None:
        bodies = bodies.filter(pk__in=root_ids)
    return bodies.order_by("jurisdiction__code", "kind")


def representatives_search(query: str, limit: int = 30) -> list[Person]:
    """Deputies and members by name or pinyin (the profile search of the find-my-deputy page)."""
    people = Person.objects.filter(memberships__role__in=REPRESENTATIVE_ROLES)
    text = query.strip()
    if text:
        people = people.filter(
            Q(name__contains=text)
            | Q(pinyin__startswith=text.lower())
            | Q(pinyin_initials__startswith=text.lower())
        )
    return list(people.distinct().order_by("pinyin", "id")[:limit])


# --- profiles, reports, reading ---------------------------------------------------------------------


def representative(person_id: int) -> Person | None:
    """A deputy or member (ever): only they have a public record."""
    return Person.objects.filter(pk=person_id, memberships__role__in=REPRESENTATIVE_ROLES).distinct().first()


def seats_of(person: Person) -> list[Membership]:
    return list(
        Membership.objects.filter(person=person, role__in=REPRESENTATIVE_ROLES, body__isnull=False)
        .select_related("body", "body__jurisdiction", "term", "constituency", "sector")
        .order_by("-start", "id")
    )


def reports_published(person: Person) -> list[AnnualReport]:
    return list(
        AnnualReport.objects.filter(person=person, status=ReportStatus.PUBLISHED)
        .select_related("body")
        .order_by("-year")
    )


def reports_of(person: Person) -> list[AnnualReport]:
    return list(AnnualReport.objects.filter(person=person).select_related("body").order_by("-year"))


def reports_for_staff(body_ids: set[int]) -> QuerySet[AnnualReport]:
    return (
        AnnualReport.objects.filter(body_id__in=body_ids)
        .select_related("person", "body")
        .order_by("status", "-year", "person__pinyin")
    )


def reading_groups_of(person: Person | None) -> QuerySet[ReadingGroup]:
    groups = (
        ReadingGroup.objects.select_related("body")
        .prefetch_related("books")
        .annotate(member_count=Count("members", distinct=True))
    )
    return groups.filter(members=person) if person is not None else groups


def inbox_for(user: Any) -> list[InboxItem]:
    """Everything the signed-in person has to do now, across apps, soonest first."""
    items: list[InboxItem] = []
    for module in duty_modules():
        collect = getattr(module, "inbox", None)
        if collect is not None:
            items.extend(collect(user))
    far = dt.date.max
    return sorted(items, key=lambda item: (item.due or far, item.order, item.title))


# --- points versions: compare two versions' results ------------------------------------------------


@dataclass(frozen=True)
class RuleSnapshot:
    """A point rule as kept in a version's Event (the fields ``points_compute`` reads)."""

    kind: str
    points: Decimal
    cap: int | None
    bonus_outcomes: str
    bonus_points: Decimal
    excluded_outcomes: str


class _Rules(list[RuleSnapshot]):
    def all(self) -> list[RuleSnapshot]:
        return list(self)


@dataclass
class SchemeVersion:
    """One version of a scheme's rules, read back from its Event (``services.points_version_record``)."""

    version: int
    at: dt.datetime | None
    rules: _Rules


def _snapshot(version: int, at: dt.datetime | None, rules: list[dict[str, Any]]) -> SchemeVersion:
    return SchemeVersion(
        version,
        at,
        _Rules(
            RuleSnapshot(
                str(r["kind"]),
                Decimal(str(r["points"])),
                r.get("cap"),
                str(r.get("bonus_outcomes", "")),
                Decimal(str(r.get("bonus_points", "0"))),
                str(r.get("excluded_outcomes", "")),
            )
            for r in rules
        ),
    )


def scheme_versions(scheme: PointsScheme) -> list[SchemeVersion]:
    """Every version of the scheme kept in the Event log, newest first; the current rules are the current
    version even when no Event kept them (a scheme from before versions were kept)."""
    from django.contrib.contenttypes.models import ContentType

    from minsheng.core.models import Event

    found: dict[int, SchemeVersion] = {}
    events = Event.objects.filter(
        target_type=ContentType.objects.get_for_model(PointsScheme), target_id=str(scheme.pk), verb="version"
    ).order_by("seq")
    for at, payload in events.values_list("at", "payload"):
        if isinstance(payload, dict) and isinstance(payload.get("rules"), list) and "version" in payload:
            found[int(payload["version"])] = _snapshot(int(payload["version"]), at, payload["rules"])
    if scheme.version not in found:
        current = [
            {"kind": r.kind, "points": r.points, "cap": r.cap, "bonus_outcomes": r.bonus_outcomes,
             "bonus_points": r.bonus_points, "excluded_outcomes": r.excluded_outcomes}
            for r in scheme.rules.all()
        ]  # fmt: skip
        found[scheme.version] = _snapshot(scheme.version, None, current)
    return sorted(found.values(), key=lambda v: -v.version)


def versions_compared(
    versions: list[SchemeVersion], before: int | None, after: int | None
) -> tuple[SchemeVersion, SchemeVersion] | None:
    """The two versions to compare (``versions`` newest first): by default the current rules against
    the version before them; ``None`` when a number asked for is not a version of the scheme."""
    by_number = {v.version: v for v in versions}
    newest = versions[0].version
    after = newest if after is None else after
    before = (versions[1].version if len(versions) > 1 else newest) if before is None else before
    if before not in by_number or after not in by_number:
        return None
    return by_number[before], by_number[after]


@dataclass
class PointsChange:
    """One person's points under two versions, and the kinds whose subtotal moved."""

    person: Person
    before: Decimal
    after: Decimal
    kinds: list[tuple[StrOrPromise, Decimal, Decimal]]

    @property
    def change(self) -> Decimal:
        return self.after - self.before


def points_compare(scheme: PointsScheme, before: SchemeVersion, after: SchemeVersion) -> list[PointsChange]:
    """Everyone of the body that year under both versions, biggest change first (gains, then losses);
    the same acts, only the rules differ — so only what the changed rules touch moves."""
    people = body_people(scheme.body_id, scheme.year)
    outcomes = _outcomes(RecordEntry.objects.filter(body_id=scheme.body_id, year=scheme.year))
    rows: list[PointsChange] = []
    for person in people:
        acts = outcomes.get(person.pk, {})
        old = points_compute(before, acts, person.pk)  # type: ignore[arg-type]  # a version quacks like a scheme
        new = points_compute(after, acts, person.pk)  # type: ignore[arg-type]
        old_lines = {line.kind: line for line in old.lines}
        new_lines = {line.kind: line for line in new.lines}
        kinds = []
        for kind in sorted(set(old_lines) | set(new_lines)):
            was = old_lines[kind].subtotal if kind in old_lines else Decimal("0")
            now = new_lines[kind].subtotal if kind in new_lines else Decimal("0")
            if was != now:
                label = (new_lines.get(kind) or old_lines[kind]).label
                kinds.append((label, was, now))
        rows.append(PointsChange(person, old.total, new.total, kinds))
    rows.sort(key=lambda row: (-row.change, row.person.pinyin, row.person.pk))
    return rows


# --- bulk publishing, reading -----------------------------------------------------------------------


def reports_submitted_for(user: Any, report_ids: Sequence[int]) -> list[AnnualReport]:
    """The chosen reports that this staff member may see (others are left out, not guessed at)."""
    from minsheng.records.rules import staff_root_ids

    reports = AnnualReport.objects.filter(pk__in=list(report_ids)).select_related("person", "body")
    if not user.has_perm("org.change_body"):
        reports = reports.filter(body_id__in=_bodies_under(staff_root_ids(user)))
    return list(reports.order_by("pk"))


def _bodies_under(root_ids: set[int]) -> set[int]:
    """The root bodies and every body whose parent chain reaches one (a few levels at most)."""
    found = set(root_ids)
    frontier = set(root_ids)
    while frontier:
        frontier = set(Body.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return found


def reports_visible_to(user: Any) -> QuerySet[AnnualReport]:
    """The reports a user may read: published ones, their own, and (staff) their bodies' submitted ones."""
    from minsheng.records.rules import staff_root_ids

    visible = Q(status=ReportStatus.PUBLISHED)
    person_id = getattr(user, "person_id", None)
    if person_id:
        visible |= Q(person_id=person_id)
    if getattr(user, "is_authenticated", False):
        if user.has_perm("org.change_body"):
            visible = Q()
        else:
            roots = staff_root_ids(user)
            if roots:
                visible |= Q(body_id__in=_bodies_under(roots))
    return (
        AnnualReport.objects.filter(visible)
        .select_related("person", "body")
        .order_by("-year", "person__pinyin", "pk")
    )


def reading_notes_of_group(group: ReadingGroup, limit: int = 50) -> list[Any]:
    """A group's latest notes (members' notes are shared within the reading platform, as on the page)."""
    from minsheng.records.models import ReadingNote

    return list(
        ReadingNote.objects.filter(book__group=group)
        .select_related("book", "person")
        .order_by("-created_at", "-id")[:limit]
    )


# What the newer outcome codes read as: a legislative opinion's adoption, a motion answer's category.
OUTCOME_LABELS.update(
    {
        "partly": _("partly adopted"),
        "not_adopted": _("not adopted"),
        "A": _("category A (solved)"),
        "B": _("category B (being solved)"),
        "C": _("category C (when conditions allow)"),
        "D": _("category D (for reference)"),
    }
)


def profile_photo(person: Person) -> Any:
    """The latest photo of the person (``services.profile_photo_set``), or ``None``."""
    from minsheng.core.attachments import attachments_for

    return (
        attachments_for(person)
        .filter(content_type__startswith="image/")
        .order_by("-created_at", "-id")
        .first()
    )
