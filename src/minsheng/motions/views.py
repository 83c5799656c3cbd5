"""Pages of the motions app. Every action posts to ``act``, which calls exactly one service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_stubs_ext import StrOrPromise

from minsheng.core.attachments import attachments_for
from minsheng.core.errors import DomainError, NotFoundError
from minsheng.core.privacy import mask_text
from minsheng.core.search import CappedPaginator, lookahead_for
from minsheng.motions import exports, services
from minsheng.motions import forms as f
from minsheng.motions.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Motion,
    MotionKind,
    MotionStatus,
    Reply,
    Signature,
)
from minsheng.motions.selectors import (
    MotionFilters,
    dashboard_for,
    motion_detail,
    motion_proposers,
    motion_settings_for,
    motions_rows,
    motions_search,
    motions_visible_to,
    public_motion,
    public_replies,
    similar_motions,
    timeline_for,
)
from minsheng.motions.services import ASSIGNMENT_TRANSITIONS, MOTION_TRANSITIONS
from minsheng.org.models import Role
from minsheng.org.selectors import today

PAGE_SIZE = 20


def _filters(form: f.SearchForm) -> MotionFilters:
    if not form.is_valid():
        return MotionFilters()
    data = form.cleaned_data
    return MotionFilters(
        query=data["q"] or "",
        kind=data["kind"] or "",
        status=data["status"] or "",
        unit=data["unit"].pk if data["unit"] else None,
        category=data["category"] or "",
        term=data["term"],
        session=data["session"],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )


@login_required
def motion_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("motions.list_motion"):
        raise Http404
    form = f.SearchForm(request.GET or None)
    number = request.GET.get("page")
    motions = motions_search(request.user, _filters(form))
    paginator = CappedPaginator(motions, PAGE_SIZE, number, lookahead_for(request.GET.get("q")), motions_rows)
    page = paginator.get_page(number)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_draft": request.user.has_perm("motions.add_motion"),
    }
    return render(request, "motions/list.html", context)


@login_required
def motion_export(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("motions.list_motion"):
        raise Http404
    motions = motions_search(request.user, _filters(f.SearchForm(request.GET or None)))[: exports.MAX_ROWS]
    return exports.xlsx_response(list(motions))


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


# --- actions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionForm:
    name: str
    label: StrOrPromise
    form: django_forms.Form
    target: str = ""
    subject: str = ""


Runner = Callable[[Any, Motion, dict[str, Any]], Any]


def _assignment(motion: Motion, data: dict[str, Any]) -> Assignment:
    found = motion.assignments.filter(pk=data["assignment"]).select_related("motion", "unit").first()
    if found is None:
        raise NotFoundError()
    return found


def _reply(motion: Motion, data: dict[str, Any]) -> Reply:
    found = motion.replies.filter(pk=data["reply"]).select_related("motion", "assignment").first()
    if found is None:
        raise NotFoundError()
    return found


def _state(data: dict[str, Any]) -> str | None:
    return data.get("state") or None


def _run_merge(user: Any, motion: Motion, data: dict[str, Any]) -> Any:
    into = motions_visible_to(user).filter(pk=data["into"]).first()
    if into is None:
        raise NotFoundError(_("No item with this number is visible to you."))
    return services.motion_merge(actor=user, motion=motion, into=into, expected_state=_state(data))


RUNNERS: dict[str, tuple[type[django_forms.Form], Runner]] = {
    "edit": (
        f.MotionEditForm,
        lambda u, m, d: services.motion_update(actor=u, motion=m, title=d["title"], text=d["text"]),
    ),
    "invite": (f.InviteForm, lambda u, m, d: services.motion_invite(actor=u, motion=m, people=d["names"])),
    "submit": (
        f.SubmitForm,
        lambda u, m, d: services.motion_submit(
            actor=u, motion=m, as_suggestion=d["as_suggestion"], expected_state=_state(d)
        ),
    ),
    "withdraw": (
        f.StateForm,
        lambda u, m, d: services.motion_withdraw(actor=u, motion=m, expected_state=_state(d)),
    ),
    "file": (f.StateForm, lambda u, m, d: services.motion_file(actor=u, motion=m, expected_state=_state(d))),
    "decline": (
        f.DeclineForm,
        lambda u, m, d: services.motion_decline(
            actor=u, motion=m, reason=d["reason"], forward=d["forward"], expected_state=_state(d)
        ),
    ),
    "merge": (f.MergeForm, _run_merge),
    "convert": (
        f.StateForm,
        lambda u, m, d: services.motion_convert(actor=u, motion=m, expected_state=_state(d)),
    ),
    "assign": (
        f.AssignForm,
        lambda u, m, d: services.motion_assign(
            actor=u,
            motion=m,
            mode=d["mode"],
            lead_unit=d["lead_unit"],
            co_units=list(d["co_units"]),
            units=list(d["units"]),
            expected_state=_state(d),
        ),
    ),
    "reassign": (
        f.ReassignForm,
        lambda u, m, d: services.motion_reassign(actor=u, assignment=_assignment(m, d), unit=d["unit"]),
    ),
    "return": (
        f.ReturnForm,
        lambda u, m, d: services.assignment_return(
            actor=u, assignment=_assignment(m, d), reason=d["reason"], expected_state=_state(d)
        ),
    ),
    "send_views": (
        f.ViewsForm,
        lambda u, m, d: services.assignment_send_views(
            actor=u, assignment=_assignment(m, d), text=d["text"], expected_state=_state(d)
        ),
    ),
    "reply": (
        f.ReplyForm,
        lambda u, m, d: services.assignment_reply(
            actor=u,
            assignment=_assignment(m, d),
            category=d["category"],
            text=d["text"],
            expected_state=_state(d),
        ),
    ),
    "request_extension": (
        f.ExtensionRequestForm,
        lambda u, m, d: services.assignment_extension_request(
            actor=u, assignment=_assignment(m, d), until=d["until"], reason=d["reason"]
        ),
    ),
    "extend": (
        f.ExtendForm,
        lambda u, m, d: services.assignment_extend(
            actor=u,
            assignment=_assignment(m, d),
            until=d["until"],
            reason=d["reason"],
            expected_state=_state(d),
        ),
    ),
    "review_category": (
        f.ReviewForm,
        lambda u, m, d: services.reply_review(actor=u, reply=_reply(m, d), category=d["category"]),
    ),
    "disclose": (
        f.DiscloseForm,
        lambda u, m, d: services.reply_disclose(
            actor=u, reply=_reply(m, d), disclosure=d["disclosure"], summary=d["summary"]
        ),
    ),
    "rate": (
        f.RateForm,
        lambda u, m, d: services.motion_rate(
            actor=u,
            motion=m,
            overall=d["overall"],
            process=d["process"],
            result=d["result"],
            comment=d["comment"],
            expected_state=_state(d),
        ),
    ),
    "supervise": (
        f.SuperviseForm,
        lambda u, m, d: services.motion_supervise(actor=u, motion=m, leader=d["leader"], note=d["note"]),
    ),
}

LABELS: dict[str, StrOrPromise] = {
    "edit": gettext_lazy("Edit the draft"),
    "invite": gettext_lazy("Invite co-signers"),
    "submit": gettext_lazy("Submit"),
    "withdraw": gettext_lazy("Withdraw"),
    "file": gettext_lazy("File this item"),
    "decline": gettext_lazy("Do not file"),
    "merge": gettext_lazy("Merge into another item"),
    "convert": gettext_lazy("Convert into a suggestion"),
    "assign": gettext_lazy("Assign"),
    "reassign": gettext_lazy("Give the returned part to another unit"),
    "return": gettext_lazy("Return as misassigned"),
    "send_views": gettext_lazy("Send views to the lead unit"),
    "reply": gettext_lazy("Reply"),
    "extend": gettext_lazy("Approve an extension"),
    "request_extension": gettext_lazy("Ask for more time"),
    "review_category": gettext_lazy("Review the category"),
    "disclose": gettext_lazy("Public disclosure"),
    "rate": gettext_lazy("Rate the reply"),
    "supervise": gettext_lazy("Key supervision"),
}


def _form_kwargs(name: str, motion: Motion) -> dict[str, Any]:
    if name == "invite":
        role = Role.CPPCC_MEMBER if motion.kind == MotionKind.PROPOSAL else Role.DEPUTY
        return {"role": role, "term_id": motion.term_id}
    if name in ("assign", "reassign"):
        return {"jurisdiction_id": motion.jurisdiction_id}
    if name == "reply":
        return {"categories": motion_settings_for(motion.jurisdiction).categories}
    return {}


def _make(
    name: str,
    motion: Motion,
    data: Any = None,
    initial: dict[str, Any] | None = None,
    target: str = "",
    subject: str = "",
) -> ActionForm:
    form_class, _runner = RUNNERS[name]
    form = form_class(
        data,
        initial={"state": motion.status, **(initial or {})},
        prefix=f"{name}{target}",
        **_form_kwargs(name, motion),
    )
    return ActionForm(name=name, label=LABELS[name], form=form, target=target, subject=subject)


def _assignment_action_fits(name: str, assignment: Assignment, motion: Motion) -> bool:
    """Only the forms that make sense for this unit's part now (the services enforce the same)."""
    if name == "reopen":
        return False
    if name == "reply":
        return assignment.role != AssignmentRole.CO
    if name == "send_views":
        return assignment.role == AssignmentRole.CO
    if name == "return":
        return motion.status == MotionStatus.ASSIGNED and today() <= assignment.return_by
    return True


