"""Plans, activities, teams, visits, documents and special inquiries.

Plan:      draft → published
Activity:  planned → under_way → reported → closed        (closed only when every item is closed)
              ↘ cancelled
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor, account_required
from minsheng.core.attachments import ATTACHMENT, DOCUMENT, DOCX, IMAGE, attachments_save, uploads_check
from minsheng.core.errors import (
    DomainError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.transitions import (
    Transition,
    TransitionTable,
    guard,
    transition_apply,
    transition_refusal,
)
from minsheng.org.models import Body, BodyKind, Membership, Person, Role, Unit
from minsheng.org.selectors import today
from minsheng.oversight.models import (
    OPEN_ITEM_STATES,
    Activity,
    ActivityKind,
    ActivityStatus,
    InquiryQuestion,
    PlanStatus,
    Project,
    RectificationItem,
    SupervisionPlan,
    TeamMember,
    TeamRole,
    Visit,
)
from minsheng.oversight.rules import SUPERVISING_KINDS, scope_of
from minsheng.oversight.services.common import (
    cn_day,
    not_in_future,
    note_checked,
    notify_later,
    require,
    text_checked,
    title_checked,
    units_in_place_checked,
    users_of_people,
)

A = ActivityStatus

PLAN_TRANSITIONS = TransitionTable(
    Transition("publish", {PlanStatus.DRAFT}, PlanStatus.PUBLISHED, "oversight.change_plan"),
)
ACTIVITY_TRANSITIONS = TransitionTable(
    Transition("start", {A.PLANNED}, A.UNDER_WAY, "oversight.change_activity"),
    Transition("report", {A.UNDER_WAY}, A.REPORTED, "oversight.change_activity"),
    Transition("close", {A.REPORTED}, A.CLOSED, "oversight.change_activity"),
    Transition("cancel", {A.PLANNED}, A.CANCELLED, "oversight.change_activity"),
)
# States in which the team works: visits, findings, questions.
WORKING_STATES = (A.UNDER_WAY, A.REPORTED)
PUBLISHABLE_STATES = (A.UNDER_WAY, A.REPORTED, A.CLOSED)
MAX_TEAM = 60
MAX_PHOTOS = 9
MAX_DOCUMENTS = 5
OFFICIAL_MAX_LENGTH = 100


def activity_link(activity: Activity) -> str:
    return reverse("oversight:activity", args=[activity.pk])


# --- guards: the rule of each action that is more than a transition-table row ---------------------


def _refusal(
    user: Actor, activity: Activity, action: str, states: tuple[str, ...], permission: str
) -> DomainError | None:
    if activity.status not in states:
        return InvalidTransitionError(action=action, state=activity.status)
    if not user.has_perm(permission, activity):
        return PermissionDeniedError()
    return None


@guard
def can_choose_team(user: Actor, activity: Activity) -> DomainError | None:
    """Staff choose the team before and while the activity is under way."""
    return _refusal(user, activity, "team", (A.PLANNED, A.UNDER_WAY), "oversight.change_activity")


@guard
def can_work_on(user: Actor, activity: Activity) -> DomainError | None:
    """Staff record findings, assignments, attendance and ballots while the activity is worked on."""
    return _refusal(user, activity, "work", WORKING_STATES, "oversight.change_activity")


@guard
def can_record_visit(user: Actor, activity: Activity) -> DomainError | None:
    """The team or staff record visits while the activity is worked on."""
    return _refusal(user, activity, "visit", WORKING_STATES, "oversight.visit_activity")


@guard
def can_add_documents(user: Actor, activity: Activity) -> DomainError | None:
    return _refusal(user, activity, "documents", (A.PLANNED, *WORKING_STATES), "oversight.change_activity")


@guard
def can_publish(user: Actor, activity: Activity) -> DomainError | None:
    """Staff publish an activity once it is under way (and may withdraw it from the public page)."""
    return _refusal(user, activity, "publish", PUBLISHABLE_STATES, "oversight.change_activity")


@guard
def can_question(user: Actor, activity: Activity) -> DomainError | None:
    """Questions and answers are recorded in a special inquiry that is worked on."""
    if activity.kind != ActivityKind.SPECIAL_INQUIRY:
        return ValidationFailedError(_("Questions are put in a special inquiry."))
    return can_work_on.refusal(user, activity)


@guard
def can_close(user: Actor, activity: Activity) -> DomainError | None:
    """An activity ends in closed rectification: every item closed, no ballot open."""
    refusal = transition_refusal(table=ACTIVITY_TRANSITIONS, obj=activity, action="close", actor=user)
    if refusal is not None:
        return refusal
    open_count = open_items_of(activity)
    if open_count:
        return ValidationFailedError(
            _("%(count)s rectification items are still open: the activity closes when all are closed.")
            % {"count": open_count}
        )
    from minsheng.oversight.services.ballots import ballots_open_for

    if ballots_open_for(activity):
        return ValidationFailedError(_("A satisfaction ballot of this activity is still open."))
    return None


# --- plans ---------------------------------------------------------------------------------------


def _supervising_body_checked(body: Body) -> None:
    if body.kind not in SUPERVISING_KINDS:
        raise ValidationFailedError(
            _("Supervision is run by a standing committee or a CPPCC committee."), field="body"
        )


@transaction.atomic
def plan_create(*, actor: Actor, body: Body, year: int, title: str) -> SupervisionPlan:
    """A body's annual supervision plan (one a year)."""
    _supervising_body_checked(body)
    plan = SupervisionPlan(jurisdiction_id=body.jurisdiction_id, body=body, year=year)
    require(actor, "oversight.change_plan", plan)
    if not 2000 <= year <= 2100:
        raise ValidationFailedError(_("The year is not valid."), field="year")
    plan.title = title_checked(title)
    if SupervisionPlan.objects.filter(body=body, year=year).exists():
        raise ValidationFailedError(
            _("%(body)s already has a plan for %(year)s.") % {"body": body.name, "year": year}, field="year"
        )
    plan.save()
    event_record(actor=actor, verb="create", target=plan, to_state=plan.status, payload={"year": year})
    return plan


