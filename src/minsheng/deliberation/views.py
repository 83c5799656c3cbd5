"""Pages of the deliberation app. They read through selectors, write through services, hold no workflow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
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
from minsheng.deliberation import exports, forms, selectors, services
from minsheng.deliberation.api import SESSION_TOKENS
from minsheng.deliberation.models import Meeting, Outcome, Participant, Statement, Topic
from minsheng.deliberation.services import TOPIC_TRANSITIONS
from minsheng.org.models import Person

VERIFY_PURPOSE = "deliberation"


def _topic_or_404(request: HttpRequest, pk: int) -> Topic:
    topic = selectors.topic_detail(request.user, pk)
    if topic is None:
        raise Http404
    return topic


def _session_participant(request: HttpRequest, topic: Topic) -> Participant | None:
    token = request.session.get(SESSION_TOKENS, {}).get(str(topic.pk), "")
    return selectors.participant_for(topic, user=request.user, token=token)


def _remember_token(request: HttpRequest, topic: Topic, token: str) -> None:
    tokens = dict(request.session.get(SESSION_TOKENS, {}))
    tokens[str(topic.pk)] = token
    request.session[SESSION_TOKENS] = tokens


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


def _detail_context(request: HttpRequest, topic: Topic) -> dict[str, Any]:
    participant = _session_participant(request, topic)
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
    topic = _topic_or_404(request, pk)
    return render(request, "deliberation/detail.html", _detail_context(request, topic))


@require_POST
def topic_join(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _topic_or_404(request, pk)
    try:
        joined = services.participant_join(
            topic=topic, user=request.user, verified_phone=phone_session_verified(request.session)
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        _remember_token(request, topic, joined.token)
    return redirect("deliberation:detail", pk=topic.pk)


@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """One card's vote; htmx swaps in the next card."""
    topic = _topic_or_404(request, pk)
    participant = _session_participant(request, topic)
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
    topic = _topic_or_404(request, pk)
    participant = _session_participant(request, topic)
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
    topic = _topic_or_404(request, pk)
    participant = _session_participant(request, topic)
    return render(
        request,
        "deliberation/_map.html",
        {"topic": topic, "opinion": selectors.opinion_map(topic, participant)},
    )


@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """The public report: the map's findings, the meetings and how the outcomes are going."""
    topic = _topic_or_404(request, pk)
    return render(
        request,
        "deliberation/report.html",
        {
            "topic": topic,
            "opinion": selectors.opinion_map(topic),
            "meetings": selectors.meetings_of(topic),
            "outcomes": selectors.outcomes_of(topic),
            "progress_form": forms.ProgressForm(),
        },
    )


