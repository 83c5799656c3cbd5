"""A bounded schemathesis run over the public operations of the voices API (the resident's: one-time
code, submission, tracking, rating, reception days): no server errors, and every response conforms
to the OpenAPI document (schema-valid input is never refused with a 400)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_schema import bounded, is_public, keep_test_connection_open, schema_of

MAX_EXAMPLES = 20

schema = schema_of(lambda ctx: ctx.operation.path.startswith("/api/voices") and is_public(ctx))

pytestmark = pytest.mark.usefixtures(keep_test_connection_open.__name__)


@pytest.mark.django_db
@schema.parametrize()
@bounded(MAX_EXAMPLES)
def test_public_voice_operations_conform_to_their_schema(case: Any) -> None:
    case.call_and_validate()