def plan_publish(
    *, actor: Actor, plan: SupervisionPlan, expected_state: str | None = PlanStatus.DRAFT
) -> SupervisionPlan:
    return transition_apply(
        table=PLAN_TRANSITIONS, obj=plan, action="publish", actor=actor, expected_state=expected_state
    )


# --- activities ----------------------------------------------------------------------------------


@transaction.atomic
def activity_create(
    *,
    actor: Actor,
    kind: str,
    title: str,
    start_date: dt.date,
    end_date: dt.date,
    plan: SupervisionPlan | None = None,
    body: Body | None = None,
    description: str = "",
    units: Sequence[Unit] = (),
) -> Activity:
    """An activity of a plan (or outside any plan, for the body given)."""
    if plan is not None:
        body = plan.body
    if body is None:
        raise ValidationFailedError(_("Choose the plan or the supervising body."), field="plan")
    _supervising_body_checked(body)
    activity = Activity(plan=plan, body=body, jurisdiction_id=body.jurisdiction_id)
    require(actor, "oversight.change_activity", activity)
    if kind not in ActivityKind.values:
        raise ValidationFailedError(_("Choose a form of supervision."), field="kind")
    if kind == ActivityKind.DEMOCRATIC_SUPERVISION and body.kind != BodyKind.CPPCC_COMMITTEE:
        raise ValidationFailedError(_("Democratic supervision is the CPPCC's."), field="kind")
    if end_date < start_date:
        raise ValidationFailedError(_("An activity cannot end before it starts."), field="end_date")
    if plan is not None and start_date.year != plan.year:
        raise ValidationFailedError(
            _("The activity must start in the plan's year (%(year)s).") % {"year": plan.year},
            field="start_date",
        )
    units_in_place_checked(body.jurisdiction, list(units))
    activity.kind = kind
    activity.title = title_checked(title, label=_("The subject"))
    activity.description = text_checked(
        description, field="description", label=_("The description"), required=False
    )
    activity.start_date, activity.end_date = start_date, end_date
    activity.save()
    activity.units.set(units)
    event_record(
        actor=actor,
        verb="create",
        target=activity,
        to_state=activity.status,
        payload={"kind": kind, "units": [u.pk for u in units], "plan": plan.pk if plan else None},
    )
    return activity


