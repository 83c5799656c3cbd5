"""The API fuzz runs against the 武进区 demo district (seeded once per session, as the web, org and voices
tests do). The apps' own demo records are not seeded: they would stay in the session's database and
change what the other packages' tests on the same worker count."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    from tests.conftest import demo_seed_once

    with django_db_blocker.unblock():
        demo_seed_once()
    yield
