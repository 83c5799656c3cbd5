"""Key supervision (重点督办) by a named leader."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.core.errors import (
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import event_record
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


@transaction.atomic
def motion_supervise(*, actor: Any, motion: Motion, leader: Person, note: str = "") -> KeySupervision:
    """重点督办 with a named supervising leader."""
    fresh = Motion.objects.select_for_update().get(pk=motion.pk)
    if not actor.has_perm("motions.supervise_motion", fresh):
        raise PermissionDeniedError()
    if fresh.status in SUPERVISE_CLOSED_STATES:
        raise InvalidTransitionError(action="supervise", state=fresh.status)
    is_leader = Membership.objects.active_on(today()).filter(person=leader, role__in=LEADER_ROLES).exists()
    if not is_leader:
        raise ValidationFailedError(
            _("The supervising leader must be a chair or vice-chair."), field="leader"
        )
    note = (note or "").strip()[:200]
    if note and _HTML.search(note):
        raise ValidationFailedError(_("The note must not contain HTML tags or scripts."), field="note")
    if KeySupervision.objects.filter(motion=fresh).exists():
        raise ValidationFailedError(_("This item is already under key supervision."))
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
