"""Every write of legislative consultation: `<entity>_<verb>(*, actor, …)`, atomic, with an Event.

The task's status moves only through ``TASK_TRANSITIONS``; other writes check the permission first,
then the step the task is in, and change nothing when they refuse.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.analysis.text.lawdiff import articles_match
from minsheng.analysis.text.lawparse import (
    Article,
    Heading,
    LawDocument,
    LawParseError,
    ParseIssue,
    Progress,
    document_text,
    parse_bytes,
    parse_text,
)
from minsheng.core.actors import Actor, account_or_none, account_required
from minsheng.core.attachments import DOCX, CheckedFile, attachments_save
from minsheng.core.calendar import deadline_compute
from minsheng.core.errors import (
    DomainError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.messaging import message_send
from minsheng.core.models import Attachment, SearchEntry
from minsheng.core.notifications import notify
from minsheng.core.receipts import receipt_code_new, receipt_lookup, receipt_number
from minsheng.core.search import search_entry, search_index
from minsheng.core.text import plain_text_checked
from minsheng.core.throttle import throttle_count
from minsheng.core.transitions import Transition, TransitionTable, transition_apply
from minsheng.legislation.models import (
    ConsultationTask,
    DraftArticle,
    DraftImport,
    DraftVersion,
    ImportPurpose,
    ImportStatus,
    Meeting,
    MeetingKind,
    Opinion,
    OpinionSource,
    Outcome,
    ReportEntry,
    TaskStatus,
)
from minsheng.legislation.rules import contact_points_staffed_by
from minsheng.org.models import Body, BodyKind
from minsheng.org.rules import has_admin_role

CHANGE_TASK = "legislation.change_consultationtask"
S = TaskStatus

TASK_TRANSITIONS = TransitionTable(
    Transition("study", sources={S.ACCEPTED}, target=S.STUDYING, permission=CHANGE_TASK),
    Transition("open", sources={S.ACCEPTED, S.STUDYING}, target=S.CONSULTING, permission=CHANGE_TASK),
    Transition("close", sources={S.CONSULTING}, target=S.SORTING, permission=CHANGE_TASK),
    Transition("draft_report", sources={S.SORTING}, target=S.REPORTING, permission=CHANGE_TASK),
    Transition("review", sources={S.REPORTING}, target=S.REVIEWED, permission=CHANGE_TASK),
    Transition("submit", sources={S.REVIEWED}, target=S.SUBMITTED, permission=CHANGE_TASK),
    Transition("give_feedback", sources={S.SUBMITTED}, target=S.FEEDBACK_GIVEN, permission=CHANGE_TASK),
)
# Actions with their own service (they do more than move the status).
SPECIAL_ACTIONS = {"draft_report": "report_generate", "give_feedback": "feedback_give"}

MAX_DRAFT_BYTES = 5 * 1024 * 1024
MAX_DRAFT_CHARS = 500_000
MAX_OPINION_CHARS = 2000
MAX_SUMMARY_CHARS = 4000
OPINIONS_PER_HOUR = 10

MEETING_STATES = (S.CONSULTING, S.SORTING)
SORTING_STATES = (S.SORTING, S.REPORTING)
VERSION_STATES = (S.ACCEPTED, S.STUDYING, S.CONSULTING, S.SORTING, S.REPORTING, S.REVIEWED, S.SUBMITTED)

PARSE_MESSAGES = {
    "empty": gettext_lazy("The file is empty."),
    "too_large": gettext_lazy("The file is larger than %(limit)s MB."),
    "binary": gettext_lazy("The file is not text: it looks like a binary file."),
    "not_docx": gettext_lazy("The file is not a valid Word document (.docx)."),
    "docx_expanded": gettext_lazy(
        "The Word document expands to more than %(limit)s MB (or holds too many parts); a draft holds less."
    ),
    "unsupported": gettext_lazy("Unsupported file type “%(suffix)s”: use .md, .txt or .docx."),
    "no_articles": gettext_lazy(
        "No article was found: articles start a line with 第…条 followed by a space."
    ),
    "article_gap": gettext_lazy("Line %(line)s: %(label)s follows %(previous)s; %(missing)s missing."),
    "article_repeat": gettext_lazy("Line %(line)s: %(label)s appears again (first on line %(first)s)."),
    "article_order": gettext_lazy(
        "Line %(line)s: %(label)s comes after %(previous)s; the numbering goes backwards."
    ),
    "article_start": gettext_lazy("Line %(line)s: the first article is %(label)s, not 第一条."),
    "item_gap": gettext_lazy(
        "Line %(line)s: item %(label)s of %(article)s does not follow the item before it."
    ),
}
_SCRIPT = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|style|svg|img|a)\b|javascript\s*:|\bon\w+\s*=", re.I
)


def issue_message(issue: ParseIssue) -> str:
    return str(PARSE_MESSAGES[issue.code]) % {"line": issue.line, **issue.params}


# ---------------------------------------------------------------------------------------------------
# Checks shared by the services
# ---------------------------------------------------------------------------------------------------


def _require(actor: Actor, permission: str, obj: Any) -> None:
    if not actor.has_perm(permission, obj):
        raise PermissionDeniedError()


def _require_state(task: ConsultationTask, action: str, states: Sequence[str]) -> None:
    if task.status not in states:
        raise InvalidTransitionError(action=action, state=task.get_status_display())


def _locked(task: ConsultationTask) -> ConsultationTask:
    return rows_locked(ConsultationTask).select_related("contact_point").get(pk=task.pk)


def _count_within_hour(key: str, limit: int) -> None:
    throttle_count(key, limit=limit, seconds=3600, message=_("Too many opinions in a short time."))


# ---------------------------------------------------------------------------------------------------
# Draft text
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftInput:
    text: str
    source_name: str
    document: LawDocument


def upload_bytes(upload: UploadedFile) -> tuple[str, bytes]:
    """The upload's safe name and bytes, within MAX_DRAFT_BYTES."""
    source_name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
    too_large = ValidationFailedError(
        _("“%(name)s” is larger than %(limit)s MB.")
        % {"name": source_name, "limit": MAX_DRAFT_BYTES // (1024 * 1024)},
        field="upload",
    )
    if upload.size is not None and upload.size > MAX_DRAFT_BYTES:
        raise too_large
    data = upload.read(MAX_DRAFT_BYTES + 1)
    if len(data) > MAX_DRAFT_BYTES:
        raise too_large
    return source_name, data


def draft_parse(data: bytes, *, source_name: str, progress: Progress | None = None) -> DraftInput:
    """An uploaded .docx/.txt/.md, parsed; ValidationFailedError names what is wrong."""
    try:
        document = parse_bytes(data, filename=source_name or "draft.txt", progress=progress)
    except LawParseError as error:
        raise ValidationFailedError(issue_message(error.issue), field="upload") from error
    if document.errors:
        raise ValidationFailedError(issue_message(document.errors[0]), field="upload")
    return DraftInput(text=document_text(document), source_name=source_name, document=document)


def draft_read(*, text: str | None = None, upload: UploadedFile | None = None) -> DraftInput:
    """Pasted text or an uploaded .docx/.txt/.md, parsed; ValidationFailedError names what is wrong."""
    if upload is not None:
        source_name, data = upload_bytes(upload)
        return draft_parse(data, source_name=source_name)
    if len(text or "") > MAX_DRAFT_CHARS:
        raise ValidationFailedError(
            _("The text may be at most %(limit)s characters long.") % {"limit": MAX_DRAFT_CHARS},
            field="text",
        )
    try:
        document = parse_text(text or "")
    except LawParseError as error:
        raise ValidationFailedError(issue_message(error.issue), field="text") from error
    if document.errors:
        raise ValidationFailedError(issue_message(document.errors[0]), field="text")
    return DraftInput(text=document_text(document), source_name="", document=document)


# ---------------------------------------------------------------------------------------------------
# Large drafts, read in the background
# ---------------------------------------------------------------------------------------------------

# An upload larger than this is read by a background task while the page shows its progress (a .docx
# of 20,000 paragraphs takes seconds to read; bench/lawparse.py). Smaller ones are read at once.
BACKGROUND_DRAFT_BYTES = 256 * 1024
# Reading the file is the first part of the bar, parsing the second, saving the rest.
_STAGE_SPAN = {"reading": (0, 60), "parsing": (60, 95)}


def draft_is_large(upload: UploadedFile | None) -> bool:
    return upload is not None and (upload.size or 0) > BACKGROUND_DRAFT_BYTES


def draft_import_start(
    *,
    actor: Actor,
    upload: UploadedFile,
    task: ConsultationTask | None = None,
    task_fields: TaskFields | None = None,
) -> DraftImport:
    """Queue a large draft: a new version of ``task``, or a new task with ``task_fields`` (checked by
    ``task_fields_checked``). Permission and state are checked now, and again when it is stored."""
    if task is not None:
        _require(actor, CHANGE_TASK, task)
        _require_state(task, "version_add", VERSION_STATES)
    elif task_fields is None:
        raise ValueError("A new task's draft needs its fields.")
    source_name, data = upload_bytes(upload)
    with transaction.atomic():
        job = DraftImport.objects.create(
            purpose=ImportPurpose.VERSION if task is not None else ImportPurpose.TASK,
            task=task,
            created_by=account_required(actor),
            source_name=source_name,
            data=data,
            params=task_fields.as_json() if task_fields is not None else {},
        )
        event_record(
            actor=actor,
            verb="draft_import",
            target=job,
            to_state=job.status,
            payload={"task": task.pk if task else None, "file": source_name, "bytes": len(data)},
        )
        from minsheng.legislation.tasks import draft_import_enqueue

        transaction.on_commit(partial(draft_import_enqueue, job.pk))
    return job


def _progress_saver(job_id: int) -> Progress:
    last = {"percent": -1}

    def saved(stage: str, done: int, total: int) -> None:
        low, high = _STAGE_SPAN.get(stage, (0, 95))
        percent = low + (high - low) * done // max(total, 1)
        if percent != last["percent"]:  # one small UPDATE per step, committed at once for the page
            last["percent"] = percent
            DraftImport.objects.filter(pk=job_id).update(stage=stage, progress=percent)

    return saved


def draft_import_run(*, job_id: int) -> DraftImport:
    """Read a queued draft and store it (the background task); a refusal is kept as the job's error."""
    claimed = DraftImport.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, stage="reading", progress=0
    )
    job = DraftImport.objects.select_related("task", "created_by").get(pk=job_id)
    if not claimed:
        return job  # another worker has it, or it ran already
    actor = job.created_by
    try:
        draft = draft_parse(bytes(job.data), source_name=job.source_name, progress=_progress_saver(job.pk))
        DraftImport.objects.filter(pk=job.pk).update(stage="saving", progress=95)
        if job.task is not None:
            version = version_add(actor=actor, task=job.task, draft=draft)
            task = job.task
        else:
            fields = TaskFields.from_json(job.params)
            task = task_create(
                actor=actor,
                contact_point=fields.contact_point,
                title=fields.title,
                issuing_body=fields.issuing_body,
                received_on=fields.received_on,
                draft=draft,
                comment_deadline=fields.comment_deadline,
                is_public_draft=fields.is_public_draft,
                key_questions=fields.key_questions,
            )
            version = task.versions.get(number=1)
    except DomainError as refusal:
        with transaction.atomic():
            DraftImport.objects.filter(pk=job.pk).update(
                status=ImportStatus.FAILED, error=refusal.message, data=b""
            )
            event_record(
                actor=actor,
                verb="draft_import_failed",
                target=job,
                from_state=ImportStatus.RUNNING,
                to_state=ImportStatus.FAILED,
                payload={"code": refusal.code},
            )
    else:
        with transaction.atomic():
            DraftImport.objects.filter(pk=job.pk).update(
                status=ImportStatus.DONE, stage="", progress=100, task=task, version=version, data=b""
            )
            event_record(
                actor=actor,
                verb="draft_import_done",
                target=job,
                from_state=ImportStatus.RUNNING,
                to_state=ImportStatus.DONE,
                payload={"task": task.pk, "version": version.number},
            )
    job.refresh_from_db()
    return job


