"""Reads of the oversight app: each returns only what the user may see, with its relations loaded.

Overdue and delayed are queries, never stored flags: an item is overdue when it is not closed and its
deadline has passed; a milestone is delayed when its planned date has passed without an actual date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import caches
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from minsheng.core.events import event_chain_version, events_of
from minsheng.core.models import Event
from minsheng.core.queries import one_or_none
from minsheng.org.models import Jurisdiction, Unit
from minsheng.org.selectors import today
from minsheng.oversight.models import (
    OPEN_ITEM_STATES,
    Activity,
    ActivityStatus,
    BudgetLine,
    BudgetTable,
    CooperationPlatform,
    InquiryQuestion,
    ItemStatus,
    Milestone,
    Problem,
    ProblemSource,
    ProgressReport,
    Project,
    ProjectKind,
    ProjectProgress,
    ProjectStatus,
    RectificationItem,
    SupervisionPlan,
    TeamMember,
    Visit,
)
from minsheng.oversight.rules import scope_of

OVERDUE = "overdue"
ALL = "all"
ITEM_FILTER_STATES = (*ItemStatus.values, OVERDUE, ALL)
PROBLEMS_SHOWN = 10  # an activity page lists this many problems; the items list has them all
MAX_QUERY_LENGTH = 50


def settings_for(jurisdiction: Jurisdiction | None) -> Any:
    """The settings row of the jurisdiction or its nearest ancestor, else the default row, else defaults."""
    from minsheng.oversight.models import OversightSettings

    chain: list[int] = []
    node = jurisdiction
    while node is not None and node.pk not in chain:
        chain.append(node.pk)
        node = node.parent
    rows = {
        row.jurisdiction_id: row
        for row in OversightSettings.objects.filter(
            Q(jurisdiction__isnull=True) | Q(jurisdiction_id__in=chain)
        )
    }
    for key in [*chain, None]:
        if key in rows:
            return rows[key]
    return OversightSettings()


def overdue_condition(day: dt.date | None = None) -> Q:
    return Q(status__in=OPEN_ITEM_STATES, due__lt=day or today())


def delayed_condition(day: dt.date | None = None) -> Q:
    """A milestone past its planned date with no actual date."""
    return Q(actual_date__isnull=True, planned_date__lt=day or today())


def is_overdue(item: RectificationItem, day: dt.date | None = None) -> bool:
    return item.status in OPEN_ITEM_STATES and item.due < (day or today())


def item_public_state(item: RectificationItem, day: dt.date | None = None) -> str:
    """open / overdue / closed, as the public sees it."""
    if item.status == ItemStatus.CLOSED:
        return ItemStatus.CLOSED
    return OVERDUE if is_overdue(item, day) else ItemStatus.OPEN


# --- plans and activities ------------------------------------------------------------------------


def activities_visible_to(user: Any) -> QuerySet[Activity]:
    """Staff and leaders see their body's activities, teams theirs, units those concerning them."""
    if not getattr(user, "is_authenticated", False):
        return Activity.objects.none()
    scope = scope_of(user)
    condition = Q(pk__in=scope.team_activity_ids)
    bodies = scope.staff_bodies | scope.leader_bodies
    if bodies:
        condition |= Q(body_id__in=bodies)
    if scope.handler_units:
        concerned = Activity.units.through.objects.filter(unit_id__in=scope.handler_units).values(
            "activity_id"
        )
        condition |= Q(pk__in=concerned)
    return Activity.objects.filter(condition).select_related("body", "plan")


def plans_visible_to(user: Any) -> QuerySet[SupervisionPlan]:
    scope = scope_of(user)
    bodies = scope.staff_bodies | scope.leader_bodies
    plans = SupervisionPlan.objects.select_related("body")
    if bodies:
        return plans.filter(Q(body_id__in=bodies) | Q(status="published"))
    return plans.filter(status="published") if getattr(user, "is_authenticated", False) else plans.none()


def activity_detail(user: Any, pk: int) -> Activity | None:
    return one_or_none(
        activities_visible_to(user)
        .filter(pk=pk)
        .select_related("jurisdiction", "report")
        .prefetch_related(
            "units",
            Prefetch("team", queryset=TeamMember.objects.select_related("person")),
            Prefetch("visits", queryset=Visit.objects.select_related("created_by")),
            Prefetch("questions", queryset=InquiryQuestion.objects.select_related("asker", "unit")),
        )
    )


