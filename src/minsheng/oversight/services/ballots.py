"""Satisfaction ballots (满意度测评) on units, cast through the shared secret ballot box (core.ballots).

Ballot:  open ──close──▶ closed (counts computed, pass or fail; a failing unit rectifies again)

The secrecy rule is core.ballots': while the ballot is open a member's choice is sealed under a
per-ballot key so that they may change it, who voted is kept apart, and closing destroys the key and
shuffles the choice rows. Nothing here records who chose what: no Event per vote, no log line; the
open and close Events carry counts only.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor, account_required
from minsheng.core.ballots import (
    ballot_box_close,
    ballot_box_of,
    ballot_box_open,
    ballot_cast,
    ballot_choices,
    ballot_voter_count,
)
from minsheng.core.errors import (
    ConflictError,
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
from minsheng.org.models import Membership, Unit
from minsheng.org.selectors import today
from minsheng.oversight.models import (
    Activity,
    ActivityStatus,
    BallotStatus,
    ItemStatus,
    Problem,
    ProblemSource,
    RectificationItem,
    Satisfaction,
    SatisfactionBallot,
)
from minsheng.oversight.rules import council_roles, scope_of
from minsheng.oversight.selectors import settings_for
from minsheng.oversight.services.activities import can_work_on
from minsheng.oversight.services.common import notify_later, users_of_people

BALLOT_TRANSITIONS = TransitionTable(
    Transition("close", {BallotStatus.OPEN}, BallotStatus.CLOSED, "oversight.close_satisfactionballot"),
)
BALLOT_STATES = (ActivityStatus.UNDER_WAY, ActivityStatus.REPORTED)


# --- guards: the rule of each action that is more than a transition-table row ---------------------


@guard
def can_vote(user: Actor, ballot: SatisfactionBallot) -> DomainError | None:
    """The body's members in office rate the unit while the ballot is open."""
    if ballot.status != BallotStatus.OPEN:
        return InvalidTransitionError(action="vote", state=ballot.status)
    if not user.has_perm("oversight.vote_satisfactionballot", ballot):
        return PermissionDeniedError(_("Only the body's members in office rate the unit."))
    return None


@guard
def can_close_ballot(user: Actor, ballot: SatisfactionBallot) -> DomainError | None:
    """Staff close an open ballot once somebody has voted (an empty box counts nothing)."""
    refusal = transition_refusal(table=BALLOT_TRANSITIONS, obj=ballot, action="close", actor=user)
    if refusal is not None:
        return refusal
    box = ballot_box_of(ballot)
    if box is None:
        return InvalidTransitionError(action="close", state=ballot.status)
    if ballot_voter_count(box_id=box.pk) == 0:
        return ValidationFailedError(_("Nobody has voted yet."))
    return None


def ballot_link(ballot: SatisfactionBallot) -> str:
    return reverse("oversight:ballot", args=[ballot.pk])


def ballots_open_for(activity: Activity) -> bool:
    return SatisfactionBallot.objects.filter(activity=activity, status=BallotStatus.OPEN).exists()


def electorate_person_ids(ballot: SatisfactionBallot) -> set[int]:
    """The members of the supervising body in office today: they rate the unit."""
    return set(
        Membership.objects.active_on(today())
        .filter(body_id=ballot.body_id, role__in=council_roles(ballot.body.kind))
        .values_list("person_id", flat=True)
    )


@transaction.atomic
def ballot_open(*, actor: Actor, activity: Activity, unit: Unit) -> SatisfactionBallot:
    """Open a ballot of the body's members on ``unit`` after the activity's report or rectification."""
    fresh = rows_locked(Activity).select_related("body").get(pk=activity.pk)
    can_work_on.check(actor, fresh)
    concerned = (
        fresh.units.filter(pk=unit.pk).exists()
        or RectificationItem.objects.filter(problem__activity=fresh, unit=unit).exists()
    )
    if not concerned:
        raise ValidationFailedError(_("Only a unit concerned by the activity can be rated."), field="unit")
    if SatisfactionBallot.objects.filter(activity=fresh, unit=unit, status=BallotStatus.OPEN).exists():
        raise ValidationFailedError(_("A ballot on this unit is already open."), field="unit")
    ballot = SatisfactionBallot.objects.create(
        activity=fresh,
        jurisdiction_id=fresh.jurisdiction_id,
        body_id=fresh.body_id,
        unit=unit,
        pass_percent=settings_for(fresh.jurisdiction).satisfaction_pass_percent,
        opened_at=timezone.now(),
    )
    ballot_box_open(poll=ballot, secret=True)
    event_record(
        actor=actor,
        verb="ballot_open",
        target=ballot,
        to_state=ballot.status,
        payload={"activity": fresh.pk, "unit": unit.pk, "pass_percent": ballot.pass_percent},
    )
    notify_later(
        users_of_people(electorate_person_ids(ballot)),
        _("Rate %(unit)s on “%(title)s”: satisfied, basically satisfied or dissatisfied (anonymous).")
        % {"unit": unit.name, "title": fresh.title},
        ballot_link(ballot),
    )
    return ballot