def _stored_labels(articles: Sequence[Article]) -> list[str]:
    """Each article's label, unique within the version: a number that appears again (第一条 … 第一条) is
    kept, marked with its line, and the parser's warning names that line; it is not a server error."""
    longest = DraftArticle._meta.get_field("label").max_length or 32
    seen: set[str] = set()
    labels = []
    for article in articles:
        label = article.label
        if label in seen:
            label = _("%(label)s (again, line %(line)s)") % {"label": label, "line": article.line}
        if len(label) > longest or label in seen:  # a numeral too long to be real: name it by its line
            label = _("Article on line %(line)s") % {"line": article.line}
        seen.add(label)
        labels.append(label)
    return labels


def _version_store(*, task: ConsultationTask, draft: DraftInput, number: int) -> DraftVersion:
    document = draft.document
    outline = []
    position = 0
    for element in document.body:
        if isinstance(element, Article):
            position += 1
        elif isinstance(element, Heading):
            outline.append(
                {
                    "kind": element.kind,
                    "label": element.label,
                    "title": element.title,
                    "first_article": position + 1,
                }
            )
    version = DraftVersion.objects.create(
        task=task,
        number=number,
        text=draft.text,
        source_name=draft.source_name,
        outline=outline,
        warnings=[issue_message(issue) for issue in document.warnings],
    )
    labels = _stored_labels(document.articles)
    DraftArticle.objects.bulk_create(
        DraftArticle(
            version=version,
            position=position,
            label=labels[position - 1],
            number=article.number,
            sub=article.sub,
            part=article.part or "",
            chapter=article.chapter or "",
            section=article.section or "",
            text=article.text,
            blocks=[
                {
                    "kind": b.kind,
                    "text": b.text,
                    "paragraph": b.paragraph,
                    "item": b.item,
                    "subitem": b.subitem,
                }
                for b in article.blocks
            ],
        )
        for position, article in enumerate(document.articles, start=1)
    )
    draft_search_index(task, version)
    return version


