"""Taking part: joining a topic, voting, writing a statement, the live opinion map."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minsheng.core.errors import DomainError, RateLimitedError
from minsheng.core.phone_flow import phone_code_request, phone_proven, phone_send_requested
from minsheng.core.receipts import receipt_page
from minsheng.deliberation import forms, selectors, services
from minsheng.deliberation.views.common import (
    RECEIPT_SESSION_KEY,
    VERIFY_PURPOSE,
    remember_token,
    session_participant,
    topic_or_404,
)


@require_POST
def topic_join(request: HttpRequest, pk: int) -> HttpResponse:
    """Take part: signed in, or proving a mobile number in the same form (core.phone_flow)."""
    topic = topic_or_404(request, pk)
    form = forms.JoinForm(request.POST)
    if phone_send_requested(request):
        status = phone_code_request(request, form, purpose=VERIFY_PURPOSE)
        return _detail_with(request, topic, form, status)
    try:
        form.is_valid()
        phone = None if request.user.is_authenticated else phone_proven(request, form, purpose=VERIFY_PURPOSE)
        joined = services.participant_join(topic=topic, user=request.user, verified_phone=phone)
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _detail_with(request, topic, form, 429 if isinstance(error, RateLimitedError) else 400)
    remember_token(request, topic, joined.token)
    return redirect(f"{reverse('deliberation:detail', args=[topic.pk])}#vote")


def _detail_with(request: HttpRequest, topic: Any, form: Any, status: int) -> HttpResponse:
    """The topic's page again, with the join form as the person filled it."""
    from minsheng.deliberation.views.topics import detail_context

    return render(request, "deliberation/detail.html", detail_context(request, topic, form), status=status)


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
            request.session[RECEIPT_SESSION_KEY] = statement.pk
            return redirect("deliberation:receipt")
    return redirect(f"{reverse('deliberation:detail', args=[topic.pk])}#write")


def receipt(request: HttpRequest) -> HttpResponse:
    """Right after writing a statement: thanks, what was written, whether it shows yet, and a receipt
    code to read it and its moderation again."""
    statement = selectors.statement_by_id(request.session.get(RECEIPT_SESSION_KEY))
    if statement is None:
        return redirect("deliberation:lookup")
    return render(request, "deliberation/receipt.html", {"statement": statement})


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """A receipt code and the mobile number open one's statement again, with its moderation."""
    page = receipt_page(request, services.statement_lookup)
    context = {"form": page.form, "statement": page.found}
    return render(request, "deliberation/lookup.html", context, status=page.status)


@require_GET
def map_partial(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_or_404(request, pk)
    participant = session_participant(request, topic)
    return render(
        request,
        "deliberation/_map.html",
        {"topic": topic, "opinion": selectors.opinion_map(topic, participant)},
    )
