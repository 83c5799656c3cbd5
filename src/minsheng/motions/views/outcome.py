"""The resident rates what became of their voice (a suggestion or proposal adopted from it)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.core.errors import DomainError
from minsheng.motions import services
from minsheng.motions.forms import ResidentRatingForm
from minsheng.voices.rules import TrackingActor
from minsheng.voices.selectors import voice_tracked_in


@require_POST
def voice_outcome_rate(request: HttpRequest, voice_id: int) -> HttpResponse:
    """Only in the browser that opened the voice with its tracking code and phone number."""
    voice = voice_tracked_in(request.session, voice_id)
    if voice is None:
        raise Http404(_("Enter the tracking code and mobile number first."))
    form = ResidentRatingForm(request.POST)
    back = reverse("voices:tracked", args=[voice.pk]) + "#outcome"
    if not form.is_valid():
        messages.error(request, _("Choose satisfied, basically satisfied or dissatisfied."))
        return redirect(back)
    try:
        services.motion_resident_rate(
            actor=TrackingActor(voice.pk),
            voice=voice,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
            motion_id=form.cleaned_data["motion"],
        )
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Thank you: your rating of the outcome was recorded."))
    return redirect(back)