def activity_start(*, actor: Actor, activity: Activity, expected_state: str | None = A.PLANNED) -> Activity:
    fresh = transition_apply(
        table=ACTIVITY_TRANSITIONS, obj=activity, action="start", actor=actor, expected_state=expected_state
    )
    notify_later(
        users_of_people(TeamMember.objects.filter(activity=fresh).values_list("person_id", flat=True)),
        _("The activity “%(title)s” has started.") % {"title": fresh.title},
        activity_link(fresh),
    )
    return fresh


def activity_cancel(
    *, actor: Actor, activity: Activity, reason: str, expected_state: str | None = A.PLANNED
) -> Activity:
    reason = note_checked(reason)
    return transition_apply(
        table=ACTIVITY_TRANSITIONS,
        obj=activity,
        action="cancel",
        actor=actor,
        expected_state=expected_state,
        payload={"reason": reason},
    )


@transaction.atomic
def activity_report(
    *,
    actor: Actor,
    activity: Activity,
    report: UploadedFile,
    summary: str,
    expected_state: str | None = A.UNDER_WAY,
) -> Activity:
    """The activity's report (a Word document) and the summary published with it."""
    summary = text_checked(summary, field="summary", label=_("The summary"))
    checked = uploads_check([report], kind=DOCUMENT, allowed={DOCX}, max_files=1)
    fresh = transition_apply(
        table=ACTIVITY_TRANSITIONS,
        obj=activity,
        action="report",
        actor=actor,
        expected_state=expected_state,
        changes={"report_summary": summary},
        payload={"file": checked[0].name, "sha256": checked[0].sha256},
    )
    (saved,) = attachments_save(actor=actor, owner=fresh, files=checked)
    Activity.objects.filter(pk=fresh.pk).update(report=saved)
    fresh.report = saved
    return fresh


def open_items_of(activity: Activity) -> int:
    return RectificationItem.objects.filter(problem__activity=activity, status__in=OPEN_ITEM_STATES).count()


@transaction.atomic
def activity_close(*, actor: Actor, activity: Activity, expected_state: str | None = A.REPORTED) -> Activity:
    """An activity ends in closed rectification: it closes only when every item is closed."""
    return transition_apply(
        table=ACTIVITY_TRANSITIONS,
        obj=activity,
        action="close",
        actor=actor,
        expected_state=expected_state,
        guard=can_close,
    )


@transaction.atomic
def activity_publish(*, actor: Actor, activity: Activity, publish: bool = True) -> Activity:
    """Show (or stop showing) the activity, its report summary, items and ballot results in public."""
    fresh = rows_locked(Activity).get(pk=activity.pk)
    can_publish.check(actor, fresh)
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
def activity_documents_add(*, actor: Actor, activity: Activity, files: Sequence[UploadedFile]) -> list[Any]:
    """Documents of the activity (its programme, the unit's work report, materials)."""
    fresh = rows_locked(Activity).get(pk=activity.pk)
    can_add_documents.check(actor, fresh)
    if not files:
        raise ValidationFailedError(_("Choose at least one file."), field="files")
    checked = uploads_check(list(files), kind=ATTACHMENT, max_files=MAX_DOCUMENTS)
    saved = attachments_save(actor=actor, owner=fresh, files=checked)
    event_record(
        actor=actor,
        verb="documents",
        target=fresh,
        from_state=fresh.status,
        to_state=fresh.status,
        payload={"files": [c.name for c in checked]},
    )
    return saved


# --- the team ------------------------------------------------------------------------------------


def eligible_roles(body: Body) -> tuple[str, ...]:
    """Deputies (and standing-committee members) for the congress side, members for the CPPCC."""
    if body.kind == BodyKind.CPPCC_COMMITTEE:
        return (Role.CPPCC_MEMBER, Role.CPPCC_CHAIR, Role.CPPCC_VICE_CHAIR)
    return (Role.DEPUTY, Role.SC_MEMBER, Role.SC_CHAIR, Role.SC_VICE_CHAIR)


