"""Site-wide journeys in Chromium: the phone menu (with and without JavaScript, by keyboard), tables that
keep their labels on a phone, the 湖塘镇 deputies by constituency, the large-text mode that persists
without a flash, and axe-core on every public page (GB/T 37668; no serious or critical violation)."""

from __future__ import annotations

import pytest

from minsheng.org.models import Jurisdiction
from tests.conftest import REPO_ROOT, demo_seed_once
from tests.e2e.conftest import ARTIFACTS, VIEWPORTS, screenshot
from tests.e2e.test_crawl import crawl
from tests.e2e.test_motions_journeys import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def is_phone(page) -> bool:
    return page.viewport_name == "phone"


def test_the_phone_menu_opens_by_touch_and_by_keyboard(live_server, page):
    demo_seed_once()
    sign_in(page, live_server.url, "staff")
    menu = page.locator("#site-menu")
    if not is_phone(page):
        assert menu.is_visible() and page.locator(".menu-button").is_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["desktop"]["width"]
        return
    assert menu.is_hidden(), "closed until asked for"
    page.get_by_text("菜单", exact=True).click()
    assert menu.is_visible()
    links = menu.locator("a")
    assert links.count() >= 8
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, "every entry is on the screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "site-01-phone-menu")
    page.get_by_text("菜单", exact=True).click()
    assert menu.is_hidden()

    # Keyboard only: the first Tab offers the skip link, the next reaches the menu button.
    page.goto(live_server.url + "/me/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "menu-toggle"
    page.keyboard.press("Space")
    assert menu.is_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "/", "the first entry is next"
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")


def _tab_to(page, selector: str, limit: int = 150) -> None:
    """Press Tab until ``selector`` has the focus: it is reachable from the keyboard alone."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{selector} shows where the focus is"
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_a_resident_finds_a_station_and_writes_to_it_with_the_keyboard_alone(live_server, page):
    demo_seed_once()
    page.goto(live_server.url + "/")
    _tab_to(page, "#place-select")
    for _ in range(20):  # arrow keys move through the closed list
        if page.evaluate("document.activeElement.selectedOptions[0].text") == "湖塘镇":
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.selectedOptions[0].text") == "湖塘镇"
    _tab_to(page, ".picker button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _tab_to(page, "[data-testid=station-message]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/voices/new/?to=station:" in page.url
    assert "人大代表之家" in page.locator("main").inner_text()


def test_the_phone_menu_works_without_javascript(live_server, browser):
    demo_seed_once()
    context = browser.new_context(viewport=VIEWPORTS["phone"], java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/")
    menu = page.locator("#site-menu")
    assert menu.is_hidden()
    page.get_by_text("菜单", exact=True).click()
    assert menu.is_visible()
    menu.get_by_text("代表委员名录").click()
    page.wait_for_url("**/directory/")
    context.close()


def test_tables_keep_their_labels_and_deputies_are_grouped(live_server, page):
    demo_seed_once()
    place = Jurisdiction.objects.get(name="湖塘镇")
    page.goto(f"{live_server.url}/?place={place.pk}")
    deputies = page.get_by_test_id("deputy-list")
    assert deputies.locator("h4").count() >= 10, "one heading per constituency"
    height = deputies.bounding_box()["height"]
    assert height < (1400 if is_phone(page) else 700), f"the list is {height}px tall"
    page.fill("#deputy-q", "第3选区")
    page.wait_for_function("document.querySelectorAll('[data-testid=deputy-list] h4').length === 1")
    assert deputies.locator("h4").inner_text().startswith("湖塘镇第3选区")
    assert page.locator("[data-testid=station-message]").count() >= 3
    screenshot(page, "site-02-hutang-deputies")
    if is_phone(page):  # the README's picture: the first screen, as a phone shows it
        page.fill("#deputy-q", "")
        page.wait_for_function("document.querySelectorAll('[data-testid=deputy-list] h4').length > 1")
        page.evaluate("document.activeElement.blur()")
        page.evaluate("window.scrollTo(0, 0)")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "readme-phone.png"))

    sign_in(page, live_server.url, "staff")
    page.goto(live_server.url + "/me/")
    cell = page.locator("table.table tbody td[data-label]").first
    label = page.evaluate("cell => getComputedStyle(cell, '::before').content", cell.element_handle())
    if is_phone(page):
        assert "角色" in label, "on a phone each cell names its column"
    else:
        assert label in ("none", "normal", ""), "a desktop table has its header row"


def test_large_text_mode_persists_without_a_flash(live_server, page):
    demo_seed_once()
    page.goto(live_server.url + "/")
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    toggle = page.get_by_test_id("display-mode")
    if is_phone(page):
        page.get_by_text("菜单", exact=True).click()
    assert toggle.get_attribute("aria-pressed") == "false"
    with page.expect_navigation():
        toggle.click()
    assert page.evaluate("document.documentElement.classList.contains('large')")
    large = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert large >= normal * 1.2
    # Another page, and the HTML itself (before any script runs) already says "large": no flash.
    response = page.goto(live_server.url + "/directory/")
    assert '<html lang="zh-CN" class="large">' in response.text()
    screenshot(page, "site-03-large-text")
    if is_phone(page):
        page.get_by_text("菜单", exact=True).click()
    with page.expect_navigation():
        page.get_by_test_id("display-mode").click()
    assert not page.evaluate("document.documentElement.classList.contains('large')")


def _axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes'][:3]]}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("large", [False, True], ids=["standard", "large-text"])
def test_every_public_page_passes_axe(live_server, browser, page, large):
    """Every page an anonymous visitor can reach by links, on this viewport, in both display modes."""
    assert AXE.exists(), "axe-core comes from npm (package.json devDependencies): run make setup"
    demo_seed_once()
    from minsheng.deliberation import demo as deliberation_demo
    from minsheng.legislation import demo as legislation_demo

    legislation_demo.seed()
    deliberation_demo.seed()
    urls = [*crawl(browser, live_server.url, None, "desktop").visited, "/no-such-page/"]
    assert len(urls) >= 15
    if large:
        page.context.add_cookies([{"name": "minsheng_display", "value": "large", "url": live_server.url}])
    problems = []
    for url in urls:
        page.goto(live_server.url + url)
        problems += [f"{url}: {violation}" for violation in _axe_violations(page)]
    assert problems == []
