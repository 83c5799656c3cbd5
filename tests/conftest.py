"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


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
