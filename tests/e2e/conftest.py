"""Browser journeys in Debian's Chromium, driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("MINSHENG_CHROMIUM", ""),
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing on CI: .ci/run must apt-get install chromium")
        pytest.skip("Chromium is not installed here (apt-get install chromium); browser journeys skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: object) -> Iterator[object]:
    viewport_name = request.param
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport=VIEWPORTS[viewport_name],
        locale="zh-CN",
        is_mobile=viewport_name == "phone",
        has_touch=viewport_name == "phone",
    )
    page = context.new_page()
    page.viewport_name = viewport_name
    # Nothing may load from the internet: fail any request that leaves this machine.
    external: list[str] = []
    page.on(
        "request",
        lambda req: (
            external.append(req.url)
            if not req.url.startswith(("http://localhost", "http://127.0.0.1", "data:"))
            else None
        ),
    )
    yield page
    context.close()
    assert external == [], f"requests left the machine: {external}"


def screenshot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}-{page.viewport_name}.png"  # type: ignore[attr-defined]
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
