from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def count_of(counts: dict[int, dict[str, int]], person_id: int, kind: str) -> int:
    """A cell of the body's table: the person's counted acts of one kind."""
    return counts.get(person_id, {}).get(kind, 0)
