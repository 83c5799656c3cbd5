"""Schemathesis over every operation of the API, signed out and signed in as each demo role (a bearer
token per role): no input makes a server error, and every response (errors included) conforms to the
OpenAPI document (status code, content type, body schema). Short enough for CI: a few examples per
operation (MAX_EXAMPLES), each sent as every role; all in the test's transaction, rolled back after."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import Phase, settings

from tests.api_schema import CONFORMANCE, bounded, keep_test_connection_open, schema_of

MAX_EXAMPLES = 3


def _roles() -> list[str]:
    """Signed out, then every demo sign-in account (the district's and each app demo's ``ACCOUNTS``)."""
    from minsheng.cli import demo_accounts

    return ["", *dict.fromkeys(account.username for account in demo_accounts())]


ROLES = _roles()
schema = schema_of(lambda ctx: True)
pytestmark = pytest.mark.usefixtures(keep_test_connection_open.__name__)


@pytest.fixture
def role_headers(db: None) -> dict[str, dict[str, str]]:
    """Headers per role: none when signed out, a fresh bearer token for each demo account."""
    from minsheng.cli import demo_accounts_seed
    from minsheng.org.models import User
    from minsheng.org.services import api_token_create

    demo_accounts_seed()  # in this test's transaction: the app demos' records stay out of the database
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for user in User.objects.filter(username__in=[role for role in ROLES if role]):
        _token, key = api_token_create(actor=user, user=user, name="fuzz")
        headers[user.username] = {"Authorization": f"Bearer {key}"}
    assert len(headers) == len(ROLES), "a demo account is missing"
    return headers


def test_the_document_is_a_valid_openapi_document() -> None:
    schema.validate()


@pytest.mark.django_db
@schema.parametrize()
@settings(bounded(MAX_EXAMPLES), phases=[Phase.generate])
def test_every_operation_as_every_role(case: Any, role_headers: dict[str, dict[str, str]]) -> None:
    # Each generated request is sent once per role: the same input, every permission path.
    for headers in role_headers.values():
        case.call_and_validate(headers=headers, checks=CONFORMANCE)
