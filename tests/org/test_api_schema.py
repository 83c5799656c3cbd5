"""A bounded schemathesis run over the public GET endpoints: no server errors, and every response
(errors included) conforms to the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_schema import bounded, is_public, keep_test_connection_open, schema_of

MAX_EXAMPLES = 25  # per operation and generation mode; the whole run stays well under a minute

schema = schema_of(lambda ctx: ctx.operation.method.upper() == "GET" and is_public(ctx))

pytestmark = pytest.mark.usefixtures(keep_test_connection_open.__name__)


@pytest.mark.django_db
@schema.parametrize()
@bounded(MAX_EXAMPLES)
def test_public_endpoints_conform_to_their_schema(case: Any) -> None:
    case.call_and_validate()