def draft_search_index(task: ConsultationTask, version: DraftVersion) -> None:
    """The task is found by its title, issuing body and the text of its newest version."""
    search_index(task, task.title, task.issuing_body, version.text)


def opinions_search_index(opinions: Sequence[Opinion]) -> None:
    """Search entries for new opinions: their text only (names and phones are not searchable)."""
    content_type = ContentType.objects.get_for_model(Opinion)
    SearchEntry.objects.bulk_create(
        search_entry(content_type, opinion.pk, opinion.text) for opinion in opinions
    )


def comment_deadline_minimum(*, contact_point: Body, start: dt.date) -> dt.date:
    return deadline_compute(
        rule_name="legislation_comment_period", start=start, jurisdiction=contact_point.jurisdiction
    ).due


# ---------------------------------------------------------------------------------------------------
# Tasks and versions
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskFields:
    """A new task's form fields, checked (the comment deadline filled in when none was given)."""

    contact_point: Body
    title: str
    issuing_body: str
    received_on: dt.date
    comment_deadline: dt.date
    is_public_draft: bool
    key_questions: str

    def as_json(self) -> dict[str, Any]:
        return {
            "contact_point": self.contact_point.pk,
            "title": self.title,
            "issuing_body": self.issuing_body,
            "received_on": self.received_on.isoformat(),
            "comment_deadline": self.comment_deadline.isoformat(),
            "is_public_draft": self.is_public_draft,
            "key_questions": self.key_questions,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TaskFields:
        return cls(
            contact_point=Body.objects.get(pk=data["contact_point"]),
            title=data["title"],
            issuing_body=data["issuing_body"],
            received_on=dt.date.fromisoformat(data["received_on"]),
            comment_deadline=dt.date.fromisoformat(data["comment_deadline"]),
            is_public_draft=bool(data["is_public_draft"]),
            key_questions=data["key_questions"],
        )


def task_fields_checked(
    *,
    actor: Actor,
    contact_point: Body,
    title: str,
    issuing_body: str,
    received_on: dt.date,
    comment_deadline: dt.date | None = None,
    is_public_draft: bool = True,
    key_questions: str = "",
) -> TaskFields:
    """Everything about a new task but its draft: who may accept it there, and each field."""
    if contact_point.kind != BodyKind.LEGISLATIVE_CONTACT_POINT:
        raise ValidationFailedError(_("Choose a legislative contact point."), field="contact_point")
    if not (contact_point.pk in contact_points_staffed_by(actor) or has_admin_role(actor)):
        raise PermissionDeniedError()
    title = plain_text_checked(title, field="title", max_length=200, label=_("The draft title"))
    issuing_body = plain_text_checked(
        issuing_body, field="issuing_body", max_length=200, label=_("The issuing body")
    )
    if key_questions.strip():
        key_questions = plain_text_checked(
            key_questions, field="key_questions", max_length=2000, label=_("Key questions")
        )
    minimum = comment_deadline_minimum(contact_point=contact_point, start=received_on)
    deadline = comment_deadline or minimum
    if deadline < received_on:
        raise ValidationFailedError(
            _("The comment deadline cannot be before the date received."), field="comment_deadline"
        )
    if is_public_draft and deadline < minimum:
        raise ValidationFailedError(
            _("A public draft stays open for comment until at least %(date)s.")
            % {"date": f"{minimum.year}年{minimum.month}月{minimum.day}日"},
            field="comment_deadline",
        )
    return TaskFields(
        contact_point, title, issuing_body, received_on, deadline, is_public_draft, key_questions
    )


def task_create(
    *,
    actor: Actor,
    contact_point: Body,
    title: str,
    issuing_body: str,
    received_on: dt.date,
    draft: DraftInput,
    comment_deadline: dt.date | None = None,
    is_public_draft: bool = True,
    key_questions: str = "",
) -> ConsultationTask:
    """Accept a consultation task (step 1) with the draft's first version."""
    fields = task_fields_checked(
        actor=actor,
        contact_point=contact_point,
        title=title,
        issuing_body=issuing_body,
        received_on=received_on,
        comment_deadline=comment_deadline,
        is_public_draft=is_public_draft,
        key_questions=key_questions,
    )
    with transaction.atomic():
        task = ConsultationTask.objects.create(
            contact_point=fields.contact_point,
            title=fields.title,
            issuing_body=fields.issuing_body,
            received_on=fields.received_on,
            comment_deadline=fields.comment_deadline,
            is_public_draft=fields.is_public_draft,
            key_questions=fields.key_questions,
            created_by=account_required(actor),
        )
        version = _version_store(task=task, draft=draft, number=1)
        event_record(
            actor=actor,
            verb="accept",
            target=task,
            to_state=task.status,
            payload={
                "version": version.number,
                "articles": version.articles.count(),
                "deadline": fields.comment_deadline,
            },
        )
    return task


def version_add(*, actor: Actor, task: ConsultationTask, draft: DraftInput) -> DraftVersion:
    """A new version of the draft; opinions and report entries move to the matching new article."""
    _require(actor, CHANGE_TASK, task)
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, "version_add", VERSION_STATES)
        previous = task.versions.order_by("-number").first()
        assert previous is not None
        version = _version_store(task=task, draft=draft, number=previous.number + 1)
        old_articles = list(previous.articles.all())
        new_articles = {a.label: a for a in version.articles.all()}
        mapping = articles_match(
            [(a.label, a.text) for a in old_articles], [(a.label, a.text) for a in new_articles.values()]
        )
        moved = 0
        for old in old_articles:
            target_label = mapping.get(old.label)
            if target_label is None:
                continue  # the article is gone: its opinions keep pointing at the old version's article
            target = new_articles[target_label]
            moved += Opinion.objects.filter(article=old).update(article=target)
            ReportEntry.objects.filter(article=old).update(article=target)
        event_record(
            actor=actor,
            verb="version_add",
            target=task,
            payload={
                "version": version.number,
                "mapping": {old: new for old, new in mapping.items() if old != new},
                "opinions_moved": moved,
            },
        )
    return version


