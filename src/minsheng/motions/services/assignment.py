"""Assignment and handling (交办): units, returns, reassignment, co-unit views, extensions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor
from minsheng.core.calendar import deadline_compute
from minsheng.core.errors import (
    DomainError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.text import plain_text_checked
from minsheng.core.transitions import allowed_in_person, guard, transition_apply, transition_refusal
from minsheng.motions.models import (
    Assignment,
    AssignmentRole,
    HandlingMode,
    Motion,
    MotionKind,
    UnitView,
)
from minsheng.motions.selectors import motion_settings_for
from minsheng.motions.services.common import (
    cn_day,
    handling_refusal,
    motion_link,
    motion_transition_apply,
    notify_later,
    office_staff,
    proposer_users,
    reason_checked,
    unit_handlers,
)
from minsheng.motions.services.workflow import (
    ASSIGNMENT_TRANSITIONS,
    HANDLING_STATES,
    MOTION_TRANSITIONS,
    A,
    S,
)
from minsheng.org.models import Unit
from minsheng.org.selectors import today

CONSULTATION_RULE = "proposal_handling_consultation"


def _units_checked(motion: Motion, units: Sequence[Unit]) -> None:
    place_ids = {motion.jurisdiction_id, *motion.jurisdiction.children.values_list("pk", flat=True)}
    outside = [u.name for u in units if u.jurisdiction_id not in place_ids]
    if outside:
        raise ValidationFailedError(
            _("These units are outside the item's jurisdiction: %(names)s.") % {"names": "、".join(outside)},
            field="units",
        )
    if len({u.pk for u in units}) != len(units):
        raise ValidationFailedError(_("A unit appears twice."), field="units")


def _new_assignment(motion: Motion, unit: Unit, role: str, start: dt.date) -> Assignment:
    rule = "motion_co_unit_views" if role == AssignmentRole.CO else "motion_reply"
    due = deadline_compute(rule_name=rule, start=start, jurisdiction=motion.jurisdiction)
    latest = deadline_compute(rule_name="motion_reply_max", start=start, jurisdiction=motion.jurisdiction)
    return_by = deadline_compute(rule_name="motion_return", start=start, jurisdiction=motion.jurisdiction)
    consult: dict[str, Any] = {}
    if motion.kind == MotionKind.PROPOSAL and role != AssignmentRole.CO:
        # The replying unit consults the proposers before it replies (提案办理协商).
        clock = deadline_compute(rule_name=CONSULTATION_RULE, start=start, jurisdiction=motion.jurisdiction)
        consult = {"consult_by": clock.due, "consult_rule": clock.rule_name}
    return Assignment.objects.create(
        motion=motion,
        unit=unit,
        role=role,
        assigned_on=start,
        due=due.due,
        due_rule=due.rule_name,
        max_due=max(latest.due, due.due),
        return_by=return_by.due,
        **consult,
    )


@guard
def can_return(user: Actor, assignment: Assignment) -> DomainError | None:
    """A unit returns a misassigned part (退回) while the item is assigned, within the set period."""
    refusal = transition_refusal(table=ASSIGNMENT_TRANSITIONS, obj=assignment, action="return", actor=user)
    if refusal is not None:
        return refusal
    if assignment.motion.status != S.ASSIGNED:
        return InvalidTransitionError(action="return", state=assignment.motion.status)
    if today() > assignment.return_by:
        return ValidationFailedError(
            _("The period for returning this item ended on %(day)s.") % {"day": cn_day(assignment.return_by)}
        )
    return None


@guard
def can_reassign(user: Actor, assignment: Assignment) -> DomainError | None:
    """Office staff give a returned part (not yet given again) to another unit."""
    if assignment.status != A.RETURNED or assignment.replacement_id:
        return ValidationFailedError(_("Only a returned part can be given to another unit."))
    return transition_refusal(table=MOTION_TRANSITIONS, obj=assignment.motion, action="reassign", actor=user)


@guard
def can_send_views(user: Actor, assignment: Assignment) -> DomainError | None:
    """A co-unit sends its written views to the lead unit while the item is being handled."""
    refusal = transition_refusal(
        table=ASSIGNMENT_TRANSITIONS, obj=assignment, action="send_views", actor=user
    )
    if refusal is not None:
        return refusal
    if assignment.role != AssignmentRole.CO:
        return ValidationFailedError(_("Only a co-unit sends views to the lead unit."))
    return handling_refusal(assignment, "send_views")


@guard
def can_request_extension(user: Actor, assignment: Assignment) -> DomainError | None:
    """A unit with a pending part asks for more time while the item is being handled."""
    if assignment.status != A.PENDING or assignment.motion.status not in HANDLING_STATES:
        return InvalidTransitionError(action="request_extension", state=assignment.status)
    if not allowed_in_person(user, "motions.handle_assignment", assignment):
        return PermissionDeniedError()
    return None


@guard
def can_extend(user: Actor, assignment: Assignment) -> DomainError | None:
    """Office staff extend a pending part's deadline while the item is being handled."""
    refusal = transition_refusal(table=ASSIGNMENT_TRANSITIONS, obj=assignment, action="extend", actor=user)
    return refusal if refusal is not None else handling_refusal(assignment, "extend")