def problems_shown(problems: QuerySet[Problem]) -> list[Problem]:
    """The first problems of a list with their items (a page shows these; the items list has all)."""
    items = Prefetch("items", queryset=RectificationItem.objects.select_related("unit"))
    return list(problems.order_by("id").prefetch_related(items)[:PROBLEMS_SHOWN])


@dataclass(frozen=True)
class ItemCounts:
    problems: int
    items: int
    open: int
    overdue: int
    closed: int


def item_counts(problems: QuerySet[Problem], day: dt.date | None = None) -> ItemCounts:
    """How many problems, and their items by public state, in two queries."""
    day = day or today()
    counted = RectificationItem.objects.filter(problem__in=problems).aggregate(
        n=Count("id"),
        closed=Count("id", filter=Q(status=ItemStatus.CLOSED)),
        overdue=Count("id", filter=overdue_condition(day)),
    )
    n, closed, overdue = counted["n"] or 0, counted["closed"] or 0, counted["overdue"] or 0
    return ItemCounts(
        problems=problems.count(), items=n, open=n - closed - overdue, overdue=overdue, closed=closed
    )


def plan_activities(plan: SupervisionPlan, user: Any) -> QuerySet[Activity]:
    return (
        activities_visible_to(user).filter(plan=plan).prefetch_related("units").order_by("start_date", "id")
    )


# --- rectification items -------------------------------------------------------------------------


def _raised_problem_ids(user: Any) -> list[int]:
    return list(
        Problem.objects.filter(created_by_id=user.pk, source=ProblemSource.BUDGET_QUESTION).values_list(
            "pk", flat=True
        )
    )


def items_visible_to(user: Any) -> QuerySet[RectificationItem]:
    """Staff and leaders: their body's items; handlers: their unit's; team members: their activity's;
    a deputy: the answers to the budget questions they raised."""
    if not getattr(user, "is_authenticated", False):
        return RectificationItem.objects.none()
    scope = scope_of(user)
    condition = Q(pk__in=[])
    bodies = scope.staff_bodies | scope.leader_bodies
    if bodies:
        condition |= Q(body_id__in=bodies)
    if scope.handler_units:
        condition |= Q(unit_id__in=scope.handler_units)
    teams = scope.team_activity_ids
    if teams:
        condition |= Q(problem__activity_id__in=teams)
    raised = _raised_problem_ids(user) if scope.deputy_jurisdictions else []  # only deputies ask
    if raised:
        condition |= Q(problem_id__in=raised)
    return RectificationItem.objects.filter(condition)


@dataclass(frozen=True)
class ItemFilters:
    unit: int | None = None
    status: str = ""
    activity: int | None = None
    source: str = ""
    query: str = ""


def items_search(user: Any, filters: ItemFilters, day: dt.date | None = None) -> QuerySet[RectificationItem]:
    items = items_visible_to(user)
    if filters.unit:
        items = items.filter(unit_id=filters.unit)
    if filters.status == OVERDUE:
        items = items.filter(overdue_condition(day))
    elif filters.status in ItemStatus.values:
        items = items.filter(status=filters.status)
    elif filters.status != ALL:  # by default, what is still to be done
        items = items.filter(status__in=OPEN_ITEM_STATES)
    if filters.activity:
        items = items.filter(problem__activity_id=filters.activity)
    if filters.source in ProblemSource.values:
        items = items.filter(problem__source=filters.source)
    if filters.query:
        items = items.filter(task__contains=filters.query[:MAX_QUERY_LENGTH])
    return items.select_related("unit", "problem").order_by("due", "id")


def items_rows(ids: list[int]) -> list[RectificationItem]:
    """The list page's rows by id (for CappedPaginator), in the order of ``ids``."""
    found = RectificationItem.objects.select_related("unit", "problem").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def item_detail(user: Any, pk: int) -> RectificationItem | None:
    return one_or_none(
        items_visible_to(user)
        .filter(pk=pk)
        .select_related("unit", "body", "jurisdiction", "problem", "problem__activity", "problem__project")
        .select_related("problem__budget_line", "problem__budget_line__table", "problem__question")
        .prefetch_related(
            Prefetch("reports", queryset=ProgressReport.objects.select_related("created_by", "reviewed_by"))
        )
    )


