"""Request ids: taken from a safe header or made fresh, echoed, visible to Events during the request."""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from minsheng.core.middleware import RequestIdMiddleware, request_id_bound, request_id_get


def run(header: str | None = None) -> tuple[HttpResponse, dict[str, str]]:
    seen: dict[str, str] = {}

    def view(request):
        seen["attribute"] = request.request_id
        seen["context"] = request_id_get()
        return HttpResponse("ok")

    headers = {"X-Request-ID": header} if header is not None else {}
    response = RequestIdMiddleware(view)(RequestFactory().get("/", headers=headers))
    return response, seen


def test_a_safe_header_is_reused_and_echoed():
    response, seen = run("abc-123_def.456")
    assert response["X-Request-ID"] == "abc-123_def.456"
    assert seen == {"attribute": "abc-123_def.456", "context": "abc-123_def.456"}


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "short",  # too short to be a meaningful id
        "x" * 65,  # too long for the Event column
        "abc def ghi",
        "abc\r\nSet-Cookie: x=1",
        "<script>alert(1)</script>",
        "请求编号一二三四五六",
        "-starts-with-dash",
    ],
)
def test_an_unsafe_or_missing_header_gets_a_fresh_id(header):
    response, seen = run(header)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert seen["attribute"] == seen["context"] == response["X-Request-ID"]


def test_each_request_gets_its_own_id_and_the_context_is_reset():
    first, _ = run()
    second, _ = run()
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert request_id_get() == ""


def test_request_id_bound_for_work_outside_requests():
    with request_id_bound("task-00000001"):
        assert request_id_get() == "task-00000001"
    assert request_id_get() == ""


@pytest.mark.django_db
def test_events_written_during_a_request_carry_its_id():
    from django.db import transaction

    from minsheng.core.events import event_record

    def view(request):
        with transaction.atomic():
            event = event_record(actor=None, verb="note")
        return HttpResponse(event.request_id)

    response = RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-abcdef12"))
    assert response.content == b"req-abcdef12"


def test_once_per_request_computes_once_within_a_request_and_afresh_in_the_next():
    from minsheng.core.queries import once_per_request

    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    def view(request):
        first, second = once_per_request("n", compute), once_per_request("n", compute)
        return HttpResponse(f"{first}{second}")

    # The same caller-chosen request id twice: the memo is the request's, not the id's.
    same_id = RequestFactory().get("/", HTTP_X_REQUEST_ID="req-same-01")
    assert RequestIdMiddleware(view)(same_id).content == b"11"
    assert RequestIdMiddleware(view)(same_id).content == b"22"
    # Outside a request (commands, tasks) nothing is kept.
    assert [once_per_request("n", compute), once_per_request("n", compute)] == [3, 4]
