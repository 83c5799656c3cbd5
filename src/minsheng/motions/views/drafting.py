"""Drafting a motion (optionally adopting a voice) and answering a co-signing invitation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from minsheng.core.errors import DomainError
from minsheng.core.privacy import mask_text
from minsheng.motions import forms as f
from minsheng.motions import services
from minsheng.motions.models import (
    MotionKind,
    Signature,
)
from minsheng.org.models import Role


def _voice_to_adopt(request: HttpRequest) -> Any:
    """The voice named by ?voice= (or the hidden field), when the user may adopt it."""
    raw = (request.POST.get("voice") or request.GET.get("voice") or "").strip()
    if not raw.isdigit():
        return None
    from minsheng.voices.models import Voice

    voice = Voice.objects.filter(pk=int(raw)).first()
    if voice is None or not request.user.has_perm("voices.adopt_voice", voice):
        raise Http404
    return voice


@login_required
@require_http_methods(["GET", "POST"])
def motion_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("motions.add_motion"):
        raise Http404
    voice = _voice_to_adopt(request)
    roles = _roles(request)
    initial_kind = (
        MotionKind.PROPOSAL
        if Role.CPPCC_MEMBER in roles and Role.DEPUTY not in roles
        else MotionKind.SUGGESTION
    )
    initial = {"kind": initial_kind, "text": mask_text(voice.text) if voice is not None else ""}
    form = f.MotionDraftForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if voice is not None:
                motion = services.motion_create_from_voice(
                    actor=request.user, voice=voice, kind=data["kind"], title=data["title"], text=data["text"]
                )
            else:
                motion = services.motion_create(
                    actor=request.user,
                    kind=data["kind"],
                    title=data["title"],
                    text=data["text"],
                    session=data["session"],
                    proposer_kind=data["proposer_kind"],
                    proposer_org=data["proposer_org"],
                    files=request.FILES.getlist("attachments"),
                )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The draft is saved. Invite co-signers or submit it."))
            return redirect("motions:detail", pk=motion.pk)
    context = {"form": form, "voice": voice}
    return render(request, "motions/new.html", context, status=400 if form.errors else 200)


def _roles(request: HttpRequest) -> set[str]:
    from minsheng.motions.rules import roles

    return roles(request.user)


@login_required
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    signature = Signature.objects.filter(
        motion_id=pk, person_id=getattr(request.user, "person_id", None) or 0
    ).first()
    if signature is None:
        raise Http404
    form = f.SignatureForm(request.POST)
    if form.is_valid():
        try:
            services.signature_respond(
                actor=request.user, signature=signature, accept=form.cleaned_data["accept"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your answer is recorded."))
    return redirect("motions:detail", pk=pk)
