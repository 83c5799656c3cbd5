"""Operations endpoints: ``/healthz`` for load balancers and ``/metrics`` for Prometheus."""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import asdict

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from minsheng.core.health import health_check
from minsheng.core.metrics import CONTENT_TYPE, metrics_text
from minsheng.settings import env


def _loopback(request: HttpRequest) -> bool:
    """A direct connection from this machine (a request relayed by a proxy is never one)."""
    if "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_X_REAL_IP" in request.META:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def metrics_allowed(request: HttpRequest) -> bool:
    """With MINSHENG_METRICS_TOKEN set, the token is required; without it, loopback only."""
    token = env.metrics_token()
    if token:
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(offered.encode(), token.encode())
    return _loopback(request)


@never_cache
@require_GET
def livez(request: HttpRequest) -> JsonResponse:
    """The process answers (no database, no worker): liveness, and the benchmarks' trivial-page ceiling."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    health = health_check()
    body = {"status": "ok" if health.ok else "fail", **asdict(health)}
    return JsonResponse(body, status=200 if health.ok else 503)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE)
