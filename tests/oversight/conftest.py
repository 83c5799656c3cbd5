"""Fixtures of the oversight tests: the 武进区 demo district (seeded once) and its accounts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from minsheng.org.demo import demo_exists, demo_seed
from tests.oversight.builders import World


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        if not demo_exists():
            demo_seed()
    yield


@pytest.fixture
def world(db: None) -> World:
    return World()
