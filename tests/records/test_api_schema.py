"""A bounded schemathesis run over the records operations, signed out: no server errors, and every
response conforms to the OpenAPI document (tests/api/test_fuzz.py runs them as every demo role)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_schema import bounded, keep_test_connection_open, schema_of

MAX_EXAMPLES = 10

schema = schema_of(lambda ctx: ctx.operation.path.startswith("/api/records"))

pytestmark = pytest.mark.usefixtures(keep_test_connection_open.__name__)


@pytest.mark.django_db
@schema.parametrize()
@bounded(MAX_EXAMPLES)
def test_records_operations_conform_to_their_schema(case: Any) -> None:
    case.call_and_validate()
