"""Journey: a resident finds their deputies on a phone and on a desktop."""

from __future__ import annotations

import pytest

from minsheng.org.demo import DEMO_PASSWORD
from minsheng.org.models import Membership, Role
from tests.conftest import demo_seed_once
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_choose_street_deputies_profile(live_server, page):
    demo_seed_once()
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "找我的代表"
    screenshot(page, "01-home")

    page.select_option("#place-select", label="南夏墅街道")
    deputy_list = page.get_by_test_id("deputy-list")
    deputy_list.wait_for()
    expected = Membership.objects.filter(role=Role.DEPUTY, constituency__places__name="南夏墅街道").count()
    assert deputy_list.locator("li").count() == expected > 0
    assert page.get_by_text("南夏墅街道人大代表之家").is_visible()
    screenshot(page, "02-street-deputies")

    first = deputy_list.locator("a").first
    name = first.inner_text()
    first.click()
    page.wait_for_url("**/people/*/")
    assert page.locator("h1").inner_text() == name
    assert page.get_by_text("南夏墅街道第").first.is_visible()
    screenshot(page, "03-profile")


def test_directory_search_and_sign_in(live_server, page):
    demo_seed_once()
    page.goto(live_server.url + "/directory/")
    page.fill("#id_q", "教育界")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**q=*")
    assert "教育界" in page.locator("#directory-rows").inner_text()
    screenshot(page, "04-directory")

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_login", "deputy")
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/me/")
    assert "武进区人民代表大会" in page.locator("main").inner_text()
    screenshot(page, "05-my-desk")
