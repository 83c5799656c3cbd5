"""Public pages: disclosed replies, with personal data masked, searchable and filtered."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from minsheng.core.privacy import mask_text
from minsheng.motions.forms import PublicSearchForm
from minsheng.motions.selectors import (
    PublicFilters,
    motion_public_text,
    public_filter_choices,
    public_motion,
    public_replies_search,
    reply_public_text,
)
from minsheng.motions.views.lists import PAGE_SIZE


def _filters(form: PublicSearchForm) -> PublicFilters:
    if not form.is_valid():
        return PublicFilters()
    data = form.cleaned_data
    return PublicFilters(
        query=data["q"],
        kind=data["kind"],
        year=data["year"],
        unit=data["unit"],
        category=data["category"],
        place=data["place"],
    )


def public_list(request: HttpRequest) -> HttpResponse:
    choices = public_filter_choices()
    form = PublicSearchForm(request.GET or None, choices=choices)
    replies = public_replies_search(_filters(form))
    page = Paginator(replies, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"reply": r, "title": mask_text(r.motion.title), "text": reply_public_text(r)[:200]}
        for r in page.object_list
    ]
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "form": form,
        "query": params.urlencode(),
        "choices_key": choices.key,
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "motions/public_list.html", context, status=status)


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = public_motion(pk)
    if found is None:
        raise Http404
    motion, replies = found
    shown = [{"reply": r, "text": reply_public_text(r)} for r in replies]
    return render(
        request,
        "motions/public_detail.html",
        {
            "motion": motion,
            "title": mask_text(motion.title),
            "text": motion_public_text(motion),
            "replies": shown,
        },
    )
