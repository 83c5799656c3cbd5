"""The web tests run against the deterministic 武进区 demo data, seeded once per test session."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from minsheng.core.messaging import outbox_clear
from minsheng.org.demo import demo_exists, demo_seed


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if not demo_exists():
            demo_seed()


@pytest.fixture(autouse=True)
def _fresh_cache_and_outbox():
    cache.clear()
    outbox_clear()
    yield
    cache.clear()
