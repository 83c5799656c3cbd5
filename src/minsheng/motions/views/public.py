"""Public pages: disclosed replies, with personal data masked."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from minsheng.core.privacy import mask_text
from minsheng.motions.selectors import (
    public_motion,
    public_replies,
    reply_public_text,
)
from minsheng.motions.views.lists import PAGE_SIZE


def public_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(public_replies(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "reply": r,
            "motion": r.motion,
            "text": reply_public_text(r)[:200],
        }
        for r in page.object_list
    ]
    return render(request, "motions/public_list.html", {"page": page, "rows": rows})


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = public_motion(pk)
    if found is None:
        raise Http404
    motion, replies = found
    shown = [{"reply": r, "text": reply_public_text(r)} for r in replies]
    return render(
        request,
        "motions/public_detail.html",
        {"motion": motion, "title": mask_text(motion.title), "replies": shown},
    )
