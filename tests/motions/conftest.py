"""Fixtures of the motions tests: the 武进区 demo district (seeded once) and its demo accounts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from minsheng.core.messaging import outbox_clear
from minsheng.org.demo import demo_exists, demo_seed
from tests.demo_roles import demo_roles_seed
from tests.motions.builders import Accounts


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        if not demo_exists():
            demo_seed()
        demo_roles_seed()  # lawstaff and jumin too: the permission matrix covers every demo role
    yield


@pytest.fixture(autouse=True)
def _fresh_cache_and_outbox() -> Iterator[None]:
    cache.clear()
    outbox_clear()
    yield
    cache.clear()


@pytest.fixture
def accounts(db: None) -> Accounts:
    return Accounts()
