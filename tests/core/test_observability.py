"""Observability: JSON logs with the request id (500s too), /metrics in the Prometheus format, /healthz."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test import Client, override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from minsheng.core.health import health_check
from minsheng.core.logs import JsonFormatter, RequestIdFilter, logging_config
from minsheng.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the production handler would write, for the request log and Django's request errors."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger(name) for name in ("minsheng.request", "django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


def _entries(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_every_request_leaves_one_json_line_with_its_request_id(log_lines):
    response = Client().get("/", headers={"X-Request-ID": "trace-0001-abcd"})
    assert response.status_code == 200
    [entry] = [e for e in _entries(log_lines) if e["logger"] == "minsheng.request"]
    assert entry["request_id"] == "trace-0001-abcd" == response["X-Request-ID"]
    assert entry["status"] == 200 and entry["method"] == "GET" and entry["path"] == "/"
    assert entry["view"] == "web:home" and entry["duration_ms"] >= 0
    assert entry["user_id"] is None


def test_the_request_log_leaves_out_the_query_string(log_lines):
    Client().get("/voices/track/", {"code": "13912345678"})
    assert "13912345678" not in log_lines.getvalue()


@pytest.mark.urls("tests.core.urls_boom")
def test_a_500_is_logged_with_its_request_id_and_traceback(log_lines):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    errors = [e for e in _entries(log_lines) if e["logger"] == "django.request"]
    assert len(errors) == 1
    assert errors[0]["level"] == "ERROR" and errors[0]["request_id"] == request_id
    assert "RuntimeError: 测试：视图出错" in errors[0]["exception"]
    assert errors[0]["status_code"] == 500
    [access] = [e for e in _entries(log_lines) if e["logger"] == "minsheng.request"]
    assert access["status"] == 500 and access["request_id"] == request_id


def test_the_logging_setting_routes_django_request_errors_to_a_handler():
    config = logging_config("json")
    assert config["loggers"]["django.request"]["handlers"] == ["console"]
    assert config["loggers"]["django.request"]["level"] == "ERROR"
    assert config["handlers"]["console"]["filters"] == ["request_id"]
    assert logging_config("text")["handlers"]["console"]["formatter"] == "text"


def _metrics(client: Client, **headers: str) -> dict[str, list]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    families = text_string_to_metric_families(response.content.decode())
    return {family.name: family.samples for family in families}


def test_metrics_are_in_the_prometheus_text_format_with_requests_and_latency():
    client = Client()
    client.get("/")
    client.get("/")
    client.get("/no-such-page/")
    metrics = _metrics(client)
    home = [s for s in metrics["minsheng_http_requests"] if s.labels.get("view") == "web:home"]
    assert home and home[0].name == "minsheng_http_requests_total" and home[0].value >= 2
    assert home[0].labels["status"] == "200" and home[0].labels["method"] == "GET"
    unmatched = [
        s
        for s in metrics["minsheng_http_requests"]
        if s.labels["status"] == "404" and s.labels["view"] == "unmatched"
    ]
    assert unmatched and unmatched[0].value >= 1
    assert not any("no-such-page" in s.labels["view"] for s in metrics["minsheng_http_requests"]), (
        "no URL labels"
    )
    buckets = [
        s for s in metrics["minsheng_http_request_duration_seconds"]
        if s.name.endswith("_bucket") and s.labels["view"] == "web:home"
    ]  # fmt: skip
    assert [s.labels["le"] for s in buckets][-1] == "+Inf" and buckets[-1].value >= 2


def test_metrics_show_the_queue_failures_heartbeats_and_overdue_items():
    from minsheng.core.jobs import jobs_all

    job = jobs_all()[0]
    with override_settings(TASKS=DB_TASKS):
        job.task.enqueue()
        job.task.enqueue()
    WorkerHeartbeat.objects.create(
        worker="w-1", host="node1", pid=42, started_at=timezone.now(), seen_at=timezone.now(),
        tasks_run=7, tasks_failed=2,
    )  # fmt: skip
    metrics = _metrics(Client())
    assert metrics["minsheng_tasks_queue_depth"][0].value == 2
    assert {s.labels["status"]: s.value for s in metrics["minsheng_tasks"]}["ready"] == 2
    assert [(s.labels["worker"], s.value) for s in metrics["minsheng_worker_task_failures"]] == [("w-1", 2)]
    assert [(s.labels["worker"], s.value) for s in metrics["minsheng_worker_tasks"]] == [("w-1", 7)]
    assert 0 <= metrics["minsheng_worker_heartbeat_age_seconds"][0].value < 60
    kinds = {s.labels["kind"]: s.value for s in metrics["minsheng_overdue_items"]}
    assert kinds == {"motions.assignments": 0, "voices": 0}


def test_metrics_are_refused_to_other_machines_and_to_relayed_requests():
    assert Client(REMOTE_ADDR="10.0.0.7").get("/metrics").status_code == 403
    assert Client().get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert Client(REMOTE_ADDR="::1").get("/metrics").status_code == 200


def test_with_a_token_configured_the_token_is_required_even_on_loopback(monkeypatch):
    monkeypatch.setenv("MINSHENG_METRICS_TOKEN", "s3cret-metrics-token")
    assert Client().get("/metrics").status_code == 403
    wrong = {"Authorization": "Bearer nope"}
    assert Client(REMOTE_ADDR="10.0.0.7").get("/metrics", headers=wrong).status_code == 403
    right = {"Authorization": "Bearer s3cret-metrics-token"}
    assert Client(REMOTE_ADDR="10.0.0.7").get("/metrics", headers=right).status_code == 200


def _beat(age: dt.timedelta) -> None:
    seen = timezone.now() - age
    WorkerHeartbeat.objects.create(worker=f"w{age.seconds}", host="h", pid=1, started_at=seen, seen_at=seen)


def test_healthz_is_ok_with_the_database_up_and_a_recent_heartbeat():
    _beat(dt.timedelta(seconds=5))
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["worker"] == "ok"
    assert 0 <= body["heartbeat_age_seconds"] < 60


def test_healthz_fails_when_no_worker_ever_beat():
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "fail", "database": "ok", "worker": "missing", "heartbeat_age_seconds": None,
    }  # fmt: skip


def test_healthz_fails_when_the_worker_went_silent():
    _beat(dt.timedelta(minutes=5))
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "silent" and response.json()["heartbeat_age_seconds"] >= 300


def test_health_fails_when_the_database_is_unreachable(tmp_path):
    """A database that cannot be opened (a missing folder): no exception, a clear "unreachable"."""
    settings_dict = {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "missing-folder" / "db.sqlite3"),
        "OPTIONS": {},
    }
    # A connection of its own, under an alias the test case does not guard.
    down = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "down")
    try:
        health = health_check(connection=down)
    finally:
        down.close()
    assert (health.database, health.worker, health.ok) == ("unreachable", "unknown", False)


def test_healthz_answers_503_when_the_database_fails(monkeypatch):
    from django.db import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