SUPERVISE_CLOSED_STATES = (
    MotionStatus.DRAFT,
    MotionStatus.CLOSED,
    MotionStatus.DECLINED,
    MotionStatus.MERGED,
    MotionStatus.WITHDRAWN,
)


def available_actions(user: Any, motion: Motion) -> list[ActionForm]:
    """The forms the user may use on the motion now (the same predicates the services check)."""
    actions: list[ActionForm] = []
    for name in MOTION_TRANSITIONS.allowed_actions(motion, user):
        if name == "convert" and motion.kind != MotionKind.BILL:
            continue
        if name in RUNNERS and name not in ("review_category",):
            actions.append(_make(name, motion))
    if motion.status == MotionStatus.DRAFT and user.has_perm("motions.change_motion", motion):
        actions.insert(0, _make("edit", motion, initial={"title": motion.title, "text": motion.text}))
        actions.insert(1, _make("invite", motion))
    if motion.status == MotionStatus.ASSIGNED and user.has_perm("motions.assign_motion", motion):
        actions = [a for a in actions if a.name != "reassign"]
        for a in motion.assignments.all():
            if a.status == AssignmentStatus.RETURNED and not a.replacement_id:
                actions.append(
                    _make(
                        "reassign",
                        motion,
                        initial={"assignment": a.pk},
                        target=str(a.pk),
                        subject=a.unit.name,
                    )
                )
    handling = motion.status in services.HANDLING_STATES
    for a in motion.assignments.all() if handling else []:
        for name in ASSIGNMENT_TRANSITIONS.allowed_actions(a, user):
            if not _assignment_action_fits(name, a, motion):
                continue
            initial: dict[str, Any] = {"assignment": a.pk, "state": a.status}
            if name == "extend" and a.extension_requested_to:
                initial |= {"until": a.extension_requested_to, "reason": a.extension_request_reason}
            actions.append(_make(name, motion, initial=initial, target=str(a.pk), subject=a.unit.name))
            if name == "reply":
                actions.append(
                    _make("request_extension", motion, initial=initial, target=str(a.pk), subject=a.unit.name)
                )
    if user.has_perm("motions.review_motion", motion) and motion.status in services.DISCLOSABLE_STATES:
        for reply in motion.replies.all():
            if motion.status == MotionStatus.REPLIED and reply.round == motion.round:
                actions.append(
                    _make(
                        "review_category",
                        motion,
                        initial={"reply": reply.pk, "category": reply.final_category},
                        target=str(reply.pk),
                        subject=reply.assignment.unit.name,
                    )
                )
            actions.append(
                _make(
                    "disclose",
                    motion,
                    initial={"reply": reply.pk, "disclosure": reply.disclosure or "full"},
                    target=str(reply.pk),
                    subject=_("%(unit)s, round %(n)s")
                    % {"unit": reply.assignment.unit.name, "n": reply.round},
                )
            )
    if (
        motion.status not in SUPERVISE_CLOSED_STATES
        and user.has_perm("motions.supervise_motion", motion)
        and not hasattr_key(motion)
    ):
        actions.append(_make("supervise", motion))
    if motion.status == MotionStatus.REPLIED and user.has_perm("motions.rate_motion", motion):
        rated = any(
            e.round == motion.round and e.proposer_id == user.person_id for e in motion.evaluations.all()
        )
        actions = [a for a in actions if a.name not in ("rehandle", "follow_up", "close")]
        if not rated:
            actions.append(_make("rate", motion))
    return [a for a in actions if a.name in RUNNERS]