def task_advance(
    *, actor: Actor, task: ConsultationTask, action: str, expected_state: str | None = None
) -> ConsultationTask:
    """Move the task one step (study, open, close, review, submit)."""
    if action in SPECIAL_ACTIONS:
        raise ValidationFailedError(
            _("Use the dedicated action for this step."), field="action", code="use_dedicated_action"
        )
    if action == "open" and not DraftArticle.objects.filter(version__task=task).exists():
        raise ValidationFailedError(_("Add the draft's text before opening it for comment."), field="action")
    if action == "open" and timezone.localdate() > task.comment_deadline:
        raise ValidationFailedError(
            _("The comment deadline has passed; set a later deadline first."), field="action"
        )
    return transition_apply(
        table=TASK_TRANSITIONS, obj=task, action=action, actor=actor, expected_state=expected_state
    )


# ---------------------------------------------------------------------------------------------------
# Opinions and meetings
# ---------------------------------------------------------------------------------------------------


def _anchor_resolve(
    task: ConsultationTask, article_id: int | None, paragraph: int | None, item: int | None
) -> tuple[DraftArticle | None, int | None, int | None]:
    if article_id is None:
        if paragraph or item:
            raise ValidationFailedError(_("Choose the article first."), field="article")
        return None, None, None
    latest = task.versions.order_by("-number").first()
    article = DraftArticle.objects.filter(pk=article_id, version=latest).first()
    if article is None:
        raise ValidationFailedError(_("This article is not in the current draft."), field="article")
    blocks = article.blocks
    if paragraph and not any(b["paragraph"] == paragraph for b in blocks):
        raise ValidationFailedError(
            _("%(article)s has no paragraph %(paragraph)s.")
            % {"article": article.label, "paragraph": paragraph},
            field="paragraph",
        )
    if item:
        matches = [b for b in blocks if b["kind"] == "item" and b["item"] == item]
        if paragraph:
            matches = [b for b in matches if b["paragraph"] == paragraph]
        if not matches:
            raise ValidationFailedError(
                _("%(article)s has no item %(item)s.") % {"article": article.label, "item": item},
                field="item",
            )
        paragraph = paragraph or matches[0]["paragraph"]
    return article, paragraph or None, item or None


