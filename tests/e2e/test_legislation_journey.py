"""Journey: a resident comments on 第十一条（三）; staff sort it into the report, generate the docx and
mark it adopted; the resident sees the adoption and downloads the thank-you letter (phone and desktop)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import docx
import pytest
from django.utils import timezone

from minsheng.legislation import services
from minsheng.legislation.models import ConsultationTask, Opinion, ReportEntry, TaskStatus
from minsheng.legislation.sample import SAMPLE_DRAFT, SAMPLE_ISSUER, SAMPLE_QUESTIONS, SAMPLE_TITLE
from minsheng.org.models import BodyKind, JurisdictionLevel, Role
from tests.e2e.conftest import screenshot
from tests.factories import BodyFactory, JurisdictionFactory, MembershipFactory, PersonFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"
OPINION = "建议明确由物业服务企业在电梯口设置阻车装置，并写明检查责任。"


def _world() -> ConsultationTask:
    district = JurisdictionFactory(level=JurisdictionLevel.DISTRICT, name="武进区")
    point = BodyFactory(
        jurisdiction=district, kind=BodyKind.LEGISLATIVE_CONTACT_POINT, name="武进区基层立法联系点"
    )
    person = PersonFactory(name="周立法")
    MembershipFactory(person=person, body=point, role=Role.STAFF, start=dt.date(2020, 1, 1))
    staff = UserFactory(username="lawstaff", person=person, first_name="周立法")
    UserFactory(username="jumin", first_name="王居民")
    task = services.task_create(
        actor=staff,
        contact_point=point,
        title=SAMPLE_TITLE,
        issuing_body=SAMPLE_ISSUER,
        received_on=timezone.localdate(),
        draft=services.draft_read(text=SAMPLE_DRAFT),
        key_questions=SAMPLE_QUESTIONS,
    )
    return services.task_advance(actor=staff, task=task, action="open")


def _sign_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/me/")


def _step(page: Any, action: str) -> None:
    page.locator(f"form:has(input[name=action][value={action}]) button").first.click()
    page.wait_for_load_state()


def _docx_text(path: str) -> str:
    with open(path, "rb") as handle:
        return "\n".join(p.text for p in docx.Document(io.BytesIO(handle.read())).paragraphs)


def test_comment_sort_report_adopt_thank(live_server: Any, page: Any) -> None:
    task = _world()
    base = live_server.url

    # A resident reads 第十一条 and comments on its item （三）.
    _sign_in(page, base, "jumin")
    page.goto(base + "/legislation/")
    page.get_by_role("link", name=SAMPLE_TITLE).first.click()
    page.wait_for_url(f"**/legislation/{task.pk}/")
    assert "重点征求意见的问题" in page.content() or "Key questions" in page.content()
    page.locator("nav.toc a[href='#art-9']").click()  # 第三章 starts at 第九条
    article = page.locator("#art-11")
    article.scroll_into_view_if_needed()
    assert "禁止下列行为" in article.inner_text()
    screenshot(page, "legislation-01-article-11")
    article.locator("#art-11-p1-i3 a.comment-link").click()
    page.wait_for_url("**/comment/?article=*item=3")
    assert "（三）携带电动自行车" in page.locator("mark").inner_text()
    page.fill("#id_text", OPINION)
    screenshot(page, "legislation-02-comment")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/legislation/receipt/")
    opinion = Opinion.objects.get()
    assert opinion.receipt_code in page.get_by_test_id("receipt").inner_text()
    assert (opinion.article.label, opinion.paragraph, opinion.item) == ("第十一条", 1, 3)

    # Staff close the comment period, sort the opinion into the report, generate the docx.
    _sign_in(page, base, "lawstaff")
    page.goto(base + f"/legislation/{task.pk}/manage/")
    _step(page, "close")
    page.locator(f"#sort-form input[name=opinions][value='{opinion.pk}']").check()
    page.fill("#id_summary", "建议明确物业服务企业在电梯口设置阻车装置的责任。")
    page.locator("#sort-form button[type=submit]").click()
    page.wait_for_load_state()
    assert ReportEntry.objects.get().opinions.get() == opinion
    _step(page, "draft_report")
    with page.expect_download() as report:
        page.locator(f"a[href='/legislation/{task.pk}/report.docx']").click()
    report_text = _docx_text(report.value.path())
    assert "建议明确物业服务企业在电梯口设置阻车装置的责任。" in report_text
    assert "第十一条" in report_text
    screenshot(page, "legislation-03-report")
    _step(page, "review")
    _step(page, "submit")
    entry = ReportEntry.objects.get()
    form = page.locator(f"#entry-{entry.pk} form.adoption")
    form.locator("input[value=adopted]").check()
    form.locator("input[name=final_article]").fill("第十二条")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    _step(page, "give_feedback")
    assert ConsultationTask.objects.get(pk=task.pk).status == TaskStatus.FEEDBACK_GIVEN
    screenshot(page, "legislation-04-adopted")

    # The resident sees the adoption and downloads the thank-you letter.
    _sign_in(page, base, "jumin")
    page.goto(base + "/legislation/mine/")
    assert "第十二条" in page.content()
    screenshot(page, "legislation-05-mine")
    with page.expect_download() as letter:
        page.locator(f"a[href='/legislation/opinions/{opinion.pk}/letter.docx']").click()
    assert OPINION in _docx_text(letter.value.path())
    page.goto(base + f"/legislation/{task.pk}/")
    assert "第十二条" in page.locator("main").inner_text()
    screenshot(page, "legislation-06-results")

    # Anyone sees the figures as charts (ECharts from local static files).
    page.goto(base + "/legislation/stats/")
    page.locator("#chart-task canvas").wait_for()
    screenshot(page, "legislation-07-stats")
