"""Panels other apps' pages embed: ``{% load insight %}`` then

- ``{% routing_panel voice "id_unit" %}`` beside a voice's forward form (``motion "id_lead_unit"``
  beside a motion's assign form): the top-2 suggestion with confidence, a button that fills the
  select, pre-filled above the configured confidence; the person still confirms;
- ``{% merge_candidates voice "id_into" %}`` beside the merge form: near-duplicates with scores;
- ``{% reply_check_panel "voice" voice.pk %}`` inside a reply form: flags, live while typing;
- ``{% reply_flags_of motion reply_id %}`` beside a motion reply's review (A/B/C/D) form;
- ``{% similar_voices_panel %}`` in the resident's form, ``{% similar_motions_panel %}`` in the draft form.
"""

from __future__ import annotations

from typing import Any

from django import template

from minsheng.insight import selectors

register = template.Library()


@register.inclusion_tag("insight/_routing_panel.html", takes_context=True)
def routing_panel(context: dict[str, Any], obj: Any, select_id: str) -> dict[str, Any]:
    from minsheng.motions.models import Motion

    if isinstance(obj, Motion):
        text = f"{obj.title}\n{obj.text}"
        allowed = None
    else:
        from minsheng.voices.selectors import units_for_forwarding

        text, allowed = obj.text, units_for_forwarding(obj)
    return {"advice": selectors.routing_advice(text, allowed_units=allowed), "select_id": select_id}


@register.inclusion_tag("insight/_merge_candidates.html", takes_context=True)
def merge_candidates(context: dict[str, Any], voice: Any, input_id: str) -> dict[str, Any]:
    user = context["request"].user
    return {"candidates": selectors.voice_merge_candidates(user, voice), "input_id": input_id}


@register.inclusion_tag("insight/_reply_check_panel.html")
def reply_check_panel(kind: str, pk: int) -> dict[str, Any]:
    return {"target": f"{kind}:{pk}"}


@register.inclusion_tag("insight/_reply_flags.html")
def reply_flags_of(motion: Any, reply_id: str) -> dict[str, Any]:
    """Flags of a motion's reply already written: the reviewer's view beside the category (A/B/C/D)."""
    reply = next((r for r in motion.replies.all() if str(r.pk) == str(reply_id)), None)
    if reply is None:
        return {"flags": [], "checked": False}
    flags = selectors.reply_flags_shown(
        message_title=motion.title, message_text=motion.text, reply=reply.text, asked_at=None, replied_at=None
    )
    return {"flags": flags, "checked": True}


@register.inclusion_tag("insight/_similar_voices_panel.html")
def similar_voices_panel() -> dict[str, Any]:
    return {}


@register.inclusion_tag("insight/_similar_motions_panel.html")
def similar_motions_panel() -> dict[str, Any]:
    return {}
