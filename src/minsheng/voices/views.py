"""Pages of the voices app. They read through selectors, write through services, and ask rules."""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from minsheng.core.attachments import attachments_for, attachments_listed
from minsheng.core.errors import DomainError, NotFoundError, RateLimitedError, ValidationFailedError
from minsheng.core.phone_flow import phone_code_request, phone_context, phone_proven, phone_send_requested
from minsheng.core.privacy import mask_phone, mask_text
from minsheng.core.search import CappedPaginator, lookahead_for
from minsheng.core.throttle import client_ip
from minsheng.org.models import Body, Membership
from minsheng.voices import selectors, services
from minsheng.voices.exports import voices_xlsx_response
from minsheng.voices.forms import (
    AnswerForm,
    ExtendForm,
    ExtensionRequestForm,
    ForwardForm,
    MergeForm,
    RateForm,
    ReceptionDayForm,
    ReferForm,
    RefuseExtensionForm,
    ReplyForm,
    ReturnForm,
    SocialReportForm,
    StaffEntryForm,
    TrackForm,
    VoiceFilterForm,
    VoiceSubmitForm,
)
from minsheng.voices.models import (
    HANDLING_STATES,
    ReceptionDayStatus,
    Voice,
    VoiceChannel,
    VoiceStatus,
)
from minsheng.voices.presenters import timeline_rows
from minsheng.voices.rules import TrackingActor

PAGE_SIZE = 25
SENT_SESSION_KEY = "voices_sent"
VOICE_PURPOSE = "voice"  # the one-time codes' purpose (each purpose has its own limits)


# Small helpers --------------------------------------------------------------------------------


def _form_error(form: Any, error: DomainError) -> None:
    field = error.field if error.field in getattr(form, "fields", {}) else None
    form.add_error(field, error.message)


# Resident: submit ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def voice_new(request: HttpRequest) -> HttpResponse:
    """The resident's form: message, optional name, mobile number proven by a code (core.phone_flow)."""
    target_param = request.GET.get("to", "")[:40]
    addressed_to, station = selectors.voice_target_from(target_param)
    channel = VoiceChannel.QR if request.GET.get("via") == "qr" else VoiceChannel.WEB
    initial = {"phone": getattr(request.user, "phone", "") or ""} if request.user.is_authenticated else {}
    form = VoiceSubmitForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if phone_send_requested(request):
        status = phone_code_request(request, form, purpose=VOICE_PURPOSE)
    elif request.method == "POST":
        if form.is_valid():
            try:
                voice = _submit(request, form, channel=channel, addressed_to=addressed_to, station=station)
            except DomainError as error:
                _form_error(form, error)
                status = 429 if isinstance(error, RateLimitedError) else 400
            else:
                request.session[SENT_SESSION_KEY] = voice.tracking_code
                return redirect("voices:sent")
        else:
            status = 400
    context = {
        "form": form,
        "addressed_to": addressed_to,
        "station": station,
        "target_param": target_param,
        "query": request.META.get("QUERY_STRING", ""),
        **phone_context(request),
    }
    return render(request, "voices/new.html", context, status=status)


def _submit(
    request: HttpRequest,
    form: VoiceSubmitForm,
    *,
    channel: str,
    addressed_to: Membership | None,
    station: Body | None,
) -> Voice:
    services.voice_text_check(form.cleaned_data["text"], form.cleaned_data["name"])
    phone = phone_proven(request, form, purpose=VOICE_PURPOSE)
    services.voice_submission_throttle(client=client_ip(request))
    return services.voice_create(
        actor=request.user,
        channel=channel,
        text=form.cleaned_data["text"],
        phone=phone,
        name=form.cleaned_data["name"],
        kind=form.cleaned_data["kind"],
        addressed_to=addressed_to,
        station=station,
        place=station.jurisdiction if station is not None else None,
        files=form.cleaned_data["attachments"],
        enterprise_name=form.cleaned_data.get("enterprise_name", ""),
        credit_code=form.cleaned_data.get("credit_code", ""),
    )


def voice_sent(request: HttpRequest) -> HttpResponse:
    code = request.session.get(SENT_SESSION_KEY)
    if not code:
        return redirect("voices:track")
    return render(request, "voices/sent.html", {"code": code})


