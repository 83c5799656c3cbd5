"""Building a task in any step through the real services, and reading the words of a docx."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import docx
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from minsheng.core.models import Attachment, Event
from minsheng.legislation import services
from minsheng.legislation.models import (
    ConsultationTask,
    DraftVersion,
    Meeting,
    Opinion,
    Outcome,
    ReportEntry,
    TaskStatus,
)
from minsheng.legislation.sample import (
    SAMPLE_DRAFT,
    SAMPLE_DRAFT_V2,
    SAMPLE_ISSUER,
    SAMPLE_QUESTIONS,
    SAMPLE_TITLE,
)
from tests.legislation.conftest import article_of

STEPS = list(TaskStatus.values)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def task_at(status: str, *, staff: Any, contact_point: Any, commenter: Any, today: Any) -> ConsultationTask:
    """A task moved through the real steps up to ``status``; from consulting on it has one opinion and,
    from sorting on, one submitted entry (adopted from submitted on)."""
    task = services.task_create(
        actor=staff,
        contact_point=contact_point,
        title=SAMPLE_TITLE,
        issuing_body=SAMPLE_ISSUER,
        received_on=today,
        draft=services.draft_read(text=SAMPLE_DRAFT),
        key_questions=SAMPLE_QUESTIONS,
    )
    target = STEPS.index(status)

    def reached(step: str) -> bool:
        return STEPS.index(step) <= target

    if reached(TaskStatus.STUDYING):
        task = services.task_advance(actor=staff, task=task, action="study")
    if reached(TaskStatus.CONSULTING):
        task = services.task_advance(actor=staff, task=task, action="open")
        article = task.versions.get().articles.get(label="第十一条")
        services.opinion_submit(
            actor=commenter,
            task=task,
            text="建议明确电梯内禁止携带蓄电池的检查责任。",
            article_id=article.pk,
            item=3,
        )
    if reached(TaskStatus.SORTING):
        task = services.task_advance(actor=staff, task=task, action="close")
        services.entry_create(
            actor=staff,
            task=task,
            opinion_ids=list(task.opinions.values_list("pk", flat=True)),
            summary="建议明确物业服务企业在电梯内的检查责任。",
        )
    if reached(TaskStatus.REPORTING):
        services.report_generate(actor=staff, task=task)
    if reached(TaskStatus.REVIEWED):
        task = services.task_advance(actor=staff, task=task, action="review")
    if reached(TaskStatus.SUBMITTED):
        task = services.task_advance(actor=staff, task=task, action="submit")
        entry = ReportEntry.objects.get(task=task)
        services.adoption_record(actor=staff, entry=entry, outcome=Outcome.ADOPTED, final_article="第十二条")
    if reached(TaskStatus.FEEDBACK_GIVEN):
        services.feedback_give(actor=staff, task=task)
    task.refresh_from_db()
    assert task.status == status
    return task


def anonymous() -> AnonymousUser:
    return AnonymousUser()


# The permission matrices' actions (one per step of the eight-step method) and who may take them.
ACTIONS: dict[str, Callable[[Any, ConsultationTask], Any]] = {
    "study": lambda actor, task: services.task_advance(actor=actor, task=task, action="study"),
    "open": lambda actor, task: services.task_advance(actor=actor, task=task, action="open"),
    "close": lambda actor, task: services.task_advance(actor=actor, task=task, action="close"),
    "draft_report": lambda actor, task: services.report_generate(actor=actor, task=task),
    "review": lambda actor, task: services.task_advance(actor=actor, task=task, action="review"),
    "submit": lambda actor, task: services.task_advance(actor=actor, task=task, action="submit"),
    "give_feedback": lambda actor, task: services.feedback_give(actor=actor, task=task),
    "comment": lambda actor, task: services.opinion_submit(
        actor=actor,
        task=task,
        text="第十一条第（三）项应当写明检查主体。",
        article_id=article_of(task, "第十一条").pk,
        item=3,
    ),
    "record_meeting": lambda actor, task: services.meeting_record(
        actor=actor,
        task=task,
        kind="meeting",
        held_on=timezone.localdate(),
        place="湖塘镇代表之家",
        participants="居民代表、物业企业",
        attendance=12,
        opinions=[services.MeetingOpinion(text="建议增加充电补贴。", speaker="李先生")],
    ),
    "sort": lambda actor, task: services.entry_create(
        actor=actor,
        task=task,
        opinion_ids=list(task.opinions.values_list("pk", flat=True)),
        summary="归纳意见。",
    ),
    "new_version": lambda actor, task: services.version_add(
        actor=actor, task=task, draft=services.draft_read(text=SAMPLE_DRAFT_V2)
    ),
    "adopt": lambda actor, task: services.adoption_record(
        actor=actor,
        entry=task.entries.first() or ReportEntry(task=task, summary="未报送", submitted=True),
        outcome=Outcome.PARTLY,
        final_article="第十二条",
    ),
}
S = TaskStatus
STAFF_ALLOWED = {
    "study": {S.ACCEPTED},
    "open": {S.ACCEPTED, S.STUDYING},
    "close": {S.CONSULTING},
    "draft_report": {S.SORTING, S.REPORTING},
    "review": {S.REPORTING},
    "submit": {S.REVIEWED},
    "give_feedback": {S.SUBMITTED},
    "comment": {S.CONSULTING},
    "record_meeting": {S.CONSULTING, S.SORTING},
    "sort": {S.SORTING, S.REPORTING},
    "new_version": set(STEPS) - {S.FEEDBACK_GIVEN},
    "adopt": {S.SUBMITTED, S.FEEDBACK_GIVEN},
}
PARTICIPANT_ALLOWED = {"comment": {S.CONSULTING}}


def task_snapshot(task: ConsultationTask) -> tuple[Any, ...]:
    fresh = ConsultationTask.objects.get(pk=task.pk)
    return (
        fresh.status,
        fresh.report_id,
        Event.objects.count(),
        Opinion.objects.count(),
        list(ReportEntry.objects.values_list("pk", "summary", "submitted", "outcome", "final_article")),
        Meeting.objects.count(),
        DraftVersion.objects.count(),
        Attachment.objects.count(),
    )