def items_for_handler(user: Any) -> QuerySet[RectificationItem]:
    """Open items of the user's units, nearest deadline first."""
    units = scope_of(user).handler_units
    if not units:
        return RectificationItem.objects.none()
    return (
        RectificationItem.objects.filter(unit_id__in=units, status__in=OPEN_ITEM_STATES)
        .select_related("unit")
        .order_by("due", "id")
    )


def reports_to_review(user: Any) -> QuerySet[RectificationItem]:
    """Items with a report awaiting the user's review (staff of the body, or the activity's team)."""
    scope = scope_of(user)
    condition = Q(body_id__in=scope.staff_bodies)
    teams = scope.team_activity_ids
    if teams:
        condition |= Q(problem__activity_id__in=teams)
    if not scope.staff_bodies and not teams:
        return RectificationItem.objects.none()
    return (
        RectificationItem.objects.filter(condition, status=ItemStatus.UNDER_REVIEW)
        .select_related("unit")
        .order_by("due", "id")
    )


# --- projects ------------------------------------------------------------------------------------


def projects_visible_to(user: Any) -> QuerySet[Project]:
    if not getattr(user, "is_authenticated", False):
        return Project.objects.none()
    scope = scope_of(user)
    places = scope.staff_jurisdictions | scope.leader_jurisdictions
    condition = Q(jurisdiction_id__in=places) if places else Q(pk__in=[])
    if scope.person_id:
        condition |= Q(
            pk__in=Project.supervisors.through.objects.filter(person_id=scope.person_id).values("project_id")
        )
        condition |= Q(
            pk__in=Project.owner_contacts.through.objects.filter(person_id=scope.person_id).values(
                "project_id"
            )
        )
    return Project.objects.filter(condition)


def delayed_exists(day: dt.date | None = None) -> Exists:
    """True for a project with a delayed milestone (a condition, and the ``delayed`` annotation)."""
    return Exists(Milestone.objects.filter(delayed_condition(day), project=OuterRef("pk")))


def with_delay_marks(projects: QuerySet[Project], day: dt.date | None = None) -> QuerySet[Project]:
    """Each project annotated with ``delayed`` (any milestone delayed)."""
    return projects.annotate(delayed=delayed_exists(day))


@dataclass(frozen=True)
class ProjectFilters:
    kind: str = ""
    status: str = ""
    park: str = ""
    delayed: bool = False
    query: str = ""


def projects_search(user: Any, filters: ProjectFilters, day: dt.date | None = None) -> QuerySet[Project]:
    projects = with_delay_marks(projects_visible_to(user), day)
    if filters.kind in ProjectKind.values:
        projects = projects.filter(kind=filters.kind)
    if filters.status in ProjectStatus.values:
        projects = projects.filter(status=filters.status)
    if filters.park:
        projects = projects.filter(park=filters.park[:100])
    if filters.delayed:
        projects = projects.filter(delayed_exists(day))
    if filters.query:
        query = filters.query[:MAX_QUERY_LENGTH]
        projects = projects.filter(Q(name__contains=query) | Q(owner__contains=query))
    return projects.select_related("place", "platform").order_by("name", "id")


def project_detail(user: Any, pk: int) -> Project | None:
    return one_or_none(
        with_delay_marks(projects_visible_to(user).filter(pk=pk))
        .select_related("jurisdiction", "place", "platform")
        .prefetch_related(
            "milestones",
            "supervisors",
            "owner_contacts",
            "outcomes",
            Prefetch("progress", queryset=ProjectProgress.objects.select_related("created_by")),
            Prefetch("visits", queryset=Visit.objects.select_related("created_by")),
            Prefetch(
                "problems",
                queryset=Problem.objects.prefetch_related(
                    Prefetch("items", queryset=RectificationItem.objects.select_related("unit"))
                ),
            ),
        )
    )


def parks_of(user: Any) -> list[str]:
    return sorted(
        set(projects_visible_to(user).exclude(park="").values_list("park", flat=True).distinct()), key=str
    )


