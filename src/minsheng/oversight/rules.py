"""Permissions of the oversight app, as django-rules predicates named ``oversight.<verb>_<model>``.

Roles come from today's memberships (``org.selectors.memberships_of``), scope from the *supervising
body* they belong to: the standing committee (for the congress side: its working bodies and the
congress's special committees count as its organs) or the CPPCC committee (with its special
committees). Staff of any organ of a supervising body run that body's supervision; its chair and
vice-chairs read everything of it; its members (standing-committee members, CPPCC members) vote in
its satisfaction ballots. Handlers answer for their unit's items. Team members of an activity record
visits and review its items' reports. A project's supervising deputies record visits; its owner's
contacts post progress.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import rules

from minsheng.org.models import Body, BodyKind, Role
from minsheng.org.selectors import memberships_of
from minsheng.oversight.models import (
    Activity,
    BudgetLine,
    BudgetTable,
    Problem,
    Project,
    RectificationItem,
)

SUPERVISING_KINDS = (BodyKind.STANDING_COMMITTEE, BodyKind.CPPCC_COMMITTEE)
CONGRESS_SIDE_LEADERS = (Role.SC_CHAIR, Role.SC_VICE_CHAIR)
CPPCC_SIDE_LEADERS = (Role.CPPCC_CHAIR, Role.CPPCC_VICE_CHAIR)
_SCOPE_CACHE = "_minsheng_oversight_scope"


class Scope:
    """What one user may supervise, read once per user object (one request) from their memberships."""

    def __init__(self, user: Any) -> None:
        memberships = memberships_of(user)
        body_ids = {m.body_id for m in memberships if m.body_id}
        supervising = supervising_bodies_of(body_ids)
        side = {body: found.pk for body, found in supervising.items()}
        facts = {found.pk: found for found in supervising.values()}
        self.person_id: int | None = getattr(user, "person_id", None) or None
        self.roles = {m.role for m in memberships}
        self.staff_bodies = {
            side[m.body_id] for m in memberships if m.role == Role.STAFF and m.body_id in side
        }
        self.leader_bodies = {
            side[m.body_id]
            for m in memberships
            if m.role in (*CONGRESS_SIDE_LEADERS, *CPPCC_SIDE_LEADERS) and m.body_id in side
        }
        # Voters in satisfaction ballots: standing-committee members (chair and vice-chairs included),
        # CPPCC members of the committee itself (not of a members' studio).
        self.council_bodies = {
            side[m.body_id]
            for m in memberships
            if m.body_id in side
            and m.body is not None
            and (
                (m.role in (Role.SC_MEMBER, *CONGRESS_SIDE_LEADERS))
                or (
                    m.role in (Role.CPPCC_MEMBER, *CPPCC_SIDE_LEADERS)
                    and m.body.kind == BodyKind.CPPCC_COMMITTEE
                )
            )
        }
        self.deputy_jurisdictions = {
            m.body.jurisdiction_id
            for m in memberships
            if m.role == Role.DEPUTY and m.body is not None and m.body.kind == BodyKind.CONGRESS
        }
        self.handler_units = {m.unit_id for m in memberships if m.role == Role.HANDLER and m.unit_id}
        self.staff_jurisdictions = {facts[b].jurisdiction_id for b in self.staff_bodies}
        self.leader_jurisdictions = {facts[b].jurisdiction_id for b in self.leader_bodies}
        self.congress_staff_jurisdictions = {
            facts[b].jurisdiction_id
            for b in self.staff_bodies
            if facts[b].kind == BodyKind.STANDING_COMMITTEE
        }
        self.congress_leader_jurisdictions = {
            facts[b].jurisdiction_id
            for b in self.leader_bodies
            if facts[b].kind == BodyKind.STANDING_COMMITTEE
        }

    @cached_property
    def team_seats(self) -> list[Any]:
        """The user's places on activity teams, with their activities (read once per user object)."""
        if not self.person_id:
            return []
        from minsheng.oversight.models import TeamMember

        return list(TeamMember.objects.filter(person_id=self.person_id).select_related("activity"))

    @property
    def team_activity_ids(self) -> list[int]:
        return [seat.activity_id for seat in self.team_seats]

    @property
    def is_staff(self) -> bool:
        return bool(self.staff_bodies)

    @property
    def is_leader(self) -> bool:
        return bool(self.leader_bodies)

    def sees_body(self, body_id: int) -> bool:
        return body_id in self.staff_bodies or body_id in self.leader_bodies


def council_roles(body_kind: str) -> tuple[str, ...]:
    """The roles that vote in a supervising body's satisfaction ballots."""
    if body_kind == BodyKind.CPPCC_COMMITTEE:
        return (Role.CPPCC_MEMBER, *CPPCC_SIDE_LEADERS)
    return (Role.SC_MEMBER, *CONGRESS_SIDE_LEADERS)


