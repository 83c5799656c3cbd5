"""Problem lists and rectification: findings become items for units, reports are reviewed, items close.

Item:    open ──report──▶ under_review ──accept (progress)──▶ open
           ▲                   ├──send_back (with reasons)──▶ open
           │                   └──close (accepted final report)──▶ closed
           └──────────── reopen (rectify again after an unsatisfactory ballot) ◀── closed
         open ──extend (new deadline, with a reason)──▶ open
Report:  submitted ──accept──▶ accepted
                  └──send_back──▶ sent_back
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
from minsheng.core.attachments import ATTACHMENT, attachments_save, uploads_check
from minsheng.core.calendar import deadline_compute
from minsheng.core.errors import (
    ConflictError,
    DomainError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.transitions import Transition, TransitionTable, guard, transition_apply
from minsheng.org.models import Body, Unit
from minsheng.org.selectors import today
from minsheng.oversight.models import (
    Activity,
    ActivityStatus,
    BudgetLine,
    DueRule,
    InquiryQuestion,
    ItemStatus,
    Problem,
    ProblemSource,
    ProgressReport,
    Project,
    RectificationItem,
    ReportStatus,
)
from minsheng.oversight.rules import scope_of, standing_committee_of
from minsheng.oversight.services.activities import can_work_on
from minsheng.oversight.services.common import (
    body_staff,
    cn_day,
    note_checked,
    notify_later,
    require,
    text_checked,
    unit_handlers,
    units_in_place_checked,
    users_of_people,
)

I = ItemStatus  # noqa: E741 - the workflow's states read as I.OPEN, I.CLOSED
R = ReportStatus

ITEM_TRANSITIONS = TransitionTable(
    Transition("report", {I.OPEN}, I.UNDER_REVIEW, "oversight.report_item"),
    Transition("accept_progress", {I.UNDER_REVIEW}, I.OPEN, "oversight.review_item"),
    Transition("send_back", {I.UNDER_REVIEW}, I.OPEN, "oversight.review_item"),
    Transition("close", {I.UNDER_REVIEW}, I.CLOSED, "oversight.review_item"),
    Transition("extend", {I.OPEN}, I.OPEN, "oversight.extend_item"),
    Transition("reopen", {I.CLOSED}, I.OPEN, "oversight.extend_item"),
)
REPORT_TRANSITIONS = TransitionTable(
    Transition("accept", {R.SUBMITTED}, R.ACCEPTED, "oversight.review_progressreport"),
    Transition("send_back", {R.SUBMITTED}, R.SENT_BACK, "oversight.review_progressreport"),
)
EVIDENCE = ATTACHMENT  # photos, PDF or Office documents
MAX_EVIDENCE = 9
MAX_UNITS = 20
FINDING_STATES = (ActivityStatus.UNDER_WAY, ActivityStatus.REPORTED)


@guard
def can_review(user: Actor, item: RectificationItem) -> DomainError | None:
    """Staff of the supervising body, or the activity's team, review the report under review."""
    if item.status != I.UNDER_REVIEW:
        return InvalidTransitionError(action="review", state=item.status)
    if not user.has_perm("oversight.review_item", item):
        return PermissionDeniedError()
    return None


def item_link(item: RectificationItem) -> str:
    return reverse("oversight:item", args=[item.pk])


def due_rule_checked(value: str) -> str:
    rule = value or DueRule.STANDARD
    if rule not in DueRule.values:
        raise ValidationFailedError(_("Choose a deadline."), field="due_rule")
    return rule


# --- problems ------------------------------------------------------------------------------------


@transaction.atomic
def problem_add(*, actor: Actor, activity: Activity, text: str) -> Problem:
    """A finding of the activity, added to its problem list."""
    fresh = rows_locked(Activity).get(pk=activity.pk)
    can_work_on.check(actor, fresh)
    problem = Problem.objects.create(
        jurisdiction_id=fresh.jurisdiction_id,
        body_id=fresh.body_id,
        source=ProblemSource.FINDING,
        activity=fresh,
        text=text_checked(text, label=_("The problem")),
        created_by=account_required(actor),
    )
    event_record(
        actor=actor, verb="create", target=problem, payload={"source": problem.source, "activity": fresh.pk}
    )
    return problem


