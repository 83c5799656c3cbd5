"""The leaders' and offices' dashboard: volumes, satisfaction, categories, units."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django_stubs_ext import StrOrPromise

from minsheng.motions.selectors import (
    dashboard_for,
)


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
