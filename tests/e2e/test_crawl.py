"""The walk-through as a test: for anonymous and every demo account, on a desktop and a phone, follow every
link from every page (same origin, one URL per pattern: digits and query values do not count), and
assert that nothing answers 4xx/5xx, no page writes to the console or throws, no Chinese page shows
English words, and no phone page is wider than the phone.

The English check is a heuristic: words of three or more Latin letters with a lower-case letter in the
visible text (codes in ``<code>`` left out), outside ``ALLOWED_WORDS`` (product and format names that
Chinese pages use as they are).
Downloads (xlsx, docx, csv, QR codes) are fetched, not rendered. The admin is walked by
``tests/web/test_admin_walk.py`` and ``tests/web/test_admin_lists.py``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlparse

import pytest
from playwright.sync_api import Error as PlaywrightError

from minsheng.cli import demo_accounts
from minsheng.org.demo import DEMO_PASSWORD
from tests.conftest import demo_seed_all
from tests.e2e.conftest import CHROMIUM_FLAGS, VIEWPORTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOT_CRAWLED = ("/admin/", "/api/", "/i18n/", "/static/", "/accounts/logout")
DOWNLOAD = re.compile(r"\.(xlsx|docx|csv|png|svg|pdf)$|^/voices/qr/")
LATIN_WORD = re.compile(r"[A-Za-z]*[a-z][A-Za-z]*")
ALLOWED_WORDS = {
    "English",  # the language switch names the other language in itself
    "Word", "Excel", "Office",  # file kinds as offices call them
    "docx", "xlsx", "csv", "txt", "pdf", "jpg", "png", "WebP",  # file kinds in upload hints
    "Cookie", "Tab", "axe", "core",  # the privacy and accessibility pages
    "TOPCon",  # a solar cell technology, part of a key project's name in the demo supervision data
}  # fmt: skip
# The page's visible text without codes (tracking codes, fingerprints and signatures in <code>).
VISIBLE_WORDS = """() => {
  let text = document.body.innerText;
  for (const code of document.body.querySelectorAll("code, kbd, samp")) {
    if (code.innerText) text = text.replaceAll(code.innerText, " ");
  }
  return text;
}"""
# (account, URL pattern) → status a link may legitimately answer; none so far.
EXPECTED_STATUS: dict[tuple[str, str], int] = {}


def url_pattern(url: str) -> str:
    parts = urlparse(url)
    keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


@dataclass
class Walk:
    account: str
    visited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    linked_from: dict[str, str] = field(default_factory=dict)  # URL → the first page that linked to it


def _context(browser, viewport: str):
    return browser.new_context(
        viewport=VIEWPORTS[viewport],
        locale="zh-CN",
        is_mobile=viewport == "phone",
        has_touch=viewport == "phone",
    )


def _sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/me/")


def _check_page(page, base: str, url: str, walk: Walk, viewport: str, errors: list[str]) -> str:
    """Open ``url`` and note its problems; "page" for an HTML page whose links are worth following,
    "file" for anything else the browser shows (a text or image download: its status is all we check),
    "failed" for an error answer."""
    errors.clear()
    try:
        response = page.goto(base + url)
    except PlaywrightError as error:
        if "Download is starting" not in str(error):
            raise
        status = page.context.request.get(base + url).status  # a file served as an attachment
        if status >= 400:
            walk.problems.append(f"{walk.account} download {url}: HTTP {status}")
        return "file"
    status = response.status if response else 0
    expected = EXPECTED_STATUS.get((walk.account, url_pattern(url)), 200)
    where = f"{walk.account} {viewport} {url}"
    if status >= 400 and status != expected:
        walk.problems.append(f"{where}: HTTP {status} (linked from {walk.linked_from.get(url, 'the start')})")
    if status < 400 and response and "text/html" not in response.headers.get("content-type", ""):
        return "file"
    if errors:
        walk.problems.append(f"{where}: console {errors[:2]}")
    if page.evaluate("document.documentElement.lang") == "zh-CN":
        text = page.evaluate(VISIBLE_WORDS)
        english = sorted({w for w in LATIN_WORD.findall(text) if len(w) >= 3 and w not in ALLOWED_WORDS})
        if english:
            walk.problems.append(f"{where}: English {english[:8]}")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > VIEWPORTS[viewport]["width"] + 1:
        walk.problems.append(f"{where}: {width}px wide")
    return "page" if status < 400 else "failed"


def crawl(browser, base: str, username: str | None, viewport: str, desktop: Walk | None = None) -> Walk:
    """Follow links from the start pages (or visit the desktop walk's pages on a phone)."""
    walk = Walk(username or "anonymous", linked_from=desktop.linked_from if desktop else {})
    context = _context(browser, viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    if username:
        _sign_in(page, base, username)
    if desktop is not None:
        for url in desktop.visited:
            _check_page(page, base, url, walk, viewport, errors)
        context.close()
        return walk
    queue = ["/", "/me/"] if username else ["/"]
    seen: set[str] = set()
    while queue:
        url = queue.pop(0)
        pattern = url_pattern(url)
        if pattern in seen or url.startswith(NOT_CRAWLED):
            continue
        seen.add(pattern)
        if DOWNLOAD.search(urlparse(url).path):
            status = context.request.get(base + url).status
            if status >= 400:
                walk.problems.append(f"{walk.account} download {url}: HTTP {status}")
            continue
        kind = _check_page(page, base, url, walk, viewport, errors)
        if kind != "file":
            walk.visited.append(url)  # pages only: the phone walk and axe-core revisit them
        if kind != "page":
            continue
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            if href.startswith(("#", "mailto:", "tel:", "javascript:")):
                continue
            absolute = urljoin(
                base + urlparse(url).path + ("?" + urlparse(url).query if "?" in url else ""), href
            )
            if absolute.startswith(base + "/"):
                queue.append(absolute[len(base) :])
                walk.linked_from.setdefault(absolute[len(base) :], url)
            elif absolute.startswith(("http://", "https://")):
                walk.problems.append(f"{walk.account} {url}: link off the site {href}")
    context.close()
    return walk


def test_every_link_for_every_account_on_desktop_and_phone(live_server):
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import chromium_path

    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed here")
    started = time.monotonic()
    demo_seed_all()
    accounts = [None, *(account.username for account in demo_accounts())]
    assert {"lawstaff", "jumin"} <= set(accounts)
    problems: list[str] = []
    visited = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        for username in accounts:
            desktop = crawl(browser, live_server.url, username, "desktop")
            phone = crawl(browser, live_server.url, username, "phone", desktop=desktop)
            assert len(desktop.visited) >= 10, f"{desktop.account}: the walk found the site"
            visited += 2 * len(desktop.visited)
            problems += desktop.problems + phone.problems
        browser.close()
    print(f"crawl: {len(accounts)} accounts, {visited} page views in {time.monotonic() - started:.0f} s")
    print("\n".join(problems))  # every problem, not only the first lines of an assertion diff
    assert problems == [], f"{len(problems)} problems, the first: {problems[:3]}"
