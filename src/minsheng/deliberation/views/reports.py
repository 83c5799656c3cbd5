"""The report page and its downloads: votes.csv, comments.csv, report.docx, map.png."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from minsheng.core.exports import CSV_TYPE, DOCX_TYPE, download
from minsheng.deliberation import exports, forms, selectors
from minsheng.deliberation.views.common import (
    topic_or_404,
)


@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """The public report: the map's findings, the meetings and how the outcomes are going."""
    topic = topic_or_404(request, pk)
    return render(
        request,
        "deliberation/report.html",
        {
            "topic": topic,
            "opinion": selectors.opinion_map(topic),
            "meetings": selectors.meetings_of(topic),
            "outcomes": selectors.outcomes_of(topic),
            "progress_form": forms.ProgressForm(),
        },
    )


@require_GET
def export_votes(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_or_404(request, pk)
    return download(exports.votes_csv(topic), content_type=CSV_TYPE, filename=f"topic-{topic.pk}-votes.csv")


@require_GET
def export_comments(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_or_404(request, pk)
    return download(
        exports.comments_csv(topic), content_type=CSV_TYPE, filename=f"topic-{topic.pk}-comments.csv"
    )


@require_GET
def export_docx(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_or_404(request, pk)
    return download(
        exports.report_docx(topic), content_type=DOCX_TYPE, filename=f"topic-{topic.pk}-report.docx"
    )


@require_GET
def export_map_png(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_or_404(request, pk)
    analysis = selectors.analysis_latest(topic)
    if analysis is None:
        raise Http404
    return HttpResponse(exports.map_png(analysis.result), content_type="image/png")
