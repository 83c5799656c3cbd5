"""Pages of the oversight app. Every action posts to an ``act`` view, which calls exactly one service.

Which actions a page offers comes from the same transition tables and permissions the services check.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_stubs_ext import StrOrPromise

from minsheng.core.attachments import attachments_for, attachments_listed
from minsheng.core.errors import DomainError
from minsheng.core.events import event_chain_version
from minsheng.core.privacy import mask_text
from minsheng.core.search import CappedPaginator
from minsheng.org.models import Body
from minsheng.org.selectors import today
from minsheng.oversight import exports, services
from minsheng.oversight import forms as f
from minsheng.oversight import selectors as s
from minsheng.oversight.models import (
    Activity,
    BudgetLine,
    ItemStatus,
    Problem,
    ProgressReport,
    Project,
    ProjectKind,
    ProjectProgress,
    RectificationItem,
    SupervisionPlan,
    Visit,
)
from minsheng.oversight.rules import scope_of
from minsheng.oversight.services import (
    can_add_documents,
    can_choose_team,
    can_close,
    can_publish,
    can_question,
    can_record_visit,
    can_review,
    can_work_on,
)
from minsheng.oversight.services.activities import eligible_roles

PAGE_SIZE = 20


def _require(request: HttpRequest, permission: str, obj: Any = None) -> None:
    """A page the user may not open does not exist for them (404, not 403: no probing)."""
    if not request.user.has_perm(permission, obj):
        raise Http404


def _staff_bodies(request: HttpRequest) -> Any:
    return Body.objects.filter(pk__in=scope_of(request.user).staff_bodies).order_by(
        "jurisdiction__code", "kind"
    )


def _first_staff_jurisdiction(request: HttpRequest) -> int | None:
    places = sorted(scope_of(request.user).staff_jurisdictions | scope_of(request.user).leader_jurisdictions)
    return places[0] if places else None


def _form_error(form: django_forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- actions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    label: StrOrPromise
    form: Callable[[Any, Any, Any], django_forms.Form]
    run: Callable[[Any, Any, dict[str, Any]], Any]
    available: Callable[[Any, Any], bool]


@dataclass(frozen=True)
class BoundAction:
    name: str
    label: StrOrPromise
    url: str
    form: django_forms.Form | None = None
    """Only for a form sent back with errors; otherwise the fields load when the reader opens the
    action (``_act`` answers GET with them), so a page view builds and renders no form."""


def _state(data: dict[str, Any]) -> str | None:
    return data.get("state") or None


def _files(form: django_forms.Form, name: str) -> list[Any]:
    return list(form.cleaned_data.get(name) or [])


def _can(permission: str) -> Callable[[Any, Any], bool]:
    return lambda user, obj: user.has_perm(permission, obj)


def _transition_allowed(table: Any, action: str) -> Callable[[Any, Any], bool]:
    return lambda user, obj: action in table.allowed_actions(obj, user)


def _state_form(obj: Any) -> Callable[[Any, Any, Any], django_forms.Form]:
    return lambda o, data, files: f.StateForm(data, initial={"state": o.status})


def _form(action: Action, name: str, obj: Any, data: Any = None, files: Any = None) -> django_forms.Form:
    """The action's form, its fields prefixed with the action's name: one page holds several forms,
    and each field needs an id of its own."""
    form = action.form(obj, data, files)
    form.prefix = name
    return form


def _bound(actions: dict[str, Action], user: Any, obj: Any, url: Callable[[str], str]) -> list[BoundAction]:
    """The actions the user may take. Their forms are not built here: a page lists several actions
    and the reader opens one at most, while building and rendering every form's fields (units, problems,
    milestones) cost more than the rest of the page."""
    return [
        BoundAction(name, action.label, url(name))
        for name, action in actions.items()
        if action.available(user, obj)
    ]


def _act(
    request: HttpRequest,
    obj: Any,
    actions: dict[str, Action],
    name: str,
    *,
    page: str,
    again: Callable[[BoundAction], HttpResponse],
    url: Callable[[str], str],
) -> HttpResponse:
    """GET: the action's fields (for htmx, when the reader opens the action on the page) or, without
    JavaScript, a page of its own. POST: run it; on success back to the page, else the page again with
    the form and its errors open."""
    action = actions.get(name)
    if action is None or not action.available(request.user, obj):
        raise Http404
    if request.method == "GET":
        form = _form(action, name, obj)
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "oversight/_fields.html", {"form": form})
        context = {"form": form, "title": action.label, "page": page, "url": url(name)}
        return render(request, "oversight/action_page.html", context)
    form = _form(action, name, obj, request.POST, request.FILES)
    if form.is_valid():
        try:
            action.run(request.user, obj, {**form.cleaned_data, "_form": form})
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": action.label})
            return redirect(page)
    return again(BoundAction(name, action.label, url(name), form))


def _with_failed(actions: list[BoundAction], failed: BoundAction | None) -> list[BoundAction]:
    if failed is None:
        return actions
    return [failed if a.name == failed.name else a for a in actions]


# --- home, plans and activities -------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require(request, "oversight.list_activity")
    activities = s.activities_visible_to(request.user).order_by("-start_date", "-id")
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "plans": list(s.plans_visible_to(request.user)[:20]),
        "can_add": request.user.has_perm("oversight.add_activity"),
        "today": today(),
    }
    return render(request, "oversight/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    _require(request, "oversight.add_plan")
    form = f.PlanForm(request.POST or None, bodies=_staff_bodies(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                actor=request.user, body=data["body"], year=data["year"], title=data["title"]
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The plan is created. Add its activities."))
            return redirect("oversight:plan", pk=plan.pk)
    return render(
        request,
        "oversight/form_page.html",
        {"form": form, "title": _("New supervision plan")},
        status=400 if form.errors else 200,
    )


def _plan_or_404(request: HttpRequest, pk: int) -> SupervisionPlan:
    plan = s.plans_visible_to(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    context = {
        "plan": plan,
        "activities": list(s.plan_activities(plan, request.user)),
        "can_publish": "publish" in services.PLAN_TRANSITIONS.allowed_actions(plan, request.user),
        "can_add": request.user.has_perm("oversight.change_plan", plan),
    }
    return render(request, "oversight/plan.html", context)


@login_required
@require_POST
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    try:
        services.plan_publish(actor=request.user, plan=plan, expected_state=request.POST.get("state") or None)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The plan is published."))
    return redirect("oversight:plan", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest) -> HttpResponse:
    _require(request, "oversight.add_activity")
    bodies = _staff_bodies(request)
    plans = SupervisionPlan.objects.filter(body__in=bodies).order_by("-year")
    initial = {"plan": request.GET.get("plan")} if (request.GET.get("plan") or "").isdigit() else {}
    form = f.ActivityForm(
        request.POST or None,
        initial=initial,
        plans=plans,
        bodies=bodies,
        jurisdiction_id=_first_staff_jurisdiction(request),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.activity_create(
                actor=request.user,
                plan=data["plan"],
                body=data["body"],
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                units=list(data["units"]),
                start_date=data["start_date"],
                end_date=data["end_date"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The activity is created. Choose its team."))
            return redirect("oversight:activity", pk=activity.pk)
    return render(
        request,
        "oversight/form_page.html",
        {"form": form, "title": _("New supervision activity")},
        status=400 if form.errors else 200,
    )


def _activity_problems(activity: Activity) -> Any:
    return Problem.objects.filter(activity=activity).order_by("id")


def _assign(user: Any, problem: Problem, data: dict[str, Any]) -> Any:
    return services.problem_assign(
        actor=user, problem=problem, units=list(data["units"]), task=data["task"], due_rule=data["due_rule"]
    )


def _ballot_units(activity: Activity) -> Any:
    from minsheng.org.models import Unit

    rated = RectificationItem.objects.filter(problem__activity=activity).values("unit_id")
    return Unit.objects.filter(Q(pk__in=activity.units.values("pk")) | Q(pk__in=rated)).order_by("name")


ACTIVITY_ACTIONS: dict[str, Action] = {
    "team": Action(
        gettext_lazy("Choose the team"),
        lambda a, d, fl: f.TeamForm(d, roles=eligible_roles(a.body), jurisdiction_id=a.jurisdiction_id),
        lambda u, a, d: services.activity_team_add(
            actor=u, activity=a, people=d["names"], leader=d["leader"]
        ),
        can_choose_team,
    ),
    "start": Action(
        gettext_lazy("Start the activity"),
        _state_form(None),
        lambda u, a, d: services.activity_start(actor=u, activity=a, expected_state=_state(d)),
        _transition_allowed(services.ACTIVITY_TRANSITIONS, "start"),
    ),
    "visit": Action(
        gettext_lazy("Record an inspection visit"),
        lambda a, d, fl: f.VisitForm(d, fl),
        lambda u, a, d: services.visit_record(
            actor=u,
            activity=a,
            date=d["date"],
            place=d["place"],
            notes=d["notes"],
            photos=_files(d["_form"], "photos"),
        ),
        can_record_visit,
    ),
    "finding": Action(
        gettext_lazy("Add a problem found"),
        lambda a, d, fl: f.FindingForm(d),
        lambda u, a, d: services.problem_add(actor=u, activity=a, text=d["text"]),
        can_work_on,
    ),
    "assign": Action(
        gettext_lazy("Hand a problem to units"),
        lambda a, d, fl: f.AssignForm(d, problems=_activity_problems(a), jurisdiction_id=a.jurisdiction_id),
        lambda u, a, d: _assign(u, d["problem"], d),
        lambda u, a: can_work_on(u, a) and _activity_problems(a).exists(),
    ),
    "question": Action(
        gettext_lazy("Record a question"),
        lambda a, d, fl: f.QuestionForm(d, roles=eligible_roles(a.body), jurisdiction_id=a.jurisdiction_id),
        lambda u, a, d: services.inquiry_question_add(
            actor=u,
            activity=a,
            asker=d["asker"],
            unit=d["unit"],
            official=d["official"],
            question=d["question"],
        ),
        can_question,
    ),
    "answer": Action(
        gettext_lazy("Record an answer"),
        lambda a, d, fl: f.AnswerForm(d, questions=a.questions.filter(answered_at__isnull=True)),
        lambda u, a, d: services.inquiry_answer_record(
            actor=u,
            question=d["question"],
            answer=d["answer"],
            commitment=d["commitment"],
            due_rule=d["due_rule"],
        ),
        lambda u, a: can_question(u, a) and any(q.answered_at is None for q in a.questions.all()),
    ),
    "attendance": Action(
        gettext_lazy("Record who took part"),
        lambda a, d, fl: f.AttendanceForm(
            d,
            team=[(t.person_id, t.person.name) for t in a.team.all()],
            initial={"present": [t.person_id for t in a.team.all() if t.took_part]},
        ),
        lambda u, a, d: services.activity_attendance_record(actor=u, activity=a, present=d["present"]),
        lambda u, a: can_work_on(u, a) and bool(a.team.all()),
    ),
    "documents": Action(
        gettext_lazy("Add documents"),
        lambda a, d, fl: f.DocumentsForm(d, fl),
        lambda u, a, d: services.activity_documents_add(
            actor=u, activity=a, files=_files(d["_form"], "documents")
        ),
        can_add_documents,
    ),
    "report": Action(
        gettext_lazy("Deliver the report"),
        lambda a, d, fl: f.ActivityReportForm(d, fl, initial={"state": a.status}),
        lambda u, a, d: services.activity_report(
            actor=u, activity=a, report=d["report"], summary=d["summary"], expected_state=_state(d)
        ),
        _transition_allowed(services.ACTIVITY_TRANSITIONS, "report"),
    ),
    "publish": Action(
        gettext_lazy("Public page"),
        lambda a, d, fl: f.PublishForm(d, initial={"publish": "0" if a.published_at else "1"}),
        lambda u, a, d: services.activity_publish(actor=u, activity=a, publish=d["publish"]),
        can_publish,
    ),
    "ballot": Action(
        gettext_lazy("Open a satisfaction ballot"),
        lambda a, d, fl: f.BallotOpenForm(d, units=_ballot_units(a)),
        lambda u, a, d: services.ballot_open(actor=u, activity=a, unit=d["unit"]),
        can_work_on,
    ),
    "close": Action(
        gettext_lazy("Close the activity"),
        _state_form(None),
        lambda u, a, d: services.activity_close(actor=u, activity=a, expected_state=_state(d)),
        can_close,
    ),
    "cancel": Action(
        gettext_lazy("Cancel the activity"),
        lambda a, d, fl: f.ReasonForm(d, initial={"state": a.status}),
        lambda u, a, d: services.activity_cancel(
            actor=u, activity=a, reason=d["reason"], expected_state=_state(d)
        ),
        _transition_allowed(services.ACTIVITY_TRANSITIONS, "cancel"),
    ),
}


def _activity_or_404(request: HttpRequest, pk: int) -> Activity:
    activity = s.activity_detail(request.user, pk)
    if activity is None:
        raise Http404
    return activity


def _activity_url(pk: int) -> Callable[[str], str]:
    return lambda name: f"/oversight/activities/{pk}/act/{name}/"


def _item_row(request: HttpRequest, item: RectificationItem, day: date) -> dict[str, Any]:
    """A rectification item on an activity or project page; ``hidden`` when the reader may see the page
    but not the item's own page (an enterprise contact, a leader of another body), so no dead link."""
    return {
        "item": item,
        "state": s.item_public_state(item, day),
        "hidden": not request.user.has_perm("oversight.view_item", item),
    }


