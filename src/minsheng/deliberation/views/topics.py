"""Public topic pages: the list, proposing a topic, verifying a phone, a topic's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minsheng.core.errors import DomainError
from minsheng.core.throttle import client_ip
from minsheng.core.verification import (
    phone_code_check,
    phone_code_send,
    phone_session_remember,
    phone_session_verified,
)
from minsheng.deliberation import forms, selectors, services
from minsheng.deliberation.models import Topic
from minsheng.deliberation.services import TOPIC_TRANSITIONS
from minsheng.deliberation.views.common import (
    VERIFY_PURPOSE,
    session_participant,
    topic_or_404,
)


@require_GET
def topic_list(request: HttpRequest) -> HttpResponse:
    topics = selectors.topics_visible_to(request.user)[:100]
    return render(request, "deliberation/list.html", {"topics": topics})


def topic_propose(request: HttpRequest) -> HttpResponse:
    form = forms.ProposeForm(request.POST or None)
    verified = phone_session_verified(request.session)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_propose(
                actor=request.user,
                body=form.cleaned_data["body"],
                title=form.cleaned_data["title"],
                question=form.cleaned_data["question"],
                background=form.cleaned_data["background"],
                verified_phone=verified,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Thank you: your topic was sent to the staff for consideration."))
            if request.user.is_authenticated:
                return redirect("deliberation:detail", pk=topic.pk)
            return redirect("deliberation:list")
    return render(
        request,
        "deliberation/propose.html",
        {
            "form": form,
            "verified": verified,
            "needs_phone": not request.user.is_authenticated and not verified,
        },
    )


@require_POST
def phone_verify(request: HttpRequest) -> HttpResponse:
    """Two steps on one URL: send a code to the number, then check the code."""
    next_url = request.POST.get("next", "")
    if not next_url.startswith("/deliberation/"):
        next_url = "/deliberation/"
    try:
        if request.POST.get("code"):
            phone = phone_code_check(
                phone=request.POST.get("phone", ""), purpose=VERIFY_PURPOSE, code=request.POST["code"]
            )
            phone_session_remember(request.session, phone)
            messages.success(request, _("Your mobile number is verified."))
        else:
            phone = phone_code_send(
                phone=request.POST.get("phone", ""), purpose=VERIFY_PURPOSE, client_ip=client_ip(request)
            )
            request.session["deliberation_phone_pending"] = phone
            messages.info(request, _("A code was sent to your mobile. Enter it below."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(next_url)


def detail_context(request: HttpRequest, topic: Topic) -> dict[str, Any]:
    participant = session_participant(request, topic)
    return {
        "topic": topic,
        "participant": participant,
        "statement": selectors.next_statement(topic, participant) if participant else None,
        "progress": selectors.voting_progress(topic, participant),
        "own_statements": selectors.own_statements(participant),
        "opinion": selectors.opinion_map(topic, participant),
        "meetings": selectors.meetings_of(topic),
        "outcomes": selectors.outcomes_of(topic),
        "statement_form": forms.StatementForm(),
        "verified": phone_session_verified(request.session),
        "phone_pending": request.session.get("deliberation_phone_pending", ""),
        "actions": TOPIC_TRANSITIONS.allowed_actions(topic, request.user),
        "can_manage": request.user.has_perm("deliberation.change_topic", topic),
    }


@require_GET
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_or_404(request, pk)
    return render(request, "deliberation/detail.html", detail_context(request, topic))