@transaction.atomic
def motion_assign(
    *,
    actor: Actor,
    motion: Motion,
    mode: str,
    lead_unit: Unit | None = None,
    co_units: Sequence[Unit] = (),
    units: Sequence[Unit] = (),
    expected_state: str | None = S.FILED,
) -> Motion:
    """交办: one lead unit with co-units (主办/协办) or several units each replying (分办)."""
    if mode == HandlingMode.LEAD_CO:
        if lead_unit is None:
            raise ValidationFailedError(_("Choose the lead unit."), field="lead_unit")
        chosen = [(lead_unit, AssignmentRole.LEAD), *((u, AssignmentRole.CO) for u in co_units)]
    elif mode == HandlingMode.SEPARATE:
        if len(units) < 1:
            raise ValidationFailedError(_("Choose at least one unit."), field="units")
        chosen = [(u, AssignmentRole.SEPARATE) for u in units]
    else:
        raise ValidationFailedError(_("Choose a handling mode."), field="mode")
    _units_checked(motion, [u for u, _r in chosen])
    fresh = motion_transition_apply(
        obj=motion,
        action="assign",
        actor=actor,
        expected_state=expected_state,
        changes={"handling_mode": mode},
        payload={"mode": mode, "units": [{"unit": u.pk, "role": r} for u, r in chosen]},
    )
    start = today()
    created = [_new_assignment(fresh, unit, role, start) for unit, role in chosen]
    for assignment in created:
        event_record(
            actor=actor,
            verb="assigned",
            target=assignment,
            to_state=assignment.status,
            payload={"due": assignment.due, "rule": assignment.due_rule, "role": assignment.role},
        )
    notify_later(
        unit_handlers(u.pk for u, _r in chosen),
        _("New item assigned to your unit: “%(title)s”.") % {"title": fresh.title},
        motion_link(fresh),
        send_message=True,
    )
    return fresh


@transaction.atomic
def assignment_return(
    *, actor: Actor, assignment: Assignment, reason: str, expected_state: str | None = A.PENDING
) -> Assignment:
    """退回: the unit says the item is not its business, within the configured period."""
    reason = reason_checked(reason)
    fresh = transition_apply(
        table=ASSIGNMENT_TRANSITIONS,
        obj=assignment,
        action="return",
        actor=actor,
        expected_state=expected_state,
        guard=can_return,
        changes={"return_reason": reason},
        payload={"reason": reason},
    )
    notify_later(
        office_staff(fresh.motion),
        _("%(unit)s returned “%(title)s”: %(reason)s")
        % {"unit": fresh.unit.name, "title": fresh.motion.title, "reason": reason},
        motion_link(fresh.motion),
    )
    return fresh


@transaction.atomic
def motion_reassign(*, actor: Actor, assignment: Assignment, unit: Unit) -> Assignment:
    """Give a returned part to another unit, in the same role, with a fresh deadline."""
    assignment = rows_locked(Assignment).select_related("motion").get(pk=assignment.pk)
    can_reassign.check(actor, assignment)
    if unit.pk == assignment.unit_id:
        raise ValidationFailedError(_("Choose a different unit."), field="unit")
    motion = assignment.motion
    _units_checked(motion, [unit])
    if motion.assignments.filter(unit=unit).exclude(status=A.RETURNED).exists():
        raise ValidationFailedError(_("This unit already handles the item."), field="unit")
    motion_transition_apply(
        obj=motion,
        action="reassign",
        actor=actor,
        expected_state=S.ASSIGNED,
        payload={"from_unit": assignment.unit_id, "to_unit": unit.pk, "role": assignment.role},
    )
    created = _new_assignment(motion, unit, assignment.role, today())
    Assignment.objects.filter(pk=assignment.pk).update(replacement=created)
    event_record(
        actor=actor,
        verb="assigned",
        target=created,
        to_state=created.status,
        payload={
            "due": created.due,
            "rule": created.due_rule,
            "role": created.role,
            "replaces": assignment.pk,
        },
    )
    notify_later(
        unit_handlers([unit.pk]),
        _("New item assigned to your unit: “%(title)s”.") % {"title": motion.title},
        motion_link(motion),
    )
    return created