@transaction.atomic
def activity_team_add(
    *, actor: Actor, activity: Activity, people: Sequence[Person], leader: Person | None = None
) -> list[TeamMember]:
    """Put deputies or members on the team; each is told. ``leader`` leads it (and must be among them)."""
    fresh = rows_locked(Activity).get(pk=activity.pk)
    can_choose_team.check(actor, fresh)
    people = list(people)
    if not people:
        raise ValidationFailedError(_("Choose at least one person."), field="people")
    if len(people) > MAX_TEAM:
        raise ValidationFailedError(_("At most %(limit)s people.") % {"limit": MAX_TEAM}, field="people")
    if leader is not None and leader.pk not in {p.pk for p in people}:
        people.append(leader)
    seated = set(
        Membership.objects.active_on(today())
        .filter(person__in=[p.pk for p in people], role__in=eligible_roles(fresh.body))
        .filter(body__jurisdiction_id=fresh.jurisdiction_id)
        .values_list("person_id", flat=True)
    )
    outsiders = [p.name for p in people if p.pk not in seated]
    if outsiders:
        raise ValidationFailedError(
            _("Only deputies or members in office can be on the team: %(names)s.")
            % {"names": "、".join(outsiders)},
            field="people",
        )
    existing = {t.person_id: t for t in TeamMember.objects.filter(activity=fresh)}
    now = timezone.now()
    added: list[TeamMember] = []
    for person in people:
        role = TeamRole.LEADER if leader is not None and person.pk == leader.pk else TeamRole.MEMBER
        member = existing.get(person.pk)
        if member is None:
            added.append(TeamMember.objects.create(activity=fresh, person=person, role=role, notified_at=now))
        elif member.role != role and role == TeamRole.LEADER:
            TeamMember.objects.filter(pk=member.pk).update(role=role)
    if leader is not None:
        TeamMember.objects.filter(activity=fresh, role=TeamRole.LEADER).exclude(person=leader).update(
            role=TeamRole.MEMBER
        )
    event_record(
        actor=actor,
        verb="team",
        target=fresh,
        from_state=fresh.status,
        to_state=fresh.status,
        payload={"added": [m.person_id for m in added], "leader": leader.pk if leader else None},
    )
    notify_later(
        users_of_people(m.person_id for m in added),
        _("You are on the team of “%(title)s” (%(start)s to %(end)s).")
        % {"title": fresh.title, "start": cn_day(fresh.start_date), "end": cn_day(fresh.end_date)},
        activity_link(fresh),
        send_message=True,
    )
    return added


@transaction.atomic
def activity_attendance_record(*, actor: Actor, activity: Activity, present: Sequence[int]) -> Activity:
    """Who of the team took part (their duty records count it)."""
    fresh = rows_locked(Activity).get(pk=activity.pk)
    can_work_on.check(actor, fresh)
    team = set(TeamMember.objects.filter(activity=fresh).values_list("person_id", flat=True))
    strangers = set(present) - team
    if strangers:
        raise ValidationFailedError(_("Only team members can be recorded as taking part."), field="present")
    TeamMember.objects.filter(activity=fresh).update(took_part=False)
    TeamMember.objects.filter(activity=fresh, person_id__in=list(present)).update(took_part=True)
    event_record(
        actor=actor,
        verb="attendance",
        target=fresh,
        from_state=fresh.status,
        to_state=fresh.status,
        payload={"present": sorted(present)},
    )
    return fresh


# --- visits --------------------------------------------------------------------------------------


