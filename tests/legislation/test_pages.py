"""Pages and API of legislative consultation: who sees what, the comment flow, bad input, query budgets."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minsheng.core.messaging import outbox
from minsheng.core.models import Event
from minsheng.legislation import services
from minsheng.legislation.models import ConsultationTask, Opinion, Outcome, TaskStatus
from minsheng.legislation.sample import SAMPLE_DRAFT
from minsheng.org.models import User
from tests.conftest import demo_seed_once
from tests.legislation.conftest import article_of
from tests.legislation.helpers import docx_text, task_at

pytestmark = pytest.mark.django_db
S = TaskStatus
ZH = {"Accept-Language": "zh-hans"}


def test_public_sees_open_drafts_not_unpublished_ones(client: Client, make_task: Callable[..., Any]) -> None:
    open_task = make_task(S.CONSULTING)
    hidden = make_task(S.STUDYING)
    page = client.get("/legislation/", headers=ZH).content.decode()
    assert open_task.title in page
    assert client.get(f"/legislation/{hidden.pk}/").status_code == 404
    assert client.get(f"/api/legislation/tasks/{hidden.pk}").status_code == 404
    detail = client.get(f"/legislation/{open_task.pk}/").content.decode()
    eleventh = article_of(open_task, "第十一条")
    assert 'id="art-11"' in detail and 'id="art-11-p1-i3"' in detail
    assert f"?article={eleventh.pk}&amp;paragraph=1&amp;item=3" in detail
    assert "集中充电设施的建设费用应当由谁承担" in detail  # key questions


def test_anonymous_comments_after_phone_verification(client: Client, make_task: Callable[..., Any]) -> None:
    task = make_task(S.CONSULTING)
    eleventh = article_of(task, "第十一条")
    url = f"/legislation/{task.pk}/comment/"
    query = f"article={eleventh.pk}&paragraph=1&item=3"
    form_page = client.get(f"{url}?{query}").content.decode()
    assert "<mark>（三）" in form_page and 'name="phone"' in form_page
    refused = client.post(f"{url}?{query}", {"text": "想直接提交。", "article": eleventh.pk, "item": 3})
    assert refused.status_code == 400 and Opinion.objects.count() == 0
    # One form: the opinion is written first, "send code" keeps it, the code sends it.
    typed = {"text": "电梯内应当安装阻车装置。", "article": eleventh.pk, "paragraph": 1, "item": 3}
    sent = client.post(f"{url}?{query}", {**typed, "phone": "139 1234 5678", "action": "send_code"})
    assert sent.status_code == 200 and "电梯内应当安装阻车装置。" in sent.content.decode()
    assert sent.content.decode().count('name="phone"') == 1  # one phone field, not two
    code = re.search(r"\d{6}", outbox[-1].body)[0]  # type: ignore[index]
    wrong = client.post(url, {**typed, "phone": "13912345678", "code": "000000", "action": "submit"})
    assert wrong.status_code == 400 and Opinion.objects.count() == 0
    bad = client.post(
        url, {"text": "<script>alert(1)</script>", "article": eleventh.pk, "item": 3, "phone": "13912345678",
              "code": code, "action": "submit"},
    )  # fmt: skip
    assert bad.status_code == 400 and Opinion.objects.count() == 0
    done = client.post(url, {**typed, "phone": "13912345678", "code": code, "action": "submit"})
    assert done.status_code == 302 and done["Location"] == "/legislation/receipt/"
    opinion = Opinion.objects.get()
    assert (opinion.phone, opinion.item, opinion.author) == ("13912345678", 3, None)
    receipt = client.get("/legislation/receipt/").content.decode()
    assert opinion.receipt_code and opinion.receipt_code in receipt and "电梯内应当安装阻车装置。" in receipt
    # Later, on any device: the receipt code and the number open the opinion again.
    other = Client()
    miss = other.post("/legislation/receipt/lookup/", {"code": opinion.receipt_code, "phone": "13900000000"})
    assert miss.status_code == 404
    typed_code = opinion.receipt_code.lower()
    found = other.post("/legislation/receipt/lookup/", {"code": typed_code, "phone": "13912345678"})
    assert found.status_code == 200 and "电梯内应当安装阻车装置。" in found.content.decode()
    assert "13912345678" not in client.get(f"/legislation/{task.pk}/").content.decode()


def test_staff_pages_and_denials(
    client: Client, make_task: Callable[..., Any], staff: Any, other_staff: Any
) -> None:
    task = make_task(S.CONSULTING)
    client.force_login(other_staff)
    assert client.get(f"/legislation/{task.pk}/manage/").status_code == 404
    response = client.post(f"/legislation/{task.pk}/action/", {"action": "close"})
    assert response.status_code == 404
    assert ConsultationTask.objects.get(pk=task.pk).status == S.CONSULTING
    client.force_login(staff)
    assert client.get(f"/legislation/{task.pk}/manage/").status_code == 200
    client.post(f"/legislation/{task.pk}/action/", {"action": "close", "expected_state": "consulting"})
    assert ConsultationTask.objects.get(pk=task.pk).status == S.SORTING
    stale = client.post(
        f"/legislation/{task.pk}/action/", {"action": "close", "expected_state": "consulting"}, follow=True
    )
    assert stale.status_code == 200 and ConsultationTask.objects.get(pk=task.pk).status == S.SORTING


def test_task_form_refuses_disguised_and_oversized_files(
    client: Client, staff: Any, contact_point: Any
) -> None:
    client.force_login(staff)
    data = {
        "contact_point": contact_point.pk,
        "title": "某条例（草案）",
        "issuing_body": "省人大常委会法工委",
        "received_on": "2026-03-02",
        "is_public_draft": "on",
    }
    fake = SimpleUploadedFile("草案.docx", b"\x7fELF\x02\x01" + bytes(range(256)) * 40)
    response = client.post("/legislation/new/", {**data, "upload": fake}, headers=ZH)
    assert response.status_code == 400
    assert "Word" in response.content.decode()
    huge = SimpleUploadedFile("草案.txt", "第一条　内容。\n".encode() * 400_000)
    response = client.post("/legislation/new/", {**data, "upload": huge}, headers=ZH)
    assert response.status_code == 400 and "5 MB" in response.content.decode()
    assert ConsultationTask.objects.count() == 0
    ok = client.post("/legislation/new/", {**data, "text": SAMPLE_DRAFT})
    assert ok.status_code == 302
    assert ConsultationTask.objects.get().versions.get().articles.count() == 15


def test_api_actions(client: Client, make_task: Callable[..., Any], staff: Any, resident: Any) -> None:
    task = make_task(S.CONSULTING)
    assert [t["id"] for t in client.get("/api/legislation/tasks").json()] == [task.pk]
    draft = client.get(f"/api/legislation/tasks/{task.pk}").json()
    eleventh = next(a for a in draft["articles"] if a["label"] == "第十一条")
    assert len(eleventh["items"]) == 4
    anonymous = client.post(
        f"/api/legislation/tasks/{task.pk}/opinions", {"text": "x"}, content_type="application/json"
    )
    assert anonymous.status_code == 401
    client.force_login(resident)
    created = client.post(
        f"/api/legislation/tasks/{task.pk}/opinions",
        {"text": "意见。", "article_id": eleventh["id"], "item": 3},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["place"] == "第十一条第一款第（三）项"
    denied = client.post(
        f"/api/legislation/tasks/{task.pk}/actions", {"action": "close"}, content_type="application/json"
    )
    assert denied.status_code == 403
    client.force_login(staff)

    def post(url: str, body: dict[str, Any] | None = None) -> Any:
        return client.post(
            f"/api/legislation/tasks/{task.pk}{url}", body or {}, content_type="application/json"
        )

    assert post("/actions", {"action": "close"}).json()["status"] == "sorting"
    entry = post("/entries", {"opinion_ids": [created.json()["id"]], "summary": "归纳。"}).json()
    assert post("/report").status_code == 201
    assert post("/actions", {"action": "review"}).status_code == 200
    assert post("/actions", {"action": "submit"}).status_code == 200
    adopted = post(f"/entries/{entry['id']}/adoption", {"outcome": "adopted", "final_article": "第十条"})
    assert adopted.json()["outcome"] == "adopted"
    assert post("/actions", {"action": "give_feedback"}).json()["status"] == "feedback_given"
    assert client.get(f"/api/legislation/tasks/{task.pk}/results").json()[0]["final_article"] == "第十条"
    stats = client.get("/api/legislation/statistics").json()
    assert stats["by_task"][0]["adopted"] == 1
    bad = post(
        "/meetings",
        {"held_on": "2026-01-01", "place": "x", "participants": "y", "attendance": 0, "opinions": []},
    )
    assert bad.status_code == 400


def test_resident_sees_adoption_and_letter(
    client: Client,
    staff: Any,
    contact_point: Any,
    resident: Any,
    other_staff: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=True):
        task = task_at(
            S.FEEDBACK_GIVEN,
            staff=staff,
            contact_point=contact_point,
            commenter=resident,
            today=timezone.localdate(),
        )
    client.force_login(resident)
    page = client.get("/legislation/mine/", headers=ZH).content.decode()
    opinion = Opinion.objects.get(task=task)
    assert f"/legislation/opinions/{opinion.pk}/letter.docx" in page
    letter = client.get(f"/legislation/opinions/{opinion.pk}/letter.docx")
    assert letter.status_code == 200
    assert opinion.text in docx_text(b"".join(letter.streaming_content))
    client.force_login(other_staff)
    assert (
        client.get(f"/legislation/opinions/{opinion.pk}/letter.docx").status_code == 404
    )  # not their letter
    public = Client().get(f"/legislation/{task.pk}/").content.decode()
    assert "第十二条" in public and "建议明确物业服务企业在电梯内的检查责任。" in public


def _draft_with(articles: int) -> str:
    from minsheng.analysis.text.lawparse import article_label

    lines = ["测试条例（草案）", "第一章　总则"]
    for n in range(1, articles + 1):
        lines += [f"{article_label(n)}　第{n}条的内容。", "（一）甲；", "（二）乙。"]
    return "\n".join(lines)


@pytest.mark.parametrize("size", [5, 40])
def test_query_counts_do_not_grow(
    size: int,
    client: Client,
    make_task: Callable[..., Any],
    staff: Any,
    resident: Any,
    django_assert_max_num_queries: Any,
) -> None:
    tasks = [make_task(S.CONSULTING, text=_draft_with(size)) for _ in range(2 if size == 5 else 6)]
    task = tasks[0]
    for n in range(min(size, 9)):
        services.opinion_submit(
            actor=resident, task=task, text=f"意见{n}。", article_id=article_of(task, "第一条").pk
        )
    with django_assert_max_num_queries(12):
        client.get("/legislation/")
    with django_assert_max_num_queries(12):
        client.get(f"/legislation/{task.pk}/")
    client.force_login(staff)
    with django_assert_max_num_queries(25):
        client.get(f"/legislation/{task.pk}/manage/")
    # A signed-in page's menu asks each app's nav.py (meetings, oversight, records and insight added
    # theirs): a few more queries per page than for a visitor, the same at every size.
    with django_assert_max_num_queries(16):
        client.get("/legislation/stats/")
    services.version_add(actor=staff, task=task, draft=services.draft_read(text=_draft_with(size + 1)))
    with django_assert_max_num_queries(16):
        client.get(f"/legislation/{task.pk}/diff/")
    client.force_login(resident)
    with django_assert_max_num_queries(12):
        client.get("/legislation/mine/")


def test_stats_page_uses_echarts(client: Client, staff: Any, contact_point: Any, resident: Any) -> None:
    from django.utils import timezone

    task_at(
        S.FEEDBACK_GIVEN,
        staff=staff,
        contact_point=contact_point,
        commenter=resident,
        today=timezone.localdate(),
    )
    page = client.get("/legislation/stats/").content.decode()
    assert "vendor/echarts.min.js" in page and 'id="data-year"' in page


def test_demo_seeds_open_and_closed_consultations(db: Any) -> None:
    from minsheng.legislation import demo

    demo_seed_once()
    assert not demo.exists()
    demo.seed()
    assert demo.exists()
    statuses = set(ConsultationTask.objects.values_list("status", flat=True))
    assert statuses == {S.CONSULTING, S.FEEDBACK_GIVEN}
    closed = ConsultationTask.objects.get(status=S.FEEDBACK_GIVEN)
    assert set(closed.entries.values_list("outcome", flat=True)) == {
        Outcome.ADOPTED,
        Outcome.PARTLY,
        Outcome.NOT_ADOPTED,
    }
    assert closed.report is not None
    assert "关于" in docx_text(closed.report.file.read()) or closed.report.size > 0
    _ = io


def test_api_version_upload_checks_the_file(
    client: Client, make_task: Callable[..., Any], staff: Any
) -> None:
    from minsheng.legislation.sample import SAMPLE_DRAFT_V2

    task = make_task(S.CONSULTING)
    client.force_login(staff)
    url = f"/api/legislation/tasks/{task.pk}/versions/file"
    fake = SimpleUploadedFile("第二稿.docx", b"\x89PNG\r\n\x1a\n" + bytes(200))
    refused = client.post(url, {"upload": fake}, headers=ZH)
    assert refused.status_code == 400
    assert refused.json()["detail"] == "文件不是有效的 Word 文档（.docx）。"
    assert task.versions.count() == 1
    good = SimpleUploadedFile("第二稿.txt", SAMPLE_DRAFT_V2.encode("gb18030"))
    assert client.post(url, {"upload": good}).json() == {"id": 2}


def test_desk_panel_for_staff_and_participants(
    client: Client, make_task: Callable[..., Any], staff: Any, resident: Any
) -> None:
    task = make_task(S.CONSULTING)
    services.opinion_submit(actor=resident, task=task, text="意见。")
    client.force_login(staff)
    assert f"/legislation/{task.pk}/manage/" in client.get("/me/").content.decode()
    client.force_login(resident)
    assert "/legislation/mine/" in client.get("/me/").content.decode()


def test_commenting_after_the_deadline_on_the_page(
    client: Client, make_task: Callable[..., Any], resident: Any
) -> None:
    import datetime as dt

    import time_machine
    from django.utils import timezone

    task = make_task(S.CONSULTING)
    with time_machine.travel(timezone.now() + dt.timedelta(days=45), tick=False):
        client.force_login(resident)  # inside: a session from 45 days ago has expired
        page = client.get(f"/legislation/{task.pk}/").content.decode()
        assert "comment-link" not in page
        response = client.post(f"/legislation/{task.pk}/comment/", {"text": "迟到的意见。"})
    assert response.status_code == 400
    assert "意见征集已于" in response.content.decode()
    assert Opinion.objects.count() == 0


def test_repeated_article_numbers_are_a_warning_naming_the_line(
    client: Client, staff: Any, contact_point: Any
) -> None:
    """第一条 甲。/第一条 乙。 was a 500 IntegrityError in a new task and in a new version (issue 12.8)."""
    client.force_login(staff)
    data = {
        "contact_point": contact_point.pk,
        "title": "某条例（草案）",
        "issuing_body": "省人大常委会法工委",
        "received_on": "2026-03-02",
        "is_public_draft": "on",
        "text": "某条例（草案）\n第一条　甲。\n第一条　乙。\n第二条　丙。",
    }
    response = client.post("/legislation/new/", data, headers=ZH)
    assert response.status_code == 302
    task = ConsultationTask.objects.get()
    version = task.versions.get()
    assert list(version.articles.order_by("position").values_list("label", flat=True)) == [
        "第一条",
        "第一条（重复，第3行）",
        "第二条",
    ]
    assert any("第3行" in w and "第一条" in w and "第2行" in w for w in version.warnings)
    assert "第3行" in client.get(f"/legislation/{task.pk}/manage/", headers=ZH).content.decode()
    again = "某条例（草案）\n第一条　甲。\n第二条　乙。\n第二条　乙。\n第三条　丙。"
    response = client.post(f"/legislation/{task.pk}/version/", {"text": again}, headers=ZH)
    assert response.status_code == 302 and task.versions.count() == 2
    assert any("第4行" in w for w in task.versions.get(number=2).warnings)
    upload = SimpleUploadedFile("第三稿.txt", again.encode())
    answer = client.post(f"/api/legislation/tasks/{task.pk}/versions/file", {"upload": upload})
    assert answer.status_code == 201 and task.versions.count() == 3


def test_an_absurdly_long_article_numeral_is_stored_by_its_line(staff: Any, contact_point: Any) -> None:
    numeral = "一二三四五六七八九" * 4
    draft = services.draft_read(text=f"某条例\n第一条　甲。\n第{numeral}条　乙。")
    task = services.task_create(
        actor=staff,
        contact_point=contact_point,
        title="某条例",
        issuing_body="省人大常委会法工委",
        received_on=dt.date(2026, 3, 2),
        draft=draft,
    )
    (article,) = task.versions.get().articles.all()  # no law has that many articles: it is text
    assert article.label == "第一条" and f"第{numeral}条" in article.text


def test_a_draft_docx_bomb_is_refused_before_it_is_read(
    client: Client, staff: Any, contact_point: Any
) -> None:
    """A 104 KB .docx holding 21 MB of XML held a core for 14 minutes (issue 12.7)."""
    from tests.core.test_attachments import zip_bomb

    bomb = zip_bomb(expanded_mb=40)
    client.force_login(staff)
    data = {
        "contact_point": contact_point.pk,
        "title": "某条例（草案）",
        "issuing_body": "省人大常委会法工委",
        "received_on": "2026-03-02",
        "upload": SimpleUploadedFile("草案.docx", bomb),
    }
    response = client.post("/legislation/new/", data, headers=ZH)
    assert response.status_code == 400
    assert "展开后超过 16 MB" in response.content.decode()
    assert ConsultationTask.objects.count() == 0


def _long_draft(articles: int) -> str:
    from minsheng.analysis.text.lawparse import int_to_chinese

    return "某条例（草案）\n" + "".join(
        f"第{int_to_chinese(n)}条　有关部门应当依法履行监督管理职责，保障公众参与。\n"
        for n in range(1, articles + 1)
    )


def test_a_large_draft_is_read_in_the_background_and_the_page_shows_its_progress(
    client: Client, staff: Any, contact_point: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from minsheng.legislation.models import DraftImport, ImportStatus

    client.force_login(staff)
    upload = SimpleUploadedFile("长草案.txt", _long_draft(6_000).encode())
    assert upload.size > services.BACKGROUND_DRAFT_BYTES
    data = {
        "contact_point": contact_point.pk,
        "title": "某条例（草案）",
        "issuing_body": "省人大常委会法工委",
        "received_on": "2026-03-02",
        "is_public_draft": "on",
        "upload": upload,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/legislation/new/", data, headers=ZH)
    assert response.status_code == 302 and "/legislation/imports/" in response["Location"]
    job = DraftImport.objects.get()
    assert (job.status, job.progress, bytes(job.data)) == (ImportStatus.DONE, 100, b"")
    task = ConsultationTask.objects.get()
    assert job.task == task and task.versions.get().articles.count() == 6_000
    page = client.get(response["Location"], headers=ZH).content.decode()
    assert f"/legislation/{task.pk}/manage/" in page
    polled = client.get(f"/legislation/imports/{job.pk}/status/", headers={**ZH, "HX-Request": "true"})
    assert polled["HX-Redirect"] == f"/legislation/{task.pk}/manage/"
    assert [e.verb for e in Event.objects.filter(target_id=str(job.pk), verb__startswith="draft_import")] == [
        "draft_import",
        "draft_import_done",
    ]
    stranger = Client()
    stranger.force_login(User.objects.create_user("stranger", password="x" * 12))
    assert stranger.get(response["Location"]).status_code == 404
    # A new version the same way, and a refused one whose reason the page shows.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            f"/legislation/{task.pk}/version/",
            {"upload": SimpleUploadedFile("第二稿.txt", _long_draft(6_001).encode())},
        )
    assert again.status_code == 302 and task.versions.count() == 2
    broken = SimpleUploadedFile("第三稿.docx", b"PK\x03\x04" + bytes(300_000))
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(f"/legislation/{task.pk}/version/", {"upload": broken}, headers=ZH)
    failed = DraftImport.objects.order_by("-pk").first()
    assert failed is not None and failed.status == ImportStatus.FAILED and task.versions.count() == 2
    assert "Word" in client.get(refused["Location"], headers=ZH).content.decode()
