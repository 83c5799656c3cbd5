"""Pages of the text-intelligence app: routing models, hot issues, and the live panels other pages
embed with htmx (similar open voices and "support instead", similar past proposals while drafting,
reply-quality flags while writing a reply)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minsheng.core.errors import DomainError, RateLimitedError, ValidationFailedError
from minsheng.core.throttle import client_ip, throttle_count
from minsheng.core.verification import phone_code_check, phone_session_remember, phone_session_verified
from minsheng.insight import selectors, services
from minsheng.insight.exports import hot_report_docx
from minsheng.insight.forms import CategoryForm, HotForwardForm, SupportForm, TextCheckForm
from minsheng.insight.models import HotIssueReport, RoutingCategory
from minsheng.insight.progress import progress_get, progress_set
from minsheng.org.models import Jurisdiction, Unit

LIVE_CHECKS_PER_MINUTE = 60


def _require(request: HttpRequest, permission: str, obj: Any = None) -> None:
    if not request.user.has_perm(permission, obj):
        raise Http404


# Routing models ---------------------------------------------------------------------------------


@login_required
def routing(request: HttpRequest, bound: CategoryForm | None = None) -> HttpResponse:
    _require(request, "insight.view_routingmodel")
    units = Unit.objects.order_by("kind", "name")
    context = {
        "versions": list(selectors.routing_versions()[:20]),
        "active": selectors.routing_version_active(),
        "categories": list(RoutingCategory.objects.prefetch_related("units")),
        "category_form": bound or CategoryForm(units=units),
        "progress": progress_get("routing"),
        "can_train": request.user.has_perm("insight.train_routingmodel"),
    }
    return render(request, "insight/routing.html", context, status=400 if bound is not None else 200)


@login_required
@require_POST
def routing_train(request: HttpRequest) -> HttpResponse:
    from minsheng.insight.tasks import ROUTING_PROGRESS, routing_train_task

    _require(request, "insight.train_routingmodel")
    current = progress_get(ROUTING_PROGRESS)
    if current is None or current["state"] not in ("queued", "running"):
        progress_set(ROUTING_PROGRESS, state="queued")
        routing_train_task.enqueue(user_id=request.user.pk)
    if request.htmx:  # type: ignore[attr-defined]
        return routing_progress(request)
    return redirect("insight:routing")


@login_required
@require_GET
def routing_progress(request: HttpRequest) -> HttpResponse:
    _require(request, "insight.view_routingmodel")
    context = {"progress": progress_get("routing"), "poll_url": request.path}
    return render(request, "insight/_progress.html", context)


@login_required
@require_POST
def routing_category(request: HttpRequest) -> HttpResponse:
    _require(request, "insight.train_routingmodel")
    form = CategoryForm(request.POST, units=Unit.objects.order_by("kind", "name"))
    if not form.is_valid():
        return routing(request, bound=form)
    try:
        services.routing_category_save(
            actor=request.user, name=form.cleaned_data["name"], units=list(form.cleaned_data["units"])
        )
    except DomainError as error:
        form.add_error("name" if error.field == "name" else None, error.message)
        return routing(request, bound=form)
    messages.success(request, _("The category was saved."))
    return redirect("insight:routing")


# Hot issues -------------------------------------------------------------------------------------


def _hot_jurisdiction(request: HttpRequest) -> Jurisdiction:
    allowed = selectors.hot_jurisdictions_for(request.user)
    if not allowed:
        raise Http404
    wanted = request.GET.get("j", "")
    chosen = next((j for j in allowed if str(j.pk) == wanted), None)
    return chosen or allowed[0]


HOT_LINKS_SHOWN = 8  # messages named under each hot issue (as many as the template's slice shows)


@login_required
def hot(request: HttpRequest) -> HttpResponse:
    from minsheng.insight.tasks import hot_progress_name

    jurisdiction = _hot_jurisdiction(request)
    report = selectors.hot_report_latest(jurisdiction)
    issues = report.issues if report is not None else []
    chart = {
        "titles": [f"{i['rank']}. {i['title'][:16]}" for i in issues],
        "heat": [i["heat"] for i in issues],
        "people": [i.get("people", 0) for i in issues],
    }
    can_forward = request.user.has_perm("insight.forward_hotissuereport", jurisdiction)
    units = Unit.objects.filter(jurisdiction_id__in=selectors.jurisdiction_and_below(jurisdiction)).order_by(
        "kind", "name"
    )
    context = {
        "jurisdiction": jurisdiction,
        "jurisdictions": selectors.hot_jurisdictions_for(request.user),
        "report": report,
        "issues": issues,
        "chart_json": json.dumps(chart, ensure_ascii=False),
        "openable": selectors.voice_ids_openable(
            request.user, [pk for i in issues for pk in i["ids"][:HOT_LINKS_SHOWN]]
        ),
        "progress": progress_get(hot_progress_name(jurisdiction.pk)),
        "can_forward": can_forward,
        "forward_form": HotForwardForm(units=units) if can_forward else None,
    }
    return render(request, "insight/hot.html", context)


@login_required
@require_POST
def hot_refresh(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    from minsheng.insight.tasks import hot_issues_task, hot_progress_name

    jurisdiction = get_object_or_404(Jurisdiction, pk=jurisdiction_id)
    _require(request, "insight.view_hotissuereport", jurisdiction)
    name = hot_progress_name(jurisdiction.pk)
    current = progress_get(name)
    if current is None or current["state"] not in ("queued", "running"):
        progress_set(name, state="queued")
        hot_issues_task.enqueue(jurisdiction_id=jurisdiction.pk, user_id=request.user.pk)
    if request.htmx:  # type: ignore[attr-defined]
        return hot_progress(request, jurisdiction.pk)
    return redirect(f"{_hot_url()}?j={jurisdiction.pk}")


def _hot_url() -> str:
    from django.urls import reverse

    return reverse("insight:hot")


@login_required
@require_GET
def hot_progress(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    from minsheng.insight.tasks import hot_progress_name

    jurisdiction = get_object_or_404(Jurisdiction, pk=jurisdiction_id)
    _require(request, "insight.view_hotissuereport", jurisdiction)
    context = {
        "progress": progress_get(hot_progress_name(jurisdiction.pk)),
        "poll_url": request.path,
        "done_url": f"{_hot_url()}?j={jurisdiction.pk}",
    }
    return render(request, "insight/_progress.html", context)


@login_required
def hot_docx(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(HotIssueReport.objects.select_related("jurisdiction"), pk=report_id)
    _require(request, "insight.view_hotissuereport", report.jurisdiction)
    response = HttpResponse(
        hot_report_docx(report),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="hot-issues-{report.period_end:%Y%m%d}.docx"'
    return response


@login_required
@require_POST
def hot_forward(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(HotIssueReport.objects.select_related("jurisdiction"), pk=report_id)
    _require(request, "insight.forward_hotissuereport", report.jurisdiction)
    units = Unit.objects.filter(jurisdiction_id__in=selectors.jurisdiction_and_below(report.jurisdiction))
    form = HotForwardForm(request.POST, units=units)
    if not form.is_valid():
        messages.error(request, _("Choose the unit to hand this issue to."))
        return redirect(f"{_hot_url()}?j={report.jurisdiction_id}")
    try:
        lead = services.hot_issue_forward(
            actor=request.user,
            report=report,
            rank=form.cleaned_data["rank"],
            unit=form.cleaned_data["unit"],
            instructions=form.cleaned_data["instructions"],
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(f"{_hot_url()}?j={report.jurisdiction_id}")
    messages.success(request, _("The issue was handed to the unit as one work order."))
    return redirect("voices:detail", voice_id=lead.pk)


# Live panels (htmx) -----------------------------------------------------------------------------


def _live_throttle(request: HttpRequest) -> None:
    throttle_count(f"insight-live:{client_ip(request)}", limit=LIVE_CHECKS_PER_MINUTE, seconds=60)


@require_POST
def similar_voices(request: HttpRequest) -> HttpResponse:
    """Open voices like the message a resident is typing (public, masked snippets)."""
    form = TextCheckForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    try:
        _live_throttle(request)
    except RateLimitedError:
        return HttpResponse(status=429)
    found = selectors.similar_open_voices(text) if len(text.strip()) >= 10 else []
    return render(request, "insight/_similar_voices.html", {"similar": found, "support_form": SupportForm()})


@require_POST
def voice_support(request: HttpRequest, voice_id: int) -> HttpResponse:
    """Add the resident's support to an open voice: the phone proven in this session (or by the code
    sent to it, or the signed-in account's number)."""
    from minsheng.voices.models import Voice

    voice = get_object_or_404(Voice, pk=voice_id)
    form = SupportForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Enter your mobile number.")
    else:
        phone = form.cleaned_data["phone"].strip()
        own = getattr(request.user, "phone", None) if request.user.is_authenticated else None
        try:
            if phone_session_verified(request.session) != phone and own != phone:
                code = form.cleaned_data.get("code") or ""
                if not code:
                    raise ValidationFailedError(
                        _("Get a verification code for this number first, then enter it here."), field="code"
                    )
                phone_code_check(phone=phone, purpose="voice", code=code)
                phone_session_remember(request.session, phone)
            services.voice_support(actor=request.user, voice=voice, phone=phone, client=client_ip(request))
        except DomainError as failure:
            error = str(failure.message)
    context = {"voice": voice, "error": error, "count": selectors.voice_support_count(voice)}
    return render(request, "insight/_support_done.html", context, status=400 if error else 200)


