"""A bounded schemathesis run over the public operations of the voices API (the resident's: one-time
code, submission, tracking, rating, reception days): no server errors, and every response conforms
to the OpenAPI document (schema-valid input is never refused with a 400)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

MAX_EXAMPLES = 20


def _public_voice_operation(ctx: Any) -> bool:
    # One filter: chained include() calls widen the selection rather than narrow it.
    return ctx.operation.path.startswith("/api/voices") and not ctx.operation.definition.raw.get("security")


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler()).include(_public_voice_operation)


@pytest.fixture(autouse=True)
def _keep_test_connection_open() -> Iterator[None]:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_public_voice_operations_conform_to_their_schema(case: Any) -> None:
    case.call_and_validate()
