"""The staff list of motions with search and filters, and its xlsx export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from minsheng.core.search import CappedPaginator, lookahead_for
from minsheng.motions import exports
from minsheng.motions import forms as f
from minsheng.motions.selectors import (
    MotionFilters,
    motions_rows,
    motions_search,
)

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
        "search_query": request.GET.get("q", ""),  # a missing filter argument would fail the page
        "can_draft": request.user.has_perm("motions.add_motion"),
    }
    return render(request, "motions/list.html", context)


@login_required
def motion_export(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("motions.list_motion"):
        raise Http404
    motions = motions_search(request.user, _filters(f.SearchForm(request.GET or None)))[: exports.MAX_ROWS]
    return exports.xlsx_response(list(motions))