def opinion_submit(
    *,
    actor: Actor,
    task: ConsultationTask,
    text: str,
    article_id: int | None = None,
    paragraph: int | None = None,
    item: int | None = None,
    author_name: str = "",
    verified_phone: str | None = None,
) -> Opinion:
    """An online opinion by a signed-in user or a verified mobile number, while the draft is open."""
    signed_in = bool(getattr(actor, "is_authenticated", False))
    if not signed_in and not verified_phone:
        raise PermissionDeniedError(_("Sign in or verify your mobile number to comment."))
    if task.status != S.CONSULTING:
        raise ValidationFailedError(_("This draft is not open for comment."), code="not_open")
    if timezone.localdate() > task.comment_deadline:
        deadline = task.comment_deadline
        raise ValidationFailedError(
            _("The comment period ended on %(date)s; opinions are no longer accepted.")
            % {"date": f"{deadline.year}年{deadline.month}月{deadline.day}日"},
            code="deadline_passed",
        )
    if not actor.has_perm("legislation.add_opinion", task):
        raise PermissionDeniedError()
    text = plain_text_checked(text, field="text", max_length=MAX_OPINION_CHARS, label=_("The opinion"))
    author_name = (author_name or "").strip()
    if author_name:
        author_name = plain_text_checked(
            author_name, field="author_name", max_length=100, label=_("The name")
        )
    article, paragraph, item = _anchor_resolve(task, article_id, paragraph, item)
    who = f"user:{actor.pk}" if signed_in else f"phone:{verified_phone}"
    _count_within_hour(
        f"legislation-opinion:{hashlib.sha256(who.encode()).hexdigest()[:32]}", OPINIONS_PER_HOUR
    )
    with transaction.atomic():
        locked = _locked(task)
        if locked.status != S.CONSULTING:
            raise ValidationFailedError(_("This draft is not open for comment."), code="not_open")
        version = (
            article.version.number
            if article
            else locked.versions.order_by("-number").values_list("number", flat=True).first() or 1
        )
        account = account_or_none(actor)
        opinion = Opinion.objects.create(
            task=locked,
            article=article,
            paragraph=paragraph,
            item=item,
            original_label=article.label if article else "",
            original_version=version,
            text=text,
            source=OpinionSource.ONLINE,
            author=account,
            author_name=author_name or (account.get_full_name() if account else ""),
            phone="" if signed_in else str(verified_phone),
            receipt_code=receipt_code_new(),
        )
        opinions_search_index([opinion])
        event_record(actor=actor, verb="opinion_submit", target=locked, payload={"opinion": opinion.pk})
    return opinion