def _actor_body_in(actor: Actor, jurisdiction_id: int, body: Body | None) -> Body:
    """The supervising body a staff member acts for in a jurisdiction (the one given, if theirs)."""
    scope = scope_of(actor)
    candidates = Body.objects.filter(pk__in=scope.staff_bodies, jurisdiction_id=jurisdiction_id).order_by(
        "pk"
    )
    if body is not None:
        candidates = candidates.filter(pk=body.pk)
    chosen = candidates.first()
    if chosen is None:
        raise ValidationFailedError(_("You do not work for a supervising body here."), field="body")
    return chosen


@transaction.atomic
def problem_add_for_project(
    *, actor: Actor, project: Project, text: str, body: Body | None = None
) -> Problem:
    """A problem found on a key-project visit, on the list of the staff member's body."""
    fresh = rows_locked(Project).get(pk=project.pk)
    require(actor, "oversight.change_project", fresh)
    chosen = _actor_body_in(actor, fresh.jurisdiction_id, body)
    problem = Problem.objects.create(
        jurisdiction_id=fresh.jurisdiction_id,
        body=chosen,
        source=ProblemSource.PROJECT_VISIT,
        project=fresh,
        text=text_checked(text, label=_("The problem")),
        created_by=account_required(actor),
    )
    event_record(
        actor=actor, verb="create", target=problem, payload={"source": problem.source, "project": fresh.pk}
    )
    return problem


def item_create(
    *,
    actor: Actor,
    problem: Problem,
    unit: Unit,
    task: str,
    rule: str,
    start: dt.date,
    due: dt.date | None = None,
) -> RectificationItem:
    if due is None:
        due = deadline_compute(rule_name=rule, start=start, jurisdiction=problem.jurisdiction).due
    item = RectificationItem.objects.create(
        problem=problem,
        jurisdiction_id=problem.jurisdiction_id,
        body_id=problem.body_id,
        unit=unit,
        task=task,
        assigned_on=start,
        due=due,
        due_rule=rule,
    )
    event_record(
        actor=actor,
        verb="assigned",
        target=item,
        to_state=item.status,
        payload={"problem": problem.pk, "unit": unit.pk, "due": due, "rule": rule},
    )
    notify_later(
        unit_handlers([unit.pk]),
        _("A rectification item for your unit, due %(day)s: %(task)s")
        % {"day": cn_day(due), "task": task[:80]},
        item_link(item),
        send_message=True,
    )
    return item


@transaction.atomic
def problem_assign(
    *, actor: Actor, problem: Problem, units: Sequence[Unit], task: str, due_rule: str = ""
) -> list[RectificationItem]:
    """Hand a problem to one or more units: one rectification item each, due by the rule chosen."""
    fresh = rows_locked(Problem).select_related("jurisdiction", "activity").get(pk=problem.pk)
    require(actor, "oversight.assign_problem", fresh)
    if fresh.activity is not None and fresh.activity.status not in FINDING_STATES:
        raise InvalidTransitionError(action="assign", state=fresh.activity.status)
    units = list(units)
    if not units:
        raise ValidationFailedError(_("Choose at least one unit."), field="units")
    if len(units) > MAX_UNITS:
        raise ValidationFailedError(_("At most %(limit)s units.") % {"limit": MAX_UNITS}, field="units")
    units_in_place_checked(fresh.jurisdiction, units)
    already = set(fresh.items.filter(unit__in=units).values_list("unit__name", flat=True))
    if already:
        raise ValidationFailedError(
            _("Already handed to: %(names)s.") % {"names": "、".join(sorted(already))}, field="units"
        )
    task = text_checked(task, field="task", label=_("The task"))
    rule = due_rule_checked(due_rule)
    start = today()
    return [item_create(actor=actor, problem=fresh, unit=u, task=task, rule=rule, start=start) for u in units]


@transaction.atomic
def problem_from_commitment(
    *, actor: Actor, question: InquiryQuestion, due_rule: str = ""
) -> RectificationItem:
    """A commitment made in a special inquiry becomes an item for the answering unit."""
    activity = question.activity
    problem = Problem.objects.create(
        jurisdiction_id=activity.jurisdiction_id,
        body_id=activity.body_id,
        source=ProblemSource.INQUIRY_COMMITMENT,
        activity=activity,
        question=question,
        text=question.question,
        created_by=account_required(actor),
    )
    event_record(
        actor=actor,
        verb="create",
        target=problem,
        payload={"source": problem.source, "question": question.pk},
    )
    return item_create(
        actor=actor,
        problem=problem,
        unit=question.unit,
        task=question.commitment,
        rule=due_rule_checked(due_rule),
        start=today(),
    )


