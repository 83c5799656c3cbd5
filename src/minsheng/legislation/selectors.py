"""Reads of legislative consultation: only what the reader may see, in a fixed number of queries."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy

from minsheng.analysis.text.lawdiff import DiffRow, articles_diff
from minsheng.core.errors import NotFoundError
from minsheng.core.events import events_of
from minsheng.core.receipts import receipt_code_normalise
from minsheng.core.search import search_filter
from minsheng.legislation.models import (
    CLOSED_STATUSES,
    PUBLIC_STATUSES,
    ConsultationTask,
    DraftArticle,
    DraftImport,
    DraftVersion,
    Opinion,
    OpinionSource,
    Outcome,
    ReportEntry,
    TaskStatus,
)
from minsheng.legislation.rules import contact_points_staffed_by
from minsheng.org.models import User
from minsheng.org.rules import has_admin_role

ADOPTED = (Outcome.ADOPTED, Outcome.PARTLY)


def _with_counts(tasks: QuerySet[ConsultationTask]) -> QuerySet[ConsultationTask]:
    return tasks.select_related("contact_point").annotate(
        opinion_count=Count("opinions", distinct=True),
        submitted_count=Count("entries", filter=Q(entries__submitted=True), distinct=True),
        adopted_count=Count("entries", filter=Q(entries__outcome__in=ADOPTED), distinct=True),
    )


def tasks_matching(tasks: QuerySet[ConsultationTask], query: str) -> QuerySet[ConsultationTask]:
    """The tasks whose title, issuing body or newest draft text contains every term of ``query``."""
    return search_filter(tasks, query)


def tasks_open() -> QuerySet[ConsultationTask]:
    """Drafts open for comment, for everyone."""
    return _with_counts(ConsultationTask.objects.filter(status=TaskStatus.CONSULTING)).order_by(
        "comment_deadline", "id"
    )


def tasks_closed() -> QuerySet[ConsultationTask]:
    """Consultations whose report went up, with their adoption results, for everyone."""
    return _with_counts(ConsultationTask.objects.filter(status__in=CLOSED_STATUSES)).order_by(
        "-received_on", "-id"
    )


def tasks_for_staff(user: Any) -> QuerySet[ConsultationTask]:
    """Every task of the contact points the user works at (all of them for administrators)."""
    tasks = ConsultationTask.objects.all()
    if not has_admin_role(user):
        tasks = tasks.filter(contact_point_id__in=contact_points_staffed_by(user))
    return _with_counts(tasks).order_by("-received_on", "-id")


def task_visible(user: Any, task_id: int) -> ConsultationTask:
    """The task if ``user`` may read it; NotFoundError otherwise (unpublished tasks do not exist for them)."""
    task = (
        ConsultationTask.objects.select_related("contact_point", "contact_point__jurisdiction", "report")
        .filter(pk=task_id)
        .first()
    )
    if task is None or not user.has_perm("legislation.view_consultationtask", task):
        raise NotFoundError()
    return task


def version_current(task: ConsultationTask) -> DraftVersion | None:
    return task.versions.order_by("-number").first()


def versions_of(task: ConsultationTask) -> list[DraftVersion]:
    return list(task.versions.order_by("number").annotate(article_count=Count("articles")))


@dataclass
class ArticleView:
    article: DraftArticle
    paragraphs: list[dict[str, Any]]  # {"number", "blocks": [...]}
    opinion_count: int


def articles_view(version: DraftVersion) -> list[ArticleView]:
    """The articles of a version grouped into 款 with their 项/目, and how many opinions each has."""
    counts = Counter(Opinion.objects.filter(article__version=version).values_list("article_id", flat=True))
    views = []
    for article in version.articles.order_by("position"):
        paragraphs: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for block in article.blocks:
            paragraphs[block["paragraph"]].append(block)
        views.append(
            ArticleView(
                article=article,
                paragraphs=[{"number": n, "blocks": blocks} for n, blocks in sorted(paragraphs.items())],
                opinion_count=counts.get(article.pk, 0),
            )
        )
    return views


def outline_view(version: DraftVersion, articles: list[ArticleView]) -> list[dict[str, Any]]:
    """The table of contents: headings with the anchor of their first article, or the articles themselves."""
    by_position = {view.article.position: view.article for view in articles}
    outline = []
    for heading in version.outline:
        first = by_position.get(heading["first_article"])
        outline.append({**heading, "anchor": first.anchor if first else ""})
    return outline


def opinions_for_task(task: ConsultationTask, query: str = "") -> list[Opinion]:
    """Every opinion of a task with its place, meeting, entry and author (staff only: has phones);
    with ``query``, those whose text contains every term of it (core.search)."""
    opinions = search_filter(Opinion.objects.filter(task=task), query)
    return list(
        opinions.select_related(
            "article", "article__version", "meeting", "entry", "author", "duplicate_of"
        ).order_by("article__position", "id")
    )


@dataclass
class OpinionGroup:
    article: DraftArticle | None
    opinions: list[Opinion]


def opinions_by_article(opinions: list[Opinion]) -> list[OpinionGroup]:
    groups: dict[int | None, OpinionGroup] = {}
    for opinion in opinions:
        key = opinion.article_id
        if key not in groups:
            groups[key] = OpinionGroup(opinion.article, [])
        groups[key].opinions.append(opinion)
    return sorted(
        groups.values(),
        key=lambda g: (
            g.article is not None,
            g.article.version.number if g.article else 0,
            g.article.position if g.article else 0,
        ),
    )


def entries_of(task: ConsultationTask, *, submitted_only: bool = False) -> list[ReportEntry]:
    entries = ReportEntry.objects.filter(task=task).select_related("article")
    if submitted_only:
        entries = entries.filter(submitted=True)
    return list(
        entries.prefetch_related(
            Prefetch("opinions", queryset=Opinion.objects.select_related("meeting").order_by("id"))
        ).order_by("article__position", "id")
    )


def opinions_of_user(user: Any) -> list[Opinion]:
    """A participant's own opinions, with the outcome once published."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Opinion.objects.filter(author=user)
        .select_related("task", "article", "entry")
        .order_by("-created_at", "-id")
    )


