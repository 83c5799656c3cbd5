"""The eight steps: who may do what in which step; denied actions change nothing; versions, report,
adoption."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.core.errors import ConflictError, DomainError, PermissionDeniedError, ValidationFailedError
from minsheng.core.events import events_for
from minsheng.core.models import Notification
from minsheng.legislation import services
from minsheng.legislation.documents import letter_docx
from minsheng.legislation.models import (
    ConsultationTask,
    Opinion,
    Outcome,
    ReportEntry,
)
from minsheng.legislation.sample import SAMPLE_DRAFT, SAMPLE_DRAFT_V2
from minsheng.legislation.selectors import report_content, version_diff
from tests.legislation.conftest import article_of
from tests.legislation.helpers import (
    ACTIONS,
    PARTICIPANT_ALLOWED,
    STAFF_ALLOWED,
    STEPS,
    S,
    docx_text,
    task_at,
    task_snapshot,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["staff", "other_staff", "participant", "public"])
@pytest.mark.parametrize("step", STEPS)
def test_permission_matrix(role: str, step: str, request: pytest.FixtureRequest, contact_point: Any) -> None:
    staff = request.getfixturevalue("staff")
    resident = request.getfixturevalue("resident")
    actor = {
        "staff": staff,
        "other_staff": request.getfixturevalue("other_staff"),
        "participant": resident,
        "public": request.getfixturevalue("anonymous"),
    }[role]
    task = task_at(
        step, staff=staff, contact_point=contact_point, commenter=resident, today=timezone.localdate()
    )
    allowed = (
        STAFF_ALLOWED
        if role == "staff"
        else PARTICIPANT_ALLOWED
        if role in {"participant", "other_staff"}
        else {}
    )
    for action, run in ACTIONS.items():
        expected = step in allowed.get(action, set())
        before = task_snapshot(task)
        with transaction.atomic():
            try:
                run(actor, ConsultationTask.objects.get(pk=task.pk))
            except DomainError as refusal:
                assert not expected, f"{role} should be able to {action} in {step}: {refusal.message}"
                assert task_snapshot(task) == before, f"refused {action} changed something"
            else:
                assert expected, f"{role} must not be able to {action} in {step}"
                assert task_snapshot(task) != before
            transaction.set_rollback(True)


def test_phone_verified_visitor_comments_and_phone_stays_private(
    make_task: Callable[..., Any], anonymous: Any
) -> None:
    task = make_task(S.CONSULTING)
    opinion = services.opinion_submit(
        actor=anonymous,
        task=task,
        text="建议延长充电时段。",
        verified_phone="13912345678",
        author_name="张女士",
    )
    assert opinion.author is None and opinion.phone == "13912345678" and opinion.article is None
    assert opinion.place_label == "草案整体"


def test_deadline_is_at_least_thirty_days_for_a_public_draft(staff: Any, contact_point: Any) -> None:
    received = dt.date(2026, 3, 2)
    draft = services.draft_read(text=SAMPLE_DRAFT)
    common = {
        "actor": staff,
        "contact_point": contact_point,
        "title": "某条例（草案）",
        "issuing_body": "省人大常委会法工委",
        "received_on": received,
        "draft": draft,
    }
    with pytest.raises(ValidationFailedError) as short:
        services.task_create(**common, comment_deadline=dt.date(2026, 3, 20))
    assert "2026年4月1日" in short.value.message
    assert ConsultationTask.objects.count() == 0
    task = services.task_create(**common)
    assert task.comment_deadline == dt.date(2026, 4, 1)  # 30 calendar days
    internal = services.task_create(**common, comment_deadline=dt.date(2026, 3, 20), is_public_draft=False)
    assert internal.comment_deadline == dt.date(2026, 3, 20)


def test_commenting_after_the_deadline_is_refused(make_task: Callable[..., Any], resident: Any) -> None:
    task = make_task(S.CONSULTING)
    later = timezone.now() + dt.timedelta(days=40)
    with time_machine.travel(later, tick=False), pytest.raises(ValidationFailedError) as refused:
        services.opinion_submit(actor=resident, task=task, text="迟到的意见。")
    assert "意见征集已于" in refused.value.message
    assert Opinion.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "意见不能为空"),
        ("   ", "意见不能为空"),
        ("<script>alert(1)</script>好", "不能包含 HTML 标签或脚本"),
        ('<img src=x onerror="x()">', "不能包含 HTML 标签或脚本"),
        ("长" * 2001, "最多 2000 个字"),
    ],
)
def test_bad_opinions_are_refused(
    make_task: Callable[..., Any], resident: Any, text: str, message: str
) -> None:
    task = make_task(S.CONSULTING)
    with pytest.raises(ValidationFailedError) as refused:
        services.opinion_submit(actor=resident, task=task, text=text)
    assert message in refused.value.message
    assert Opinion.objects.count() == 0


def test_anchor_must_exist(make_task: Callable[..., Any], resident: Any) -> None:
    task = make_task(S.CONSULTING)
    article = article_of(task, "第十一条")
    with pytest.raises(ValidationFailedError) as refused:
        services.opinion_submit(actor=resident, task=task, text="意见。", article_id=article.pk, item=9)
    assert "第十一条" in refused.value.message
    opinion = services.opinion_submit(actor=resident, task=task, text="意见。", article_id=article.pk, item=3)
    assert opinion.paragraph == 1 and opinion.place_label == "第十一条第一款第（三）项"


def test_rate_limit(make_task: Callable[..., Any], resident: Any) -> None:
    task = make_task(S.CONSULTING)
    for n in range(services.OPINIONS_PER_HOUR):
        services.opinion_submit(actor=resident, task=task, text=f"意见{n}。")
    with pytest.raises(DomainError):
        services.opinion_submit(actor=resident, task=task, text="再来一条。")
    assert Opinion.objects.count() == services.OPINIONS_PER_HOUR


def test_oversized_and_disguised_uploads(staff: Any) -> None:
    huge = SimpleUploadedFile("draft.txt", b"a" * (services.MAX_DRAFT_BYTES + 1))
    with pytest.raises(ValidationFailedError) as too_big:
        services.draft_read(upload=huge)
    assert "5 MB" in too_big.value.message
    disguised = SimpleUploadedFile("draft.docx", b"MZ\x90\x00" + bytes(range(256)) * 20)
    with pytest.raises(ValidationFailedError) as fake:
        services.draft_read(upload=disguised)
    assert "Word" in fake.value.message
    with pytest.raises(ValidationFailedError) as nothing:
        services.draft_read(text="只有一句话，没有条文。")
    assert "第…条" in nothing.value.message
    assert ConsultationTask.objects.count() == 0


def test_opinions_survive_a_new_version(make_task: Callable[..., Any], resident: Any, staff: Any) -> None:
    task = make_task(S.CONSULTING)
    on_10 = services.opinion_submit(
        actor=resident, task=task, text="巡查应当有频次。", article_id=article_of(task, "第十条").pk
    )
    on_13 = services.opinion_submit(
        actor=resident, task=task, text="罚款过高。", article_id=article_of(task, "第十三条").pk
    )
    on_12 = services.opinion_submit(
        actor=resident, task=task, text="销售者提示不够。", article_id=article_of(task, "第十二条").pk
    )
    services.version_add(actor=staff, task=task, draft=services.draft_read(text=SAMPLE_DRAFT_V2))
    for opinion in (on_10, on_13, on_12):
        opinion.refresh_from_db()
    assert (on_10.article.version.number, on_10.article.label) == (2, "第十条")
    assert (on_13.article.version.number, on_13.article.label, on_13.original_label) == (
        2,
        "第十二条",
        "第十三条",
    )
    assert (on_12.article.version.number, on_12.article.label) == (1, "第十二条")  # deleted: stays on v1
    rows = {(row.kind, row.old_label, row.new_label) for row in version_diff(task, 1, 2)}
    assert ("changed", "第十条", "第十条") in rows
    assert ("removed", "第十二条", None) in rows
    assert ("changed", "第十三条", "第十二条") in rows
    assert ("same", "第一条", "第一条") in rows
    assert [e.verb for e in events_for(task)][-1] == "version_add"


def test_report_contains_every_submitted_opinion_once(
    make_task: Callable[..., Any], resident: Any, staff: Any
) -> None:
    task = make_task(S.CONSULTING)
    eleventh = article_of(task, "第十一条")
    first = services.opinion_submit(
        actor=resident, task=task, text="甲意见。", article_id=eleventh.pk, item=3
    )
    second = services.opinion_submit(
        actor=resident, task=task, text="乙意见。", article_id=eleventh.pk, item=3
    )
    third = services.opinion_submit(actor=resident, task=task, text="丙意见。")
    services.meeting_record(
        actor=staff,
        task=task,
        kind="meeting",
        held_on=timezone.localdate(),
        place="湖塘镇",
        participants="居民",
        attendance=20,
        opinions=[services.MeetingOpinion(text="丁意见。", article_id=article_of(task, "第七条").pk)],
    )
    task = services.task_advance(actor=staff, task=task, action="close")
    services.opinion_mark_duplicate(actor=staff, opinion=second, original=first)
    kept = services.entry_create(
        actor=staff, task=task, opinion_ids=[first.pk], summary="建议明确电梯检查主体。"
    )
    services.entry_create(actor=staff, task=task, opinion_ids=[third.pk], summary="建议增加充电补贴。")
    dropped = services.entry_create(
        actor=staff,
        task=task,
        opinion_ids=list(Opinion.objects.filter(meeting__isnull=False).values_list("pk", flat=True)),
        summary="不予报送的意见。",
        submitted=False,
    )
    second.refresh_from_db()
    assert second.entry == kept  # the duplicate follows its original
    attachment = services.report_generate(actor=staff, task=task)
    task.refresh_from_db()
    assert task.status == S.REPORTING and task.report == attachment
    text = docx_text(attachment.file.read())
    assert text.count("建议明确电梯检查主体。") == 1
    assert text.count("建议增加充电补贴。") == 1
    assert "不予报送的意见。" not in text
    assert f"关于《{task.title}》的意见建议汇总" in text
    assert text.index("总体意见") < text.index("第十一条")
    content = report_content(task)
    assert content.received == 4 and content.online == 3 and content.collected == 1 and content.meetings == 1
    assert [item.opinion_count for s in content.sections for item in s.items] == [1, 2]
    assert not dropped.submitted


def test_adoption_feedback_and_thank_you_letter(
    staff: Any, contact_point: Any, resident: Any, django_capture_on_commit_callbacks: Any
) -> None:
    task = task_at(
        S.SUBMITTED, staff=staff, contact_point=contact_point, commenter=resident, today=timezone.localdate()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_give(actor=staff, task=task)
    notice = Notification.objects.get(user=resident)
    assert "1 of 1" in notice.text or "1 条被采纳" in notice.text
    opinion = Opinion.objects.get(task=task)
    letter = docx_text(letter_docx(opinion))
    assert opinion.text in letter and "第十二条" in letter


def test_feedback_needs_every_outcome(staff: Any, contact_point: Any, resident: Any) -> None:
    task = task_at(
        S.REVIEWED, staff=staff, contact_point=contact_point, commenter=resident, today=timezone.localdate()
    )
    task = services.task_advance(actor=staff, task=task, action="submit")
    with pytest.raises(ValidationFailedError):
        services.feedback_give(actor=staff, task=task)
    assert ConsultationTask.objects.get(pk=task.pk).status == S.SUBMITTED


def test_stale_state_is_a_conflict(make_task: Callable[..., Any], staff: Any) -> None:
    task = make_task(S.STUDYING)
    services.task_advance(actor=staff, task=task, action="open")
    with pytest.raises(ConflictError):
        services.task_advance(actor=staff, task=task, action="open", expected_state=S.STUDYING)


def test_other_staff_cannot_create_tasks(other_staff: Any, contact_point: Any) -> None:
    with pytest.raises(PermissionDeniedError):
        services.task_create(
            actor=other_staff,
            contact_point=contact_point,
            title="某条例（草案）",
            issuing_body="某机关",
            received_on=timezone.localdate(),
            draft=services.draft_read(text=SAMPLE_DRAFT),
        )
    assert ConsultationTask.objects.count() == 0


ACTORS = ("staff", "other_staff", "participant", "public")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(ACTORS), st.sampled_from(sorted(ACTIONS))), min_size=1, max_size=14
    )
)
def test_random_action_sequences_keep_the_invariants(
    steps: list[tuple[str, str]],
    staff: Any,
    other_staff: Any,
    resident: Any,
    anonymous: Any,
    contact_point: Any,
) -> None:
    """Whatever happens: the status only moves along the table, only by staff; each accepted action
    leaves Events; a refusal changes nothing; every opinion belongs to the task and a current or old
    version of it; submitted opinions are only counted once."""
    actors = {"staff": staff, "other_staff": other_staff, "participant": resident, "public": anonymous}
    with transaction.atomic():
        task = task_at(
            S.ACCEPTED,
            staff=staff,
            contact_point=contact_point,
            commenter=resident,
            today=timezone.localdate(),
        )
        for role, action in steps:
            before = task_snapshot(task)
            events_before = events_for(task).count()
            try:
                ACTIONS[action](actors[role], ConsultationTask.objects.get(pk=task.pk))
            except DomainError:
                assert task_snapshot(task) == before
                continue
            after = ConsultationTask.objects.get(pk=task.pk)
            if after.status != before[0]:
                assert role == "staff"
                moved = services.TASK_TRANSITIONS.lookup(action)
                assert moved is not None and moved.starts_from(before[0]) and moved.target == after.status
            assert events_for(task).count() > events_before
            assert role == "staff" or action == "comment"
        opinions = Opinion.objects.filter(task=task).select_related("article__version")
        assert all(o.article is None or o.article.version.task_id == task.pk for o in opinions)
        counted = [o.pk for o in opinions if o.entry_id]
        assert len(counted) == len(set(counted))
        transaction.set_rollback(True)


def test_phone_verified_participants_get_a_text_message(
    staff: Any, contact_point: Any, resident: Any, anonymous: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from minsheng.core.messaging import outbox

    task = task_at(
        S.CONSULTING, staff=staff, contact_point=contact_point, commenter=resident, today=timezone.localdate()
    )
    phone_opinion = services.opinion_submit(
        actor=anonymous, task=task, text="电话用户的意见。", verified_phone="13900001111"
    )
    task = services.task_advance(actor=staff, task=task, action="close")
    for opinion in Opinion.objects.filter(task=task):
        services.entry_create(actor=staff, task=task, opinion_ids=[opinion.pk], summary=f"归纳{opinion.pk}。")
    services.report_generate(actor=staff, task=task)
    task = services.task_advance(actor=staff, task=task, action="review")
    task = services.task_advance(actor=staff, task=task, action="submit")
    for entry in ReportEntry.objects.filter(task=task):
        outcome = (
            Outcome.NOT_ADOPTED if entry.opinions.filter(pk=phone_opinion.pk).exists() else Outcome.ADOPTED
        )
        services.adoption_record(actor=staff, entry=entry, outcome=outcome, final_article="第十二条")
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_give(actor=staff, task=task)
    assert [m.to for m in outbox] == ["13900001111"]
    assert "1 条中 0 条被采纳" in outbox[0].body
    assert Notification.objects.filter(user=resident).count() == 1
