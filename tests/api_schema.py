"""What every schemathesis run over our API shares: the in-process app, the test connection kept
open, and the hypothesis settings. Each app's test picks its operations with one predicate."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
"""What every run asks of the API: no server error, and every response (refusals included) as the
document says. Pydantic's lax coercions (0 for false, "7" for 7) are accepted on purpose, so the
negative-data check is not among them."""


def schema_of(selected: Callable[[Any], bool]) -> Any:
    """The Django app itself, in-process, so requests reach the test database with the demo data.

    Loaded at import (serving the OpenAPI document needs no database): schemathesis's fixture-based
    loader does not work with pytest 9 (it sets the removed ``Function._nodeid``). One predicate,
    because chained include() calls widen the selection instead of narrowing it.
    """
    return schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler()).include(selected)


def is_public(ctx: Any) -> bool:
    """Anonymous callers allowed: the empty requirement ``{}`` among the operation's security."""
    return {} in ctx.operation.definition.raw.get("security", [{}])


def bounded(max_examples: int) -> Any:
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
        ],
    )


@pytest.fixture
def keep_test_connection_open() -> Iterator[None]:
    """As Django's test client does: a request must not close the connection that holds the test's
    transaction (on PostgreSQL that would end the transaction and lose the demo data)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