def opinion_by_id(opinion_id: Any) -> Opinion | None:
    """One opinion with its task and article (the receipt page reads the one this browser just sent)."""
    if not isinstance(opinion_id, int):
        return None
    return Opinion.objects.select_related("task", "article").filter(pk=opinion_id).first()


def opinion_for_receipt(*, code: str, phone: str) -> Opinion | None:
    """The opinion with this receipt code whose verified number matches; None for any mismatch."""
    normalised = receipt_code_normalise(code)
    if not normalised or not phone:
        return None
    return (
        Opinion.objects.filter(receipt_code=normalised, phone=phone)
        .select_related("task", "task__contact_point", "article", "entry")
        .first()
    )


# ---------------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------------


@dataclass
class ReportItem:
    entry: ReportEntry
    sources: dict[str, int]  # source label → count of opinions
    opinion_count: int


@dataclass
class ReportSection:
    heading: str
    items: list[ReportItem] = field(default_factory=list)


@dataclass
class ReportContent:
    task: ConsultationTask
    sections: list[ReportSection]
    received: int
    online: int
    collected: int  # at meetings and visits
    meetings: int
    attendance: int
    participants: int

    @property
    def entry_count(self) -> int:
        return sum(len(section.items) for section in self.sections)


def report_content(task: ConsultationTask) -> ReportContent:
    """What the report says: submitted entries grouped by article (whole-draft ones first), with sources."""
    opinions = list(Opinion.objects.filter(task=task).values("source", "author_id", "phone", "meeting_id"))
    meetings = list(task.meetings.values_list("attendance", flat=True))
    sections: dict[str, ReportSection] = {}
    source_labels = dict(OpinionSource.choices)
    for entry in entries_of(task, submitted_only=True):
        heading = entry.article.label if entry.article else "__whole__"
        section = sections.setdefault(heading, ReportSection(heading))
        sources = Counter(str(source_labels[o.source]) for o in entry.opinions.all())
        section.items.append(ReportItem(entry, dict(sources), sum(sources.values())))
    ordered = sorted(
        sections.values(),
        key=lambda s: (
            s.heading != "__whole__",
            s.items[0].entry.article.position if s.items[0].entry.article else 0,
        ),
    )
    identities = {(o["author_id"], o["phone"]) for o in opinions if o["source"] == OpinionSource.ONLINE}
    return ReportContent(
        task=task,
        sections=ordered,
        received=len(opinions),
        online=sum(1 for o in opinions if o["source"] == OpinionSource.ONLINE),
        collected=sum(1 for o in opinions if o["source"] != OpinionSource.ONLINE),
        meetings=len(meetings),
        attendance=sum(meetings),
        participants=len(identities) + sum(meetings),
    )


