"""JSON API of the text-intelligence app: routing suggestions and hot issues."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from minsheng.core.errors import PermissionDeniedError
from minsheng.insight import selectors
from minsheng.org.models import Jurisdiction

router = Router(tags=["insight"])


class SuggestionOut(Schema):
    label: str
    name: str
    confidence: float
    unit_ids: list[int]


class AdviceOut(Schema):
    model_version: int | None
    suggestions: list[SuggestionOut]


class SuggestIn(Schema):
    text: str


@router.post("/routing/suggest", response=AdviceOut, summary="Routing suggestion for a text (top 2)")
def routing_suggest(request: HttpRequest, body: SuggestIn) -> dict:
    if not request.user.has_perm("voices.list_voice") and not request.user.has_perm(
        "insight.view_routingmodel"
    ):
        raise PermissionDeniedError()
    advice = selectors.routing_advice(body.text[:20000])
    if advice is None:
        return {"model_version": None, "suggestions": []}
    return {
        "model_version": advice.version.number,
        "suggestions": [
            {
                "label": s.label,
                "name": s.name,
                "confidence": s.confidence,
                "unit_ids": [u.pk for u in s.units],
            }
            for s in advice.suggestions
        ],
    }


class HotIssueOut(Schema):
    rank: int
    heat: float
    title: str
    place: str
    start: str | None
    end: str | None
    voice_ids: list[int]


@router.get(
    "/hot/{jurisdiction_id}", response=list[HotIssueOut], summary="Latest hot issues of a jurisdiction"
)
def hot_issues(request: HttpRequest, jurisdiction_id: int) -> list[dict]:
    jurisdiction = get_object_or_404(Jurisdiction, pk=jurisdiction_id)
    if not request.user.has_perm("insight.view_hotissuereport", jurisdiction):
        raise PermissionDeniedError()
    report = selectors.hot_report_latest(jurisdiction)
    issues = report.issues if report is not None else []
    return [
        {
            "rank": i["rank"],
            "heat": i["heat"],
            "title": i["title"],
            "place": i["place"],
            "start": i["from"],
            "end": i["to"],
            "voice_ids": i["ids"],
        }
        for i in issues
    ]
