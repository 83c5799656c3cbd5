"""A bounded schemathesis run over every meetings operation, as the staff who run a session and as a
member: no server errors, and every response (refusals included) conforms to the OpenAPI document.

Schema-valid input may still be refused with a 400 here: the fuzzer invents ids of bodies, people and
meetings that do not exist, which the API refuses naming the field (so that check is left out)."""

from __future__ import annotations

from typing import Any

import pytest

from minsheng.meetings import services
from minsheng.org.services import api_token_create
from tests.api_schema import CONFORMANCE, bounded, keep_test_connection_open, schema_of
from tests.meetings.conftest import World

MAX_EXAMPLES = 12  # per operation and generation mode

schema = schema_of(lambda ctx: ctx.operation.path.startswith("/api/meetings"))

pytestmark = pytest.mark.usefixtures(keep_test_connection_open.__name__)


@pytest.fixture
def tokens(world: World) -> dict[str, str]:
    meeting = world.in_session(world.meeting(), present=world.deputies[:7])
    services.poll_open(actor=world.chair, poll=world.decision(meeting))
    return {
        "staff": api_token_create(actor=world.staff, user=world.staff, name="schema")[1],
        "member": api_token_create(actor=world.deputies[2], user=world.deputies[2], name="schema")[1],
    }


@pytest.mark.django_db
@schema.parametrize()
@bounded(MAX_EXAMPLES)
@pytest.mark.parametrize("who", ["staff", "member"])
def test_meetings_operations_conform_to_their_schema(case: Any, tokens: dict[str, str], who: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {tokens[who]}"}, checks=CONFORMANCE)
