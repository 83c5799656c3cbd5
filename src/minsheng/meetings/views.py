"""Pages of the meetings app. They read through selectors, write through services, hold no workflow.

- Staff: meetings, agenda, documents, roster (leave, clerk sign-in), polls, the door QR screen.
- The chair: the console (open, close, announce; who has not voted — a count for secret polls).
- Members: their meeting, leave, sign-in, the phone voting page (big buttons, a confirmation, a
  client key so that a resubmitted form counts once).
- The hall screen: a kiosk URL with the meeting's screen key, refreshed by htmx every second.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minsheng.core.errors import DomainError
from minsheng.core.exports import DOCX_TYPE, XLSX_TYPE, download
from minsheng.core.models import Attachment
from minsheng.meetings import documents, forms, selectors, services
from minsheng.meetings.models import (
    AgendaItem,
    Attendee,
    Document,
    Meeting,
    MeetingStatus,
    Poll,
    PollKind,
    SignInMethod,
    VoteValue,
)
from minsheng.motions import services as motions
from minsheng.org.models import Person

SCREEN_REFRESH_SECONDS = 1


def _meeting_or_404(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.meeting_detail(request.user, pk)
    if meeting is None:
        raise Http404
    return meeting


def _poll_or_404(request: HttpRequest, pk: int) -> Poll:
    poll = selectors.poll_detail(request.user, pk)
    if poll is None:
        raise Http404
    return poll


def _require(request: HttpRequest, permission: str, obj: Any) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def _attempt(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Run a service; show its refusal (in the user's language) or the success message."""
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


def _word(data: bytes, name: str) -> HttpResponse:
    return download(data, content_type=DOCX_TYPE, filename=name)


# Meetings -----------------------------------------------------------------------------------------


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = list(selectors.meetings_visible_to(request.user)[:100])
    return render(
        request,
        "meetings/list.html",
        {"meetings": meetings, "can_add": request.user.has_perm("meetings.add_meeting")},
    )


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    _require(request, "meetings.add_meeting", None)
    form = forms.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = _meeting_data(form)
        try:
            meeting = services.meeting_create(actor=request.user, body=form.cleaned_data["body"], data=data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The meeting is drafted. Add its agenda, then notify the members."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/edit.html", {"form": form, "meeting": None})


