"""A motion's page, the one endpoint every action form is opened from (GET) and posts to, and its
documents (letter, report)."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from minsheng.core.attachments import attachments_listed
from minsheng.core.errors import DomainError
from minsheng.core.events import event_chain_version
from minsheng.motions import exports, services
from minsheng.motions.models import (
    Motion,
    MotionStatus,
)
from minsheng.motions.selectors import (
    motion_detail,
    motion_ids_visible_to,
    motion_proposers,
    similar_motions,
    timeline_for,
)
from minsheng.motions.views.actions import (
    LABELS,
    RUNNERS,
    ActionForm,
    action_form_make,
    action_with_form,
    available_action,
    available_actions,
)
from minsheng.org.selectors import today


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
        # The form sent back comes open with its data and errors; the others load when opened.
        actions = [
            replace(a, form=failed.form) if (a.name, a.target) == (failed.name, failed.target) else a
            for a in actions
        ]
    user = request.user
    # Similar items matter while the item is drafted, reviewed or may still be merged; later they
    # would only cost a TF-IDF pass on every page view.
    show_similar = motion.status in SIMILAR_STATES and (
        user.has_perm("motions.review_motion", motion) or user.has_perm("motions.change_motion", motion)
    )
    similar = _similar_to(motion) if show_similar else []
    if similar:  # only those the reader may open: a member drafting must not read others' drafts' titles
        openable = motion_ids_visible_to(user, [m.pk for m, _score in similar])
        similar = [(m, score) for m, score in similar if m.pk in openable]
    invitation = None
    person_id = getattr(user, "person_id", None)
    if motion.status == MotionStatus.DRAFT and person_id:
        invitation = next(
            (s for s in motion.signatures.all() if s.person_id == person_id and s.status == "invited"),
            None,
        )
    context = {
        "motion": motion,
        "awaiting_assignment": motion.status in services.AWAITING_ASSIGNMENT_STATES,
        "actions": actions,
        "timeline": timeline_for(motion),
        "similar": similar,
        "attachments": attachments_listed(motion),
        "invitation": invitation,
        "today": today(),
        "can_export": user.has_perm("motions.review_motion", motion)
        or user.has_perm("motions.reply_motion", motion)
        or user.has_perm("motions.rate_motion", motion),
    }
    return render(request, "motions/detail.html", context, status=status)


SIMILAR_KEPT_SECONDS = 600


def _similar_to(motion: Motion) -> list[tuple[Motion, float]]:
    """The items most like this one, kept per process under the Event log's version: every change to
    any item (its text, state, window of comparison) records an Event and so moves it, and until then
    each view of the item would rank the same again (~2.5 ms)."""
    key = f"motion-similar:{motion.pk}:{event_chain_version()}"
    kept: list[tuple[Motion, float]] | None = caches["fragments"].get(key)
    if kept is None:
        kept = similar_motions(
            text=f"{motion.title} {motion.text}",
            jurisdiction_id=motion.jurisdiction_id,
            kind=motion.kind,
            exclude=motion.pk,
        )
        caches["fragments"].set(key, kept, SIMILAR_KEPT_SECONDS)
    return kept


@login_required
@require_http_methods(["GET", "POST"])
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """GET: the action's fields (htmx, when the reader opens the action on the item's page) or, without
    JavaScript, a page of its own; ``?target=`` names the assignment or reply it is for. 404 unless the
    reader may take that action now. POST: run it; on success back to the item, else the item's page
    with the form and its errors open."""
    motion = motion_detail(request.user, pk)
    if motion is None or action not in RUNNERS:
        raise Http404
    if request.method == "GET":
        return _action_form(request, motion, action, request.GET.get("target", ""))
    target = request.POST.get("_target", "")
    form = action_form_make(action, motion, data=request.POST, target=target)
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
    failed = ActionForm(name=action, label=LABELS[action], target=target, form=form)
    return _render_detail(request, fresh, failed=failed, status=400)


def _action_form(request: HttpRequest, motion: Motion, name: str, target: str) -> HttpResponse:
    offered = available_action(request.user, motion, name, target)
    if offered is None:
        raise Http404
    context = {"motion": motion, "a": action_with_form(offered, motion)}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "motions/_action_fields.html", context)
    return render(request, "motions/action_page.html", context)


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
