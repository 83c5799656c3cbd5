"""Pages of legislative consultation. Views parse input, call one service or selector, and render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minsheng.core.errors import DomainError, NotFoundError, RateLimitedError
from minsheng.core.phone_flow import phone_code_request, phone_context, phone_proven, phone_send_requested
from minsheng.core.receipts import receipt_page
from minsheng.legislation import selectors, services
from minsheng.legislation.documents import letter_available, letter_docx
from minsheng.legislation.forms import (
    AdoptionForm,
    DraftTextForm,
    EntryForm,
    MeetingForm,
    OpinionForm,
    TaskForm,
)
from minsheng.legislation.models import ConsultationTask, ImportStatus, Opinion, ReportEntry, TaskStatus
from minsheng.org.models import Body, BodyKind
from minsheng.org.rules import has_admin_role

from .rules import contact_points_staffed_by

RECEIPT_SESSION_KEY = "legislation_receipt"
VERIFY_PURPOSE = "legislation"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _task_or_404(request: HttpRequest, task_id: int) -> ConsultationTask:
    try:
        return selectors.task_visible(request.user, task_id)
    except NotFoundError as missing:
        raise Http404(missing.message) from missing


def _staff_task(request: HttpRequest, task_id: int) -> ConsultationTask:
    task = _task_or_404(request, task_id)
    if not request.user.has_perm("legislation.change_consultationtask", task):
        raise Http404(_("The requested record was not found."))
    return task


def _manage(task: ConsultationTask) -> HttpResponse:
    return redirect(reverse("legislation:manage", args=[task.pk]))


def _domain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff POST actions: a refusal becomes a message on the management page; nothing was saved."""

    @wraps(view)
    def wrapper(request: HttpRequest, task_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, task_id, *args, **kwargs)
        except DomainError as refusal:
            messages.error(request, refusal.message)
            return redirect(reverse("legislation:manage", args=[task_id]))

    return wrapper


def _form_errors(form: Any) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


# ---------------------------------------------------------------------------------------------------
# Public pages
# ---------------------------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    staff_tasks = selectors.tasks_for_staff(request.user) if request.user.is_authenticated else None
    context = {
        "query": query,
        "open_tasks": list(selectors.tasks_matching(selectors.tasks_open(), query)),
        "closed_tasks": list(selectors.tasks_matching(selectors.tasks_closed(), query)),
        "staff_tasks": list(selectors.tasks_matching(staff_tasks, query)) if staff_tasks is not None else [],
        "can_create": request.user.has_perm("legislation.add_consultationtask"),
    }
    return render(request, "legislation/index.html", context)


def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task_or_404(request, task_id)
    version = selectors.version_current(task)
    articles = selectors.articles_view(version) if version else []
    context = {
        "task": task,
        "version": version,
        "versions": selectors.versions_of(task),
        "articles": articles,
        "outline": selectors.outline_view(version, articles) if version else [],
        "can_comment": request.user.has_perm("legislation.add_opinion", task),
        "can_manage": request.user.has_perm("legislation.change_consultationtask", task),
        "closed": task.status in (TaskStatus.SUBMITTED, TaskStatus.FEEDBACK_GIVEN),
        "results": selectors.adoption_results(task) if task.status == TaskStatus.FEEDBACK_GIVEN else [],
        "figures": selectors.task_figures(task),
    }
    return render(request, "legislation/task.html", context)


def _anchor_from(request: HttpRequest) -> dict[str, Any]:
    data = request.POST if request.method == "POST" else request.GET
    anchor: dict[str, Any] = {"article": None, "paragraph": None, "item": None}
    for key in anchor:
        raw = str(data.get(key, "")).strip()
        anchor[key] = int(raw) if raw.isdigit() and len(raw) < 9 else None
    return anchor