@require_GET
def export_votes(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _topic_or_404(request, pk)
    response = HttpResponse(exports.votes_csv(topic), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="topic-{topic.pk}-votes.csv"'
    return response


@require_GET
def export_comments(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _topic_or_404(request, pk)
    response = HttpResponse(exports.comments_csv(topic), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="topic-{topic.pk}-comments.csv"'
    return response


@require_GET
def export_docx(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _topic_or_404(request, pk)
    response = HttpResponse(
        exports.report_docx(topic),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="topic-{topic.pk}-report.docx"'
    return response


@require_GET
def export_map_png(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _topic_or_404(request, pk)
    analysis = selectors.analysis_latest(topic)
    if analysis is None:
        raise Http404
    return HttpResponse(exports.map_png(analysis.result), content_type="image/png")


# Staff desk ---------------------------------------------------------------------------------------


def manage(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _topic_or_404(request, pk)
    if not request.user.has_perm("deliberation.change_topic", topic):
        raise PermissionDenied
    return render(
        request,
        "deliberation/manage.html",
        {
            "topic": topic,
            "actions": TOPIC_TRANSITIONS.allowed_actions(topic, request.user),
            "accept_form": forms.AcceptForm(
                initial={"moderation": topic.moderation, "audience": topic.audience}
            ),
            "reason_form": forms.ReasonForm(),
            "seeds_form": forms.SeedsForm(),
            "queue": selectors.moderation_queue(topic)[:200],
            "meetings": selectors.meetings_of(topic),
            "outcomes": selectors.outcomes_of(topic),
            "meeting_form": forms.MeetingForm(),
            "hold_form": forms.HoldForm(),
            "outcome_form": forms.OutcomeForm(),
            "progress_form": forms.ProgressForm(),
            "convert_form": forms.ConvertForm(members=selectors.proposal_leads_for(topic)),
        },
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _act_accept(request: HttpRequest, topic: Topic) -> None:
    form = forms.AcceptForm(request.POST)
    if not form.is_valid():
        raise services.ValidationFailedError(" ".join(str(e) for errs in form.errors.values() for e in errs))
    data = form.cleaned_data
    setup = services.TopicSetup(
        audience=data["audience"],
        sector=data["sector"],
        people=list(Person.objects.filter(pk__in=form.people_ids())),
        opens_on=data["opens_on"],
        closes_on=data["closes_on"],
        moderation=data["moderation"],
    )
    services.topic_accept(
        actor=request.user, topic=topic, setup=setup, seeds=_lines(data["seeds"]),
        expected_state=request.POST.get("state") or None,
    )  # fmt: skip


def _act_reject(request: HttpRequest, topic: Topic) -> None:
    services.topic_reject(actor=request.user, topic=topic, reason=request.POST.get("reason", ""))


def _act_step(name: str) -> Callable[[HttpRequest, Topic], None]:
    steps = {"open": services.topic_open, "close": services.topic_close, "conclude": services.topic_conclude}

    def act(request: HttpRequest, topic: Topic) -> None:
        steps[name](actor=request.user, topic=topic, expected_state=request.POST.get("state") or None)

    return act


def _act_seeds(request: HttpRequest, topic: Topic) -> None:
    services.seeds_add(actor=request.user, topic=topic, texts=_lines(request.POST.get("seeds", "")))


def _act_moderate(request: HttpRequest, topic: Topic) -> None:
    statement = get_object_or_404(Statement, pk=request.POST.get("statement", 0) or 0, topic=topic)
    services.statement_moderate(
        actor=request.user, statement=statement, action=request.POST.get("action", ""),
        reason=request.POST.get("reason", ""), expected_state=request.POST.get("state") or None,
    )  # fmt: skip


def _act_meeting(request: HttpRequest, topic: Topic) -> None:
    form = forms.MeetingForm(request.POST)
    if not form.is_valid():
        raise services.ValidationFailedError(" ".join(str(e) for errs in form.errors.values() for e in errs))
    services.meeting_schedule(
        actor=request.user,
        topic=topic,
        starts_at=form.cleaned_data["starts_at"],
        place=form.cleaned_data["place"],
    )


def _meeting_of(request: HttpRequest, topic: Topic) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("topic"), pk=request.POST.get("meeting", 0) or 0, topic=topic
    )


def _act_hold(request: HttpRequest, topic: Topic) -> None:
    form = forms.HoldForm(request.POST)
    if not form.is_valid():
        raise services.ValidationFailedError(" ".join(str(e) for errs in form.errors.values() for e in errs))
    attendees = [services.AttendeeIn(name=n, kind=k, affiliation=a) for n, k, a in form.attendee_rows()]
    services.meeting_hold(
        actor=request.user,
        meeting=_meeting_of(request, topic),
        minutes=form.cleaned_data["minutes"],
        attendees=attendees,
    )


def _act_outcome(request: HttpRequest, topic: Topic) -> None:
    form = forms.OutcomeForm(request.POST)
    if not form.is_valid():
        raise services.ValidationFailedError(" ".join(str(e) for errs in form.errors.values() for e in errs))
    services.outcome_add(
        actor=request.user, meeting=_meeting_of(request, topic), text=form.cleaned_data["text"],
        unit=form.cleaned_data["unit"], due=form.cleaned_data["due"],
    )  # fmt: skip


def _outcome_of(request: HttpRequest, topic: Topic) -> Outcome:
    return get_object_or_404(
        Outcome.objects.select_related("topic"), pk=request.POST.get("outcome", 0) or 0, topic=topic
    )


def _act_convert(request: HttpRequest, topic: Topic) -> None:
    form = forms.ConvertForm(request.POST, members=selectors.proposal_leads_for(topic))
    if not form.is_valid():
        raise services.ValidationFailedError(" ".join(str(e) for errs in form.errors.values() for e in errs))
    services.outcome_convert(
        actor=request.user,
        outcome=_outcome_of(request, topic),
        kind=form.cleaned_data["kind"],
        lead_signer=form.cleaned_data["lead_signer"],
    )


MANAGE_ACTIONS: dict[str, Callable[[HttpRequest, Topic], None]] = {
    "accept": _act_accept,
    "reject": _act_reject,
    "open": _act_step("open"),
    "close": _act_step("close"),
    "conclude": _act_step("conclude"),
    "seeds": _act_seeds,
    "moderate": _act_moderate,
    "meeting": _act_meeting,
    "hold": _act_hold,
    "outcome": _act_outcome,
    "convert": _act_convert,
}


@require_POST
def manage_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    topic = _topic_or_404(request, pk)
    handler = MANAGE_ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        handler(request, topic)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("deliberation:manage", pk=topic.pk)


@require_POST
def outcome_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The responsible unit (or staff) reports progress; "done" completes the outcome."""
    outcome = get_object_or_404(Outcome.objects.select_related("topic__jurisdiction", "unit"), pk=pk)
    form = forms.ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        try:
            # A unit reporting "done" files a progress update; staff confirm completion.
            if form.cleaned_data["done"] and request.user.has_perm("deliberation.complete_outcome", outcome):
                services.outcome_complete(actor=request.user, outcome=outcome, text=form.cleaned_data["text"])
            else:
                services.outcome_progress(actor=request.user, outcome=outcome, text=form.cleaned_data["text"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved."))
    return redirect("deliberation:report", pk=outcome.topic_id)
