"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

REPO_ROOT = Path(__file__).resolve().parents[1]

# No test asserts a time, hypothesis included: its default 200 ms deadline per example failed a pure
# function's test on a loaded 2-core machine (320 ms once, 0.14 ms on the retry).
settings.register_profile("minsheng", deadline=None)
settings.load_profile("minsheng")


def shared_data_dir() -> Path | None:
    """Where ../shared/data lives: MINSHENG_SHARED_DATA, else beside the repository."""
    configured = os.environ.get("MINSHENG_SHARED_DATA")
    candidate = Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public test data; CI must have it, a laptop may not."""
    found = shared_data_dir()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("../shared/data is missing on CI: validation against real data must not be skipped")
        pytest.skip("../shared/data is not present on this machine")
    return found


@pytest.fixture(autouse=True)
def _fresh_cache_and_outbox() -> Iterator[None]:
    """Throttles, one-time codes and sent messages live in the cache and the outbox: no test may see
    another's (a code limit reached in one test would silently refuse codes in the next)."""
    from django.core.cache import cache

    from minsheng.core.messaging import outbox_clear

    cache.clear()
    outbox_clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_calendar_years() -> Iterator[None]:
    """Which years have a loaded holiday schedule is remembered per process: each test reads its own."""
    from minsheng.core.calendar import known_years_forget

    known_years_forget()
    yield
    known_years_forget()


@pytest.fixture(autouse=True)
def _fresh_jurisdiction_tree() -> Iterator[None]:
    """The tree of places and people's memberships are kept per process: each test reads its own."""
    from minsheng.org.selectors import jurisdiction_tree_forget, memberships_forget

    jurisdiction_tree_forget()
    memberships_forget()
    yield
    jurisdiction_tree_forget()
    memberships_forget()


@pytest.fixture(autouse=True)
def _fresh_fragments() -> Iterator[None]:
    """Rendered form fragments (unit lists) are cached per process: a test must see its own units."""
    from django.core.cache import caches

    caches["fragments"].clear()
    yield


def demo_seed_once() -> None:
    """Seed the 武进区 demo district unless an earlier fixture already did in this database."""
    from minsheng.org.demo import demo_exists, demo_seed

    if not demo_exists():
        demo_seed()


def demo_seed_all() -> None:
    """The whole demo, as `minsheng demo` seeds it: the district, then every app's demo records."""
    from minsheng.cli import APP_DEMO_MODULES, _app_demo

    demo_seed_once()
    for module_name in APP_DEMO_MODULES:
        module = _app_demo(module_name)
        if module is not None and not module.exists():
            module.seed()
