"""Types that the API's input schemas share, with their bounds stated so the OpenAPI document says them.

A number the database cannot hold must be refused at the schema (400 with the usual JSON error), not
reach the ORM: SQLite raises OverflowError above 2⁶³ − 1 and PostgreSQL "out of range" (both 500s).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

MAX_ID = 2**63 - 1
"""The largest primary key (BigAutoField, and any 64-bit integer column)."""
MAX_INT32 = 2**31 - 1
"""The largest value of an IntegerField / PositiveIntegerField column on PostgreSQL."""

ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""The id of a database row, in a path, a query or a body."""
PositiveInt32 = Annotated[int, Field(ge=1, le=MAX_INT32)]
"""A positive count or number stored in a 32-bit column (a version number, a length)."""

TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def _local_time(value: dt.time) -> dt.time:
    if value.tzinfo is not None or value.microsecond:
        raise PydanticCustomError("string_pattern_mismatch", "a local time such as 09:00")
    return value


LocalTime = Annotated[
    dt.time,
    AfterValidator(_local_time),
    WithJsonSchema({"type": "string", "pattern": TIME_PATTERN, "examples": ["09:00", "14:30:00"]}),
]
"""A wall-clock time in the site's zone ("09:00" or "09:00:00"), as reception days are announced.

JSON Schema's ``format: time`` demands an offset ("09:00:00+08:00"): documenting a naive time with it
made every response fail its own schema, and inputs with an offset were accepted and compared with
naive times. The pattern says what is meant, and an offset is refused (400)."""


class ObjectBody(Schema):
    """A JSON body that must be an object. ninja's ``Schema`` reads attributes from whatever it is given,
    so a body of ``[null, null]`` or ``"x"`` passed as a schema whose fields all have defaults; a
    schema built on this one refuses it (400) instead of acting on the defaults."""

    @model_validator(mode="wrap")
    @classmethod
    def _an_object(cls, values: Any, handler: Any) -> Any:
        if not isinstance(values, dict):
            raise PydanticCustomError("model_type", "a JSON object")
        return handler(values)
