"""Key supervision (重点督办) by a named leader."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor
from minsheng.core.errors import (
    DomainError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.transitions import guard
from minsheng.motions.models import (
    KeySupervision,
    Motion,
)
from minsheng.motions.services.common import (
    motion_link,
    notify_later,
    users_of,
)
from minsheng.motions.services.workflow import SUPERVISE_CLOSED_STATES
from minsheng.org.models import LEADER_ROLES, Membership, Person
from minsheng.org.selectors import today

_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>|javascript:", re.IGNORECASE)


def key_supervision_of(motion: Motion) -> KeySupervision | None:
    """The item's key supervision, if any (read through the one-to-one link, cached on the object)."""
    try:
        return motion.key_supervision
    except KeySupervision.DoesNotExist:
        return None


@guard
def can_supervise(user: Actor, motion: Motion) -> DomainError | None:
    """Office staff put an item that is under way under a leader's key supervision, once."""
    if not user.has_perm("motions.supervise_motion", motion):
        return PermissionDeniedError()
    if motion.status in SUPERVISE_CLOSED_STATES:
        return InvalidTransitionError(action="supervise", state=motion.status)
    if key_supervision_of(motion) is not None:
        return ValidationFailedError(_("This item is already under key supervision."))
    return None


@transaction.atomic
def motion_supervise(*, actor: Actor, motion: Motion, leader: Person, note: str = "") -> KeySupervision:
    """重点督办 with a named supervising leader."""
    fresh = rows_locked(Motion).get(pk=motion.pk)
    can_supervise.check(actor, fresh)
    is_leader = Membership.objects.active_on(today()).filter(person=leader, role__in=LEADER_ROLES).exists()
    if not is_leader:
        raise ValidationFailedError(
            _("The supervising leader must be a chair or vice-chair."), field="leader"
        )
    note = (note or "").strip()[:200]
    if note and _HTML.search(note):
        raise ValidationFailedError(_("The note must not contain HTML tags or scripts."), field="note")
    supervision = KeySupervision.objects.create(motion=fresh, leader=leader, note=note)
    event_record(
        actor=actor,
        verb="supervise",
        target=fresh,
        from_state=fresh.status,
        to_state=fresh.status,
        payload={"leader": leader.pk, "note": note},
    )
    notify_later(
        users_of([leader.pk]),
        _("You supervise the key item “%(title)s”.") % {"title": fresh.title},
        motion_link(fresh),
    )
    return supervision