@require_http_methods(["GET", "POST"])
def comment(request: HttpRequest, task_id: int) -> HttpResponse:
    """Comment on the draft, an article, a paragraph or an item: signed in, or proving a mobile number
    in the same form (core.phone_flow). The person then gets a receipt with a code."""
    task = _task_or_404(request, task_id)
    anchor = _anchor_from(request)
    article = None
    version = selectors.version_current(task)
    if anchor["article"] and version:
        article = version.articles.filter(pk=anchor["article"]).first()
    form = OpinionForm(request.POST or None, initial=anchor)
    status = 200
    if phone_send_requested(request):
        status = phone_code_request(request, form, purpose=VERIFY_PURPOSE)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signed_in = request.user.is_authenticated
            phone = None if signed_in else phone_proven(request, form, purpose=VERIFY_PURPOSE)
            opinion = services.opinion_submit(
                actor=request.user,
                task=task,
                text=data["text"],
                article_id=data["article"],
                paragraph=data["paragraph"],
                item=data["item"],
                author_name=data["author_name"],
                verified_phone=phone,
            )
        except DomainError as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
            status = 429 if isinstance(refusal, RateLimitedError) else 400
        else:
            request.session[RECEIPT_SESSION_KEY] = opinion.pk
            return redirect("legislation:receipt")
    elif request.method == "POST":
        status = 400
    context = {
        "task": task,
        "article": article,
        "anchor": anchor,
        "form": form,
        "can_comment": request.user.has_perm("legislation.add_opinion", task),
        **phone_context(request),
    }
    return render(request, "legislation/comment.html", context, status=status)


def receipt(request: HttpRequest) -> HttpResponse:
    """Right after sending an opinion: thanks, what was sent, and the receipt code to read it again."""
    opinion = selectors.opinion_by_id(request.session.get(RECEIPT_SESSION_KEY))
    if opinion is None:
        return redirect("legislation:lookup")
    return render(request, "legislation/receipt.html", {"opinion": opinion})


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """A receipt code and the mobile number open one's opinion again, with what became of it."""
    page = receipt_page(request, services.opinion_lookup)
    rows = [{"opinion": page.found, "letter": False}] if page.found is not None else []
    context = {"form": page.form, "rows": rows}
    return render(request, "legislation/lookup.html", context, status=page.status)


def diff(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task_or_404(request, task_id)
    versions = selectors.versions_of(task)
    numbers = [v.number for v in versions]
    if len(numbers) < 2:
        raise Http404(_("This draft has only one version."))

    def number(name: str, default: int) -> int:
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() and int(raw) in numbers else default

    old, new = number("from", numbers[-2]), number("to", numbers[-1])
    rows = selectors.version_diff(task, old, new)
    context = {"task": task, "versions": versions, "old": old, "new": new, "rows": rows}
    return render(request, "legislation/diff.html", context)


def stats(request: HttpRequest) -> HttpResponse:
    by_task = selectors.statistics_by_task()
    by_point = selectors.statistics_by_contact_point()
    by_year = selectors.statistics_by_year()

    def chart(rows: list[selectors.Figures]) -> dict[str, Any]:
        return {
            "names": [r.name for r in rows],
            "received": [r.received for r in rows],
            "submitted": [r.submitted for r in rows],
            "adopted": [r.adopted for r in rows],
            "labels": [_("Opinions received"), _("Opinions submitted"), _("Opinions adopted")],
        }

    context = {
        "by_task": by_task,
        "by_point": by_point,
        "by_year": by_year,
        "charts": {"task": chart(by_task), "point": chart(by_point), "year": chart(by_year)},
    }
    return render(request, "legislation/stats.html", context)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    opinions = selectors.opinions_of_user(request.user)
    rows = [{"opinion": o, "letter": letter_available(o)} for o in opinions]
    return render(request, "legislation/mine.html", {"rows": rows})


@login_required
def letter(request: HttpRequest, opinion_id: int) -> FileResponse:
    opinion = (
        Opinion.objects.select_related("task", "task__contact_point", "entry", "article")
        .filter(pk=opinion_id)
        .first()
    )
    if (
        opinion is None
        or not request.user.has_perm("legislation.view_opinion", opinion)
        or not letter_available(opinion)
    ):
        raise Http404(_("The requested record was not found."))
    return _docx_response(letter_docx(opinion), _("Letter of thanks.docx"))


def _docx_response(data: bytes, filename: str) -> FileResponse:
    import io

    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type=DOCX_TYPE)


