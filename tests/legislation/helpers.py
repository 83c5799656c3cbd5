"""Building a task in any step through the real services, and reading the words of a docx."""

from __future__ import annotations

import io
from typing import Any

import docx
from django.contrib.auth.models import AnonymousUser

from minsheng.legislation import services
from minsheng.legislation.models import ConsultationTask, Outcome, ReportEntry, TaskStatus
from minsheng.legislation.sample import SAMPLE_DRAFT, SAMPLE_ISSUER, SAMPLE_QUESTIONS, SAMPLE_TITLE

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
