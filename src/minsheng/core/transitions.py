"""The one helper every workflow uses to change a status.

A workflow declares its table once::

    MOTION_TRANSITIONS = TransitionTable(
        Transition("submit", sources={MotionStatus.DRAFT}, target=MotionStatus.SUBMITTED,
                   permission="motions.submit_motion"),
        ...
    )

and its services call ``transition_apply``. The helper locks the row, checks, in this order, that the
state is the one the caller saw (``ConflictError``), that the action is possible from it
(``InvalidTransitionError``) and that the actor holds the permission on the object
(``PermissionDeniedError``), then writes the new state and an Event in the same transaction. A refused
action changes nothing and leaves no Event.

An action whose rule is more than its table row (a bill only, a co-unit only, within a period) has one
guard, ``can_<verb>``, written once with ``@guard``: it returns why the action is refused (a
``DomainError``) or ``None``. Views and templates ask ``can_verb(user, obj)`` (a bool), the service
calls ``can_verb.check(actor, obj)`` (raises the refusal), so what the page offers is what the service
allows. ``transition_refusal`` is the table's part of such a rule.

Some acts are a person's or a unit's own: a lead signer submits, a proposer rates, a unit replies.
Such a transition is marked ``in_person``: its permission is tested by the rule alone
(``allowed_in_person``), without Django's shortcut that grants a superuser every permission, so that
no administrator signs, rates or replies in someone else's name. An administrator may still step in
for an office (filing, assigning), where the app's rules say so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import rules
from django.db import models, transaction

from minsheng.core.actors import Actor
from minsheng.core.errors import ConflictError, DomainError, InvalidTransitionError, PermissionDeniedError
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked

ModelT = TypeVar("ModelT", bound=models.Model)
SubjectT = TypeVar("SubjectT")


@dataclass(frozen=True, init=False)
class Transition:
    """An action, the states it may start from, the state it leads to, and who may take it."""

    action: str
    sources: frozenset[str]
    target: str
    permission: str
    in_person: bool

    def __init__(
        self, action: str, sources: Iterable[str], target: str, permission: str, *, in_person: bool = False
    ) -> None:
        # Frozen dataclass: assign through object.__setattr__ so callers may pass any iterable of states.
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "sources", frozenset(str(state) for state in sources))
        object.__setattr__(self, "target", str(target))
        object.__setattr__(self, "permission", permission)
        object.__setattr__(self, "in_person", in_person)

    def starts_from(self, state: str) -> bool:
        return str(state) in self.sources

    def allows(self, user: Actor, obj: models.Model) -> bool:
        if self.in_person:
            return allowed_in_person(user, self.permission, obj)
        return bool(user.has_perm(self.permission, obj))


def allowed_in_person(user: Any, permission: str, obj: Any = None) -> bool:
    """The permission's own rule, without the superuser shortcut: for what a person or a unit does in
    their own name (sign, rate, reply), which nobody else does for them."""
    inactive_account = getattr(user, "is_authenticated", False) and not getattr(user, "is_active", True)
    return not inactive_account and rules.has_perm(permission, user, obj)


@dataclass(frozen=True, init=False)
class TransitionTable:
    """All the transitions of one workflow, and the model field that holds its state."""

    transitions: tuple[Transition, ...]
    state_field: str
    _by_action: dict[str, Transition] = field(repr=False, compare=False)

    def __init__(self, *transitions: Transition, state_field: str = "status") -> None:
        by_action: dict[str, Transition] = {}
        for transition in transitions:
            if transition.action in by_action:
                raise ValueError(f"Duplicate action in transition table: {transition.action}")
            by_action[transition.action] = transition
        object.__setattr__(self, "transitions", tuple(transitions))
        object.__setattr__(self, "state_field", state_field)
        object.__setattr__(self, "_by_action", by_action)

    @property
    def actions(self) -> list[str]:
        return list(self._by_action)

    def lookup(self, action: str) -> Transition | None:
        return self._by_action.get(action)

    def state_of(self, obj: models.Model) -> str:
        return str(getattr(obj, self.state_field))

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if t.starts_from(state)]

    def allowed_actions(self, obj: models.Model, user: Actor) -> list[str]:
        """The actions ``user`` may take on ``obj`` in its current state (for buttons and API hints)."""
        state = self.state_of(obj)
        return [t.action for t in self.transitions_from(state) if t.allows(user, obj)]


def _auto_now_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]


def transition_apply(
    *,
    table: TransitionTable,
    obj: ModelT,
    action: str,
    actor: Actor,
    expected_state: str | None = None,
    payload: dict[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
    guard: Guard[ModelT] | None = None,
) -> ModelT:
    """Apply ``action`` to ``obj`` as ``actor`` and return the fresh object.

    ``expected_state`` is the state the actor saw (e.g. from a hidden form field); when the row has
    moved on since, the actor gets a ``ConflictError`` instead of acting on a state they never saw.
    ``changes`` are further field values written with the new state; ``payload`` goes into the Event.
    ``guard`` is the action's further rule (see ``Guard``), checked on the locked row after the table's.
    """
    if changes and table.state_field in changes:
        raise ValueError("The state changes only through the transition's target, not through changes.")
    transition = table.lookup(action)
    model = type(obj)
    with transaction.atomic():
        fresh = rows_locked(model).get(pk=obj.pk)
        current = table.state_of(fresh)
        if expected_state is not None and current != str(expected_state):
            raise ConflictError(expected=str(expected_state), actual=current)
        if transition is None or not transition.starts_from(current):
            raise InvalidTransitionError(action=action, state=current)
        if not transition.allows(actor, fresh):
            raise PermissionDeniedError()
        if guard is not None:
            guard.check(actor, fresh)

        setattr(fresh, table.state_field, transition.target)
        for name, value in (changes or {}).items():
            setattr(fresh, name, value)
        update_fields = {table.state_field, *(changes or {}), *_auto_now_fields(model)}
        fresh.save(update_fields=sorted(update_fields))
        event_record(
            actor=actor,
            verb=action,
            target=fresh,
            from_state=current,
            to_state=transition.target,
            payload=payload,
        )
    return fresh


def transition_refusal(
    *, table: TransitionTable, obj: models.Model, action: str, actor: Actor
) -> DomainError | None:
    """Why ``actor`` may not take ``action`` on ``obj`` as it is now (``transition_apply``'s checks
    on an unlocked object), or ``None`` when they may."""
    transition = table.lookup(action)
    current = table.state_of(obj)
    if transition is None or not transition.starts_from(current):
        return InvalidTransitionError(action=action, state=current)
    if not transition.allows(actor, obj):
        return PermissionDeniedError()
    return None


class Guard(Generic[SubjectT]):
    """The rule of one action, written once (see the module docstring).

    ``guard(user, obj)`` answers whether the action is allowed now; ``guard.check(user, obj)`` raises
    the ``DomainError`` that says why not; ``guard.refusal(user, obj)`` returns it.
    """

    def __init__(self, refusal: Callable[[Actor, SubjectT], DomainError | None]) -> None:
        self.refusal = refusal
        self.__name__ = refusal.__name__
        self.__doc__ = refusal.__doc__

    def __call__(self, user: Actor, obj: SubjectT) -> bool:
        return self.refusal(user, obj) is None

    def check(self, user: Actor, obj: SubjectT) -> None:
        refusal = self.refusal(user, obj)
        if refusal is not None:
            raise refusal


def guard(refusal: Callable[[Actor, SubjectT], DomainError | None]) -> Guard[SubjectT]:
    """Decorator: ``@guard def can_convert(user, motion) -> DomainError | None``."""
    return Guard(refusal)
