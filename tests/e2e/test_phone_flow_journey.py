"""Journey of issue 11.9: one way to prove a mobile number and a receipt where the person looks. A
resident without an account writes an opinion on a draft article in one form (the opinion first, then
"send code", the code, "send"), gets a receipt with a code at the top of the next page, and later, in
another browser, opens the opinion again with the code and the number."""

from __future__ import annotations

import re
from typing import Any

import pytest

from minsheng.core.messaging import outbox
from minsheng.legislation.models import Opinion
from tests.conftest import demo_seed_once
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = "13912345678"
OPINION = "电梯内充电的禁止规定应当同时写明物业的劝阻义务。"


def test_anonymous_opinion_with_a_code_and_a_receipt(live_server: Any, page: Any, browser: Any) -> None:
    demo_seed_once()
    from minsheng.legislation import demo as legislation_demo
    from minsheng.legislation.models import ConsultationTask

    legislation_demo.seed()
    task = ConsultationTask.objects.filter(status="consulting").first()
    assert task is not None
    eleventh = task.versions.order_by("-number").first().articles.get(label="第十一条")

    page.goto(f"{live_server.url}/legislation/{task.pk}/comment/?article={eleventh.pk}")
    # The opinion box and the number are on the page at once: one phone field, not two.
    assert page.locator("textarea[name=text]").is_visible()
    assert page.locator("input[name=phone]").count() == 1
    page.fill("textarea[name=text]", OPINION)
    page.fill("input[name=phone]", PHONE)
    page.locator("button[value=send_code]").click()
    page.wait_for_load_state()
    assert page.locator("textarea[name=text]").input_value() == OPINION  # nothing typed is lost
    code = re.search(r"\d{6}", outbox[-1].body).group(0)
    page.fill("input[name=code]", code)
    screenshot(page, "phone-flow-01-opinion")
    page.locator("button[value=submit]").click()
    page.wait_for_url("**/legislation/receipt/")

    opinion = Opinion.objects.get(text=OPINION)
    receipt = page.get_by_test_id("receipt")
    assert opinion.receipt_code in receipt.inner_text()
    box = receipt.bounding_box()
    assert box is not None and box["y"] < page.viewport_size["height"]  # seen without scrolling
    assert PHONE not in page.content()
    screenshot(page, "phone-flow-02-receipt")

    # Another browser: the code and the number open the opinion again.
    other = browser.new_context(viewport=page.viewport_size, locale="zh-CN")
    again = other.new_page()
    again.goto(f"{live_server.url}/legislation/receipt/lookup/")
    again.fill("input[name=code]", opinion.receipt_code.lower())
    again.fill("input[name=phone]", PHONE)
    again.locator("main form button[type=submit]").click()
    again.wait_for_load_state()
    assert OPINION in again.get_by_test_id("looked-up-opinion").inner_text()
    other.close()
