"""A bounded schemathesis run over the public oversight operations: no server errors, and every
response conforms to the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_schema import bounded, is_public, keep_test_connection_open, schema_of

MAX_EXAMPLES = 15

schema = schema_of(lambda ctx: ctx.operation.path.startswith("/api/oversight") and is_public(ctx))

pytestmark = pytest.mark.usefixtures(keep_test_connection_open.__name__)


@pytest.mark.django_db
@schema.parametrize()
@bounded(MAX_EXAMPLES)
def test_public_oversight_operations_conform_to_their_schema(case: Any) -> None:
    case.call_and_validate()
