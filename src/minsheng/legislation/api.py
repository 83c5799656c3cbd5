"""The legislation endpoints of the JSON API: every action of the consultation, same services and rules.

Public reads (open and closed consultations, a draft's articles, the diff, statistics) need no
authentication; every write needs a session or a bearer token. Opinion authors' names and phones are
not in any public schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from minsheng.apiauth import PUBLIC
from minsheng.core.apitypes import ObjectId
from minsheng.core.errors import NotFoundError, PermissionDeniedError
from minsheng.legislation import selectors, services
from minsheng.legislation.models import ConsultationTask, Opinion, ReportEntry

router = Router(tags=["legislation"])


# ---------------------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    title: str
    issuing_body: str
    contact_point: str
    received_on: dt.date
    comment_deadline: dt.date
    status: str
    status_label: str
    key_questions: list[str]
    opinions: int = 0

    @staticmethod
    def of(task: ConsultationTask) -> TaskOut:
        return TaskOut(
            id=task.pk,
            title=task.title,
            issuing_body=task.issuing_body,
            contact_point=task.contact_point.name,
            received_on=task.received_on,
            comment_deadline=task.comment_deadline,
            status=task.status,
            status_label=str(task.get_status_display()),
            key_questions=task.questions,
            opinions=getattr(task, "opinion_count", 0),
        )


class ArticleOut(Schema):
    id: int
    label: str
    number: int
    sub: int
    chapter: str
    section: str
    paragraphs: list[str]
    items: list[str]
    opinions: int


class DraftOut(Schema):
    task: TaskOut
    version: int
    articles: list[ArticleOut]
    warnings: list[str]


class DiffRowOut(Schema):
    kind: str
    old_label: str | None
    new_label: str | None
    segments: list[tuple[Literal["equal", "insert", "delete"], str]]


class EntryResultOut(Schema):
    id: int
    article: str | None
    summary: str
    submitted: bool
    outcome: str
    final_article: str
    opinions: int


class FiguresOut(Schema):
    name: str
    received: int
    submitted: int
    adopted: int


class StatisticsOut(Schema):
    by_task: list[FiguresOut]
    by_contact_point: list[FiguresOut]
    by_year: list[FiguresOut]


class LawDraftIn(Schema):
    text: str = Field(max_length=services.MAX_DRAFT_CHARS)


class TaskIn(LawDraftIn):
    contact_point_id: ObjectId
    title: str = Field(max_length=200)
    issuing_body: str = Field(max_length=200)
    received_on: dt.date
    comment_deadline: dt.date | None = None
    is_public_draft: bool = True
    key_questions: str = Field(default="", max_length=2000)


class ActionIn(Schema):
    action: Literal["study", "open", "close", "draft_report", "review", "submit", "give_feedback"]
    expected_state: str | None = None


class OpinionIn(Schema):
    text: str = Field(max_length=services.MAX_OPINION_CHARS)
    article_id: ObjectId | None = None
    paragraph: int | None = Field(default=None, ge=1, le=99)
    item: int | None = Field(default=None, ge=1, le=99)
    author_name: str = Field(default="", max_length=100)


class OpinionOut(Schema):
    id: int
    task_id: int
    place: str
    text: str
    source: str
    entry_id: int | None
    outcome: str = ""
    final_article: str = ""

    @staticmethod
    def of(opinion: Opinion) -> OpinionOut:
        published = opinion.task.status == "feedback_given" and opinion.entry is not None
        return OpinionOut(
            id=opinion.pk,
            task_id=opinion.task_id,
            place=opinion.place_label,
            text=opinion.text,
            source=opinion.source,
            entry_id=opinion.entry_id,
            outcome=opinion.entry.outcome if published and opinion.entry else "",
            final_article=opinion.entry.final_article if published and opinion.entry else "",
        )


class MeetingOpinionIn(Schema):
    text: str = Field(max_length=services.MAX_OPINION_CHARS)
    speaker: str = Field(default="", max_length=100)
    article_id: ObjectId | None = None
    paragraph: int | None = Field(default=None, ge=1, le=99)
    item: int | None = Field(default=None, ge=1, le=99)


class LawMeetingIn(Schema):
    kind: Literal["meeting", "visit"] = "meeting"
    held_on: dt.date
    place: str = Field(max_length=200)
    participants: str = Field(max_length=500)
    attendance: int = Field(ge=1, le=10_000)
    opinions: list[MeetingOpinionIn] = Field(max_length=500)


class IdOut(Schema):
    id: int


class EntryIn(Schema):
    opinion_ids: list[ObjectId] = Field(min_length=1, max_length=1000)
    summary: str = Field(max_length=services.MAX_SUMMARY_CHARS)
    submitted: bool = True


class EntryUpdateIn(Schema):
    summary: str | None = Field(default=None, max_length=services.MAX_SUMMARY_CHARS)
    submitted: bool | None = None


class DuplicateIn(Schema):
    original_id: ObjectId | None = None


class AdoptionIn(Schema):
    outcome: Literal["adopted", "partly", "not_adopted"]
    final_article: str = Field(default="", max_length=64)
    note: str = Field(default="", max_length=500)


class ReportOut(Schema):
    attachment_id: int
    name: str
    size: int
    status: str


# ---------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------


def _entry_out(entry: ReportEntry) -> EntryResultOut:
    return EntryResultOut(
        id=entry.pk,
        article=entry.article.label if entry.article else None,
        summary=entry.summary,
        submitted=entry.submitted,
        outcome=entry.outcome,
        final_article=entry.final_article,
        opinions=len(entry.opinions.all()),
    )


def _staff_task(request: HttpRequest, task_id: int) -> ConsultationTask:
    task = selectors.task_visible(request.user, task_id)
    if not request.user.has_perm("legislation.change_consultationtask", task):
        raise PermissionDeniedError()
    return task


# ---------------------------------------------------------------------------------------------------
# Public reads
# ---------------------------------------------------------------------------------------------------


@router.get("/tasks", response=list[TaskOut], auth=PUBLIC, summary="Open consultations, then closed ones")
def tasks_list(request: HttpRequest, state: Literal["open", "closed"] = "open", q: str = "") -> list[TaskOut]:
    tasks = selectors.tasks_open() if state == "open" else selectors.tasks_closed()
    tasks = selectors.tasks_matching(tasks, q)
    return [TaskOut.of(task) for task in tasks[:200]]


@router.get(
    "/tasks/{task_id}",
    response=DraftOut,
    auth=PUBLIC,
    summary="A draft's current version, article by article",
)
def task_read(request: HttpRequest, task_id: ObjectId) -> DraftOut:
    task = selectors.task_visible(request.user, task_id)
    version = selectors.version_current(task)
    if version is None:
        raise NotFoundError()
    articles = [
        ArticleOut(
            id=view.article.pk,
            label=view.article.label,
            number=view.article.number,
            sub=view.article.sub,
            chapter=view.article.chapter,
            section=view.article.section,
            paragraphs=[b["text"] for b in view.article.blocks if b["kind"] == "paragraph"],
            items=[b["text"] for b in view.article.blocks if b["kind"] == "item"],
            opinions=view.opinion_count,
        )
        for view in selectors.articles_view(version)
    ]
    return DraftOut(
        task=TaskOut.of(task), version=version.number, articles=articles, warnings=version.warnings
    )


@router.get(
    "/tasks/{task_id}/diff", response=list[DiffRowOut], auth=PUBLIC, summary="Article-by-article diff"
)
def task_diff(
    request: HttpRequest, task_id: ObjectId, from_version: ObjectId, to_version: ObjectId
) -> list[DiffRowOut]:
    task = selectors.task_visible(request.user, task_id)
    rows = selectors.version_diff(task, from_version, to_version)
    return [
        DiffRowOut(kind=r.kind, old_label=r.old_label, new_label=r.new_label, segments=r.segments)
        for r in rows
    ]


@router.get(
    "/tasks/{task_id}/results", response=list[EntryResultOut], auth=PUBLIC, summary="Adoption results"
)
def task_results(request: HttpRequest, task_id: ObjectId) -> list[EntryResultOut]:
    task = selectors.task_visible(request.user, task_id)
    if task.status != "feedback_given" and not request.user.has_perm(
        "legislation.change_consultationtask", task
    ):
        return []
    return [_entry_out(entry) for entry in selectors.adoption_results(task)]


@router.get(
    "/statistics", response=StatisticsOut, auth=PUBLIC, summary="Opinions received, submitted, adopted"
)
def statistics(request: HttpRequest) -> StatisticsOut:
    def rows(figures: list[selectors.Figures]) -> list[FiguresOut]:
        return [
            FiguresOut(name=f.name, received=f.received, submitted=f.submitted, adopted=f.adopted)
            for f in figures
        ]

    return StatisticsOut(
        by_task=rows(selectors.statistics_by_task()),
        by_contact_point=rows(selectors.statistics_by_contact_point()),
        by_year=rows(selectors.statistics_by_year()),
    )


# ---------------------------------------------------------------------------------------------------
# Participants
# ---------------------------------------------------------------------------------------------------


@router.post(
    "/tasks/{task_id}/opinions", response={201: OpinionOut}, summary="Comment on the draft or a place in it"
)
def opinion_create(request: HttpRequest, task_id: ObjectId, payload: OpinionIn) -> Status[OpinionOut]:
    task = selectors.task_visible(request.user, task_id)
    opinion = services.opinion_submit(actor=request.user, task=task, **payload.dict())
    return Status(201, OpinionOut.of(opinion))


@router.get("/me/opinions", response=list[OpinionOut], summary="My opinions and their outcomes")
def my_opinions(request: HttpRequest) -> list[OpinionOut]:
    return [OpinionOut.of(opinion) for opinion in selectors.opinions_of_user(request.user)]


# ---------------------------------------------------------------------------------------------------
# Staff of the contact point
# ---------------------------------------------------------------------------------------------------


@router.post("/tasks", response={201: TaskOut}, summary="Accept a consultation task with its draft text")
def task_create(request: HttpRequest, payload: TaskIn) -> Status[TaskOut]:
    from minsheng.org.models import Body

    contact_point = Body.objects.filter(pk=payload.contact_point_id).first()
    if contact_point is None:
        raise NotFoundError()
    draft = services.draft_read(text=payload.text)
    task = services.task_create(
        actor=request.user,
        contact_point=contact_point,
        title=payload.title,
        issuing_body=payload.issuing_body,
        received_on=payload.received_on,
        draft=draft,
        comment_deadline=payload.comment_deadline,
        is_public_draft=payload.is_public_draft,
        key_questions=payload.key_questions,
    )
    return Status(201, TaskOut.of(task))


@router.post("/tasks/{task_id}/actions", response=TaskOut, summary="Move the task to its next step")
def task_action(request: HttpRequest, task_id: ObjectId, payload: ActionIn) -> TaskOut:
    task = _staff_task(request, task_id)
    if payload.action == "draft_report":
        services.report_generate(actor=request.user, task=task)
    elif payload.action == "give_feedback":
        services.feedback_give(actor=request.user, task=task, expected_state=payload.expected_state)
    else:
        services.task_advance(
            actor=request.user, task=task, action=payload.action, expected_state=payload.expected_state
        )
    return TaskOut.of(selectors.task_visible(request.user, task_id))


@router.post("/tasks/{task_id}/versions", response={201: IdOut}, summary="Add a new version of the draft")
def version_create(request: HttpRequest, task_id: ObjectId, payload: LawDraftIn) -> Status[IdOut]:
    task = _staff_task(request, task_id)
    version = services.version_add(
        actor=request.user, task=task, draft=services.draft_read(text=payload.text)
    )
    return Status(201, IdOut(id=version.number))


@router.post(
    "/tasks/{task_id}/versions/file",
    response={201: IdOut},
    summary="Add a new version of the draft from a .docx, .txt or .md file",
)
def version_upload(
    request: HttpRequest, task_id: ObjectId, upload: UploadedFile = File(...)
) -> Status[IdOut]:
    task = _staff_task(request, task_id)
    version = services.version_add(actor=request.user, task=task, draft=services.draft_read(upload=upload))
    return Status(201, IdOut(id=version.number))


@router.post("/tasks/{task_id}/meetings", response={201: IdOut}, summary="Record a meeting and its opinions")
def meeting_create(request: HttpRequest, task_id: ObjectId, payload: LawMeetingIn) -> Status[IdOut]:
    task = _staff_task(request, task_id)
    meeting = services.meeting_record(
        actor=request.user,
        task=task,
        kind=payload.kind,
        held_on=payload.held_on,
        place=payload.place,
        participants=payload.participants,
        attendance=payload.attendance,
        opinions=[services.MeetingOpinion(**o.dict()) for o in payload.opinions],
    )
    return Status(201, IdOut(id=meeting.pk))


@router.get("/tasks/{task_id}/opinions", response=list[OpinionOut], summary="All opinions of a task (staff)")
def opinions_list(request: HttpRequest, task_id: ObjectId, q: str = "") -> list[OpinionOut]:
    task = _staff_task(request, task_id)
    return [OpinionOut.of(opinion) for opinion in selectors.opinions_for_task(task, q)]


@router.post(
    "/tasks/{task_id}/entries", response={201: EntryResultOut}, summary="Sort opinions into a report entry"
)
def entry_create(request: HttpRequest, task_id: ObjectId, payload: EntryIn) -> Status[EntryResultOut]:
    task = _staff_task(request, task_id)
    entry = services.entry_create(
        actor=request.user,
        task=task,
        opinion_ids=payload.opinion_ids,
        summary=payload.summary,
        submitted=payload.submitted,
    )
    return Status(201, _entry_out(entry))


def _entry(task: ConsultationTask, entry_id: int) -> ReportEntry:
    entry = ReportEntry.objects.filter(task=task, pk=entry_id).select_related("article").first()
    if entry is None:
        raise NotFoundError()
    return entry


@router.patch("/tasks/{task_id}/entries/{entry_id}", response=EntryResultOut, summary="Edit a report entry")
def entry_update(
    request: HttpRequest, task_id: ObjectId, entry_id: ObjectId, payload: EntryUpdateIn
) -> EntryResultOut:
    task = _staff_task(request, task_id)
    entry = services.entry_update(
        actor=request.user, entry=_entry(task, entry_id), summary=payload.summary, submitted=payload.submitted
    )
    return _entry_out(entry)


@router.post(
    "/tasks/{task_id}/opinions/{opinion_id}/duplicate", response=OpinionOut, summary="Mark a duplicate"
)
def opinion_duplicate(
    request: HttpRequest, task_id: ObjectId, opinion_id: ObjectId, payload: DuplicateIn
) -> OpinionOut:
    task = _staff_task(request, task_id)
    opinion = Opinion.objects.filter(task=task, pk=opinion_id).first()
    original = (
        Opinion.objects.filter(task=task, pk=payload.original_id).first() if payload.original_id else None
    )
    if opinion is None or (payload.original_id and original is None):
        raise NotFoundError()
    opinion = services.opinion_mark_duplicate(actor=request.user, opinion=opinion, original=original)
    return OpinionOut.of(opinion)


@router.post(
    "/tasks/{task_id}/report", response={201: ReportOut}, summary="Generate and store the report (docx)"
)
def report_create(request: HttpRequest, task_id: ObjectId) -> Status[ReportOut]:
    task = _staff_task(request, task_id)
    attachment = services.report_generate(actor=request.user, task=task)
    task.refresh_from_db()
    report = ReportOut(
        attachment_id=attachment.pk, name=attachment.original_name, size=attachment.size, status=task.status
    )
    return Status(201, report)


@router.post(
    "/tasks/{task_id}/entries/{entry_id}/adoption", response=EntryResultOut, summary="Record adoption"
)
def adoption_create(
    request: HttpRequest, task_id: ObjectId, entry_id: ObjectId, payload: AdoptionIn
) -> EntryResultOut:
    task = _staff_task(request, task_id)
    entry = services.adoption_record(actor=request.user, entry=_entry(task, entry_id), **payload.dict())
    return _entry_out(entry)
