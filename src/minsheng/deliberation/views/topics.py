"""Public topic pages: the list, proposing a topic, a topic's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from minsheng.core.errors import DomainError
from minsheng.core.phone_flow import phone_code_request, phone_context, phone_proven, phone_send_requested
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
    """A topic proposed: signed in, or proving a mobile number in the same form (core.phone_flow)."""
    form = forms.ProposeForm(request.POST or None)
    status = 200
    if phone_send_requested(request):
        status = phone_code_request(request, form, purpose=VERIFY_PURPOSE)
    elif request.method == "POST" and form.is_valid():
        try:
            signed_in = request.user.is_authenticated
            phone = None if signed_in else phone_proven(request, form, purpose=VERIFY_PURPOSE)
            topic = services.topic_propose(
                actor=request.user,
                body=form.cleaned_data["body"],
                title=form.cleaned_data["title"],
                question=form.cleaned_data["question"],
                background=form.cleaned_data["background"],
                verified_phone=phone,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            status = 400
        else:
            messages.success(request, _("Thank you: your topic was sent to the staff for consideration."))
            if request.user.is_authenticated:
                return redirect("deliberation:detail", pk=topic.pk)
            return redirect("deliberation:list")
    elif request.method == "POST":
        status = 400
    return render(
        request, "deliberation/propose.html", {"form": form, **phone_context(request)}, status=status
    )


def detail_context(request: HttpRequest, topic: Topic, join_form: Any = None) -> dict[str, Any]:
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
        "join_form": join_form or forms.JoinForm(),
        **phone_context(request),
        "actions": TOPIC_TRANSITIONS.allowed_actions(topic, request.user),
        "can_manage": request.user.has_perm("deliberation.change_topic", topic),
    }


@require_GET
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_or_404(request, pk)
    return render(request, "deliberation/detail.html", detail_context(request, topic))