# Resident: follow and rate ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Tracking code + phone → the voice's timeline; failures are throttled per client."""
    form = TrackForm(request.POST or None, initial={"code": request.GET.get("code", "")[:20]})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                voice = services.voice_track(
                    client=client_ip(request),
                    code=form.cleaned_data["code"],
                    phone=form.cleaned_data["phone"],
                )
            except (RateLimitedError, NotFoundError) as error:
                form.add_error(None, error.message)
                status = 429 if isinstance(error, RateLimitedError) else 404
            else:
                services.tracking_session_add(request.session, voice.pk)
                return redirect("voices:tracked", voice_id=voice.pk)
        else:
            status = 400
    return render(request, "voices/track.html", {"form": form}, status=status)


def _tracked_voice(request: HttpRequest, voice_id: int) -> Voice:
    voice = selectors.voice_tracked_in(request.session, voice_id)
    if voice is None:
        raise Http404(_("Enter the tracking code and mobile number first."))
    return voice


def tracked(request: HttpRequest, voice_id: int) -> HttpResponse:
    voice = _tracked_voice(request, voice_id)
    return _tracked_render(request, voice, RateForm(initial={"expected_state": voice.status}))


def _tracked_render(
    request: HttpRequest, voice: Voice, rate_form: RateForm, status: int = 200
) -> HttpResponse:
    replies = selectors.voice_replies(voice)
    context = {
        "voice": voice,
        "masked_phone": mask_phone(voice.phone),
        "timeline": timeline_rows(selectors.voice_timeline(voice, public=True), public=True),
        "replies": replies,
        "rate_form": rate_form,
        "can_rate": voice.status == VoiceStatus.REPLIED,
        "panels": _tracking_panels(request, voice),
    }
    return render(request, "voices/tracked.html", context, status=status)


# Other apps add to the tracking page what the voice became there (motions: the suggestion or
# proposal adopted from it) through a module with ``panels(request, voice) -> list[DeskPanel]``.
MOTIONS_TRACKING = "minsheng.motions.tracking"
TRACKING_MODULES = (MOTIONS_TRACKING,)


def _adopted_motions(voice: Voice, user: Any) -> list[tuple[Any, bool]]:
    """The items adopted from the voice (the motions app adds the relation), each with whether the
    reader may open it: the page links only those (a draft is its proposer's alone) and names the others."""
    motions = list(voice.adopted_motions.all())
    if not motions:
        return []
    openable = importlib.import_module(MOTIONS_TRACKING).openable_ids(user, [m.pk for m in motions])
    return [(motion, motion.pk in openable) for motion in motions]


def _tracking_panels(request: HttpRequest, voice: Voice) -> list[Any]:
    panels: list[Any] = []
    for module_name in TRACKING_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as missing:
            if missing.name != module_name:
                raise
            continue
        panels.extend(module.panels(request, voice))
    return panels


