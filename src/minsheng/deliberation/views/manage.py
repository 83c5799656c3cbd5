"""The staff desk of a topic: set-up, moderation, meetings, outcomes and their conversion."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.core.errors import DomainError, ValidationFailedError
from minsheng.deliberation import forms, selectors, services
from minsheng.deliberation.models import Meeting, Outcome, Statement, Topic
from minsheng.deliberation.services import MEETING_TRANSITIONS, STATEMENT_TRANSITIONS, TOPIC_TRANSITIONS
from minsheng.deliberation.views.common import (
    topic_or_404,
)
from minsheng.org.models import Person


def manage(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_or_404(request, pk)
    if not request.user.has_perm("deliberation.change_topic", topic):
        raise PermissionDenied
    user = request.user
    queue = list(selectors.moderation_queue(topic)[:200])
    for statement in queue:  # the moderation buttons each statement's state allows
        statement.actions = STATEMENT_TRANSITIONS.allowed_actions(statement, user)  # type: ignore[attr-defined]
    meetings = list(selectors.meetings_of(topic))
    for meeting in meetings:
        meeting.topic = topic
        meeting.can_hold = "hold" in MEETING_TRANSITIONS.allowed_actions(meeting, user)  # type: ignore[attr-defined]
        meeting.can_add_outcome = services.can_add_outcome(user, meeting)  # type: ignore[attr-defined]
    return render(
        request,
        "deliberation/manage.html",
        {
            "topic": topic,
            "actions": TOPIC_TRANSITIONS.allowed_actions(topic, user),
            "can_set_up": services.can_set_up(user, topic),
            "can_schedule": services.can_schedule_meeting(user, topic),
            "accept_form": forms.AcceptForm(
                initial={"moderation": topic.moderation, "audience": topic.audience}
            ),
            "reason_form": forms.ReasonForm(),
            "seeds_form": forms.SeedsForm(),
            "queue": queue,
            "meetings": meetings,
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
        raise ValidationFailedError(" ".join(str(e) for errs in form.errors.values() for e in errs))
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
        raise ValidationFailedError(" ".join(str(e) for errs in form.errors.values() for e in errs))
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
        raise ValidationFailedError(" ".join(str(e) for errs in form.errors.values() for e in errs))
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
        raise ValidationFailedError(" ".join(str(e) for errs in form.errors.values() for e in errs))
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
        raise ValidationFailedError(" ".join(str(e) for errs in form.errors.values() for e in errs))
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
    topic = topic_or_404(request, pk)
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