def ballot_vote(*, actor: Actor, ballot: SatisfactionBallot, choice: str, client_key: str = "") -> bool:
    """A member's anonymous rating; a later vote replaces an earlier one while the ballot is open.
    Returns whether this was the member's first vote. Writes no Event (see the module docstring)."""
    if choice not in Satisfaction.values:
        raise ValidationFailedError(
            _("Choose satisfied, basically satisfied or dissatisfied."), field="choice"
        )
    can_vote.check(actor, ballot)
    box = ballot_box_of(ballot)
    if box is None:
        raise InvalidTransitionError(action="vote", state=ballot.status)
    person_id = scope_of(actor).person_id
    assert person_id is not None  # the permission requires a seat
    result = ballot_cast(box_id=box.pk, voter_id=person_id, choice=choice, client_key=client_key)
    return result.first


@transaction.atomic
def ballot_close(
    *, actor: Actor, ballot: SatisfactionBallot, expected_state: str | None = BallotStatus.OPEN
) -> SatisfactionBallot:
    """Close the box, count, and publish the counts; below the share needed, the unit rectifies again."""
    fresh = rows_locked(SatisfactionBallot).get(pk=ballot.pk)
    if expected_state is not None and fresh.status != expected_state:
        raise ConflictError(expected=str(expected_state), actual=fresh.status)
    can_close_ballot.check(actor, fresh)
    box = ballot_box_of(fresh)
    assert box is not None  # the guard found it
    ballot_box_close(box_id=box.pk)
    counts = {value: 0 for value in Satisfaction.values}
    for choice in ballot_choices(box_id=box.pk):
        if choice in counts:
            counts[choice] += 1
    votes = sum(counts.values())
    content = counts[Satisfaction.SATISFIED] + counts[Satisfaction.BASICALLY]
    passed = votes > 0 and content * 100 > fresh.pass_percent * votes  # strictly more than the share
    closed = transition_apply(
        table=BALLOT_TRANSITIONS,
        obj=fresh,
        action="close",
        actor=actor,
        expected_state=expected_state,
        changes={
            "closed_at": timezone.now(),
            "satisfied": counts[Satisfaction.SATISFIED],
            "basically": counts[Satisfaction.BASICALLY],
            "dissatisfied": counts[Satisfaction.DISSATISFIED],
            "passed": passed,
        },
        payload={**counts, "votes": votes, "passed": passed, "pass_percent": fresh.pass_percent},
    )
    if not passed:
        _rectify_again(actor=actor, ballot=closed)
    return closed


def _rectify_again(*, actor: Actor, ballot: SatisfactionBallot) -> None:
    """The unit's closed items of the activity reopen with a new deadline; with none, a new item."""
    from minsheng.oversight.services.items import item_create, item_reopen

    reason = _("The satisfaction ballot on %(unit)s did not pass (%(share)s%% satisfied).") % {
        "unit": ballot.unit.name,
        "share": ballot.satisfied_percent,
    }
    closed_items = RectificationItem.objects.filter(
        problem__activity_id=ballot.activity_id, unit_id=ballot.unit_id, status=ItemStatus.CLOSED
    )
    reopened = [
        item_reopen(actor=actor, item=item, reason=reason, expected_state=ItemStatus.CLOSED)
        for item in closed_items
    ]
    if reopened:
        return
    open_items = RectificationItem.objects.filter(
        problem__activity_id=ballot.activity_id, unit_id=ballot.unit_id
    )
    if open_items.exclude(status=ItemStatus.CLOSED).exists():
        return  # still being rectified: the open items carry on
    problem = Problem.objects.create(
        jurisdiction_id=ballot.jurisdiction_id,
        body_id=ballot.body_id,
        source=ProblemSource.BALLOT,
        activity_id=ballot.activity_id,
        source_id_external=ballot.pk,
        text=reason,
        created_by=account_required(actor),
    )
    event_record(
        actor=actor, verb="create", target=problem, payload={"source": problem.source, "ballot": ballot.pk}
    )
    item_create(
        actor=actor,
        problem=problem,
        unit=ballot.unit,
        task=_("Rectify again and report on the work rated unsatisfactory."),
        rule="oversight_rerectify",
        start=today(),
    )