def opinion_lookup(*, client: str, code: str, phone: str) -> Opinion:
    """The opinion a receipt code and mobile number open, for the person who sent it (failures are
    counted per client: ``core.receipts``)."""
    from minsheng.legislation.selectors import opinion_for_receipt  # selectors read this app's models

    number = receipt_number(phone)
    return receipt_lookup(
        scope="legislation:receipt",
        client=client,
        find=lambda: opinion_for_receipt(code=code, phone=number),
        not_found=_("No opinion matches this receipt code and mobile number."),
    )


@dataclass(frozen=True)
class MeetingOpinion:
    text: str
    speaker: str = ""
    article_id: int | None = None
    paragraph: int | None = None
    item: int | None = None


def meeting_record(
    *,
    actor: Actor,
    task: ConsultationTask,
    kind: str,
    held_on: dt.date,
    place: str,
    participants: str,
    attendance: int,
    opinions: Sequence[MeetingOpinion],
) -> Meeting:
    """A consultation meeting or visit and the opinions heard there, anchored like online ones."""
    _require(actor, "legislation.add_meeting", task)
    _require_state(task, "meeting_record", MEETING_STATES)
    if kind not in MeetingKind.values:
        raise ValidationFailedError(_("Choose a meeting or a visit."), field="kind")
    if attendance < 1 or attendance > 10_000:
        raise ValidationFailedError(_("Enter how many people were present (1 to 10000)."), field="attendance")
    if held_on > timezone.localdate():
        raise ValidationFailedError(_("The meeting cannot be in the future."), field="held_on")
    place = plain_text_checked(place, field="place", max_length=200, label=_("The place"))
    participants = plain_text_checked(
        participants, field="participants", max_length=500, label=_("Who took part")
    )
    if not opinions:
        raise ValidationFailedError(_("Record at least one opinion heard at the meeting."), field="opinions")
    resolved = []
    for heard in opinions:
        text = plain_text_checked(
            heard.text, field="opinions", max_length=MAX_OPINION_CHARS, label=_("The opinion")
        )
        speaker = heard.speaker.strip()
        if speaker:
            speaker = plain_text_checked(speaker, field="opinions", max_length=100, label=_("The name"))
        resolved.append(
            (text, speaker, *_anchor_resolve(task, heard.article_id, heard.paragraph, heard.item))
        )
    with transaction.atomic():
        locked = _locked(task)
        _require_state(locked, "meeting_record", MEETING_STATES)
        meeting = Meeting.objects.create(
            task=locked,
            kind=kind,
            held_on=held_on,
            place=place,
            participants=participants,
            attendance=attendance,
            recorded_by=account_required(actor),
        )
        version = locked.versions.order_by("-number").values_list("number", flat=True).first() or 1
        created = Opinion.objects.bulk_create(
            Opinion(
                task=locked,
                article=article,
                paragraph=paragraph,
                item=item,
                original_label=article.label if article else "",
                original_version=version,
                text=text,
                source=OpinionSource.MEETING if kind == MeetingKind.MEETING else OpinionSource.VISIT,
                meeting=meeting,
                author_name=speaker,
            )
            for text, speaker, article, paragraph, item in resolved
        )
        opinions_search_index(created)
        event_record(
            actor=actor,
            verb="meeting_record",
            target=locked,
            payload={"meeting": meeting.pk, "opinions": len(resolved), "attendance": attendance},
        )
    return meeting