@transaction.atomic
def assignment_send_views(
    *, actor: Actor, assignment: Assignment, text: str, expected_state: str | None = A.PENDING
) -> Assignment:
    """A co-unit's written views to the lead unit (协办意见)."""
    settings = motion_settings_for(assignment.motion.jurisdiction)
    text = plain_text_checked(text, field="text", label=_("The views"), max_length=settings.text_max_length)
    fresh = transition_apply(
        table=ASSIGNMENT_TRANSITIONS,
        obj=assignment,
        action="send_views",
        actor=actor,
        expected_state=expected_state,
        guard=can_send_views,
    )
    UnitView.objects.create(assignment=fresh, text=text)
    lead_units = assignment.motion.assignments.filter(role=AssignmentRole.LEAD).exclude(status=A.RETURNED)
    notify_later(
        unit_handlers(lead_units.values_list("unit_id", flat=True)),
        _("%(unit)s sent its views on “%(title)s”.") % {"unit": fresh.unit.name, "title": fresh.motion.title},
        motion_link(fresh.motion),
    )
    return fresh


def _deadline_checked(assignment: Assignment, until: dt.date) -> None:
    if until <= assignment.due:
        raise ValidationFailedError(_("The new deadline must be later than the current one."), field="until")
    if until > assignment.max_due:
        raise ValidationFailedError(
            _("The deadline cannot go beyond %(day)s (6 months from assignment).")
            % {"day": cn_day(assignment.max_due)},
            field="until",
        )


@transaction.atomic
def assignment_extension_request(
    *, actor: Actor, assignment: Assignment, until: dt.date, reason: str
) -> Assignment:
    """The unit asks the office for more time on a broad or hard matter; the office decides."""
    fresh = rows_locked(Assignment).select_related("motion").get(pk=assignment.pk)
    can_request_extension.check(actor, fresh)
    reason = reason_checked(reason)
    _deadline_checked(fresh, until)
    fresh.extension_requested_to = until
    fresh.extension_request_reason = reason
    fresh.save(update_fields=["extension_requested_to", "extension_request_reason"])
    event_record(
        actor=actor,
        verb="request_extension",
        target=fresh,
        from_state=fresh.status,
        to_state=fresh.status,
        payload={"until": until, "reason": reason},
    )
    notify_later(
        office_staff(fresh.motion),
        _("%(unit)s asks to extend “%(title)s” to %(day)s: %(reason)s")
        % {"unit": fresh.unit.name, "title": fresh.motion.title, "day": cn_day(until), "reason": reason},
        motion_link(fresh.motion),
    )
    return fresh


@transaction.atomic
def assignment_extend(
    *,
    actor: Actor,
    assignment: Assignment,
    until: dt.date,
    reason: str,
    expected_state: str | None = A.PENDING,
) -> Assignment:
    """An approved extension: later than the current deadline, never beyond the legal maximum."""
    reason = reason_checked(reason)
    _deadline_checked(assignment, until)
    return transition_apply(
        table=ASSIGNMENT_TRANSITIONS,
        obj=assignment,
        action="extend",
        actor=actor,
        expected_state=expected_state,
        guard=can_extend,
        changes={
            "due": until,
            "extension_reason": reason,
            "due_rule": "motion_reply_max",
            "extension_requested_to": None,
        },
        payload={"due_from": assignment.due, "due_to": until, "reason": reason},
    )


@guard
def can_consult(user: Actor, assignment: Assignment) -> DomainError | None:
    """The replying unit of a proposal records its consultation with the proposers, once, while the
    item is being handled and its part is pending."""
    if assignment.consult_by is None:
        return ValidationFailedError(_("No handling consultation is asked of this part."))
    if assignment.consulted_on is not None:
        return ValidationFailedError(_("The consultation was already recorded."))
    if assignment.status != A.PENDING:
        return InvalidTransitionError(action="consult", state=assignment.status)
    if not allowed_in_person(user, "motions.handle_assignment", assignment):
        return PermissionDeniedError()
    return handling_refusal(assignment, "consult")


@transaction.atomic
def assignment_consult(*, actor: Actor, assignment: Assignment, held_on: dt.date, note: str) -> Assignment:
    """办理协商: the unit met, called or visited the proposers before replying; the clock stops."""
    fresh = rows_locked(Assignment).select_related("motion").get(pk=assignment.pk)
    can_consult.check(actor, fresh)
    note = plain_text_checked(note, field="note", label=_("How they were consulted"), max_length=500)
    if held_on > today() or held_on < fresh.assigned_on:
        raise ValidationFailedError(
            _("The consultation took place between the assignment (%(from)s) and today.")
            % {"from": cn_day(fresh.assigned_on)},
            field="held_on",
        )
    fresh.consulted_on = held_on
    fresh.consult_note = note
    fresh.save(update_fields=["consulted_on", "consult_note"])
    event_record(
        actor=actor,
        verb="consult",
        target=fresh,
        from_state=fresh.status,
        to_state=fresh.status,
        payload={
            "held_on": held_on,
            "consult_by": fresh.consult_by,
            "late": fresh.consult_by is not None and held_on > fresh.consult_by,
        },
    )
    notify_later(
        proposer_users(fresh.motion),
        _("%(unit)s recorded its consultation with you on “%(title)s”.")
        % {"unit": fresh.unit.name, "title": fresh.motion.title},
        motion_link(fresh.motion),
    )
    return fresh
