"""The API fuzz runs against the whole demo (the district and every app's demo records), seeded once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    from minsheng.cli import APP_DEMO_MODULES, _app_demo
    from tests.conftest import demo_seed_once

    with django_db_blocker.unblock():
        demo_seed_once()
        for module_name in APP_DEMO_MODULES:
            module = _app_demo(module_name)
            if module is not None and not module.exists():
                module.seed()
    yield