# ---------------------------------------------------------------------------------------------------
# Sorting
# ---------------------------------------------------------------------------------------------------


def _opinions_of(task: ConsultationTask, ids: Sequence[int]) -> list[Opinion]:
    found = list(Opinion.objects.filter(task=task, pk__in=set(ids)).select_related("article"))
    if not ids or len(found) != len(set(ids)):
        raise ValidationFailedError(_("Choose opinions of this consultation."), field="opinions")
    return found


def entry_create(
    *, actor: Actor, task: ConsultationTask, opinion_ids: Sequence[int], summary: str, submitted: bool = True
) -> ReportEntry:
    """Group opinions into one summarised opinion for the report (on the article they share)."""
    _require(actor, "legislation.change_reportentry", task)
    _require_state(task, "entry_create", SORTING_STATES)
    summary = plain_text_checked(
        summary, field="summary", max_length=MAX_SUMMARY_CHARS, label=_("The summarised opinion")
    )
    with transaction.atomic():
        locked = _locked(task)
        _require_state(locked, "entry_create", SORTING_STATES)
        opinions = _opinions_of(locked, opinion_ids)
        articles = {o.article_id for o in opinions}
        article = opinions[0].article if len(articles) == 1 else None
        entry = ReportEntry.objects.create(task=locked, article=article, summary=summary, submitted=submitted)
        Opinion.objects.filter(pk__in=[o.pk for o in opinions]).update(entry=entry)
        Opinion.objects.filter(duplicate_of__in=[o.pk for o in opinions]).update(entry=entry)
        ReportEntry.objects.filter(task=locked, opinions__isnull=True).exclude(pk=entry.pk).delete()
        event_record(
            actor=actor,
            verb="entry_create",
            target=locked,
            payload={"entry": entry.pk, "opinions": sorted(o.pk for o in opinions), "submitted": submitted},
        )
    return entry


def entry_update(
    *, actor: Actor, entry: ReportEntry, summary: str | None = None, submitted: bool | None = None
) -> ReportEntry:
    """Change the summary or whether the entry goes into the report."""
    task = ConsultationTask.objects.get(pk=entry.task_id)
    _require(actor, "legislation.change_reportentry", task)
    _require_state(task, "entry_update", SORTING_STATES)
    changes: dict[str, Any] = {}
    if summary is not None:
        changes["summary"] = plain_text_checked(
            summary, field="summary", max_length=MAX_SUMMARY_CHARS, label=_("The summarised opinion")
        )
    if submitted is not None:
        changes["submitted"] = submitted
    with transaction.atomic():
        _require_state(_locked(task), "entry_update", SORTING_STATES)
        ReportEntry.objects.filter(pk=entry.pk).update(**changes, updated_at=timezone.now())
        event_record(actor=actor, verb="entry_update", target=task, payload={"entry": entry.pk, **changes})
    entry.refresh_from_db()
    return entry


def opinion_mark_duplicate(*, actor: Actor, opinion: Opinion, original: Opinion | None) -> Opinion:
    """Mark an opinion as a duplicate of another (it is counted, not listed twice); None unmarks it."""
    task = ConsultationTask.objects.get(pk=opinion.task_id)
    _require(actor, "legislation.change_opinion", task)
    _require_state(task, "opinion_mark_duplicate", SORTING_STATES)
    if original is not None:
        if original.task_id != opinion.task_id or original.pk == opinion.pk:
            raise ValidationFailedError(_("Choose another opinion of this consultation."), field="original")
        if original.duplicate_of_id is not None:
            original = original.duplicate_of
    with transaction.atomic():
        _require_state(_locked(task), "opinion_mark_duplicate", SORTING_STATES)
        Opinion.objects.filter(pk=opinion.pk).update(
            duplicate_of=original, entry=original.entry if original else None
        )
        event_record(
            actor=actor,
            verb="opinion_duplicate",
            target=task,
            payload={"opinion": opinion.pk, "original": original.pk if original else None},
        )
    opinion.refresh_from_db()
    return opinion


# ---------------------------------------------------------------------------------------------------
# Report, adoption, feedback
# ---------------------------------------------------------------------------------------------------


