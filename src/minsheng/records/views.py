"""Pages of the duty record: public profiles, my duties, a body's table and rankings, annual reports,
reading groups. Views parse input, call one service or selector, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from minsheng.core.apitypes import MAX_ID
from minsheng.core.errors import DomainError, ValidationFailedError
from minsheng.org.models import Body
from minsheng.records import exports, selectors, services
from minsheng.records.forms import NoteForm, ReportTextForm, ReturnForm, StartForm
from minsheng.records.models import AnnualReport, Book, ReadingGroup, ReportStatus
from minsheng.records.rules import staff_root_ids

S = ReportStatus


def _year(request: HttpRequest) -> int | None:
    """``?year=all`` → every year; a four-digit year; anything else → this year."""
    raw = request.GET.get("year", "")
    if raw == "all":
        return None
    return int(raw) if raw.isdigit() and len(raw) == 4 else selectors.this_year()


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:50]
    people = selectors.representatives_search(query) if query.strip() else []
    return render(request, "records/search.html", {"query": query, "people": people})


def profile(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.representative(person_id)
    if person is None:
        raise Http404(_("No deputy or member has this profile."))
    year = _year(request)
    context = {
        "person": person,
        "record": selectors.record_of(person, year=year, public=True),
        "year": year,
        "seats": selectors.seats_of(person),
        "reports": selectors.reports_published(person),
        "own": getattr(request.user, "person_id", None) == person.pk,
        "photo": selectors.profile_photo(person),
        "can_change_photo": request.user.has_perm("records.change_photo", person),
    }
    return render(request, "records/profile.html", context)


@login_required
def my_duties(request: HttpRequest) -> HttpResponse:
    person = getattr(request.user, "person", None)
    context = {
        "items": selectors.inbox_for(request.user),
        "reports": selectors.reports_of(person) if person else [],
        "seats": selectors.seats_of(person) if person else [],
        "start_form": StartForm(person=person, initial={"year": selectors.this_year()}) if person else None,
    }
    return render(request, "records/my_duties.html", context)


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("records.manage_records"):
        raise PermissionDenied
    roots = None if request.user.has_perm("org.change_body") else staff_root_ids(request.user)
    bodies = list(selectors.representative_bodies(roots))
    reports = selectors.reports_for_staff({b.pk for b in bodies}).exclude(status=ReportStatus.DRAFT)[:100]
    context = {"bodies": bodies, "reports": reports, "year": selectors.this_year(), "submitted": S.SUBMITTED}
    return render(request, "records/staff.html", context)


@login_required
@require_POST
def reports_publish(request: HttpRequest) -> HttpResponse:
    """Staff publish the chosen submitted reports at once (all or none: a refusal changes nothing)."""
    if not request.user.has_perm("records.approve_annualreports"):
        raise PermissionDenied
    chosen = request.POST.getlist("report")[: services.BULK_MAX + 1]
    ids = [int(raw) for raw in chosen if raw.isdigit() and int(raw) <= MAX_ID]
    reports = selectors.reports_submitted_for(request.user, ids)
    try:
        if len(reports) != len(set(ids)):
            raise DomainError(_("A chosen report is not one you may publish."))
        published = services.annual_reports_approve(actor=request.user, reports=reports)
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            ngettext("%(count)d report published.", "%(count)d reports published.", len(published))
            % {"count": len(published)},
        )
    return redirect("records:staff")


def _body_year(request: HttpRequest, body_id: int) -> tuple[Body, int]:
    body = get_object_or_404(Body.objects.select_related("jurisdiction"), pk=body_id)
    return body, _year(request) or selectors.this_year()


def body_table(request: HttpRequest, body_id: int) -> HttpResponse:
    body, year = _body_year(request, body_id)
    scheme = selectors.scheme_for(body.pk, year)
    if not request.user.has_perm("records.view_rankings", scheme or body):
        raise Http404(_("The requested record was not found."))
    context = {
        "body": body,
        "year": year,
        "scheme": scheme,
        "rows": selectors.rankings(body.pk, year),
        "people": selectors.body_people(body.pk, year),
        "counts": selectors.body_counts(body.pk, year),
        "kinds": list(selectors.record_kinds().values()),
        "can_export": request.user.has_perm("records.export_body", body),
    }
    return render(request, "records/body.html", context)


def body_export(request: HttpRequest, body_id: int) -> HttpResponse:
    body, year = _body_year(request, body_id)
    if not request.user.has_perm("records.export_body", body):
        raise Http404(_("The requested record was not found."))
    data = exports.body_xlsx(
        body, year, selectors.body_people(body.pk, year), selectors.body_counts(body.pk, year),
        selectors.rankings(body.pk, year),
    )  # fmt: skip
    return exports.download(data, content_type=exports.XLSX_TYPE, filename=f"{body.name}-{year}-履职.xlsx")


def _report(request: HttpRequest, report_id: int) -> AnnualReport:
    report = get_object_or_404(AnnualReport.objects.select_related("person", "body"), pk=report_id)
    if not request.user.has_perm("records.view_annualreport", report):
        raise Http404(_("The requested record was not found."))
    return report


def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    form = ReportTextForm(request.POST or None, initial={"text": report.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.annual_report_edit(actor=request.user, report=report, text=form.cleaned_data["text"])
        except DomainError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("records:report", report_id=report.pk)
    context = {
        "report": report,
        "form": form,
        "return_form": ReturnForm(),
        "record": selectors.record_of(
            report.person, year=report.year, public=report.status == ReportStatus.PUBLISHED
        ),
        "points": selectors.points_of(report.person_id, report.body_id, report.year),
    }
    return render(request, "records/report.html", context, status=400 if form.errors else 200)


def report_docx(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    points = selectors.points_of(report.person_id, report.body_id, report.year)
    return exports.download(
        exports.annual_report_docx(report, points),
        content_type=exports.DOCX_TYPE,
        filename=f"{report.year}-{report.person.name}-年度履职报告.docx",
    )


@login_required
@require_POST
def report_start(request: HttpRequest) -> HttpResponse:
    person = getattr(request.user, "person", None)
    form = StartForm(request.POST, person=person)
    if person is None or not form.is_valid():
        messages.error(request, _("Choose one of your seats and a year."))
        return redirect("records:mine")
    try:
        report = services.annual_report_start(
            actor=request.user, person=person, body=form.cleaned_data["body"], year=form.cleaned_data["year"]
        )
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("records:mine")
    return redirect("records:report", report_id=report.pk)


@login_required
@require_POST
def report_act(request: HttpRequest, report_id: int, action: str) -> HttpResponse:
    report = _report(request, report_id)
    expected = request.POST.get("state") or None
    try:
        if action == "submit":
            services.annual_report_submit(actor=request.user, report=report, expected_state=expected)
        elif action == "approve":
            services.annual_report_approve(actor=request.user, report=report, expected_state=expected)
        elif action == "return":
            form = ReturnForm(request.POST)
            reason = form.data.get("reason", "")
            services.annual_report_return(
                actor=request.user, report=report, reason=reason, expected_state=expected
            )
        else:
            raise Http404(_("The requested record was not found."))
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Done."))
    return redirect("records:report", report_id=report.pk)


def reading(request: HttpRequest) -> HttpResponse:
    person = getattr(request.user, "person", None)
    groups = selectors.reading_groups_of(None)
    mine = {g.pk for g in selectors.reading_groups_of(person)} if person else set()
    joinable = {
        g.pk for g in groups if g.pk not in mine and request.user.has_perm("records.join_readinggroup", g)
    }
    context = {"groups": groups, "mine": mine, "joinable": joinable, "form": NoteForm()}
    return render(request, "records/reading.html", context)


@login_required
@require_POST
def reading_join(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_object_or_404(ReadingGroup.objects.select_related("body"), pk=group_id)
    try:
        services.reading_group_join(actor=request.user, group=group)
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("You have joined the reading group."))
    return redirect("records:reading")


@login_required
@require_POST
def reading_checkin(request: HttpRequest, book_id: int) -> HttpResponse:
    book = get_object_or_404(Book.objects.select_related("group"), pk=book_id)
    try:
        services.reading_checkin(actor=request.user, book=book)
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Checked in: it counts in your record."))
    return redirect("records:reading")


def points_compare(request: HttpRequest, body_id: int) -> HttpResponse:
    """Staff compare two versions of the body's points rules: who gains or loses what."""
    body, year = _body_year(request, body_id)
    scheme = selectors.scheme_for(body.pk, year)
    if scheme is None or not request.user.has_perm("records.export_body", body):
        raise Http404(_("The requested record was not found."))
    versions = selectors.scheme_versions(scheme)
    known = {v.version for v in versions}

    def chosen(name: str) -> int | None:  # a number that is no version: the default, as if not asked
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() and int(raw) in known else None

    pair = selectors.versions_compared(versions, chosen("a"), chosen("b"))
    assert pair is not None  # known versions or the defaults
    rows = selectors.points_compare(scheme, *pair)
    context = {
        "body": body, "year": year, "scheme": scheme, "versions": versions, "before": pair[0].version,
        "after": pair[1].version, "rows": rows, "moved": [row for row in rows if row.change or row.kinds],
    }  # fmt: skip
    return render(request, "records/compare.html", context)