@transaction.atomic
def problem_from_outcome(*, actor: Actor, outcome: Any, body: Body | None = None) -> RectificationItem:
    """A deliberation outcome (unit, text, agreed date) followed as a rectification item."""
    from minsheng.deliberation.models import Outcome

    fresh = rows_locked(Outcome).select_related("unit", "topic").get(pk=outcome.pk)
    jurisdiction_id = fresh.unit.jurisdiction_id
    place = fresh.unit.jurisdiction
    if place.parent_id and place.level == "township":  # a township unit: supervised from its district
        jurisdiction_id = place.parent_id
    chosen = _actor_body_in(actor, jurisdiction_id, body)
    require(actor, "oversight.assign_problem", Problem(body=chosen))
    if Problem.objects.filter(
        source=ProblemSource.DELIBERATION_OUTCOME, source_id_external=fresh.pk
    ).exists():
        raise ValidationFailedError(_("This outcome is already followed as a rectification item."))
    problem = Problem.objects.create(
        jurisdiction_id=jurisdiction_id,
        body=chosen,
        source=ProblemSource.DELIBERATION_OUTCOME,
        source_id_external=fresh.pk,
        text=fresh.topic.title,
        created_by=account_required(actor),
    )
    event_record(
        actor=actor, verb="create", target=problem, payload={"source": problem.source, "outcome": fresh.pk}
    )
    # The date was agreed at the consultation meeting: it is the deadline, kept with that origin.
    return item_create(
        actor=actor,
        problem=problem,
        unit=fresh.unit,
        task=fresh.text,
        rule="deliberation_outcome_agreed",
        start=today(),
        due=fresh.due,
    )


@transaction.atomic
def budget_question_raise(*, actor: Actor, line: BudgetLine, text: str) -> RectificationItem:
    """A deputy's question to the department on a flagged budget line, tracked like an item."""
    from minsheng.oversight.selectors import budget_line_flags

    fresh = rows_locked(BudgetLine).select_related("table", "unit").get(pk=line.pk)
    require(actor, "oversight.question_budgetline", fresh)
    if not budget_line_flags(fresh).flagged:
        raise ValidationFailedError(_("Questions are raised on lines behind the time line or over budget."))
    body = standing_committee_of(fresh.table.jurisdiction_id)
    if body is None:
        raise ValidationFailedError(_("No standing committee is set up for this place."))
    text = text_checked(text, label=_("The question"))
    problem = Problem.objects.create(
        jurisdiction_id=fresh.table.jurisdiction_id,
        body=body,
        source=ProblemSource.BUDGET_QUESTION,
        budget_line=fresh,
        text=text,
        created_by=account_required(actor),
    )
    event_record(
        actor=actor, verb="create", target=problem, payload={"source": problem.source, "line": fresh.pk}
    )
    item = item_create(
        actor=actor,
        problem=problem,
        unit=fresh.unit,
        task=text,
        rule="oversight_budget_answer",
        start=today(),
    )
    notify_later(
        body_staff(body.pk),
        _("A deputy asked %(unit)s about “%(line)s”.") % {"unit": fresh.unit.name, "line": fresh.item},
        item_link(item),
    )
    return item


# --- reports and review --------------------------------------------------------------------------


@transaction.atomic
def item_report(
    *,
    actor: Actor,
    item: RectificationItem,
    text: str,
    is_final: bool = False,
    files: Sequence[UploadedFile] = (),
    expected_state: str | None = I.OPEN,
) -> ProgressReport:
    """The unit reports progress (or, with ``is_final``, that rectification is done), with evidence."""
    text = text_checked(text, label=_("The report"))
    checked = uploads_check(list(files), kind=EVIDENCE, max_files=MAX_EVIDENCE)
    fresh = transition_apply(
        table=ITEM_TRANSITIONS,
        obj=item,
        action="report",
        actor=actor,
        expected_state=expected_state,
        payload={"final": is_final, "files": len(checked)},
    )
    report = ProgressReport.objects.create(
        item=fresh, round=fresh.round, text=text, is_final=is_final, created_by=account_required(actor)
    )
    attachments_save(actor=actor, owner=report, files=checked)
    reviewers = body_staff(fresh.body_id)
    activity_id = Problem.objects.filter(pk=fresh.problem_id).values_list("activity_id", flat=True).first()
    if activity_id:
        from minsheng.oversight.models import TeamMember

        reviewers += users_of_people(
            TeamMember.objects.filter(activity_id=activity_id).values_list("person_id", flat=True)
        )
    notify_later(
        reviewers,
        (_("Final report to review: %(task)s") if is_final else _("Progress report to review: %(task)s"))
        % {"task": fresh.task[:80]},
        item_link(fresh),
    )
    return report


