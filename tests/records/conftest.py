"""Fixtures of the records tests: the 武进区 demo district (seeded once) and its demo accounts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from minsheng.org.demo import demo_exists, demo_seed
from minsheng.org.models import User


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        if not demo_exists():
            demo_seed()
    yield


def account(username: str) -> User:
    """A fresh user object (its cached memberships start empty)."""
    return User.objects.select_related("person").get(username=username)