def _render_activity(request: HttpRequest, pk: int, failed: BoundAction | None = None) -> HttpResponse:
    """The activity page. Its problems section is kept per process under the Event log's version (read
    before any row: a fragment is never filed under a later version than the rows it shows), the
    activity, the day, the reader (which items they may open) and the language. Exact: every change of
    what it shows records an Event. The actions' fields load when opened (``_act``)."""
    version = f"{event_chain_version()}:{pk}:{today()}"
    activity = _activity_or_404(request, pk)
    day = today()
    actions = _with_failed(
        _bound(ACTIVITY_ACTIONS, request.user, activity, _activity_url(activity.pk)), failed
    )
    attachments = attachments_listed(activity)
    visit_photos = _photos_by_owner(list(activity.visits.all()))

    @cache
    def problems_section() -> dict[str, Any]:
        """Read only when the section is not in the cache (the template calls it)."""
        problems = [
            {"problem": p, "items": [_item_row(request, i, day) for i in p.items.all()]}
            for p in s.problems_shown(activity.problems.all())
        ]
        return {"counts": s.item_counts(activity.problems.all(), day), "problems": problems}

    section_key = f"{version}:{request.user.pk}:{get_language()}"
    context = {
        "activity": activity,
        "actions": actions,
        "failed": failed,
        "documents": [a for a in attachments if a.pk != activity.report_id],
        "report": next((a for a in attachments if a.pk == activity.report_id), None),
        "visits": [(v, visit_photos.get(v.pk, [])) for v in activity.visits.all()],
        "section": problems_section,
        "section_key": hashlib.sha256(section_key.encode("utf-8")).hexdigest(),
        "timeline": s.timeline_for(activity),
        "ballots": s.ballots_of_activity(activity),
    }
    return render(request, "oversight/activity.html", context, status=400 if failed else 200)