def adoption_results(task: ConsultationTask) -> list[ReportEntry]:
    """Submitted entries with their outcomes, for the public page of a closed consultation."""
    return [e for e in entries_of(task, submitted_only=True)]


# ---------------------------------------------------------------------------------------------------
# Versions and statistics
# ---------------------------------------------------------------------------------------------------


def version_diff(task: ConsultationTask, old_number: int, new_number: int) -> list[DiffRow]:
    versions = {v.number: v for v in task.versions.filter(number__in=[old_number, new_number])}
    if old_number not in versions or new_number not in versions:
        raise NotFoundError()
    old = list(versions[old_number].articles.order_by("position").values_list("label", "text"))
    new = list(versions[new_number].articles.order_by("position").values_list("label", "text"))
    return articles_diff(old, new)


@dataclass
class Figures:
    name: str
    received: int = 0
    submitted: int = 0
    adopted: int = 0


def _figures(rows: QuerySet[Any], key: str) -> list[Figures]:
    """received = opinions; submitted = opinions in submitted entries; adopted = in (partly) adopted ones."""
    grouped = (
        rows.values(key)
        .annotate(
            received=Count("id"),
            submitted=Count("id", filter=Q(entry__submitted=True)),
            adopted=Count("id", filter=Q(entry__outcome__in=ADOPTED)),
        )
        .order_by(key)
    )
    return [Figures(str(row[key]), row["received"], row["submitted"], row["adopted"]) for row in grouped]


def public_opinions() -> QuerySet[Opinion]:
    return Opinion.objects.filter(task__status__in=PUBLIC_STATUSES)


def statistics_by_task() -> list[Figures]:
    return _figures(public_opinions(), "task__title")


def statistics_by_contact_point() -> list[Figures]:
    return _figures(public_opinions(), "task__contact_point__name")


def statistics_by_year() -> list[Figures]:
    return _figures(public_opinions().annotate(year=ExtractYear("task__received_on")), "year")


def task_figures(task: ConsultationTask) -> Figures:
    rows = _figures(Opinion.objects.filter(task=task), "task_id")
    return (
        Figures(task.title, rows[0].received, rows[0].submitted, rows[0].adopted)
        if rows
        else Figures(task.title)
    )


VERB_LABELS = {
    "accept": gettext_lazy("Task accepted"),
    "study": gettext_lazy("Study of the draft began"),
    "open": gettext_lazy("Opened for comment"),
    "close": gettext_lazy("Comments closed; sorting began"),
    "draft_report": gettext_lazy("Report generated"),
    "report_regenerate": gettext_lazy("Report generated again"),
    "review": gettext_lazy("Reviewed by professionals"),
    "submit": gettext_lazy("Report submitted"),
    "give_feedback": gettext_lazy("Feedback step reached"),
    "participants_notify": gettext_lazy("Participants told the outcome"),
    "opinion_submit": gettext_lazy("Opinion received online"),
    "meeting_record": gettext_lazy("Meeting recorded"),
    "entry_create": gettext_lazy("Opinions sorted into the report"),
    "entry_update": gettext_lazy("Summarised opinion edited"),
    "opinion_duplicate": gettext_lazy("Duplicate marked"),
    "version_add": gettext_lazy("New version of the draft"),
    "adoption_record": gettext_lazy("Adoption recorded"),
    "draft_import": gettext_lazy("Large draft uploaded, waiting to be read"),
    "draft_import_done": gettext_lazy("Uploaded draft read and stored"),
    "draft_import_failed": gettext_lazy("Uploaded draft refused while being read"),
}


@dataclass
class TimelineRow:
    at: Any
    actor: User | None
    label: str


def timeline_of(task: ConsultationTask) -> list[TimelineRow]:
    """The task's Events in words (actors by name; residents' opinions show no name)."""
    return [
        TimelineRow(event.at, event.actor, str(VERB_LABELS.get(event.verb, event.verb)))
        for event in events_of(task)
    ]


def draft_import_for(user: Any, job_id: int) -> DraftImport | None:
    """An uploaded draft's progress, for the one who uploaded it (and administrators)."""
    job = DraftImport.objects.filter(pk=job_id).select_related("task").first()
    if job is None or not (job.created_by_id == getattr(user, "pk", None) or has_admin_role(user)):
        return None
    return job