@login_required
@require_POST
def similar_motions(request: HttpRequest) -> HttpResponse:
    """Earlier items like the draft being written, with their replies' categories."""
    from minsheng.org.models import REPRESENTATIVE_ROLES
    from minsheng.org.selectors import memberships_of

    if not request.user.has_perm("motions.add_motion"):
        raise Http404
    form = TextCheckForm(request.POST)
    text = ""
    if form.is_valid():
        text = f"{form.cleaned_data['title']}\n{form.cleaned_data['text']}".strip()
    places = [
        m.body.jurisdiction_id
        for m in memberships_of(request.user)
        if m.role in REPRESENTATIVE_ROLES and m.body
    ]
    try:
        _live_throttle(request)
    except RateLimitedError:
        return HttpResponse(status=429)
    found = []
    if len(text) >= 6 and places:
        kind = request.POST.get("kind", "")
        found = selectors.similar_past_motions(text, jurisdiction_id=places[0], kind=kind)
    return render(request, "insight/_similar_motions.html", {"similar": found})


@login_required
@require_POST
def reply_check(request: HttpRequest) -> HttpResponse:
    """Reply-quality flags for the reply being written to a voice or a motion (the writer's view of
    the message it answers: they must be able to see it)."""
    from minsheng.motions.models import Motion
    from minsheng.voices.models import Voice

    kind, _sep, raw_id = request.POST.get("target", "").partition(":")
    if not raw_id.isdigit():
        raise Http404
    form = TextCheckForm(request.POST)
    reply = form.cleaned_data["text"] if form.is_valid() else ""
    if kind == "voice":
        voice = get_object_or_404(Voice, pk=int(raw_id))
        _require(request, "voices.view_voice", voice)
        title, body, asked = selectors.voice_title(voice.text), voice.text, voice.created_at
    elif kind == "motion":
        motion = get_object_or_404(Motion, pk=int(raw_id))
        _require(request, "motions.view_motion", motion)
        # A motion's deadline is its assignment's (months, tracked by the motions app): no "late" here.
        title, body, asked = motion.title, motion.text, None
    else:
        raise Http404
    flags = []
    if reply.strip():
        from django.utils import timezone

        flags = selectors.reply_flags_shown(
            message_title=title, message_text=body, reply=reply, asked_at=asked, replied_at=timezone.now()
        )
    return render(request, "insight/_reply_flags.html", {"flags": flags, "checked": bool(reply.strip())})
