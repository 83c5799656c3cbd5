"""Filters every app's templates share: who did something, shown the same way everywhere."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def actor_name(actor: Any) -> str:
    """A person's name for a history entry; the system (a reminder, a sweep) when nobody acted.

    ``Event.actor`` is ``None`` for the system and for anonymous residents, so templates must never
    reach into ``actor.username`` directly (a filter argument that does not resolve is a 500)."""
    if actor is None:
        return _("system")
    full_name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return str(full_name or getattr(actor, "username", "") or actor)