def report_generate(*, actor: Actor, task: ConsultationTask) -> Attachment:
    """Build the report (docx) from the submitted entries and store it; from sorting, step 5 starts."""
    from minsheng.legislation.documents import report_docx
    from minsheng.legislation.selectors import report_content

    _require(actor, CHANGE_TASK, task)
    _require_state(task, "draft_report", SORTING_STATES)
    with transaction.atomic():
        locked = _locked(task)
        _require_state(locked, "draft_report", SORTING_STATES)
        content = report_content(locked)
        if not content.sections:
            raise ValidationFailedError(
                _("Choose at least one opinion to submit before drafting the report.")
            )
        data = report_docx(content)
        name = _("Opinions on %(title)s.docx") % {"title": locked.title}
        checked = CheckedFile(name=name, data=data, kind=DOCX, sha256=hashlib.sha256(data).hexdigest())
        (attachment,) = attachments_save(actor=actor, owner=locked, files=[checked])
        payload = {"report": attachment.pk, "entries": content.entry_count}
        if locked.status == S.SORTING:
            locked = transition_apply(
                table=TASK_TRANSITIONS,
                obj=locked,
                action="draft_report",
                actor=actor,
                payload=payload,
                changes={"report": attachment},
            )
        else:
            ConsultationTask.objects.filter(pk=locked.pk).update(report=attachment)
            event_record(actor=actor, verb="report_regenerate", target=locked, payload=payload)
    return attachment


def adoption_record(
    *, actor: Actor, entry: ReportEntry, outcome: str, final_article: str = "", note: str = ""
) -> ReportEntry:
    """Whether the legislature adopted a submitted opinion, and where it is in the final text."""
    task = ConsultationTask.objects.get(pk=entry.task_id) if entry.task_id else entry.task
    _require(actor, "legislation.change_reportentry", task)
    _require_state(task, "adoption_record", (S.SUBMITTED, S.FEEDBACK_GIVEN))
    if not entry.submitted:
        raise ValidationFailedError(_("Only submitted opinions can be adopted."), field="entry")
    if outcome not in (Outcome.ADOPTED, Outcome.PARTLY, Outcome.NOT_ADOPTED):
        raise ValidationFailedError(_("Choose adopted, partly adopted or not adopted."), field="outcome")
    final_article = final_article.strip()
    if final_article:
        final_article = plain_text_checked(
            final_article, field="final_article", max_length=64, label=_("The final article")
        )
    elif outcome != Outcome.NOT_ADOPTED:
        raise ValidationFailedError(
            _("Give the article of the final text that took up the opinion."), field="final_article"
        )
    if note.strip():
        note = plain_text_checked(note, field="note", max_length=500, label=_("The note"))
    with transaction.atomic():
        _require_state(_locked(task), "adoption_record", (S.SUBMITTED, S.FEEDBACK_GIVEN))
        ReportEntry.objects.filter(pk=entry.pk).update(
            outcome=outcome, final_article=final_article, outcome_note=note.strip(), updated_at=timezone.now()
        )
        event_record(
            actor=actor,
            verb="adoption_record",
            target=task,
            payload={"entry": entry.pk, "outcome": outcome, "final_article": final_article},
        )
    entry.refresh_from_db()
    return entry


def feedback_give(
    *, actor: Actor, task: ConsultationTask, expected_state: str | None = None
) -> ConsultationTask:
    """Step 8: every submitted opinion has its outcome; tell each participant about their own."""
    if task.entries.filter(submitted=True, outcome="").exists():
        raise ValidationFailedError(_("Record the adoption of every submitted opinion first."))
    with transaction.atomic():
        task = transition_apply(
            table=TASK_TRANSITIONS,
            obj=task,
            action="give_feedback",
            actor=actor,
            expected_state=expected_state,
        )
        participants = list(
            Opinion.objects.filter(task=task, source=OpinionSource.ONLINE)
            .select_related("author", "entry")
            .order_by("author_id", "phone", "id")
        )
        by_participant: dict[tuple[int | None, str], list[Opinion]] = {}
        for opinion in participants:
            by_participant.setdefault((opinion.author_id, opinion.phone), []).append(opinion)
        for (_author_id, phone), opinions in by_participant.items():
            adopted = sum(
                1 for o in opinions if o.entry and o.entry.outcome in (Outcome.ADOPTED, Outcome.PARTLY)
            )
            text = _(
                "The outcome of your opinions on “%(title)s” is published: %(adopted)s of %(total)s adopted. "
                "Thank you."
            ) % {"title": task.title, "adopted": adopted, "total": len(opinions)}
            author = opinions[0].author
            if author is not None:
                link = reverse("legislation:mine")
                transaction.on_commit(partial(notify, users=[author], text=text, link=link))
            elif phone:  # a phone-verified visitor has no account: tell them by text message
                link = reverse("legislation:task", args=[task.pk])
                transaction.on_commit(
                    partial(message_send, to=phone, subject=str(_("Minsheng")), body=f"{text}\n{link}")
                )
        event_record(
            actor=actor,
            verb="participants_notify",
            target=task,
            payload={"participants": len(by_participant)},
        )
    return task
