"""What the motions app adds to a resident's tracking page (``voices.views`` reads every app's
``tracking.panels(request, voice)``): the suggestions and proposals the voice became, and the form to
rate their outcome."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from minsheng.motions.forms import ResidentRatingForm
from minsheng.motions.selectors import motion_ids_visible_to, voice_outcomes
from minsheng.voices.presenters import TrackingPanel


def panels(request: HttpRequest, voice: Any) -> list[TrackingPanel]:
    outcomes = voice_outcomes(voice)
    if not outcomes:
        return []
    forms = {  # one form per item; ids apart so that labels point at their own fields
        o.motion_id: ResidentRatingForm(initial={"motion": o.motion_id}, auto_id=f"outcome-{o.motion_id}-%s")
        for o in outcomes
        if o.rate_round
    }
    return [
        TrackingPanel(
            template="motions/_voice_outcome.html",
            context={"outcomes": [(o, forms.get(o.motion_id)) for o in outcomes], "voice": voice},
        )
    ]


def openable_ids(user: Any, ids: list[int]) -> set[int]:
    """Which items adopted from a voice the reader of the voice's page may open: a draft is its
    proposer's alone, and a station's staff open no items at all."""
    return motion_ids_visible_to(user, ids)