def _photos_by_owner(owners: list[Any]) -> dict[int, list[Any]]:
    """Attachments of several rows of one model in one query."""
    if not owners:
        return {}
    from django.contrib.contenttypes.models import ContentType

    from minsheng.core.models import Attachment

    content_type = ContentType.objects.get_for_model(owners[0])
    found: dict[int, list[Any]] = {}
    rows = Attachment.objects.filter(owner_type=content_type, owner_id__in=[str(o.pk) for o in owners])
    for attachment in rows.order_by("created_at", "id"):
        found.setdefault(int(attachment.owner_id), []).append(attachment)
    return found


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_activity(request, pk)


@login_required
@require_http_methods(["GET", "POST"])
def activity_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    activity = _activity_or_404(request, pk)
    return _act(
        request,
        activity,
        ACTIVITY_ACTIONS,
        action,
        page=reverse("oversight:activity", args=[pk]),
        again=lambda failed: _render_activity(request, pk, failed),
        url=_activity_url(pk),
    )


def _file_response(attachment: Any, *, inline: bool = False) -> FileResponse:
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
def activity_file(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    activity = _activity_or_404(request, pk)
    attachment = attachments_for(activity).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return _file_response(attachment)


def _visit_visible(request: HttpRequest, visit: Visit) -> bool:
    if visit.activity_id:
        activity = visit.activity
        return (
            bool(activity and activity.published_at)
            or s.activities_visible_to(request.user).filter(pk=visit.activity_id).exists()
        )
    project = visit.project
    if project is None:
        return False
    return bool(project.published_at) or s.projects_visible_to(request.user).filter(pk=project.pk).exists()


def visit_photo(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """A visit's photo, shown in the page; public when its activity or project is published."""
    visit = Visit.objects.select_related("activity", "project").filter(pk=pk).first()
    if visit is None or not _visit_visible(request, visit):
        raise Http404
    attachment = attachments_for(visit).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return _file_response(attachment, inline=True)


def progress_photo(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    post = ProjectProgress.objects.select_related("project").filter(pk=pk).first()
    if post is None or not (
        post.project.published_at or s.projects_visible_to(request.user).filter(pk=post.project_id).exists()
    ):
        raise Http404
    attachment = attachments_for(post).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return _file_response(attachment, inline=True)


# --- rectification items -------------------------------------------------------------------------


def _item_filters(form: f.ItemFilterForm) -> s.ItemFilters:
    if not form.is_valid():
        return s.ItemFilters()
    data = form.cleaned_data
    return s.ItemFilters(
        unit=data["unit"].pk if data["unit"] else None,
        status=data["status"] or "",
        source=data["source"] or "",
        activity=data["activity"],
        query=(data["q"] or "").strip(),
    )


def _unit_choices(request: HttpRequest) -> Any:
    from minsheng.oversight.forms import units_of

    scope = scope_of(request.user)
    place = _first_staff_jurisdiction(request)
    if place is not None:
        return units_of(place)
    from minsheng.org.models import Unit

    return Unit.objects.filter(pk__in=scope.handler_units).order_by("name")


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    _require(request, "oversight.list_item")
    form = f.ItemFilterForm(request.GET or None, units=_unit_choices(request))
    items = s.items_search(request.user, _item_filters(form))
    paginator = CappedPaginator(items, PAGE_SIZE, request.GET.get("page"), rows=s.items_rows)
    page = paginator.get_page(request.GET.get("page"))
    day = today()
    query = request.GET.copy()
    query.pop("page", None)
    rows = [{"item": i, "state": s.item_public_state(i, day)} for i in page.object_list]
    scope = scope_of(request.user)
    # The filter form's fields depend on the query and on whose units the user may choose.
    filter_key = f"{query.urlencode()}|{_first_staff_jurisdiction(request)}|{sorted(scope.handler_units)}"
    return render(
        request,
        "oversight/items.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode(), "filter_key": filter_key},
    )


@login_required
def item_export(request: HttpRequest) -> HttpResponse:
    _require(request, "oversight.list_item")
    form = f.ItemFilterForm(request.GET or None, units=_unit_choices(request))
    items = s.items_search(request.user, _item_filters(form))[: exports.MAX_ROWS]
    return exports.items_xlsx_response(list(items.select_related("problem__activity")))


def _item_or_404(request: HttpRequest, pk: int) -> RectificationItem:
    item = s.item_detail(request.user, pk)
    if item is None:
        raise Http404
    return item


ITEM_ACTIONS: dict[str, Action] = {
    "report": Action(
        gettext_lazy("Report progress"),
        lambda i, d, fl: f.ItemReportForm(d, fl, initial={"state": i.status}),
        lambda u, i, d: services.item_report(
            actor=u,
            item=i,
            text=d["text"],
            is_final=d["is_final"],
            files=_files(d["_form"], "evidence"),
            expected_state=_state(d),
        ),
        _transition_allowed(services.ITEM_TRANSITIONS, "report"),
    ),
    "review": Action(
        gettext_lazy("Review the report"),
        lambda i, d, fl: f.ReviewForm(d, initial={"state": i.status}),
        lambda u, i, d: services.item_review(
            actor=u, item=i, accept=d["accept"], reason=d["reason"], expected_state=_state(d)
        ),
        can_review,
    ),
    "extend": Action(
        gettext_lazy("Extend the deadline"),
        lambda i, d, fl: f.ExtendForm(d, initial={"state": i.status}),
        lambda u, i, d: services.item_extend(
            actor=u, item=i, until=d["until"], reason=d["reason"], expected_state=_state(d)
        ),
        _transition_allowed(services.ITEM_TRANSITIONS, "extend"),
    ),
    "reopen": Action(
        gettext_lazy("Rectify again"),
        lambda i, d, fl: f.ReasonForm(d, initial={"state": i.status}),
        lambda u, i, d: services.item_reopen(actor=u, item=i, reason=d["reason"], expected_state=_state(d)),
        _transition_allowed(services.ITEM_TRANSITIONS, "reopen"),
    ),
}


def _item_url(pk: int) -> Callable[[str], str]:
    return lambda name: f"/oversight/items/{pk}/act/{name}/"


def _render_item(
    request: HttpRequest, item: RectificationItem, failed: BoundAction | None = None
) -> HttpResponse:
    reports = list(item.reports.all())
    evidence = _photos_by_owner(reports)
    context = {
        "item": item,
        "state": s.item_public_state(item),
        "reports": [(r, evidence.get(r.pk, [])) for r in reports],
        "actions": _with_failed(_bound(ITEM_ACTIONS, request.user, item, _item_url(item.pk)), failed),
        "failed": failed,
        "timeline": s.timeline_for(item),
    }
    return render(request, "oversight/item.html", context, status=400 if failed else 200)


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_item(request, _item_or_404(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def item_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = _item_or_404(request, pk)
    return _act(
        request,
        item,
        ITEM_ACTIONS,
        action,
        page=reverse("oversight:item", args=[pk]),
        again=lambda failed: _render_item(request, _item_or_404(request, pk), failed),
        url=_item_url(pk),
    )


@login_required
def report_file(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    report = ProgressReport.objects.filter(pk=pk).first()
    if report is None or s.item_detail(request.user, report.item_id) is None:
        raise Http404
    attachment = attachments_for(report).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return _file_response(attachment, inline=attachment.content_type.startswith("image/"))


# --- projects ------------------------------------------------------------------------------------


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    _require(request, "oversight.list_item")
    form = f.ProjectFilterForm(request.GET or None, parks=s.parks_of(request.user))
    filters = s.ProjectFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = s.ProjectFilters(
            kind=data["kind"],
            status=data["status"],
            park=data["park"],
            delayed=data["delayed"],
            query=data["q"].strip(),
        )
    projects = s.projects_search(request.user, filters)
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_add": request.user.has_perm("oversight.add_project"),
    }
    return render(request, "oversight/projects.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    _require(request, "oversight.add_project")
    initial = {"kind": ProjectKind.COOPERATION} if request.GET.get("kind") == ProjectKind.COOPERATION else {}
    form = f.ProjectForm(
        request.POST or None,
        initial=initial,
        jurisdiction_id=_first_staff_jurisdiction(request),
        platforms=s.platforms_visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        milestones = [
            services.MilestonePlan(kind, "", data[name])
            for name, kind in f.ProjectForm.MILESTONE_FIELDS
            if data[name]
        ]
        try:
            project = services.project_create(
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                owner=data["owner"],
                partners=data["partners"],
                investment_planned=data["investment_planned"],
                floor_area=data["floor_area"],
                park=data["park"],
                location=data["location"],
                place=data["place"],
                description=data["description"],
                platform=data["platform"],
                cooperation_kind=data["cooperation_kind"],
                milestones=milestones,
                supervisors=data["supervisors"],
                owner_contacts=data["owner_accounts"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The project is in the register."))
            return redirect("oversight:project", pk=project.pk)
    return render(
        request,
        "oversight/form_page.html",
        {"form": form, "title": _("New project")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def platform_new(request: HttpRequest) -> HttpResponse:
    _require(request, "oversight.add_project")
    form = f.PlatformForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.platform_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The platform is created. Add its cooperation items."))
            return redirect(f"/oversight/projects/new/?kind={ProjectKind.COOPERATION}")
    return render(
        request,
        "oversight/form_page.html",
        {"form": form, "title": _("New cooperation platform")},
        status=400 if form.errors else 200,
    )


def _has_own_problems(user: Any, project: Project) -> bool:
    """Problems of the project that the user's body found (from the page's prefetched rows)."""
    staff_bodies = scope_of(user).staff_bodies
    return any(problem.body_id in staff_bodies for problem in project.problems.all())


def _unreached(project: Project) -> Any:
    return project.milestones.filter(actual_date__isnull=True).order_by("order", "planned_date")


def _has_unreached(project: Project) -> bool:
    return any(m.actual_date is None for m in project.milestones.all())


def _project_transition(name: str, label: StrOrPromise) -> Action:
    return Action(
        label,
        _state_form(None),
        lambda u, p, d: services.project_transition(
            actor=u, project=p, action=name, expected_state=_state(d)
        ),
        _transition_allowed(services.PROJECT_TRANSITIONS, name),
    )


PROJECT_ACTIONS: dict[str, Action] = {
    "progress": Action(
        gettext_lazy("Post progress"),
        lambda p, d, fl: f.ProgressForm(d, fl),
        lambda u, p, d: services.project_progress_post(
            actor=u,
            project=p,
            text=d["text"],
            investment_completed=d["investment_completed"],
            photos=_files(d["_form"], "photos"),
        ),
        _can("oversight.post_project"),
    ),
    "reach": Action(
        gettext_lazy("A milestone was reached"),
        lambda p, d, fl: f.MilestoneReachForm(d, milestones=_unreached(p)),
        lambda u, p, d: services.milestone_reach(
            actor=u, milestone=d["milestone"], actual_date=d["actual_date"]
        ),
        lambda u, p: u.has_perm("oversight.post_project", p) and _has_unreached(p),
    ),
    "visit": Action(
        gettext_lazy("Record an inspection visit"),
        lambda p, d, fl: f.VisitForm(d, fl),
        lambda u, p, d: services.visit_record(
            actor=u,
            project=p,
            date=d["date"],
            place=d["place"],
            notes=d["notes"],
            photos=_files(d["_form"], "photos"),
        ),
        _can("oversight.visit_project"),
    ),
    "problem": Action(
        gettext_lazy("Add a problem found"),
        lambda p, d, fl: f.FindingForm(d),
        lambda u, p, d: services.problem_add_for_project(actor=u, project=p, text=d["text"]),
        _can("oversight.change_project"),
    ),
    "assign": Action(
        gettext_lazy("Hand a problem to units"),
        lambda p, d, fl: f.AssignForm(
            d, problems=Problem.objects.filter(project=p).order_by("id"), jurisdiction_id=p.jurisdiction_id
        ),
        lambda u, p, d: _assign(u, d["problem"], d),
        lambda u, p: u.has_perm("oversight.change_project", p) and _has_own_problems(u, p),
    ),
    "milestone": Action(
        gettext_lazy("Add a milestone"),
        lambda p, d, fl: f.MilestoneAddForm(d),
        lambda u, p, d: services.milestone_add(
            actor=u, project=p, kind=d["kind"], name=d["name"], planned_date=d["planned_date"]
        ),
        _can("oversight.change_project"),
    ),
    "replan": Action(
        gettext_lazy("Move a planned date"),
        lambda p, d, fl: f.MilestoneReplanForm(d, milestones=_unreached(p)),
        lambda u, p, d: services.milestone_replan(
            actor=u, milestone=d["milestone"], planned_date=d["planned_date"], reason=d["reason"]
        ),
        lambda u, p: u.has_perm("oversight.change_project", p) and _has_unreached(p),
    ),
    "outcome": Action(
        gettext_lazy("Record an outcome"),
        lambda p, d, fl: f.OutcomeForm(d),
        lambda u, p, d: services.outcome_record(
            actor=u, project=p, kind=d["kind"], title=d["title"], reference=d["reference"], date=d["date"]
        ),
        services.can_record_outcome,
    ),
    "start": _project_transition("start", gettext_lazy("Construction started")),
    "suspend": _project_transition("suspend", gettext_lazy("Suspend")),
    "resume": _project_transition("resume", gettext_lazy("Resume")),
    "produce": _project_transition("produce", gettext_lazy("Production started")),
    "complete": _project_transition("complete", gettext_lazy("Completed")),
    "publish": Action(
        gettext_lazy("Public page"),
        lambda p, d, fl: f.PublishForm(d, initial={"publish": "0" if p.published_at else "1"}),
        lambda u, p, d: services.project_publish(actor=u, project=p, publish=d["publish"]),
        _can("oversight.change_project"),
    ),
}


def _project_or_404(request: HttpRequest, pk: int) -> Project:
    project = s.project_detail(request.user, pk)
    if project is None:
        raise Http404
    return project


def _project_url(pk: int) -> Callable[[str], str]:
    return lambda name: f"/oversight/projects/{pk}/act/{name}/"


def _render_project(
    request: HttpRequest, project: Project, failed: BoundAction | None = None
) -> HttpResponse:
    day = today()
    posts = list(project.progress.all())
    visits = list(project.visits.all())
    post_photos, visit_photos = _photos_by_owner(posts), _photos_by_owner(visits)
    context = {
        "project": project,
        "timeline_chart": s.milestone_timeline(project, day),
        "posts": [(p, post_photos.get(p.pk, [])) for p in posts],
        "visits": [(v, visit_photos.get(v.pk, [])) for v in visits],
        "problems": [
            {"problem": p, "items": [_item_row(request, i, day) for i in p.items.all()]}
            for p in project.problems.all()
        ],
        "actions": _with_failed(
            _bound(PROJECT_ACTIONS, request.user, project, _project_url(project.pk)), failed
        ),
        "failed": failed,
        "timeline": s.timeline_for(project),
    }
    return render(request, "oversight/project.html", context, status=400 if failed else 200)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_project(request, _project_or_404(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def project_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    project = _project_or_404(request, pk)
    return _act(
        request,
        project,
        PROJECT_ACTIONS,
        action,
        page=reverse("oversight:project", args=[pk]),
        again=lambda failed: _render_project(request, _project_or_404(request, pk), failed),
        url=_project_url(pk),
    )


# --- dashboard -----------------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require(request, "oversight.view_dashboard")
    board = s.dashboard_cached(request.user)
    from minsheng.oversight.models import ActivityKind as Kind
    from minsheng.oversight.models import ProjectStatus

    status_labels = dict(ProjectStatus.choices)
    item_labels = dict(ItemStatus.choices)
    kind_labels = dict(Kind.choices)
    charts = {
        "project_status": [
            {"name": str(status_labels.get(k, k)), "value": v} for k, v in board.projects_by_status.items()
        ],
        "parks": [p["park"] for p in board.parks],
        "park_on_track": [p["total"] - p["delayed"] for p in board.parks],
        "park_delayed": [p["delayed"] for p in board.parks],
        "projects": [p["name"] for p in board.top_projects],
        "planned": [p["planned"] for p in board.top_projects],
        "completed": [p["completed"] for p in board.top_projects],
        "item_status": [
            *(
                {"name": str(item_labels.get(k, k)), "value": v}
                for k, v in board.items_by_status.items()
                if k != "closed"
            ),
        ],
        "items_closed": board.items_closed_this_year,
        "units": [u["unit"] for u in board.units],
        "unit_open": [u["open"] for u in board.units],
        "unit_overdue": [u["overdue"] for u in board.units],
        "unit_closed": [u["closed"] for u in board.units],
        "activity_kinds": [
            {"name": str(kind_labels.get(k, k)), "value": v} for k, v in board.activities_by_kind.items()
        ],
        "labels": {
            "on_track": _("on schedule"),
            "delayed": _("delayed"),
            "planned": _("planned investment"),
            "completed": _("investment completed"),
            "open": _("being rectified"),
            "overdue": _("overdue"),
            "closed": _("closed this year"),
        },
    }
    return render(request, "oversight/dashboard.html", {"board": board, "charts": charts})


# --- budget --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def budget_index(request: HttpRequest) -> HttpResponse:
    _require(request, "oversight.list_budgettable")
    can_import = request.user.has_perm("oversight.import_budgettable")
    form = f.BudgetImportForm(request.POST or None, request.FILES or None) if can_import else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                table = services.budget_import(
                    actor=request.user, upload=data["file"], year=data["year"], month=data["month"]
                )
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request, _("The table is imported: %(n)s lines.") % {"n": table.lines.count()}
                )
                return redirect("oversight:budget", pk=table.pk)
    tables = s.budget_tables_visible_to(request.user).order_by("-year", "-month")[:36]
    status = 400 if form is not None and form.errors else 200
    return render(request, "oversight/budget_index.html", {"form": form, "tables": tables}, status=status)


@login_required
def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    table = s.budget_tables_visible_to(request.user).filter(pk=pk).first()
    if table is None:
        raise Http404
    rows = s.budget_table_rows(table)
    only_flagged = request.GET.get("flagged") == "1"
    can_ask = request.user.has_perm("oversight.question_budgetline", rows[0].line) if rows else False
    departments = s.budget_by_department(rows)
    context = {
        "table": table,
        "rows": [r for r in rows if r.flags.flagged] if only_flagged else rows,
        "flagged": sum(1 for r in rows if r.flags.flagged),
        "only_flagged": only_flagged,
        "can_ask": can_ask,
        "margin": s.settings_for(table.jurisdiction).budget_lag_margin_percent,
        "expected": rows[0].flags.expected if rows else None,
        "chart": {
            "units": [d["unit"] for d in departments],
            "budget": [d["budget"] for d in departments],
            "executed": [d["executed"] for d in departments],
            "labels": {"budget": _("budget"), "executed": _("executed to date")},
        },
        "question_form": f.BudgetQuestionForm(),
    }
    return render(request, "oversight/budget.html", context)


@login_required
@require_POST
def budget_question(request: HttpRequest, pk: int) -> HttpResponse:
    table = s.budget_tables_visible_to(request.user).filter(pk=pk).first()
    if table is None:
        raise Http404
    form = f.BudgetQuestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your question."))
        return redirect("oversight:budget", pk=pk)
    line = (
        BudgetLine.objects.filter(pk=form.cleaned_data["line"], table=table).select_related("table").first()
    )
    if line is None:
        raise Http404
    try:
        item = services.budget_question_raise(actor=request.user, line=line, text=form.cleaned_data["text"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("oversight:budget", pk=pk)
    messages.success(request, _("Your question is sent to %(unit)s.") % {"unit": item.unit.name})
    return redirect("oversight:item", pk=item.pk)


# --- enterprise needs ----------------------------------------------------------------------------


@login_required
def enterprise_needs(request: HttpRequest) -> HttpResponse:
    _require(request, "oversight.list_enterprise")
    from minsheng.voices.selectors import enterprise_voices_visible_to

    page = Paginator(enterprise_voices_visible_to(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "oversight/enterprise.html", {"page": page})


# --- satisfaction ballots ------------------------------------------------------------------------


def _ballot_or_404(request: HttpRequest, pk: int) -> Any:
    ballot = s.ballots_visible_to(request.user).filter(pk=pk).first()
    if ballot is None:
        raise Http404
    return ballot


def _render_ballot(request: HttpRequest, ballot: Any, form: Any = None, status: int = 200) -> HttpResponse:
    from minsheng.core.ballots import ballot_box_of, ballot_of, ballot_voter_count

    box = ballot_box_of(ballot)
    person_id = scope_of(request.user).person_id
    can_vote = services.can_vote(request.user, ballot)
    mine = ballot_of(box=box, voter_id=person_id) if (box and can_vote and person_id) else None
    context = {
        "ballot": ballot,
        "can_vote": can_vote,
        "mine": mine,
        "form": form or f.VoteForm(initial={"client_key": secrets.token_urlsafe(16), "choice": mine}),
        "can_close": services.can_close_ballot(request.user, ballot),
        "voters": ballot_voter_count(box_id=box.pk) if box else 0,
        "electorate": len(services.electorate_person_ids(ballot)),
    }
    return render(request, "oversight/ballot.html", context, status=status)


@login_required
def ballot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_ballot(request, _ballot_or_404(request, pk))


@login_required
@require_POST
def ballot_vote(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _ballot_or_404(request, pk)
    form = f.VoteForm(request.POST)
    if form.is_valid():
        try:
            services.ballot_vote(
                actor=request.user,
                ballot=ballot,
                choice=form.cleaned_data["choice"],
                client_key=form.cleaned_data["client_key"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Your rating is counted. You may change it until the ballot closes."))
            return redirect("oversight:ballot", pk=pk)
    return _render_ballot(request, ballot, form, status=400)


@login_required
@require_POST
def ballot_close(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _ballot_or_404(request, pk)
    try:
        services.ballot_close(
            actor=request.user, ballot=ballot, expected_state=request.POST.get("state") or None
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The ballot is closed and counted."))
    return redirect("oversight:ballot", pk=pk)


# --- public pages --------------------------------------------------------------------------------


def public_index(request: HttpRequest) -> HttpResponse:
    activities = Paginator(s.public_activities(), PAGE_SIZE).get_page(request.GET.get("page"))
    projects = list(s.public_projects()[:50])
    return render(request, "oversight/public_index.html", {"activities": activities, "projects": projects})


def _public_problems(problems: Any) -> list[dict[str, Any]]:
    day = today()
    return [
        {
            "text": mask_text(p.text),
            "items": [
                {"item": i, "task": mask_text(i.task), "state": s.item_public_state(i, day)}
                for i in p.items.all()
            ],
        }
        for p in problems
    ]


def public_activity(request: HttpRequest, pk: int) -> HttpResponse:
    activity = s.public_activity(pk)
    if activity is None:
        raise Http404
    visits = list(activity.visits.all())
    photos = _photos_by_owner(visits)
    context = {
        "activity": activity,
        "summary": mask_text(activity.report_summary),
        "visits": [(v, mask_text(v.notes), photos.get(v.pk, [])) for v in visits],
        "problems": _public_problems(s.problems_shown(activity.problems.all())),
        "counts": s.item_counts(activity.problems.all()),
        "ballots": s.public_ballots(activity),
    }
    return render(request, "oversight/public_activity.html", context)


def public_project(request: HttpRequest, pk: int) -> HttpResponse:
    project = s.public_project(pk)
    if project is None:
        raise Http404
    posts = list(project.progress.all())
    photos = _photos_by_owner(posts)
    context = {
        "project": project,
        "timeline_chart": s.milestone_timeline(project),
        "posts": [(p, mask_text(p.text), photos.get(p.pk, [])) for p in posts],
        "problems": _public_problems(project.problems.all()),
    }
    return render(request, "oversight/public_project.html", context)