def scope_of(user: Any) -> Scope:
    """The user's supervision scope, computed once per user object."""
    cached = getattr(user, _SCOPE_CACHE, None)
    if cached is None:
        cached = Scope(user)
        if user is not None:
            # AnonymousUser objects take no attributes; there is nothing to cache for them anyway.
            with contextlib.suppress(AttributeError):
                setattr(user, _SCOPE_CACHE, cached)
    return cached


@dataclass(frozen=True)
class Supervising:
    """A supervising body: the standing committee or a CPPCC committee, and where it sits."""

    pk: int
    kind: str
    jurisdiction_id: int


def supervising_bodies_of(body_ids: set[int]) -> dict[int, Supervising]:
    """Each body → the supervising body it works for (itself when it is one), if any, in one query
    (two when a congress special committee is among them).

    A working body's parent is the standing committee; a congress special committee's parent is the
    congress, whose standing committee supervises; a CPPCC special committee's parent is the committee.
    """
    if not body_ids:
        return {}
    rows = (
        Body.objects.filter(pk__in=body_ids)
        .values_list(
            "pk",
            "kind",
            "jurisdiction_id",
            "parent_id",
            "parent__kind",
            "parent__jurisdiction_id",
            "parent__parent_id",
            "parent__parent__kind",
            "parent__parent__jurisdiction_id",
        )
        .order_by()  # read into a mapping: the model's ordering would only add joins
    )
    result: dict[int, Supervising] = {}
    congresses: dict[int, list[int]] = {}
    for row in rows:
        pk = row[0]
        chain = [
            Supervising(int(row[i]), str(row[i + 1]), int(row[i + 2]))  # type: ignore[arg-type]
            for i in (0, 3, 6)
            if row[i] is not None
        ]
        found = next((body for body in chain if body.kind in SUPERVISING_KINDS), None)
        if found is not None:
            result[pk] = found
            continue
        congress = next((body for body in chain if body.kind == BodyKind.CONGRESS), None)
        if congress is not None:
            congresses.setdefault(congress.pk, []).append(pk)
    if congresses:
        standing = Body.objects.filter(parent_id__in=congresses, kind=BodyKind.STANDING_COMMITTEE).order_by()
        for sc_pk, congress_pk, place in standing.values_list("pk", "parent_id", "jurisdiction_id"):
            for pk in congresses[congress_pk]:
                result[pk] = Supervising(sc_pk, BodyKind.STANDING_COMMITTEE, place)
    return result


def standing_committee_of(jurisdiction_id: int) -> Body | None:
    return Body.objects.filter(jurisdiction_id=jurisdiction_id, kind=BodyKind.STANDING_COMMITTEE).first()


def _team_person_ids(activity_id: int | None) -> set[int]:
    if activity_id is None:
        return set()
    from minsheng.oversight.models import TeamMember

    return set(TeamMember.objects.filter(activity_id=activity_id).values_list("person_id", flat=True))


# --- predicates ----------------------------------------------------------------------------------


@rules.predicate
def is_oversight_staff(user: Any) -> bool:
    return scope_of(user).is_staff


@rules.predicate
def is_oversight_leader(user: Any) -> bool:
    return scope_of(user).is_leader


@rules.predicate
def is_handler(user: Any) -> bool:
    return bool(scope_of(user).handler_units)


@rules.predicate
def is_representative(user: Any) -> bool:
    return bool({Role.DEPUTY, Role.CPPCC_MEMBER} & scope_of(user).roles)


@rules.predicate
def is_congress_staff(user: Any) -> bool:
    return bool(scope_of(user).congress_staff_jurisdictions)


@rules.predicate
def is_deputy(user: Any) -> bool:
    return bool(scope_of(user).deputy_jurisdictions)


@rules.predicate
def is_staff_of_body(user: Any, obj: Any) -> bool:
    return obj is not None and getattr(obj, "body_id", None) in scope_of(user).staff_bodies


@rules.predicate
def is_leader_of_body(user: Any, obj: Any) -> bool:
    return obj is not None and getattr(obj, "body_id", None) in scope_of(user).leader_bodies


@rules.predicate
def is_team_member(user: Any, activity: Activity | None) -> bool:
    person_id = scope_of(user).person_id
    return activity is not None and person_id is not None and person_id in _team_person_ids(activity.pk)


@rules.predicate
def is_handler_of_concerned_unit(user: Any, activity: Activity | None) -> bool:
    units = scope_of(user).handler_units
    return activity is not None and bool(units) and activity.units.filter(pk__in=units).exists()


@rules.predicate
def is_item_handler(user: Any, item: RectificationItem | None) -> bool:
    return item is not None and item.unit_id in scope_of(user).handler_units


def _item_activity_id(item: RectificationItem) -> int | None:
    return Problem.objects.filter(pk=item.problem_id).values_list("activity_id", flat=True).first()


@rules.predicate
def is_item_team_member(user: Any, item: RectificationItem | None) -> bool:
    person_id = scope_of(user).person_id
    return (
        item is not None and person_id is not None and person_id in _team_person_ids(_item_activity_id(item))
    )


