"""The project register: key projects and cooperation items, milestones, progress and outcomes.

Project:  planned → under_construction ⇄ suspended
                         ↘ in_production → completed
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor, account_required
from minsheng.core.attachments import IMAGE, attachments_save, uploads_check
from minsheng.core.errors import DomainError, PermissionDeniedError, ValidationFailedError
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.transitions import Transition, TransitionTable, guard, transition_apply
from minsheng.org.models import Jurisdiction, JurisdictionLevel, Membership, Person, Role
from minsheng.org.selectors import today
from minsheng.oversight.models import (
    AMOUNT_DIGITS,
    CooperationKind,
    CooperationPlatform,
    Milestone,
    MilestoneKind,
    OutcomeKind,
    Project,
    ProjectKind,
    ProjectOutcome,
    ProjectProgress,
    ProjectStatus,
)
from minsheng.oversight.rules import scope_of
from minsheng.oversight.services.common import (
    not_in_future,
    require,
    text_checked,
    title_checked,
)

P = ProjectStatus

PROJECT_TRANSITIONS = TransitionTable(
    Transition("start", {P.PLANNED}, P.UNDER_CONSTRUCTION, "oversight.change_project"),
    Transition("suspend", {P.UNDER_CONSTRUCTION}, P.SUSPENDED, "oversight.change_project"),
    Transition("resume", {P.SUSPENDED}, P.UNDER_CONSTRUCTION, "oversight.change_project"),
    Transition("produce", {P.UNDER_CONSTRUCTION}, P.IN_PRODUCTION, "oversight.change_project"),
    Transition("complete", {P.IN_PRODUCTION}, P.COMPLETED, "oversight.change_project"),
)
MAX_MILESTONES = 20
MAX_PHOTOS = 9
MAX_PEOPLE = 30
_MAX_AMOUNT = Decimal(10) ** (AMOUNT_DIGITS - 2)


@guard
def can_record_outcome(user: Actor, project: Project) -> DomainError | None:
    """The owner's contacts or staff record the outcomes (patents, products) of a cooperation item."""
    if project.kind != ProjectKind.COOPERATION:
        return ValidationFailedError(_("Outcomes are recorded for cooperation items."))
    if not user.has_perm("oversight.post_project", project):
        return PermissionDeniedError()
    return None


@dataclass(frozen=True)
class MilestonePlan:
    kind: str
    name: str
    planned_date: dt.date


def amount_checked(value: Any, *, field: str) -> Decimal:
    """A non-negative amount with at most two decimals, below the column's limit."""
    if value in (None, ""):
        raise ValidationFailedError(_("Enter an amount."), field=field)
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationFailedError(_("Enter an amount in figures."), field=field) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationFailedError(_("An amount cannot be negative."), field=field)
    if amount >= _MAX_AMOUNT:
        raise ValidationFailedError(_("This amount is too large."), field=field)
    return amount.quantize(Decimal("0.01"))


def amount_or_none(value: Any, *, field: str) -> Decimal | None:
    return None if value in (None, "") else amount_checked(value, field=field)


def _jurisdiction_for(actor: Actor, jurisdiction: Jurisdiction | None) -> Jurisdiction:
    places = scope_of(actor).staff_jurisdictions
    if jurisdiction is not None and jurisdiction.pk in places:
        return jurisdiction
    if jurisdiction is None and places:
        return Jurisdiction.objects.filter(pk__in=places).order_by("code").first()  # type: ignore[return-value]
    raise ValidationFailedError(_("You do not work for a supervising body here."), field="jurisdiction")


def _representatives_checked(people: Sequence[Person], jurisdiction: Jurisdiction) -> None:
    if len(people) > MAX_PEOPLE:
        raise ValidationFailedError(
            _("At most %(limit)s people.") % {"limit": MAX_PEOPLE}, field="supervisors"
        )
    seated = set(
        Membership.objects.active_on(today())
        .filter(person__in=[p.pk for p in people], role__in=(Role.DEPUTY, Role.CPPCC_MEMBER))
        .filter(body__jurisdiction=jurisdiction)
        .values_list("person_id", flat=True)
    )
    outsiders = [p.name for p in people if p.pk not in seated]
    if outsiders:
        raise ValidationFailedError(
            _("Only deputies or members in office supervise a project: %(names)s.")
            % {"names": "、".join(outsiders)},
            field="supervisors",
        )


def _milestones_checked(milestones: Sequence[MilestonePlan]) -> list[MilestonePlan]:
    if len(milestones) > MAX_MILESTONES:
        raise ValidationFailedError(
            _("At most %(limit)s milestones.") % {"limit": MAX_MILESTONES}, field="milestones"
        )
    checked = []
    for plan in milestones:
        if plan.kind not in MilestoneKind.values:
            raise ValidationFailedError(_("Choose the kind of milestone."), field="milestones")
        name = title_checked(
            plan.name or str(MilestoneKind(plan.kind).label), field="milestones", label=_("The milestone")
        )
        checked.append(MilestonePlan(plan.kind, name[:100], plan.planned_date))
    return checked


