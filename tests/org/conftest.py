"""Fixtures of the org tests: the 武进区 demo data, seeded once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from minsheng.org.demo import demo_exists, demo_seed


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The test database with the demo district in it (~1,000 rows, ~3 s, once).

    Each test still runs in a transaction that is rolled back, so the seeded rows are shared read-only.
    """
    with django_db_blocker.unblock():
        if not demo_exists():
            demo_seed()
    yield