def platforms_visible_to(user: Any) -> QuerySet[CooperationPlatform]:
    scope = scope_of(user)
    places = scope.staff_jurisdictions | scope.leader_jurisdictions
    return CooperationPlatform.objects.filter(jurisdiction_id__in=places).order_by("name")


def milestone_timeline(project: Project, day: dt.date | None = None) -> list[dict[str, Any]]:
    """Milestones planned against actual, for the project's timeline chart."""
    day = day or today()
    rows = []
    for milestone in project.milestones.all():
        delayed = milestone.actual_date is None and milestone.planned_date < day
        late_by = None
        if milestone.actual_date is not None:
            late_by = (milestone.actual_date - milestone.planned_date).days
        elif delayed:
            late_by = (day - milestone.planned_date).days
        rows.append(
            {
                "name": milestone.name,
                "kind": milestone.kind,
                "planned": milestone.planned_date.isoformat(),
                "actual": milestone.actual_date.isoformat() if milestone.actual_date else None,
                "delayed": delayed,
                "late_days": late_by,
                "id": milestone.pk,
            }
        )
    return rows


# --- dashboard -----------------------------------------------------------------------------------


@dataclass
class Dashboard:
    projects_by_status: dict[str, int] = field(default_factory=dict)
    projects_total: int = 0
    projects_delayed: int = 0
    parks: list[dict[str, Any]] = field(default_factory=list)
    investment_planned: Decimal = Decimal("0")
    investment_completed: Decimal = Decimal("0")
    top_projects: list[dict[str, Any]] = field(default_factory=list)
    delayed_projects: list[Project] = field(default_factory=list)
    items_by_status: dict[str, int] = field(default_factory=dict)
    items_open: int = 0
    items_overdue: int = 0
    items_closed_this_year: int = 0
    units: list[dict[str, Any]] = field(default_factory=list)
    activities_by_kind: dict[str, int] = field(default_factory=dict)


DASHBOARD_UNITS = 15
DASHBOARD_PROJECTS = 15


def dashboard_for(user: Any, day: dt.date | None = None) -> Dashboard:
    """Projects by status, park and delay, investment, and items by status and unit: a fixed number of
    queries whatever the number of rows."""
    day = day or today()
    scope = scope_of(user)
    board = Dashboard()
    places = scope.staff_jurisdictions | scope.leader_jurisdictions
    projects = with_delay_marks(
        Project.objects.filter(jurisdiction_id__in=places, kind=ProjectKind.KEY_PROJECT), day
    )
    by_park: dict[str, dict[str, Any]] = defaultdict(lambda: {"total": 0, "delayed": 0})
    rows = projects.values("status", "park", "delayed").annotate(  # type: ignore[misc]
        n=Count("id"), planned=Sum("investment_planned"), completed=Sum("investment_completed")
    )
    for row in rows:
        board.projects_by_status[row["status"]] = board.projects_by_status.get(row["status"], 0) + row["n"]
        board.projects_total += row["n"]
        board.projects_delayed += row["n"] if row["delayed"] else 0
        park = by_park[row["park"] or _("(no park)")]
        park["total"] += row["n"]
        park["delayed"] += row["n"] if row["delayed"] else 0
        board.investment_planned += row["planned"] or 0
        board.investment_completed += row["completed"] or 0
    board.parks = [
        {"park": name, **numbers} for name, numbers in sorted(by_park.items(), key=lambda p: -p[1]["total"])
    ]
    top = projects.order_by("-investment_planned", "id")[:DASHBOARD_PROJECTS]
    board.top_projects = [
        {
            "id": p.pk,
            "name": p.name,
            "planned": float(p.investment_planned),
            "completed": float(p.investment_completed),
            "delayed": p.delayed,  # type: ignore[attr-defined]
        }
        for p in top
    ]
    board.delayed_projects = list(
        projects.filter(delayed_exists(day)).select_related("place").order_by("name")[:20]
    )

    bodies = scope.staff_bodies | scope.leader_bodies
    per_unit: dict[int, dict[str, int]] = defaultdict(lambda: {"open": 0, "overdue": 0, "closed": 0})
    # Open items by unit and status, and the items closed this year by unit: the rows of past years'
    # closed items (most of the table after a few years) are not read.
    counts = (
        RectificationItem.objects.filter(body_id__in=bodies, status__in=OPEN_ITEM_STATES)
        .values("unit_id", "status")
        .annotate(n=Count("id"), late=Count("id", filter=Q(due__lt=day)))
    )
    for row in counts:
        board.items_by_status[row["status"]] = board.items_by_status.get(row["status"], 0) + row["n"]
        board.items_open += row["n"]
        board.items_overdue += row["late"]
        numbers = per_unit[row["unit_id"]]
        numbers["open"] += row["n"] - row["late"]
        numbers["overdue"] += row["late"]
    year_start = timezone.make_aware(dt.datetime(day.year, 1, 1))
    closed = (
        RectificationItem.objects.filter(body_id__in=bodies, status=ItemStatus.CLOSED)
        .filter(closed_at__gte=year_start)
        .values("unit_id")
        .annotate(n=Count("id"))
    )
    for row in closed:
        per_unit[row["unit_id"]]["closed"] += row["n"]
        board.items_closed_this_year += row["n"]
    busiest = sorted(per_unit.items(), key=lambda u: (-(u[1]["open"] + u[1]["overdue"]), u[0]))[
        :DASHBOARD_UNITS
    ]
    names = dict(Unit.objects.filter(pk__in=[pk for pk, _n in busiest]).values_list("pk", "name"))
    board.units = [{"unit": names.get(pk, str(pk)), "unit_id": pk, **numbers} for pk, numbers in busiest]
    activities = Activity.objects.filter(body_id__in=bodies, start_date__year=day.year)
    board.activities_by_kind = dict(
        activities.exclude(status=ActivityStatus.CANCELLED).values_list("kind").annotate(n=Count("id"))
    )
    return board