@transaction.atomic
def platform_create(
    *,
    actor: Actor,
    name: str,
    partners: str = "",
    description: str = "",
    jurisdiction: Jurisdiction | None = None,
) -> CooperationPlatform:
    require(actor, "oversight.add_project")
    place = _jurisdiction_for(actor, jurisdiction)
    name = title_checked(name, field="name", label=_("The platform name"))
    if CooperationPlatform.objects.filter(jurisdiction=place, name=name).exists():
        raise ValidationFailedError(_("A platform of this name exists."), field="name")
    platform = CooperationPlatform.objects.create(
        jurisdiction=place,
        name=name,
        partners=title_checked(partners, field="partners", label=_("The partners"))
        if partners.strip()
        else "",
        description=text_checked(
            description, field="description", label=_("The description"), required=False
        ),
    )
    event_record(actor=actor, verb="create", target=platform)
    return platform


@transaction.atomic
def project_create(
    *,
    actor: Actor,
    name: str,
    kind: str = ProjectKind.KEY_PROJECT,
    owner: str = "",
    partners: str = "",
    investment_planned: Any = "0",
    floor_area: Any = None,
    park: str = "",
    location: str = "",
    place: Jurisdiction | None = None,
    description: str = "",
    platform: CooperationPlatform | None = None,
    cooperation_kind: str = "",
    milestones: Sequence[MilestonePlan] = (),
    supervisors: Sequence[Person] = (),
    owner_contacts: Sequence[Person] = (),
    jurisdiction: Jurisdiction | None = None,
) -> Project:
    """A project in the register with its planned milestones and its supervising deputies/members."""
    require(actor, "oversight.add_project")
    if platform is not None:
        jurisdiction = platform.jurisdiction
    jurisdiction = _jurisdiction_for(actor, jurisdiction)
    if kind not in ProjectKind.values:
        raise ValidationFailedError(_("Choose a key project or a cooperation item."), field="kind")
    if kind == ProjectKind.COOPERATION:
        if cooperation_kind not in CooperationKind.values:
            raise ValidationFailedError(_("Choose the form of cooperation."), field="cooperation_kind")
    elif platform is not None or cooperation_kind:
        raise ValidationFailedError(_("Only a cooperation item belongs to a platform."), field="platform")
    if place is not None and (
        place.level != JurisdictionLevel.TOWNSHIP or place.parent_id != jurisdiction.pk
    ):
        raise ValidationFailedError(_("Choose a township or street of the district."), field="place")
    planned = _milestones_checked(milestones)
    _representatives_checked(supervisors, jurisdiction)
    if len(owner_contacts) > MAX_PEOPLE:
        raise ValidationFailedError(
            _("At most %(limit)s people.") % {"limit": MAX_PEOPLE}, field="owner_contacts"
        )
    optional = {"field": "owner", "label": _("The owner")}
    project = Project.objects.create(
        jurisdiction=jurisdiction,
        place=place,
        kind=kind,
        platform=platform,
        cooperation_kind=cooperation_kind if kind == ProjectKind.COOPERATION else "",
        name=title_checked(name, field="name", label=_("The project name")),
        owner=title_checked(owner, **optional) if owner.strip() else "",
        partners=title_checked(partners, field="partners", label=_("The partners"))
        if partners.strip()
        else "",
        investment_planned=amount_checked(investment_planned, field="investment_planned"),
        floor_area=amount_or_none(floor_area, field="floor_area"),
        park=title_checked(park, field="park", label=_("The park"))[:100] if park.strip() else "",
        location=title_checked(location, field="location", label=_("The location"))
        if location.strip()
        else "",
        description=text_checked(
            description, field="description", label=_("The description"), required=False
        ),
    )
    Milestone.objects.bulk_create(
        Milestone(project=project, kind=m.kind, name=m.name, planned_date=m.planned_date, order=i)
        for i, m in enumerate(planned)
    )
    project.supervisors.set(supervisors)
    project.owner_contacts.set(owner_contacts)
    event_record(
        actor=actor,
        verb="create",
        target=project,
        to_state=project.status,
        payload={"kind": kind, "milestones": len(planned), "supervisors": [p.pk for p in supervisors]},
    )
    return project


def project_transition(
    *, actor: Actor, project: Project, action: str, expected_state: str | None = None
) -> Project:
    return transition_apply(
        table=PROJECT_TRANSITIONS, obj=project, action=action, actor=actor, expected_state=expected_state
    )


@transaction.atomic
def project_publish(*, actor: Actor, project: Project, publish: bool = True) -> Project:
    fresh = rows_locked(Project).get(pk=project.pk)
    require(actor, "oversight.change_project", fresh)
    fresh.published_at = timezone.now() if publish else None
    fresh.save(update_fields=["published_at", "updated_at"])
    event_record(
        actor=actor,
        verb="publish" if publish else "unpublish",
        target=fresh,
        from_state=fresh.status,
        to_state=fresh.status,
    )
    return fresh


