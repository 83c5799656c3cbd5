"""Taking part: joining a topic, voting, writing a statement, the live opinion map."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minsheng.core.errors import DomainError
from minsheng.core.verification import (
    phone_session_verified,
)
from minsheng.deliberation import forms, selectors, services
from minsheng.deliberation.views.common import (
    remember_token,
    session_participant,
    topic_or_404,
)


@require_POST
def topic_join(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_or_404(request, pk)
    try:
        joined = services.participant_join(
            topic=topic, user=request.user, verified_phone=phone_session_verified(request.session)
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        remember_token(request, topic, joined.token)
    return redirect("deliberation:detail", pk=topic.pk)


@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """One card's vote; htmx swaps in the next card."""
    topic = topic_or_404(request, pk)
    participant = session_participant(request, topic)
    error = ""
    if participant is None:
        error = _("Join the topic first.")
    else:
        try:
            value = int(request.POST.get("vote", "x"))
            statement_id = int(request.POST.get("statement", "x"))
        except ValueError:
            error = _("A vote is agree (1), disagree (-1) or pass (0).")
        else:
            try:
                services.vote_cast(participant=participant, statement_id=statement_id, value=value)
            except DomainError as failure:
                error = failure.message
    if not request.htmx:  # type: ignore[attr-defined]
        if error:
            messages.error(request, error)
        return redirect("deliberation:detail", pk=topic.pk)
    return render(
        request,
        "deliberation/_card.html",
        {
            "topic": topic,
            "participant": participant,
            "statement": selectors.next_statement(topic, participant) if participant else None,
            "progress": selectors.voting_progress(topic, participant),
            "error": error,
        },
    )


@require_POST
def statement_write(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_or_404(request, pk)
    participant = session_participant(request, topic)
    form = forms.StatementForm(request.POST)
    if participant is None:
        messages.error(request, _("Join the topic first."))
    elif not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("text", [])))
    else:
        try:
            statement = services.statement_submit(participant=participant, text=form.cleaned_data["text"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if statement.status == "pending":
                messages.success(
                    request, _("Thank you. Your statement will appear once it has been checked.")
                )
            else:
                messages.success(request, _("Thank you. Your statement is published."))
    return redirect("deliberation:detail", pk=topic.pk)


@require_GET
def map_partial(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_or_404(request, pk)
    participant = session_participant(request, topic)
    return render(
        request,
        "deliberation/_map.html",
        {"topic": topic, "opinion": selectors.opinion_map(topic, participant)},
    )