@require_POST
def tracked_rate(request: HttpRequest, voice_id: int) -> HttpResponse:
    voice = _tracked_voice(request, voice_id)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.voice_rate(
                actor=TrackingActor(voice.pk),
                voice=voice,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                expected_state=form.cleaned_data["expected_state"] or None,
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("voices:tracked", voice_id=voice.pk)
    return _tracked_render(request, voice, form, status=400)


# Deputies, stations, staff, handlers: lists and detail --------------------------------------


def _filters(form: VoiceFilterForm) -> selectors.VoiceFilters:
    if not form.is_valid():
        return selectors.VoiceFilters()
    data = form.cleaned_data
    return selectors.VoiceFilters(
        query=data["q"],
        status=data["status"],
        kind=data["kind"],
        channel=data["channel"],
        unit=data["unit"].pk if data["unit"] else None,
        date_from=data["date_from"],
        date_to=data["date_to"],
        overdue=data["overdue"],
    )


def _require(request: HttpRequest, permission: str, obj: Any = None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


@login_required
def voice_list(request: HttpRequest) -> HttpResponse:
    _require(request, "voices.list_voice")
    form = VoiceFilterForm(request.GET or None)
    voices = selectors.voices_search(request.user, _filters(form))
    number = request.GET.get("page")
    lookahead = lookahead_for(request.GET.get("q"))
    page = CappedPaginator(voices, PAGE_SIZE, number, lookahead, selectors.voices_rows).get_page(number)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "params": params.urlencode(),
        "search_query": request.GET.get("q", ""),  # a missing filter argument would fail the page
        "can_export": request.user.has_perm("voices.export_voice"),
        "today": selectors.today(),
    }
    template = "voices/_list_rows.html" if getattr(request, "htmx", False) else "voices/list.html"
    return render(request, template, context)


@login_required
def voice_export(request: HttpRequest) -> HttpResponse:
    _require(request, "voices.export_voice")
    voices = selectors.voices_search(request.user, _filters(VoiceFilterForm(request.GET or None)))
    return voices_xlsx_response(voices[:10000], user=request.user)


def _voice_or_404(request: HttpRequest, voice_id: int) -> Voice:
    voice = selectors.voice_detail(request.user, voice_id)
    if voice is None:
        raise Http404(_("No such voice, or you may not see it."))
    return voice


ACTION_FORMS: dict[str, type] = {
    "answer": AnswerForm,
    "forward": ForwardForm,
    "refer": ReferForm,
    "merge": MergeForm,
    "reply": ReplyForm,
    "return": ReturnForm,
    "request_extension": ExtensionRequestForm,
    "extend": ExtendForm,
    "refuse_extension": RefuseExtensionForm,
}


ACTION_LABELS = {
    "answer": gettext_lazy("Answer directly"),
    "forward": gettext_lazy("Forward to a unit"),
    "refer": gettext_lazy("Refer elsewhere"),
    "merge": gettext_lazy("Merge a duplicate"),
    "reply": gettext_lazy("Reply as the unit"),
    "return": gettext_lazy("Return: not our unit's business"),
    "request_extension": gettext_lazy("Ask for more time"),
    "extend": gettext_lazy("Grant more time"),
    "refuse_extension": gettext_lazy("Refuse more time"),
}


def _initial(voice: Voice, action: str) -> dict[str, Any]:
    initial: dict[str, Any] = {"expected_state": voice.status}
    if action == "extend":
        work_order = selectors.voice_open_work_order(voice)
        if work_order is not None:
            initial["until"] = work_order.extension_requested_to
    return initial


def _action_form_new(voice: Voice, action: str) -> Any:
    """The unbound form of ``action`` on ``voice`` (forwarding lists the units of the voice's place)."""
    if ACTION_FORMS[action] is ForwardForm:
        units = selectors.units_for_forwarding(voice)
        return ForwardForm(units=units, initial={"expected_state": voice.status})
    return ACTION_FORMS[action](initial=_initial(voice, action))


def _actions(voice: Voice, user: Any, bound: dict[str, Any] | None = None) -> list[tuple[str, Any, Any]]:
    """The actions ``user`` may take on ``voice``, each with its form only when it was sent back with
    errors: the others load their fields when opened (``voice_action`` answers GET), so the item's page
    does not build every form, the routing suggestion and the duplicates search for each view."""
    bound = bound or {}
    return [
        (action, ACTION_LABELS[action], bound.get(action))
        for action in selectors.voice_actions(voice, user)
        if action in ACTION_FORMS
    ]


def _adopt_url(voice: Voice, user: Any) -> str:
    """Where a deputy or member drafts a motion from this voice (the motions app), if installed and the
    user may draft one (staff triage voices too, but drafting is the deputies' and members' act)."""
    if not user.has_perm("motions.add_motion"):
        return ""
    try:
        return f"{reverse('motions:new')}?voice={voice.pk}"
    except NoReverseMatch:
        return ""


@login_required
def voice_detail(request: HttpRequest, voice_id: int, bound: dict[str, Any] | None = None) -> HttpResponse:
    voice = _voice_or_404(request, voice_id)
    status = 400 if bound else 200
    can_contact = request.user.has_perm("voices.view_contact_voice", voice)
    adopt_url = _adopt_url(voice, request.user)
    # Most voices have no reply, adopting motion or duplicate yet: one statement says which to skip.
    empty = selectors.voice_relations_without_rows(voice)
    # A merged duplicate shows the replies of the voice that absorbed it, whatever its own are.
    has_replies = bool(voice.merged_into_id) or "replies" not in empty
    duplicates = [] if "duplicates" in empty else list(voice.duplicates.only("pk", "tracking_code", "status"))
    context = {
        "voice": voice,
        "can_contact": can_contact,
        "shown_phone": voice.phone if can_contact else mask_phone(voice.phone),
        "shown_name": voice.name if can_contact else mask_text(voice.name[:1] + "*" if voice.name else ""),
        "timeline": timeline_rows(selectors.voice_timeline(voice), public=False),
        "replies": selectors.voice_replies(voice) if has_replies else [],
        "work_orders": selectors.voice_work_orders(voice),
        "attachments": attachments_listed(voice),
        "actions": _actions(voice, request.user, bound),
        "can_remind": voice.status in HANDLING_STATES and request.user.has_perm("voices.remind_voice", voice),
        "can_adopt": bool(adopt_url)
        and request.user.has_perm("voices.adopt_voice", voice)
        and voice.status == VoiceStatus.RECEIVED,
        "adopt_url": adopt_url,
        "adopted_motions": _adopted_motions(voice, request.user)
        if hasattr(voice, "adopted_motions") and "adopted_motions" not in empty  # the motions app's
        else [],
        "duplicates": duplicates,
        # A duplicate merged in may be one the reader cannot open (sent to another deputy): its code
        # is shown without a link.
        "openable_duplicates": selectors.voice_ids_visible_to(request.user, [d.pk for d in duplicates]),
        "merged_into_openable": voice.merged_into_id is not None
        and bool(selectors.voice_ids_visible_to(request.user, [voice.merged_into_id])),
        "today": selectors.today(),
    }
    return render(request, "voices/detail.html", context, status=status)


def _run_action(request: HttpRequest, voice: Voice, action: str, form: Any) -> None:
    data = form.cleaned_data
    expected = data.get("expected_state") or None
    user = request.user
    if action == "answer":
        services.voice_answer(actor=user, voice=voice, text=data["text"], expected_state=expected)
    elif action == "forward":
        services.voice_forward(
            actor=user,
            voice=voice,
            unit=data["unit"],
            reply_rule=data["reply_rule"],
            instructions=data["instructions"],
            expected_state=expected,
        )
    elif action == "refer":
        services.voice_refer(
            actor=user, voice=voice, reason=data["reason"], note=data["note"], expected_state=expected
        )
    elif action == "merge":
        code = services.tracking_code_normalise(data["into"])
        into = selectors.voices_visible_to(user).filter(tracking_code=code).first()
        if into is None:
            raise ValidationFailedError(_("Voice not found."), field="into")
        services.voice_merge(actor=user, voice=voice, into=into, expected_state=expected)
    elif action == "reply":
        services.voice_reply(actor=user, voice=voice, text=data["text"], expected_state=expected)
    elif action == "return":
        services.work_order_return(actor=user, voice=voice, reason=data["reason"], expected_state=expected)
    elif action == "request_extension":
        services.work_order_extension_request(
            actor=user, voice=voice, until=data["until"], reason=data["reason"]
        )
    elif action == "extend":
        services.work_order_extend(actor=user, voice=voice, until=data["until"], reason=data["reason"])
    elif action == "refuse_extension":
        services.work_order_extension_refuse(actor=user, voice=voice, reason=data["reason"])


def _action_fields(request: HttpRequest, voice: Voice, action: str) -> HttpResponse:
    if action not in selectors.voice_actions(voice, request.user):
        raise Http404
    context = {
        "voice": voice,
        "action": action,
        "label": ACTION_LABELS[action],
        "form": _action_form_new(voice, action),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "voices/_action_fields.html", context)
    return render(request, "voices/action_page.html", context)


ACTION_DONE: dict[str, Callable[[], str]] = {
    "answer": lambda: _("The answer was sent."),
    "forward": lambda: _("The voice was forwarded as a work order."),
    "refer": lambda: _("The voice was referred; the person was told why."),
    "merge": lambda: _("The voice was merged."),
    "reply": lambda: _("The reply was sent; the person will rate it."),
    "return": lambda: _("The work order was returned; the voice goes back to be routed again."),
    "request_extension": lambda: _("Your request for more time was sent."),
    "extend": lambda: _("More time was granted; the unit and the person were told."),
    "refuse_extension": lambda: _("The request for more time was refused; the unit was told."),
}


@login_required
@require_http_methods(["GET", "POST"])
def voice_action(request: HttpRequest, voice_id: int, action: str) -> HttpResponse:
    """GET: the action's fields (htmx, when the reader opens the action on the voice's page) or, without
    JavaScript, a page of its own; 404 unless the reader may take that action now. POST: run it; on
    success back to the voice, else the voice's page with this form and its errors open."""
    voice = _voice_or_404(request, voice_id)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    if request.method == "GET":
        return _action_fields(request, voice, action)
    form = (
        ForwardForm(request.POST, units=selectors.units_for_forwarding(voice))
        if form_class is ForwardForm
        else form_class(request.POST)
    )
    if form.is_valid():
        try:
            _run_action(request, voice, action, form)
        except DomainError as error:
            if error.field and error.field in form.fields:
                form.add_error(error.field, error.message)
            else:
                messages.error(request, error.message)
                return redirect("voices:detail", voice_id=voice.pk)
        else:
            messages.success(request, ACTION_DONE[action]())
            return redirect("voices:detail", voice_id=voice.pk)
    return voice_detail(request, voice_id, bound={action: form})


@login_required
@require_POST
def voice_remind(request: HttpRequest, voice_id: int) -> HttpResponse:
    voice = _voice_or_404(request, voice_id)
    try:
        services.work_order_remind(actor=request.user, voice=voice, note=request.POST.get("note", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The unit was reminded."))
    return redirect("voices:detail", voice_id=voice.pk)


@login_required
def attachment_download(request: HttpRequest, voice_id: int, attachment_id: int) -> FileResponse:
    voice = _voice_or_404(request, voice_id)
    attachment = attachments_for(voice).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
def work_orders(request: HttpRequest) -> HttpResponse:
    _require(request, "voices.list_workorder")
    show_all = request.GET.get("all") == "1"
    orders = selectors.work_orders_for_handler(request.user, open_only=not show_all)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "voices/work_orders.html", {"page": page, "today": selectors.today(), "show_all": show_all}
    )


# Staff entry on a reception day -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def voice_enter(request: HttpRequest) -> HttpResponse:
    _require(request, "voices.enter_voice")
    stations = selectors.stations_managed_by(request.user)
    day_id = request.GET.get("day", "")
    form = StaffEntryForm(
        request.POST or None,
        request.FILES or None,
        days=selectors.reception_days_held(stations),
        deputies=selectors.representatives_for_qr(),
        initial={"reception_day": day_id} if day_id.isdigit() else {},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        day = data["reception_day"]
        try:
            voice = services.voice_create(
                actor=request.user,
                channel=VoiceChannel.RECEPTION,
                text=data["text"],
                phone=data["phone"],
                name=data["name"],
                kind=data["kind"],
                addressed_to=data["addressed_to"],
                station=day.station if day else (stations.first() if stations.count() == 1 else None),
                reception_day=day,
                files=data["attachments"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _("Recorded. Give the visitor the tracking code %(code)s.") % {"code": voice.tracking_code},
            )
            return redirect("voices:detail", voice_id=voice.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "voices/enter.html", {"form": form}, status=status)


# Reception days ---------------------------------------------------------------------------


DAY_FIELDS = ("date", "start_time", "end_time", "place", "note")


def _day_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A reception-day form's cleaned data as the services take it."""
    return {**{name: data[name] for name in DAY_FIELDS}, "deputies": list(data["deputies"])}


def reception_list(request: HttpRequest) -> HttpResponse:
    """Public: the announced reception days to come."""
    days = selectors.reception_days_upcoming()
    page = Paginator(days, PAGE_SIZE).get_page(request.GET.get("page"))
    can_add = request.user.is_authenticated and request.user.has_perm("voices.add_receptionday")
    mine = selectors.reception_days_of_user(request.user) if can_add else None
    return render(
        request,
        "voices/reception_list.html",
        {"page": page, "can_add": can_add, "mine": mine, "today": selectors.today()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def reception_new(request: HttpRequest) -> HttpResponse:
    _require(request, "voices.add_receptionday")
    stations = selectors.stations_managed_by(request.user)
    form = ReceptionDayForm(
        request.POST or None, stations=stations, deputies=selectors.receiving_deputies_for(stations)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reception_day_publish(actor=request.user, station=data["station"], **_day_fields(data))
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The reception day was published."))
            return redirect("voices:reception")
    status = 400 if request.method == "POST" else 200
    return render(request, "voices/reception_new.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def reception_edit(request: HttpRequest, day_id: int) -> HttpResponse:
    day = selectors.reception_day_of(day_id)
    if day is None:
        raise Http404
    _require(request, "voices.manage_station", day.station)
    station = Body.objects.filter(pk=day.station_id)
    chosen = list(day.deputies.values_list("pk", flat=True))
    form = ReceptionDayForm(
        request.POST or None,
        stations=station,
        deputies=selectors.receiving_deputies_for(station, keep=chosen),
        initial={
            **{name: getattr(day, name) for name in DAY_FIELDS},
            "station": day.station_id,
            "deputies": chosen,
        },
    )
    form.fields["station"].disabled = True  # a day moves in time or place, not to another station
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reception_day_update(actor=request.user, day=day, **_day_fields(data))
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The reception day was changed."))
            return redirect("voices:reception")
    status = 400 if request.method == "POST" else 200
    return render(request, "voices/reception_new.html", {"form": form, "day": day}, status=status)


def reception_day(request: HttpRequest, day_id: int) -> HttpResponse:
    """Public: one reception day, who receives, and (once held) how many visits were recorded; the
    receiving deputies and the station's staff record here that it was held."""
    day = selectors.reception_day_of(day_id)
    if day is None:
        raise Http404
    context = {
        "day": day,
        "deputies": [m.person.name for m in day.deputies.select_related("person")],
        "visits": selectors.reception_day_visits(day) if day.status == ReceptionDayStatus.HELD else None,
        "can_hold": services.can_hold_reception_day(request.user, day),
        "today": selectors.today(),
    }
    return render(request, "voices/reception_day.html", context)


@login_required
@require_POST
def reception_hold(request: HttpRequest, day_id: int) -> HttpResponse:
    day = selectors.reception_day_of(day_id)
    if day is None:
        raise Http404
    try:
        services.reception_day_hold(
            actor=request.user, day=day, expected_state=request.POST.get("state") or None
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The reception day is recorded as held."))
    return redirect("voices:reception_day", day_id=day.pk)


@login_required
@require_POST
def reception_cancel(request: HttpRequest, day_id: int) -> HttpResponse:
    day = selectors.reception_day_of(day_id)
    if day is None:
        raise Http404
    try:
        services.reception_day_cancel(actor=request.user, day=day, reason=request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The reception day was cancelled."))
    return redirect("voices:reception")


# QR codes ---------------------------------------------------------------------------------


@login_required
def qr_index(request: HttpRequest) -> HttpResponse:
    _require(request, "voices.enter_voice")
    stations = selectors.stations_managed_by(request.user)
    seats = selectors.representatives_for_qr()
    page = Paginator(seats, 60).get_page(request.GET.get("page"))
    return render(request, "voices/qr_index.html", {"stations": stations, "page": page})


def qr_target_url(request: HttpRequest, kind: str, target_id: int) -> str:
    return request.build_absolute_uri(f"{reverse('voices:new')}?to={kind}:{target_id}&via=qr")


def qr_image(request: HttpRequest, kind: str, target_id: int, fmt: str) -> HttpResponse:
    """A printable QR code for a deputy, a member or a station (public: it is printed on posters)."""
    if fmt not in ("svg", "png"):
        raise Http404
    seat, station = selectors.voice_target_from(f"{kind}:{target_id}")
    if seat is None and station is None:
        raise Http404
    qr = segno.make(qr_target_url(request, kind, target_id), error="m")
    buffer = io.BytesIO()
    if fmt == "svg":
        qr.save(buffer, kind="svg", scale=8, border=2, xmldecl=True)
        content_type = "image/svg+xml"
    else:
        qr.save(buffer, kind="png", scale=10, border=2)
        content_type = "image/png"
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="voices-qr-{kind}-{target_id}.{fmt}"'
    return response


def qr_poster(request: HttpRequest, kind: str, target_id: int) -> HttpResponse:
    """A printable page with the QR code and whom it reaches."""
    seat, station = selectors.voice_target_from(f"{kind}:{target_id}")
    if seat is None and station is None:
        raise Http404
    context = {
        "seat": seat,
        "station": station,
        "kind": kind,
        "target_id": target_id,
        "url": qr_target_url(request, kind, target_id),
    }
    return render(request, "voices/qr_poster.html", context)


# Social-conditions reports ----------------------------------------------------------------


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    reports = selectors.social_reports_visible_to(request.user)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    can_add = request.user.has_perm("voices.add_socialreport")
    return render(request, "voices/report_list.html", {"page": page, "can_add": can_add})


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    _require(request, "voices.add_socialreport")
    form = SocialReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.social_report_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The report was filed."))
            return redirect("voices:report", report_id=report.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "voices/report_new.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.social_reports_visible_to(request.user).filter(pk=report_id).first()
    if report is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "adopt":
                services.social_report_adopt(
                    actor=request.user, report=report, note=request.POST.get("note", "")
                )
            elif action == "archive":
                services.social_report_archive(actor=request.user, report=report)
            else:
                raise Http404
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved."))
        return redirect("voices:report", report_id=report.pk)
    from minsheng.core.events import events_of

    context = {
        "report": report,
        "timeline": timeline_rows(events_of(report), public=False),
        "can_change": request.user.has_perm("voices.change_socialreport", report),
    }
    return render(request, "voices/report_detail.html", context)