@transaction.atomic
def milestone_add(
    *, actor: Actor, project: Project, kind: str, name: str, planned_date: dt.date
) -> Milestone:
    fresh = rows_locked(Project).get(pk=project.pk)
    require(actor, "oversight.change_project", fresh)
    if fresh.milestones.count() >= MAX_MILESTONES:
        raise ValidationFailedError(
            _("At most %(limit)s milestones.") % {"limit": MAX_MILESTONES}, field="name"
        )
    (plan,) = _milestones_checked([MilestonePlan(kind, name, planned_date)])
    milestone = Milestone.objects.create(
        project=fresh,
        kind=plan.kind,
        name=plan.name,
        planned_date=plan.planned_date,
        order=fresh.milestones.count(),
    )
    event_record(
        actor=actor,
        verb="milestone_add",
        target=fresh,
        from_state=fresh.status,
        to_state=fresh.status,
        payload={"milestone": milestone.pk, "planned": planned_date},
    )
    return milestone


@transaction.atomic
def milestone_reach(*, actor: Actor, milestone: Milestone, actual_date: dt.date) -> Milestone:
    """The owner or staff record the day a milestone was actually reached."""
    project = rows_locked(Project).get(pk=milestone.project_id)
    require(actor, "oversight.post_project", project)
    not_in_future(actual_date, field="actual_date")
    fresh = Milestone.objects.get(pk=milestone.pk)
    if fresh.actual_date is not None:
        raise ValidationFailedError(_("This milestone is already recorded as reached."), field="actual_date")
    fresh.actual_date = actual_date
    fresh.save(update_fields=["actual_date"])
    event_record(
        actor=actor,
        verb="milestone",
        target=project,
        from_state=project.status,
        to_state=project.status,
        payload={"milestone": fresh.pk, "planned": fresh.planned_date, "actual": actual_date},
    )
    return fresh


@transaction.atomic
def milestone_replan(*, actor: Actor, milestone: Milestone, planned_date: dt.date, reason: str) -> Milestone:
    """Staff move a planned date (the Event keeps both dates and the reason)."""
    from minsheng.oversight.services.common import note_checked

    project = rows_locked(Project).get(pk=milestone.project_id)
    require(actor, "oversight.change_project", project)
    reason = note_checked(reason)
    fresh = Milestone.objects.get(pk=milestone.pk)
    if fresh.actual_date is not None:
        raise ValidationFailedError(_("A reached milestone keeps its plan."), field="planned_date")
    before = fresh.planned_date
    fresh.planned_date = planned_date
    fresh.save(update_fields=["planned_date"])
    event_record(
        actor=actor,
        verb="milestone_replan",
        target=project,
        from_state=project.status,
        to_state=project.status,
        payload={"milestone": fresh.pk, "from": before, "to": planned_date, "reason": reason},
    )
    return fresh


@transaction.atomic
def project_progress_post(
    *,
    actor: Actor,
    project: Project,
    text: str,
    investment_completed: Any = None,
    photos: Sequence[UploadedFile] = (),
) -> ProjectProgress:
    """Progress by the owner or staff, with photos; the investment figure is the total to date."""
    fresh = rows_locked(Project).get(pk=project.pk)
    require(actor, "oversight.post_project", fresh)
    text = text_checked(text, label=_("The progress"))
    amount = amount_or_none(investment_completed, field="investment_completed")
    checked = uploads_check(list(photos), kind=IMAGE, max_files=MAX_PHOTOS)
    post = ProjectProgress.objects.create(
        project=fresh, text=text, investment_completed=amount, created_by=account_required(actor)
    )
    attachments_save(actor=actor, owner=post, files=checked)
    if amount is not None:
        fresh.investment_completed = amount
        fresh.save(update_fields=["investment_completed", "updated_at"])
    event_record(
        actor=actor,
        verb="progress",
        target=fresh,
        from_state=fresh.status,
        to_state=fresh.status,
        payload={"post": post.pk, "investment_completed": amount, "photos": len(checked)},
    )
    return post


@transaction.atomic
def outcome_record(
    *, actor: Actor, project: Project, kind: str, title: str, date: dt.date, reference: str = ""
) -> ProjectOutcome:
    """A cooperation item's outcome: a patent, a product, a standard."""
    fresh = rows_locked(Project).get(pk=project.pk)
    can_record_outcome.check(actor, fresh)
    if kind not in OutcomeKind.values:
        raise ValidationFailedError(_("Choose the kind of outcome."), field="kind")
    not_in_future(date, field="date")
    outcome = ProjectOutcome.objects.create(
        project=fresh,
        kind=kind,
        title=title_checked(title),
        reference=title_checked(reference, field="reference", label=_("The reference"))[:100]
        if reference.strip()
        else "",
        date=date,
        created_by=account_required(actor),
    )
    event_record(
        actor=actor,
        verb="outcome",
        target=fresh,
        from_state=fresh.status,
        to_state=fresh.status,
        payload={"outcome": outcome.pk, "kind": kind},
    )
    return outcome