DASHBOARD_CACHE_SECONDS = 600


def dashboard_cached(user: Any, day: dt.date | None = None) -> Dashboard:
    """``dashboard_for``, kept per process (the ``fragments`` cache) under the Event log's version,
    the day, the language (the "no park" label) and the user's bodies and places. Exact: every change
    of the rows it counts (projects, milestones, items, activities, unit names) records an Event in
    the same transaction, which moves the version; the version is read before the rows."""
    day = day or today()
    scope = scope_of(user)
    parts = (
        event_chain_version(),
        day.isoformat(),
        get_language() or "",
        sorted(scope.staff_bodies | scope.leader_bodies),
        sorted(scope.staff_jurisdictions | scope.leader_jurisdictions),
    )
    key = "oversight_dashboard:" + hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()
    fragments = caches["fragments"]
    board = fragments.get(key)
    if board is None:
        board = dashboard_for(user, day)
        fragments.set(key, board, DASHBOARD_CACHE_SECONDS)
    return board


# --- budget --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineFlags:
    rate: Decimal | None
    expected: Decimal
    behind: bool
    over: bool

    @property
    def flagged(self) -> bool:
        return self.behind or self.over


def budget_line_flags(line: BudgetLine, *, month: int | None = None, margin: int | None = None) -> LineFlags:
    """Execution rate against the time line (month/12): behind when below it by more than the margin."""
    table = line.table
    month = month or table.month
    if margin is None:
        margin = settings_for(table.jurisdiction).budget_lag_margin_percent
    expected = (Decimal(month) / Decimal(12) * 100).quantize(Decimal("0.1"))
    if line.budget == 0:
        return LineFlags(rate=None, expected=expected, behind=False, over=line.executed > 0)
    rate = (line.executed / line.budget * 100).quantize(Decimal("0.1"))
    return LineFlags(
        rate=rate, expected=expected, behind=rate < expected - margin, over=line.executed > line.budget
    )


def budget_tables_visible_to(user: Any) -> QuerySet[BudgetTable]:
    scope = scope_of(user)
    places = (
        scope.congress_staff_jurisdictions | scope.congress_leader_jurisdictions | scope.deputy_jurisdictions
    )
    return BudgetTable.objects.filter(jurisdiction_id__in=places).select_related("jurisdiction")


@dataclass(frozen=True)
class BudgetRow:
    line: BudgetLine
    flags: LineFlags
    questions: int


