"""Input types every app's API schemas share, stated once so that the OpenAPI document says them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# Database ids: positive and within a 32-bit integer, so no input overflows the database's integer.
ObjectId = Annotated[int, Field(ge=1, le=2_147_483_647)]