def report_download(request: HttpRequest, task_id: int) -> FileResponse:
    task = _staff_task(request, task_id)
    if task.report is None:
        raise Http404(_("No report has been generated yet."))
    return FileResponse(
        task.report.file.open("rb"),
        as_attachment=True,
        filename=task.report.original_name,
        content_type=DOCX_TYPE,
    )


# ---------------------------------------------------------------------------------------------------
# Staff pages
# ---------------------------------------------------------------------------------------------------


def _contact_points_for(user: Any) -> Any:
    points = Body.objects.filter(kind=BodyKind.LEGISLATIVE_CONTACT_POINT)
    return points if has_admin_role(user) else points.filter(pk__in=contact_points_staffed_by(user))


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("legislation.add_consultationtask"):
        raise PermissionDenied
    form = TaskForm(
        request.POST or None, request.FILES or None, contact_points=_contact_points_for(request.user)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if services.draft_is_large(data["upload"]):
                    fields = services.task_fields_checked(
                        actor=request.user,
                        contact_point=data["contact_point"],
                        title=data["title"],
                        issuing_body=data["issuing_body"],
                        received_on=data["received_on"],
                        comment_deadline=data["comment_deadline"],
                        is_public_draft=data["is_public_draft"],
                        key_questions=data["key_questions"],
                    )
                    job = services.draft_import_start(
                        actor=request.user, upload=data["upload"], task_fields=fields
                    )
                    return redirect("legislation:import", job_id=job.pk)
                draft = services.draft_read(text=data["text"], upload=data["upload"])
                task = services.task_create(
                    actor=request.user,
                    contact_point=data["contact_point"],
                    title=data["title"],
                    issuing_body=data["issuing_body"],
                    received_on=data["received_on"],
                    draft=draft,
                    comment_deadline=data["comment_deadline"],
                    is_public_draft=data["is_public_draft"],
                    key_questions=data["key_questions"],
                )
            except DomainError as refusal:
                form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
            else:
                messages.success(request, _("The consultation task was created."))
                return _manage(task)
    return render(request, "legislation/task_form.html", {"form": form}, status=status)


@login_required
def manage(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _staff_task(request, task_id)
    query = request.GET.get("q", "").strip()
    opinions = selectors.opinions_for_task(task, query)
    version = selectors.version_current(task)
    context = {
        "task": task,
        "query": query,
        "version": version,
        "versions": selectors.versions_of(task),
        "groups": selectors.opinions_by_article(opinions),
        "entries": selectors.entries_of(task),
        "meetings": list(task.meetings.order_by("held_on", "id")),
        "actions": [a for a in services.TASK_TRANSITIONS.allowed_actions(task, request.user)],
        "timeline": selectors.timeline_of(task),
        "figures": selectors.task_figures(task),
        "sorting": task.status in services.SORTING_STATES,
        "adopting": task.status in (TaskStatus.SUBMITTED, TaskStatus.FEEDBACK_GIVEN),
        "meeting_open": task.status in services.MEETING_STATES,
        "version_open": task.status in services.VERSION_STATES,
        "meeting_form": MeetingForm(),
        "draft_form": DraftTextForm(),
        "adoption_form": AdoptionForm(),
    }
    return render(request, "legislation/manage.html", context)


@login_required
@require_POST
@_domain_errors
def task_action(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _staff_task(request, task_id)
    action = request.POST.get("action", "")
    expected = request.POST.get("expected_state") or None
    if action == "draft_report":
        services.report_generate(actor=request.user, task=task)
        messages.success(request, _("The report was generated."))
    elif action == "give_feedback":
        services.feedback_give(actor=request.user, task=task, expected_state=expected)
        messages.success(request, _("Participants were told the outcome of their opinions."))
    else:
        services.task_advance(actor=request.user, task=task, action=action, expected_state=expected)
        messages.success(request, _("The task moved to the next step."))
    return _manage(task)


@login_required
@require_POST
@_domain_errors
def version_add(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _staff_task(request, task_id)
    form = DraftTextForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _manage(task)
    if services.draft_is_large(form.cleaned_data["upload"]):
        job = services.draft_import_start(actor=request.user, upload=form.cleaned_data["upload"], task=task)
        return redirect("legislation:import", job_id=job.pk)
    draft = services.draft_read(text=form.cleaned_data["text"], upload=form.cleaned_data["upload"])
    version = services.version_add(actor=request.user, task=task, draft=draft)
    messages.success(request, _("Version %(number)s of the draft was added.") % {"number": version.number})
    return _manage(task)


@login_required
@require_POST
@_domain_errors
def meeting_record(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _staff_task(request, task_id)
    form = MeetingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _manage(task)
    version = selectors.version_current(task)
    article_ids = dict(version.articles.values_list("label", "pk")) if version else {}
    data = form.cleaned_data
    services.meeting_record(
        actor=request.user,
        task=task,
        kind=data["kind"],
        held_on=data["held_on"],
        place=data["place"],
        participants=data["participants"],
        attendance=data["attendance"],
        opinions=form.heard(article_ids),
    )
    messages.success(request, _("The meeting and its opinions were recorded."))
    return _manage(task)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 12]


@login_required
@require_POST
@_domain_errors
def sort(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _staff_task(request, task_id)
    form = EntryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _manage(task)
    services.entry_create(
        actor=request.user,
        task=task,
        opinion_ids=_ids(request.POST.getlist("opinions")),
        summary=form.cleaned_data["summary"],
        submitted=form.cleaned_data["submitted"],
    )
    messages.success(request, _("The opinions were sorted into the report."))
    return _manage(task)


def _entry(task: ConsultationTask, entry_id: int) -> ReportEntry:
    entry = ReportEntry.objects.filter(task=task, pk=entry_id).select_related("task").first()
    if entry is None:
        raise Http404(_("The requested record was not found."))
    return entry


@login_required
@require_POST
@_domain_errors
def entry_update(request: HttpRequest, task_id: int, entry_id: int) -> HttpResponse:
    task = _staff_task(request, task_id)
    form = EntryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _manage(task)
    services.entry_update(
        actor=request.user,
        entry=_entry(task, entry_id),
        summary=form.cleaned_data["summary"],
        submitted=form.cleaned_data["submitted"],
    )
    messages.success(request, _("The summarised opinion was saved."))
    return _manage(task)


@login_required
@require_POST
@_domain_errors
def duplicate(request: HttpRequest, task_id: int, opinion_id: int) -> HttpResponse:
    task = _staff_task(request, task_id)
    opinion = Opinion.objects.filter(task=task, pk=opinion_id).first()
    original_ids = _ids([request.POST.get("original", "")])
    original = Opinion.objects.filter(task=task, pk=original_ids[0]).first() if original_ids else None
    if opinion is None:
        raise Http404(_("The requested record was not found."))
    services.opinion_mark_duplicate(actor=request.user, opinion=opinion, original=original)
    messages.success(request, _("The opinion was marked as a duplicate."))
    return _manage(task)


@login_required
@require_POST
@_domain_errors
def adoption(request: HttpRequest, task_id: int, entry_id: int) -> HttpResponse:
    task = _staff_task(request, task_id)
    form = AdoptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _manage(task)
    services.adoption_record(actor=request.user, entry=_entry(task, entry_id), **form.cleaned_data)
    messages.success(request, _("The adoption was recorded."))
    return _manage(task)


# ---------------------------------------------------------------------------------------------------
# A large draft being read in the background
# ---------------------------------------------------------------------------------------------------


def _import_of(request: HttpRequest, job_id: int) -> Any:
    job = selectors.draft_import_for(request.user, job_id)
    if job is None:
        raise Http404
    return job


@login_required
@require_GET
def draft_import(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress of an uploaded draft; the bar polls ``draft_import_status`` until it is done."""
    return render(request, "legislation/import.html", {"job": _import_of(request, job_id)})


@login_required
@require_GET
def draft_import_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress fragment htmx swaps in; once the draft is stored, htmx is sent to the task."""
    job = _import_of(request, job_id)
    response = render(request, "legislation/_import_status.html", {"job": job})
    if job.status == ImportStatus.DONE and job.task_id and getattr(request, "htmx", False):
        response["HX-Redirect"] = reverse("legislation:manage", args=[job.task_id])
    return response
