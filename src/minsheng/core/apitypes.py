"""Types that the API's input schemas share, with their bounds stated so the OpenAPI document says them.

A number the database cannot hold must be refused at the schema (400 with the usual JSON error), not
reach the ORM: SQLite raises OverflowError above 2⁶³ − 1 and PostgreSQL "out of range" (both 500s).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ID = 2**63 - 1
"""The largest primary key (BigAutoField, and any 64-bit integer column)."""
MAX_INT32 = 2**31 - 1
"""The largest value of an IntegerField / PositiveIntegerField column on PostgreSQL."""

ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""The id of a database row, in a path, a query or a body."""
PositiveInt32 = Annotated[int, Field(ge=1, le=MAX_INT32)]
"""A positive count or number stored in a 32-bit column (a version number, a length)."""