def budget_table_rows(table: BudgetTable) -> list[BudgetRow]:
    margin = settings_for(table.jurisdiction).budget_lag_margin_percent
    lines = table.lines.select_related("unit").annotate(asked=Count("questions")).order_by("row")
    return [
        BudgetRow(
            line=line,
            flags=budget_line_flags(line, month=table.month, margin=margin),
            questions=line.asked,
        )
        for line in lines
    ]


def budget_by_department(rows: list[BudgetRow]) -> list[dict[str, Any]]:
    """Budget and executed per department, for the chart."""
    totals: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"budget": Decimal(0), "executed": Decimal(0)}
    )
    for row in rows:
        totals[row.line.unit.name]["budget"] += row.line.budget
        totals[row.line.unit.name]["executed"] += row.line.executed
    return [
        {
            "unit": name,
            "budget": float(t["budget"]),
            "executed": float(t["executed"]),
            "rate": float((t["executed"] / t["budget"] * 100).quantize(Decimal("0.1")))
            if t["budget"]
            else None,
        }
        for name, t in sorted(totals.items(), key=lambda kv: -kv[1]["budget"])
    ]


# --- public --------------------------------------------------------------------------------------


def public_activities() -> QuerySet[Activity]:
    return (
        Activity.objects.filter(published_at__isnull=False)
        .select_related("body")
        .order_by("-start_date", "-id")
    )


def public_activity(pk: int) -> Activity | None:
    return one_or_none(
        public_activities()
        .filter(pk=pk)
        .prefetch_related(
            "units", Prefetch("team", queryset=TeamMember.objects.select_related("person")), "visits"
        )
    )


def public_projects() -> QuerySet[Project]:
    return (
        with_delay_marks(Project.objects.filter(published_at__isnull=False))
        .select_related("place")
        .order_by("name", "id")
    )


def public_project(pk: int) -> Project | None:
    return one_or_none(
        public_projects()
        .filter(pk=pk)
        .prefetch_related(
            "milestones",
            "supervisors",
            "outcomes",
            "progress",
            "visits",
            Prefetch(
                "problems",
                queryset=Problem.objects.prefetch_related(
                    Prefetch("items", queryset=RectificationItem.objects.select_related("unit"))
                ),
            ),
        )
    )


def ballots_of_activity(activity: Activity) -> list[Any]:
    from minsheng.oversight.models import SatisfactionBallot

    return list(
        SatisfactionBallot.objects.filter(activity=activity)
        .select_related("unit")
        .order_by("opened_at", "id")
    )


def ballots_visible_to(user: Any) -> QuerySet[Any]:
    from minsheng.oversight.models import SatisfactionBallot

    scope = scope_of(user)
    bodies = scope.staff_bodies | scope.leader_bodies | scope.council_bodies
    return SatisfactionBallot.objects.filter(body_id__in=bodies).select_related("unit", "activity", "body")


def ballots_awaiting(user: Any) -> list[Any]:
    """Open ballots the user may vote in and has not voted in yet."""
    from minsheng.core.models import BallotVoter
    from minsheng.oversight.models import BallotStatus

    scope = scope_of(user)
    if not scope.council_bodies or not scope.person_id:
        return []
    open_ballots = list(
        ballots_visible_to(user).filter(status=BallotStatus.OPEN, body_id__in=scope.council_bodies)
    )
    from minsheng.core.ballots import ballot_box_of

    boxes = {ballot.pk: ballot_box_of(ballot) for ballot in open_ballots}
    voted = set(
        BallotVoter.objects.filter(
            box_id__in=[b.pk for b in boxes.values() if b], voter_id=scope.person_id
        ).values_list("box_id", flat=True)
    )
    return [b for b in open_ballots if boxes[b.pk] is not None and boxes[b.pk].pk not in voted]  # type: ignore[union-attr]


def public_ballots(activity: Activity) -> list[Any]:
    from minsheng.oversight.models import BallotStatus, SatisfactionBallot

    return list(
        SatisfactionBallot.objects.filter(activity=activity, status=BallotStatus.CLOSED)
        .select_related("unit")
        .order_by("closed_at", "id")
    )


def timeline_for(obj: Any) -> list[Event]:
    return events_of(obj)