@login_required
@require_POST
def reading_note(request: HttpRequest, book_id: int) -> HttpResponse:
    book = get_object_or_404(Book.objects.select_related("group"), pk=book_id)
    form = NoteForm(request.POST)
    text = form.data.get("text", "")
    try:
        services.reading_note_add(actor=request.user, book=book, text=text)
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Your note is saved and counts in your record."))
    return redirect("records:reading")


def photo(request: HttpRequest, person_id: int) -> FileResponse:
    """The profile photo: public like the profile (already stripped of its metadata when stored)."""
    person = selectors.representative(person_id)
    found = selectors.profile_photo(person) if person is not None else None
    if found is None:
        raise Http404(_("No photo."))
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
@require_POST
def photo_upload(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.representative(person_id)
    if person is None:
        raise Http404(_("No deputy or member has this profile."))
    upload = request.FILES.get("photo")
    try:
        if upload is None:
            raise ValidationFailedError(_("Choose a photo."), field="photo")
        services.profile_photo_set(actor=request.user, person=person, upload=upload)
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The photo is on the profile."))
    return redirect("records:profile", person_id=person.pk)


@login_required
@require_POST
def photo_remove(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.representative(person_id)
    if person is None:
        raise Http404(_("No deputy or member has this profile."))
    try:
        services.profile_photo_remove(actor=request.user, person=person)
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The photo was removed from the profile."))
    return redirect("records:profile", person_id=person.pk)