@rules.predicate
def is_item_raiser(user: Any, item: RectificationItem | None) -> bool:
    """The deputy who raised a budget question follows the answer."""
    if item is None or not getattr(user, "pk", None):
        return False
    return Problem.objects.filter(pk=item.problem_id, created_by_id=user.pk).exists()


@rules.predicate
def is_project_staff(user: Any, project: Project | None) -> bool:
    return project is not None and project.jurisdiction_id in scope_of(user).staff_jurisdictions


@rules.predicate
def is_project_leader(user: Any, project: Project | None) -> bool:
    return project is not None and project.jurisdiction_id in scope_of(user).leader_jurisdictions


@rules.predicate
def is_project_supervisor(user: Any, project: Project | None) -> bool:
    person_id = scope_of(user).person_id
    # .all(): the page's prefetched rows when there are (a project has a handful of supervisors).
    return (
        project is not None
        and person_id is not None
        and any(person.pk == person_id for person in project.supervisors.all())
    )


@rules.predicate
def is_project_owner_contact(user: Any, project: Project | None) -> bool:
    person_id = scope_of(user).person_id
    return (
        project is not None
        and person_id is not None
        and any(person.pk == person_id for person in project.owner_contacts.all())
    )


def _table_jurisdiction(obj: BudgetTable | BudgetLine | None) -> int | None:
    if isinstance(obj, BudgetLine):
        return BudgetTable.objects.filter(pk=obj.table_id).values_list("jurisdiction_id", flat=True).first()
    return obj.jurisdiction_id if obj is not None else None


@rules.predicate
def is_budget_staff(user: Any, obj: BudgetTable | BudgetLine | None) -> bool:
    return _table_jurisdiction(obj) in scope_of(user).congress_staff_jurisdictions


@rules.predicate
def is_budget_reader(user: Any, obj: BudgetTable | BudgetLine | None) -> bool:
    scope = scope_of(user)
    place = _table_jurisdiction(obj)
    return place is not None and place in (
        scope.congress_staff_jurisdictions | scope.congress_leader_jurisdictions | scope.deputy_jurisdictions
    )


@rules.predicate
def is_budget_deputy(user: Any, line: BudgetLine | None) -> bool:
    return _table_jurisdiction(line) in scope_of(user).deputy_jurisdictions


@rules.predicate
def is_council_member(user: Any, ballot: Any) -> bool:
    return ballot is not None and ballot.body_id in scope_of(user).council_bodies


@rules.predicate
def can_review_report(user: Any, report: Any) -> bool:
    return report is not None and user.has_perm("oversight.review_item", report.item)


can_list_items = is_oversight_staff | is_oversight_leader | is_handler | is_representative

rules.add_perm("oversight.add_plan", is_oversight_staff)
rules.add_perm("oversight.change_plan", is_staff_of_body)
rules.add_perm("oversight.add_activity", is_oversight_staff)
rules.add_perm("oversight.change_activity", is_staff_of_body)
rules.add_perm("oversight.visit_activity", is_staff_of_body | is_team_member)
rules.add_perm(
    "oversight.view_activity",
    is_staff_of_body | is_leader_of_body | is_team_member | is_handler_of_concerned_unit,
)
rules.add_perm("oversight.list_activity", can_list_items)
rules.add_perm("oversight.report_item", is_item_handler)
rules.add_perm("oversight.review_item", is_staff_of_body | is_item_team_member)
rules.add_perm("oversight.review_progressreport", can_review_report)
rules.add_perm("oversight.extend_item", is_staff_of_body)
rules.add_perm("oversight.assign_problem", is_staff_of_body)
rules.add_perm(
    "oversight.view_item",
    is_staff_of_body | is_leader_of_body | is_item_handler | is_item_team_member | is_item_raiser,
)
rules.add_perm("oversight.list_item", can_list_items)
rules.add_perm("oversight.view_dashboard", is_oversight_staff | is_oversight_leader)
rules.add_perm("oversight.add_project", is_oversight_staff)
rules.add_perm("oversight.change_project", is_project_staff)
rules.add_perm("oversight.post_project", is_project_staff | is_project_owner_contact)
rules.add_perm("oversight.visit_project", is_project_staff | is_project_supervisor)
rules.add_perm(
    "oversight.view_project",
    is_project_staff | is_project_leader | is_project_supervisor | is_project_owner_contact,
)
rules.add_perm("oversight.import_budgettable", is_congress_staff)
rules.add_perm("oversight.view_budgettable", is_budget_reader)
rules.add_perm("oversight.list_budgettable", is_congress_staff | is_deputy | is_oversight_leader)
rules.add_perm("oversight.question_budgetline", is_budget_deputy)
rules.add_perm("oversight.list_enterprise", is_oversight_staff | is_oversight_leader)
rules.add_perm("oversight.vote_satisfactionballot", is_council_member)
rules.add_perm("oversight.close_satisfactionballot", is_staff_of_body)
rules.add_perm("oversight.view_satisfactionballot", is_staff_of_body | is_leader_of_body | is_council_member)