def hasattr_key(motion: Motion) -> bool:
    try:
        return motion.key_supervision is not None
    except Motion.key_supervision.RelatedObjectDoesNotExist:
        return False


@login_required
def motion_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    motion = motion_detail(request.user, pk)
    if motion is None:
        raise Http404
    return _render_detail(request, motion)


SIMILAR_STATES = (MotionStatus.DRAFT, MotionStatus.SUBMITTED, MotionStatus.FILED)


def _render_detail(
    request: HttpRequest, motion: Motion, failed: ActionForm | None = None, status: int = 200
) -> HttpResponse:
    actions = available_actions(request.user, motion)
    if failed is not None:
        actions = [failed if (a.name, a.target) == (failed.name, failed.target) else a for a in actions]
    user = request.user
    # Similar items matter while the item is drafted, reviewed or may still be merged; later they
    # would only cost a TF-IDF pass on every page view.
    show_similar = motion.status in SIMILAR_STATES and (
        user.has_perm("motions.review_motion", motion) or user.has_perm("motions.change_motion", motion)
    )
    similar = (
        similar_motions(
            text=f"{motion.title} {motion.text}",
            jurisdiction_id=motion.jurisdiction_id,
            kind=motion.kind,
            exclude=motion.pk,
        )
        if show_similar
        else []
    )
    invitation = None
    person_id = getattr(user, "person_id", None)
    if motion.status == MotionStatus.DRAFT and person_id:
        invitation = next(
            (s for s in motion.signatures.all() if s.person_id == person_id and s.status == "invited"),
            None,
        )
    context = {
        "motion": motion,
        "actions": actions,
        "timeline": timeline_for(motion),
        "similar": similar,
        "proposers": motion_proposers(motion),
        "attachments": list(attachments_for(motion)),
        "invitation": invitation,
        "signature_form": f.SignatureForm(),
        "failed": failed,
        "can_export": user.has_perm("motions.review_motion", motion)
        or user.has_perm("motions.reply_motion", motion)
        or user.has_perm("motions.rate_motion", motion),
    }
    return render(request, "motions/detail.html", context, status=status)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    motion = motion_detail(request.user, pk)
    if motion is None or action not in RUNNERS:
        raise Http404
    target = request.POST.get("_target", "")
    action_form = _make(action, motion, data=request.POST, target=target)
    form = action_form.form
    if form.is_valid():
        _form_class, runner = RUNNERS[action]
        try:
            runner(request.user, motion, form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": LABELS[action]})
            return redirect("motions:detail", pk=motion.pk)
    fresh = motion_detail(request.user, pk)
    if fresh is None:
        raise Http404
    return _render_detail(request, fresh, failed=action_form, status=400)


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


@login_required
def reply_letter(request: HttpRequest, pk: int, reply_id: int) -> HttpResponse:
    motion = motion_detail(request.user, pk)
    reply = next((r for r in motion.replies.all() if r.pk == reply_id), None) if motion else None
    if motion is None or reply is None:
        raise Http404
    return exports.reply_letter_response(motion, reply, motion_proposers(motion))


@login_required
def handling_report(request: HttpRequest, pk: int) -> HttpResponse:
    motion = motion_detail(request.user, pk)
    if motion is None:
        raise Http404
    return exports.handling_report_response(motion, timeline_for(motion))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("motions.view_dashboard"):
        raise Http404
    board = dashboard_for(request.user)
    charts = {
        "months": list(board.by_month.keys()),
        "volumes": list(board.by_month.values()),
        "satisfaction": [
            {"name": str(label), "value": board.satisfaction.get(key, 0)} for key, label in _ratings()
        ],
        "categories": [{"name": key, "value": value} for key, value in board.categories.items()],
        "units": [row["unit"] for row in board.units],
        "unit_replies": [row["replies"] for row in board.units],
        "unit_on_time": [row["on_time"] for row in board.units],
        "unit_categories": [
            {"name": key, "data": [row["categories"].get(key, 0) for row in board.units]}
            for key in sorted({k for row in board.units for k in row["categories"]})
        ],
        "rating_months": list(board.satisfaction_by_month),
        "rating_series": [
            {
                "name": str(label),
                "data": [month.get(key, 0) for month in board.satisfaction_by_month.values()],
            }
            for key, label in _ratings()
        ],
    }
    return render(request, "motions/dashboard.html", {"board": board, "charts_json": charts})


def _ratings() -> list[tuple[str, StrOrPromise]]:
    from minsheng.motions.models import Rating

    return list(Rating.choices)


# --- public pages ------------------------------------------------------------------------------


def public_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(public_replies(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "reply": r,
            "motion": r.motion,
            "text": mask_text(r.summary if r.disclosure == "summary" else r.text)[:200],
        }
        for r in page.object_list
    ]
    return render(request, "motions/public_list.html", {"page": page, "rows": rows})


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = public_motion(pk)
    if found is None:
        raise Http404
    motion, replies = found
    shown = [
        {"reply": r, "text": mask_text(r.summary if r.disclosure == "summary" else r.text)} for r in replies
    ]
    return render(
        request,
        "motions/public_detail.html",
        {"motion": motion, "title": mask_text(motion.title), "replies": shown},
    )
