"""Filters every app's templates share: who did something, shown the same way everywhere."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from minsheng.core.search import highlight_parts

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


@register.filter
def highlight(text: Any, query: Any) -> SafeString:
    """``text`` escaped, with the search query's terms in ``<mark>`` (what a search list shows)."""
    parts = highlight_parts(str(text or ""), str(query or ""))
    return format_html_join(
        "", "{}", ((format_html("<mark>{}</mark>", piece) if hit else piece,) for piece, hit in parts)
    )