@transaction.atomic
def visit_record(
    *,
    actor: Actor,
    date: dt.date,
    place: str,
    notes: str = "",
    photos: Sequence[UploadedFile] = (),
    activity: Activity | None = None,
    project: Project | None = None,
) -> Visit:
    """A visit by the team (of an activity) or by supervising deputies (of a project), with photos."""
    if (activity is None) == (project is None):
        raise ValidationFailedError(_("A visit belongs to one activity or one project."))
    if activity is not None:
        target: Any = rows_locked(Activity).get(pk=activity.pk)
        can_record_visit.check(actor, target)
        if date < target.start_date:
            raise ValidationFailedError(
                _("The visit cannot be before the activity started (%(day)s).")
                % {"day": cn_day(target.start_date)},
                field="date",
            )
    else:
        assert project is not None
        target = rows_locked(Project).get(pk=project.pk)
        require(actor, "oversight.visit_project", target)
    not_in_future(date, field="date")
    place = title_checked(place, field="place", label=_("The place"))
    notes = text_checked(notes, field="notes", label=_("The notes"), required=False)
    checked = uploads_check(list(photos), kind=IMAGE, max_files=MAX_PHOTOS)
    visit = Visit.objects.create(
        activity=activity,
        project=project,
        date=date,
        place=place,
        notes=notes,
        created_by=account_required(actor),
    )
    attachments_save(actor=actor, owner=visit, files=checked)
    event_record(
        actor=actor,
        verb="visit",
        target=target,
        from_state=target.status,
        to_state=target.status,
        payload={"visit": visit.pk, "date": date, "place": place, "photos": len(checked)},
    )
    person_id = scope_of(actor).person_id
    if activity is not None and person_id is not None:
        # Whoever of the team records a visit took part in the activity.
        TeamMember.objects.filter(activity=activity, person_id=person_id).update(took_part=True)
    return visit


# --- special inquiry -----------------------------------------------------------------------------


@transaction.atomic
def inquiry_question_add(
    *, actor: Actor, activity: Activity, asker: Person, unit: Unit, official: str, question: str
) -> InquiryQuestion:
    """A member's question to a named official of a unit, in a special inquiry."""
    fresh = rows_locked(Activity).get(pk=activity.pk)
    can_question.check(actor, fresh)
    seated = (
        Membership.objects.active_on(today())
        .filter(
            person=asker, role__in=eligible_roles(fresh.body), body__jurisdiction_id=fresh.jurisdiction_id
        )
        .exists()
    )
    if not seated:
        raise ValidationFailedError(
            _("The question must be put by a deputy or member in office."), field="asker"
        )
    units_in_place_checked(fresh.jurisdiction, [unit], field="unit")
    official = title_checked(official, field="official", label=_("The official"))[:OFFICIAL_MAX_LENGTH]
    question = text_checked(question, field="question", label=_("The question"))
    order = InquiryQuestion.objects.filter(activity=fresh).count() + 1
    asked = InquiryQuestion.objects.create(
        activity=fresh, asker=asker, unit=unit, official=official, question=question, order=order
    )
    event_record(
        actor=actor,
        verb="question",
        target=fresh,
        from_state=fresh.status,
        to_state=fresh.status,
        payload={"question": asked.pk, "asker": asker.pk, "unit": unit.pk},
    )
    return asked


@transaction.atomic
def inquiry_answer_record(
    *,
    actor: Actor,
    question: InquiryQuestion,
    answer: str,
    commitment: str = "",
    due_rule: str = "",
) -> InquiryQuestion:
    """The official's answer as given; a commitment becomes a rectification item for the unit."""
    fresh = rows_locked(InquiryQuestion).select_related("activity", "unit").get(pk=question.pk)
    activity = fresh.activity
    can_question.check(actor, activity)
    if fresh.answered_at is not None:
        raise ValidationFailedError(_("This answer is already recorded."))
    fresh.answer = text_checked(answer, field="answer", label=_("The answer"))
    fresh.commitment = text_checked(commitment, field="commitment", label=_("The commitment"), required=False)
    fresh.answered_at = timezone.now()
    fresh.save(update_fields=["answer", "commitment", "answered_at"])
    event_record(
        actor=actor,
        verb="answer",
        target=activity,
        from_state=activity.status,
        to_state=activity.status,
        payload={"question": fresh.pk, "commitment": bool(fresh.commitment)},
    )
    if fresh.commitment:
        from minsheng.oversight.services.items import problem_from_commitment

        problem_from_commitment(actor=actor, question=fresh, due_rule=due_rule)
    return fresh