def _meeting_data(form: forms.MeetingForm) -> services.MeetingIn:
    data = form.cleaned_data
    return services.MeetingIn(
        kind=data["kind"],
        title=data["title"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        venue=data["venue"],
        description=data["description"],
    )


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    _require(request, "meetings.change_meeting", meeting)
    initial = {field: getattr(meeting, field) for field in ("kind", "title", "starts_on", "ends_on", "venue")}
    form = forms.MeetingForm(
        request.POST or None, initial={**initial, "body": meeting.body, "description": meeting.description}
    )
    form.fields["body"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(actor=request.user, meeting=meeting, data=_meeting_data(form))
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/edit.html", {"form": form, "meeting": meeting})


@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    user = request.user
    knows = user.has_perm("meetings.view_roster", meeting)
    seat = selectors.own_seat(user, meeting)
    context = {
        "meeting": meeting,
        "agenda": selectors.agenda(meeting, public_only=not knows),
        "knows": knows,
        "counts": services.attendance_counts(meeting)
        if knows or meeting.status == MeetingStatus.PUBLISHED
        else None,
        "seat": seat,
        "open_poll": selectors.open_poll(meeting) if seat is not None else None,
        "actions": services.MEETING_TRANSITIONS.allowed_actions(meeting, user),
        "can_change": user.has_perm("meetings.change_meeting", meeting)
        and meeting.status in services.MEETING_EDIT_STATES,
        "can_console": user.has_perm("meetings.view_console", meeting),
        "can_results": user.has_perm("meetings.view_results", meeting),
        "leave_form": forms.LeaveForm(),
        "item_form": forms.ItemForm(),
        "appointments": selectors.appointments_of(meeting),
    }
    return render(request, "meetings/detail.html", context)


TRANSITION_SERVICES = {
    "notify": services.meeting_notify,
    "open": services.meeting_open,
    "close": services.meeting_close,
    "publish": services.meeting_publish,
}
TRANSITION_MESSAGES = {
    "notify": _("The members are notified."),
    "open": _("The meeting is in session: members can sign in."),
    "close": _("The meeting is closed."),
    "publish": _("The meeting is published."),
}


@require_POST
@login_required
def meeting_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    service = TRANSITION_SERVICES.get(action)
    if service is None:
        raise Http404
    expected = request.POST.get("state") or None
    _attempt(
        request,
        lambda: service(actor=request.user, meeting=meeting, expected_state=expected),
        str(TRANSITION_MESSAGES[action]),
    )
    return redirect("meetings:detail", pk=meeting.pk)


# Agenda and documents -----------------------------------------------------------------------------


@require_POST
@login_required
def item_new(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    form = forms.ItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("meetings:detail", pk=meeting.pk)
    parent_id = form.cleaned_data.get("parent")
    parent = AgendaItem.objects.filter(pk=parent_id, meeting=meeting).first() if parent_id else None
    _attempt(
        request,
        lambda: services.item_add(
            actor=request.user,
            meeting=meeting,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            parent=parent,
        ),
        _("The item is on the agenda."),
    )
    return redirect("meetings:detail", pk=meeting.pk)


def _item_or_404(request: HttpRequest, pk: int) -> AgendaItem:
    item = get_object_or_404(AgendaItem.objects.select_related("meeting", "meeting__body"), pk=pk)
    if not request.user.has_perm("meetings.view_meeting", item.meeting):
        raise Http404
    return item


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff's page of an item: its documents (upload, versions) and its polls (prepare)."""
    item = _item_or_404(request, pk)
    _require(request, "meetings.change_meeting", item)
    document_form = forms.DocumentForm(request.POST or None, request.FILES or None)
    poll_form = forms.PollForm(initial={"kind": _default_poll_kind(item), "title": item.title})
    if request.method == "POST" and document_form.is_valid():
        data = document_form.cleaned_data
        if _attempt(
            request,
            lambda: services.document_add(
                actor=request.user, item=item, title=data["title"], upload=data["file"], public=data["public"]
            ),
            _("The document is uploaded."),
        ):
            return redirect("meetings:item", pk=item.pk)
    views = [
        v for top in selectors.agenda(item.meeting) for v in [top, *top.children] if v.item.pk == item.pk
    ]
    return render(
        request,
        "meetings/item.html",
        {
            "item": item,
            "meeting": item.meeting,
            "view": views[0] if views else None,
            "document_form": document_form,
            "version_form": forms.VersionForm(),
            "poll_form": poll_form,
        },
    )


def _default_poll_kind(item: AgendaItem) -> str:
    return {"election": PollKind.ELECTION, "appointment": PollKind.APPOINTMENT}.get(
        item.kind, PollKind.DECISION
    )


@require_POST
@login_required
def document_version(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(Document.objects.select_related("item__meeting__body"), pk=pk)
    form = forms.VersionForm(request.POST, request.FILES)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.document_version_add(
                actor=request.user, document=document, upload=form.cleaned_data["file"]
            ),
            _("The new version is uploaded."),
        )
    else:
        messages.error(request, _("Choose a file."))
    return redirect("meetings:item", pk=document.item_id)


@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """A version of a document: members before the meeting, the public once published (if public)."""
    attachment = get_object_or_404(Attachment, pk=pk)
    document = Document.objects.select_related("item__meeting__body").filter(pk=attachment.owner_id).first()
    if (
        document is None
        or attachment.owner_type.model_class() is not Document
        or not request.user.has_perm("meetings.view_document", document)
    ):
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


# Roster, leave and sign-in ------------------------------------------------------------------------


@login_required
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    _require(request, "meetings.view_roster", meeting)
    return render(
        request,
        "meetings/roster.html",
        {
            "meeting": meeting,
            "roster": selectors.roster(meeting),
            "counts": services.attendance_counts(meeting),
            "can_run": request.user.has_perm("meetings.sign_in_others", meeting),
        },
    )


@require_POST
@login_required
def roster_sign_in(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    person = Person.objects.filter(pk=request.POST.get("person") or 0).first()
    _attempt(
        request,
        lambda: services.attendee_sign_in(
            actor=request.user, meeting=meeting, method=SignInMethod.CLERK, person=person
        ),
        _("Signed in."),
    )
    return redirect("meetings:roster", pk=meeting.pk)


@require_POST
@login_required
def roster_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    person = Person.objects.filter(pk=request.POST.get("person") or 0).first()
    if person is None:
        messages.error(request, _("Choose a person."))
    else:
        _attempt(
            request,
            lambda: services.attendee_add(
                actor=request.user, meeting=meeting, person=person, capacity=request.POST.get("capacity", "")
            ),
            _("Added to the roster without a vote."),
        )
    return redirect("meetings:roster", pk=meeting.pk)


@require_POST
@login_required
def leave_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    attendee = get_object_or_404(Attendee.objects.select_related("meeting__body", "person"), pk=pk)
    if not request.user.has_perm("meetings.view_meeting", attendee.meeting):
        raise Http404
    note = request.POST.get("note", "")

    def decide(approve: bool) -> Any:
        return services.leave_decide(actor=request.user, attendee=attendee, approve=approve, note=note)

    if action == "approve":
        _attempt(request, lambda: decide(True), _("Leave approved."))
    elif action == "refuse":
        _attempt(request, lambda: decide(False), _("Leave refused."))
    elif action == "revoke":
        _attempt(
            request,
            lambda: services.leave_revoke(actor=request.user, attendee=attendee),
            _("Leave cancelled."),
        )
    else:
        raise Http404
    return redirect("meetings:roster", pk=attendee.meeting_id)


@require_POST
@login_required
def leave_request(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    if request.POST.get("withdraw"):
        _attempt(request, lambda: services.leave_withdraw(actor=request.user, meeting=meeting),
                 _("Your request for leave is withdrawn."))  # fmt: skip
    else:
        _attempt(
            request,
            lambda: services.leave_request(
                actor=request.user, meeting=meeting, reason=request.POST.get("reason", "")
            ),
            _("Your request for leave is sent to the staff."),
        )
    return redirect("meetings:detail", pk=meeting.pk)


@require_POST
@login_required
def sign_in(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    _attempt(
        request,
        lambda: services.attendee_sign_in(actor=request.user, meeting=meeting, method=SignInMethod.PHONE),
        _("You are signed in."),
    )
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
def door(request: HttpRequest, pk: int) -> HttpResponse:
    """The door screen: a QR code that changes every 30 seconds (a photo of it soon stops working)."""
    meeting = _meeting_or_404(request, pk)
    _require(request, "meetings.sign_in_others", meeting)
    return render(request, "meetings/door.html", {"meeting": meeting, **_door_context(request, meeting)})


def _door_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    url = request.build_absolute_uri(reverse("meetings:checkin") + "?t=" + services.checkin_token(meeting))
    qr = segno.make(url, error="m")
    return {
        "qr_svg": qr.svg_inline(scale=8, title=_("Sign-in code")),
        "counts": services.attendance_counts(meeting),
    }


@login_required
@require_GET
def door_live(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    _require(request, "meetings.sign_in_others", meeting)
    return render(request, "meetings/_door.html", {"meeting": meeting, **_door_context(request, meeting)})


@login_required
def checkin(request: HttpRequest) -> HttpResponse:
    """Where the door QR code leads: the member confirms, and is signed in (method: QR)."""
    token = request.POST.get("t") or request.GET.get("t", "")
    try:
        meeting_id = services.checkin_meeting_id(token)
    except DomainError as error:
        return render(request, "meetings/checkin.html", {"error": error.message}, status=400)
    meeting = selectors.meeting_detail(request.user, meeting_id)
    if meeting is None:
        return render(
            request,
            "meetings/checkin.html",
            {"error": _("You are not on the roster of this meeting.")},
            status=403,
        )
    if request.method == "POST" and _attempt(
        request,
        lambda: services.attendee_sign_in(actor=request.user, meeting=meeting, method=SignInMethod.QR),
        _("You are signed in."),
    ):
        return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/checkin.html", {"meeting": meeting, "token": token})


# Polls: preparation, console, results -------------------------------------------------------------


@require_POST
@login_required
def poll_new(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    form = forms.PollForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("meetings:item", pk=item.pk)
    data = form.cleaned_data
    poll_in = services.PollIn(
        title=data["title"],
        kind=data["kind"],
        secret={"": None, "1": True, "0": False}[data["secret"] or ""],
        seats=data["seats"],
        mode=data["mode"],
        nominees=form.nominee_list(),
    )
    _attempt(
        request,
        lambda: services.poll_create(actor=request.user, item=item, data=poll_in),
        _("The vote is prepared."),
    )
    return redirect("meetings:item", pk=item.pk)


@require_GET
def poll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _poll_or_404(request, pk)
    user = request.user
    show = user.has_perm("meetings.view_results", poll) and poll.status in selectors.PUBLIC_POLL_STATES
    return render(
        request,
        "meetings/poll.html",
        {
            "poll": poll,
            "meeting": poll.meeting,
            "show_result": show,
            "sentence": documents.result_sentence(poll) if show else "",
            "actions": services.POLL_TRANSITIONS.allowed_actions(poll, user),
            "can_change": user.has_perm("meetings.change_poll", poll),
            "can_export": user.has_perm("meetings.export_roll_call", poll) and not poll.secret,
            "hands_form": forms.HandsForm(),
            "further_round": show
            and poll.kind == PollKind.ELECTION
            and poll.result.get("further_round_seats"),
        },
    )


POLL_SERVICES: dict[str, Callable[..., Any]] = {
    "open": services.poll_open,
    "close": services.poll_close,
    "announce": services.poll_announce,
}
POLL_MESSAGES = {
    "open": _("Voting is open."),
    "close": _("Voting is closed; the result is computed."),
    "announce": _("The result is announced."),
}


@require_POST
@login_required
def poll_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    poll = _poll_or_404(request, pk)
    back = request.POST.get("next", "")
    if action in POLL_SERVICES:
        expected = request.POST.get("state") or None
        service = POLL_SERVICES[action]
        _attempt(
            request,
            lambda: service(actor=request.user, poll=poll, expected_state=expected),
            str(POLL_MESSAGES[action]),
        )
    elif action == "hands":
        form = forms.HandsForm(request.POST)
        if form.is_valid():
            counts = form.cleaned_data
            _attempt(
                request,
                lambda: services.show_of_hands_record(actor=request.user, poll=poll, **counts),
                _("The show-of-hands result is recorded."),
            )
        else:
            messages.error(request, _("Enter the three counts."))
    elif action == "further_round":
        _attempt(request, lambda: services.further_round_create(actor=request.user, poll=poll),
                 _("The further round is prepared."))  # fmt: skip
    elif action == "delete":
        if _attempt(
            request, lambda: services.poll_delete(actor=request.user, poll=poll), _("The vote is removed.")
        ):
            return redirect("meetings:item", pk=poll.item_id)
    else:
        raise Http404
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("meetings:poll", pk=poll.pk)


@login_required
@require_GET
def console(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    _require(request, "meetings.view_console", meeting)
    return render(
        request, "meetings/console.html", {"meeting": meeting, **_console_context(request, meeting)}
    )


def _console_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    counts = services.attendance_counts(meeting)
    current = selectors.open_poll(meeting)
    return {
        "counts": counts,
        "current": current,
        "progress": selectors.poll_progress(current, counts) if current else None,
        "polls": selectors.polls_of(meeting),
        "latest": selectors.latest_result(meeting),
        "screen_url": reverse("meetings:screen", args=[meeting.pk, meeting.screen_key]),
    }


@login_required
@require_GET
def console_live(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    _require(request, "meetings.view_console", meeting)
    return render(
        request, "meetings/_console_live.html", {"meeting": meeting, **_console_context(request, meeting)}
    )


# The hall screen ----------------------------------------------------------------------------------


def _screen_meeting(pk: int, key: str) -> Meeting:
    meeting = selectors.meeting_for_screen(pk, key)
    if meeting is None:
        raise Http404
    return meeting


def _screen_context(meeting: Meeting) -> dict[str, Any]:
    current = selectors.open_poll(meeting)
    counts = services.attendance_counts(meeting)
    latest = selectors.latest_result(meeting) if current is None else None
    return {
        "meeting": meeting,
        "counts": counts,
        "current": current,
        "progress": selectors.poll_progress(current, counts) if current else None,
        "latest": latest,
        "sentence": documents.result_sentence(latest) if latest else "",
        "refresh": SCREEN_REFRESH_SECONDS,
    }


@require_GET
def screen(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """The hall screen (大屏): attendance, the vote in progress, the result after the close."""
    meeting = _screen_meeting(pk, key)
    return render(request, "meetings/screen.html", _screen_context(meeting))


@require_GET
def screen_live(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    meeting = _screen_meeting(pk, key)
    response = render(request, "meetings/_screen_live.html", _screen_context(meeting))
    response["Cache-Control"] = "no-store"
    return response


# Voting on the phone ------------------------------------------------------------------------------


@login_required
@require_GET
def vote_current(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's voting entry for a meeting: the open poll, or a page that waits for one."""
    meeting = _meeting_or_404(request, pk)
    current = selectors.open_poll(meeting)
    if current is not None and not getattr(request, "htmx", False):
        return redirect("meetings:vote", pk=current.pk)
    template = "meetings/_vote_wait.html" if getattr(request, "htmx", False) else "meetings/vote_wait.html"
    response = render(request, template, {"meeting": meeting, "current": current})
    if getattr(request, "htmx", False) and current is not None:
        response["HX-Redirect"] = reverse("meetings:vote", args=[current.pk])
    return response


def _vote_choice(poll: Poll, post: Any) -> Any:
    """The ballot as the form sent it (the service checks it)."""
    if poll.kind == PollKind.DECISION or poll.mode == "together":
        return post.get("choice", "")
    rows = {str(n.pk): post.get(f"row-{n.pk}") for n in poll.nominees.all() if post.get(f"row-{n.pk}")}
    write_ins = [name for name in post.getlist("write_in") if name.strip()]
    return {"rows": rows, "write_ins": write_ins}


@login_required
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the ballot; POST without ``confirm``: the confirmation; POST with it: the submission.

    The client key is made when the confirmation is shown and travels in the form, so a submission
    resent by the browser (a bad connection, a double tap) is counted once.
    """
    poll = _poll_or_404(request, pk)
    user = request.user
    context: dict[str, Any] = {"poll": poll, "meeting": poll.meeting, "values": VoteValue.choices}
    if request.method == "POST":
        choice = _vote_choice(poll, request.POST)
        if request.POST.get("confirm"):
            try:
                services.ballot_submit(
                    actor=user, poll_id=poll.pk, choice=choice, client_key=request.POST.get("client_key", "")
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Your vote is counted. You may change it until voting closes.")
                                 if poll.allow_change else _("Your vote is counted."))  # fmt: skip
                return redirect("meetings:vote", pk=poll.pk)
        else:
            try:
                clean = services.ballot_check(actor=user, poll_id=poll.pk, choice=choice)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                context.update(confirm=True, choice=clean, client_key=secrets.token_urlsafe(16),
                               summary=_ballot_summary(poll, clean))  # fmt: skip
                return render(request, "meetings/vote.html", context)
    mine = selectors.my_ballot(user, poll)
    context.update(
        voted=selectors.has_voted(user, poll),
        mine=_ballot_summary(poll, mine) if mine is not None else [],
        seat=selectors.own_seat(user, poll.meeting),
    )
    return render(request, "meetings/vote.html", context)


def _ballot_summary(poll: Poll, choice: Any) -> list[tuple[str, str]]:
    """What the ballot says, as (what, value label) lines for the confirmation and the receipt."""
    labels = dict(VoteValue.choices)
    if isinstance(choice, str):
        return [(poll.title, str(labels.get(choice, choice)))]
    names = {str(n.pk): n.name for n in poll.nominees.all()}
    lines = [
        (names.get(key, key), str(labels.get(value, value)))
        for key, value in (choice.get("rows") or {}).items()
    ]
    lines += [(name, _("written in")) for name in choice.get("write_ins") or []]
    return lines


# Documents out ------------------------------------------------------------------------------------


@login_required
@require_GET
def minutes_docx(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    _require(request, "meetings.view_roster", meeting)
    return _word(documents.minutes_docx(meeting), f"{meeting.title}会议纪要.docx")


@require_GET
def resolution_docx(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _poll_or_404(request, pk)
    if not (request.user.has_perm("meetings.view_results", poll) and poll.passed and poll.closed_at):
        raise Http404
    return _word(documents.resolution_docx(poll), f"{poll.title}.docx")


@login_required
@require_GET
def roll_call_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _poll_or_404(request, pk)
    _require(request, "meetings.export_roll_call", poll)
    if poll.secret or poll.status not in selectors.PUBLIC_POLL_STATES:
        raise Http404
    return download(
        documents.roll_call_xlsx(poll), content_type=XLSX_TYPE, filename=f"{poll.title}记名表决.xlsx"
    )


@login_required
@require_GET
def certificate_docx(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.appointment_detail(request.user, pk)
    if record is None:
        raise Http404
    _require(request, "meetings.change_appointment", record)
    return _word(documents.certificate_docx(record), f"{record.name}任命书.docx")


@require_POST
@login_required
def oath(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.appointment_detail(request.user, pk)
    if record is None:
        raise Http404
    form = forms.OathForm(request.POST)
    if form.is_valid():
        _attempt(request, lambda: services.appointment_oath_record(actor=request.user, appointment=record,
                                                                  on=form.cleaned_data["on"]),
                 _("The oath is recorded."))  # fmt: skip
    else:
        messages.error(request, _("Enter the date of the oath."))
    return redirect("meetings:detail", pk=record.nominee.poll.meeting_id)


@login_required
@require_GET
def bills(request: HttpRequest) -> HttpResponse:
    """Bills awaiting the decision of the presidium or the chair's meeting: agenda, committee, suggestion."""
    pending = selectors.bills_awaiting_decision(request.user)
    if not pending and not request.user.has_perm("meetings.add_meeting"):
        raise PermissionDenied
    return render(
        request,
        "meetings/bills.html",
        {
            "bills": pending,
            "meetings": list(selectors.meetings_for_bills(request.user)[:50]),
            "committees": list(selectors.special_committees({bill.jurisdiction_id for bill in pending})),
        },
    )


@require_POST
@login_required
def bill_decide(request: HttpRequest, pk: int) -> HttpResponse:
    bill = next((b for b in selectors.bills_awaiting_decision(request.user) if b.pk == pk), None)
    if bill is None:
        raise Http404
    decision, decided_by = request.POST.get("decision", ""), request.POST.get("decided_by", "")
    expected = request.POST.get("state") or None
    if decision == "agenda":
        meeting = (
            selectors.meetings_for_bills(request.user).filter(pk=request.POST.get("meeting") or 0).first()
        )
        if meeting is None:
            messages.error(request, _("Choose the meeting."))
        else:
            _attempt(
                request,
                lambda: motions.bill_put_on_agenda(
                    actor=request.user,
                    motion=bill,
                    meeting=meeting,
                    decided_by=decided_by,
                    expected_state=expected,
                ),
                _("The bill is on the agenda; its signers are told."),
            )
    elif decision == "refer":
        committee = selectors.special_committees({bill.jurisdiction_id}).filter(
            pk=request.POST.get("committee") or 0
        )
        if not committee.exists():
            messages.error(request, _("Choose the special committee."))
        else:
            _attempt(
                request,
                lambda: motions.bill_refer(
                    actor=request.user,
                    motion=bill,
                    committee=committee.get(),
                    decided_by=decided_by,
                    expected_state=expected,
                ),
                _("The bill is referred to the committee; its signers are told."),
            )
    elif decision == "suggestion":
        _attempt(
            request,
            lambda: motions.motion_convert(actor=request.user, motion=bill, expected_state=expected),
            _("The bill will be handled as a suggestion; its signers are told."),
        )
    else:
        messages.error(request, _("Choose a decision."))
    return redirect("meetings:bills")


@login_required
@require_GET
def my_meetings(request: HttpRequest) -> HttpResponse:
    person_id = getattr(request.user, "person_id", None)
    return render(
        request,
        "meetings/mine.html",
        {
            "meetings": list(selectors.meetings_of_person(person_id)[:50]),
            "record": list(selectors.attendance_record(person_id)[:50]) if person_id else [],
        },
    )