def _pending_report(item: RectificationItem) -> ProgressReport:
    report = ProgressReport.objects.filter(item=item, status=R.SUBMITTED).first()
    if report is None:
        raise ValidationFailedError(_("There is no report to review."))
    return report


@transaction.atomic
def item_review(
    *,
    actor: Actor,
    item: RectificationItem,
    accept: bool,
    reason: str = "",
    expected_state: str | None = I.UNDER_REVIEW,
) -> RectificationItem:
    """Accept the report under review or send it back with reasons. An accepted final report closes
    the item; an accepted progress report leaves it open for the next report."""
    current = rows_locked(RectificationItem).get(pk=item.pk)
    if expected_state is not None and current.status != expected_state:
        raise ConflictError(expected=str(expected_state), actual=current.status)
    can_review.check(actor, current)
    reason = note_checked(reason, label=_("The reasons"), required=not accept)
    report = _pending_report(current)
    action = ("close" if report.is_final else "accept_progress") if accept else "send_back"
    changes: dict[str, Any] = {"closed_at": timezone.now()} if action == "close" else {}
    fresh = transition_apply(
        table=ITEM_TRANSITIONS,
        obj=item,
        action=action,
        actor=actor,
        expected_state=expected_state,
        changes=changes,
        payload={"report": report.pk, "reason": reason},
    )
    transition_apply(
        table=REPORT_TRANSITIONS,
        obj=report,
        action="accept" if accept else "send_back",
        actor=actor,
        expected_state=R.SUBMITTED,
        changes={"review_reason": reason, "reviewed_by": actor, "reviewed_at": timezone.now()},
    )
    if action == "close":
        text = _("Rectification accepted and closed: %(task)s") % {"task": fresh.task[:80]}
    elif action == "accept_progress":
        text = _("Progress report accepted: %(task)s") % {"task": fresh.task[:80]}
    else:
        text = _("Report sent back: %(reason)s") % {"reason": reason[:120]}
    notify_later(unit_handlers([fresh.unit_id]), text, item_link(fresh), send_message=action == "send_back")
    return fresh


@transaction.atomic
def item_extend(
    *, actor: Actor, item: RectificationItem, until: dt.date, reason: str, expected_state: str | None = I.OPEN
) -> RectificationItem:
    """A later deadline, approved with a reason (the Event keeps both dates)."""
    reason = note_checked(reason)
    if until <= item.due:
        raise ValidationFailedError(_("The new deadline must be later than the current one."), field="until")
    if until > item.due + dt.timedelta(days=366):
        raise ValidationFailedError(_("A deadline can be extended by one year at most."), field="until")
    fresh = transition_apply(
        table=ITEM_TRANSITIONS,
        obj=item,
        action="extend",
        actor=actor,
        expected_state=expected_state,
        changes={"due": until, "due_rule": "extended"},
        payload={"due_from": item.due, "due_to": until, "reason": reason},
    )
    notify_later(
        unit_handlers([fresh.unit_id]),
        _("New deadline %(day)s: %(task)s") % {"day": cn_day(until), "task": fresh.task[:80]},
        item_link(fresh),
    )
    return fresh


@transaction.atomic
def item_reopen(
    *, actor: Actor, item: RectificationItem, reason: str, expected_state: str | None = I.CLOSED
) -> RectificationItem:
    """Rectify again (after an unsatisfactory ballot): a new round with a new deadline."""
    reason = note_checked(reason)
    due = deadline_compute(rule_name="oversight_rerectify", start=today(), jurisdiction=item.jurisdiction).due
    fresh = transition_apply(
        table=ITEM_TRANSITIONS,
        obj=item,
        action="reopen",
        actor=actor,
        expected_state=expected_state,
        changes={"due": due, "due_rule": "oversight_rerectify", "round": item.round + 1, "closed_at": None},
        payload={"due_from": item.due, "due_to": due, "reason": reason, "round": item.round + 1},
    )
    notify_later(
        unit_handlers([fresh.unit_id]),
        _("Rectify again by %(day)s: %(task)s") % {"day": cn_day(due), "task": fresh.task[:80]},
        item_link(fresh),
        send_message=True,
    )
    return fresh
