"""Legislative consultation (DOMAIN.md §5): a task on a draft, its versions and articles, the opinions
anchored to them, the meetings that collected some, the sorted report entries and their adoption."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minsheng.analysis.text.lawparse import int_to_chinese
from minsheng.core.models import TimeStampedModel


class TaskStatus(models.TextChoices):
    """The eight-step method (八步工作法) as states."""

    ACCEPTED = "accepted", _("accepted")
    STUDYING = "studying", _("studying the draft")
    CONSULTING = "consulting", _("open for comment")
    SORTING = "sorting", _("sorting opinions")
    REPORTING = "reporting", _("drafting the report")
    REVIEWED = "reviewed", _("reviewed by professionals")
    SUBMITTED = "submitted", _("report submitted")
    FEEDBACK_GIVEN = "feedback_given", _("feedback given")


PUBLIC_STATUSES = (
    TaskStatus.CONSULTING,
    TaskStatus.SORTING,
    TaskStatus.REPORTING,
    TaskStatus.REVIEWED,
    TaskStatus.SUBMITTED,
    TaskStatus.FEEDBACK_GIVEN,
)
CLOSED_STATUSES = (TaskStatus.SUBMITTED, TaskStatus.FEEDBACK_GIVEN)


class ConsultationTask(TimeStampedModel):
    """A draft law or regulation a contact point was asked to gather opinions on."""

    contact_point = models.ForeignKey(
        "org.Body", verbose_name=_("contact point"), on_delete=models.PROTECT, related_name="consultations"
    )
    title = models.CharField(_("draft title"), max_length=200)
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    received_on = models.DateField(_("received on"))
    comment_deadline = models.DateField(_("comment deadline"))
    deadline_rule = models.CharField(_("deadline rule"), max_length=64, default="legislation_comment_period")
    is_public_draft = models.BooleanField(_("public draft"), default=True)
    key_questions = models.TextField(_("key questions"), blank=True, help_text=_("One question per line."))
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.ACCEPTED, db_index=True
    )
    report = models.ForeignKey(
        "core.Attachment",
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("consultation task")
        verbose_name_plural = _("consultation tasks")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(comment_deadline__gte=models.F("received_on")),
                name="legislation_deadline_after_receipt",
                violation_error_message=_("The comment deadline cannot be before the date received."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def questions(self) -> list[str]:
        return [line.strip() for line in self.key_questions.splitlines() if line.strip()]


class DraftVersion(TimeStampedModel):
    """One version of the draft's text, parsed into articles."""

    task = models.ForeignKey(
        ConsultationTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("text"))
    source_name = models.CharField(_("source file"), max_length=200, blank=True)
    outline = models.JSONField(_("outline"), default=list, blank=True)
    warnings = models.JSONField(_("parser warnings"), default=list, blank=True)

    class Meta:
        verbose_name = _("draft version")
        verbose_name_plural = _("draft versions")
        ordering = ["task", "number"]
        constraints = [models.UniqueConstraint(fields=["task", "number"], name="draft_version_unique")]

    def __str__(self) -> str:
        return f"{self.task} v{self.number}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("reading")
    DONE = "done", _("done")
    FAILED = "failed", _("refused")


class ImportPurpose(models.TextChoices):
    TASK = "task", _("new consultation task")
    VERSION = "version", _("new version")


class DraftImport(TimeStampedModel):
    """A large uploaded draft read in the background; the page polls its progress.

    The file's bytes wait here until the task has read them (then they are cleared); ``params`` hold
    the new task's form fields. The result is a task's first version or a new version.
    """

    purpose = models.CharField(_("purpose"), max_length=8, choices=ImportPurpose.choices)
    task = models.ForeignKey(
        ConsultationTask,
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="imports",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    source_name = models.CharField(_("source file"), max_length=200, blank=True)
    data = models.BinaryField(_("file"), blank=True, editable=False)
    params = models.JSONField(_("form fields"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    stage = models.CharField(_("stage"), max_length=16, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("why it was refused"), blank=True)
    version = models.ForeignKey(
        DraftVersion,
        verbose_name=_("version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("draft import")
        verbose_name_plural = _("draft imports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="draft_import_progress_at_most_100")
        ]

    def __str__(self) -> str:
        return self.source_name or str(self.pk)


class DraftArticle(models.Model):
    """An article (条) of one version; its 款/项/目 are the blocks."""

    version = models.ForeignKey(
        DraftVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="articles"
    )
    position = models.PositiveIntegerField(_("position"))
    label = models.CharField(_("label"), max_length=32)
    number = models.PositiveIntegerField(_("article number"))
    sub = models.PositiveSmallIntegerField(_("insert number"), default=0)
    part = models.CharField(_("part"), max_length=100, blank=True)
    chapter = models.CharField(_("chapter"), max_length=100, blank=True)
    section = models.CharField(_("section"), max_length=100, blank=True)
    text = models.TextField(_("text"))
    blocks = models.JSONField(_("paragraphs and items"), default=list)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "label"], name="draft_article_unique_label")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def anchor(self) -> str:
        return f"art-{self.number}" + (f"-{self.sub}" if self.sub else "")


class MeetingKind(models.TextChoices):
    MEETING = "meeting", _("consultation meeting")
    VISIT = "visit", _("visit")


class Meeting(TimeStampedModel):
    """A consultation meeting or visit where opinions were collected."""

    task = models.ForeignKey(
        ConsultationTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="meetings"
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=MeetingKind.choices, default=MeetingKind.MEETING
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    participants = models.CharField(_("who took part"), max_length=500)
    attendance = models.PositiveIntegerField(_("people present"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["task", "held_on", "id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.place}"


class Outcome(models.TextChoices):
    PENDING = "", _("adoption not decided")
    ADOPTED = "adopted", _("opinion adopted")
    PARTLY = "partly", _("opinion partly adopted")
    NOT_ADOPTED = "not_adopted", _("opinion not adopted")


class ReportEntry(TimeStampedModel):
    """A sorted opinion: one or more opinions on one place of the draft, summarised for the report."""

    task = models.ForeignKey(
        ConsultationTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="entries"
    )
    article = models.ForeignKey(
        DraftArticle,
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
    )
    summary = models.TextField(_("summarised opinion"))
    submitted = models.BooleanField(_("submitted in the report"), default=False)
    outcome = models.CharField(_("adoption"), max_length=16, choices=Outcome.choices, blank=True, default="")
    final_article = models.CharField(_("article in the final text"), max_length=64, blank=True)
    outcome_note = models.CharField(_("note on adoption"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("report entry")
        verbose_name_plural = _("report entries")
        ordering = ["task", "article__position", "id"]

    def __str__(self) -> str:
        return self.summary[:40]


class OpinionSource(models.TextChoices):
    ONLINE = "online", _("online")
    MEETING = "meeting", _("consultation meeting")
    VISIT = "visit", _("visit")


class Opinion(TimeStampedModel):
    """One person's (or one meeting speaker's) opinion on the draft, anchored to a place in it."""

    task = models.ForeignKey(
        ConsultationTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="opinions"
    )
    article = models.ForeignKey(
        DraftArticle,
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinions",
        help_text=_("Empty for an opinion on the draft as a whole."),
    )
    paragraph = models.PositiveSmallIntegerField(_("paragraph"), null=True, blank=True)
    item = models.PositiveSmallIntegerField(_("item"), null=True, blank=True)
    original_label = models.CharField(_("article as commented"), max_length=32, blank=True)
    original_version = models.PositiveSmallIntegerField(_("version as commented"), default=1)
    text = models.TextField(_("opinion"))
    source = models.CharField(_("source"), max_length=16, choices=OpinionSource.choices)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinions",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="legislation_opinions",
    )
    author_name = models.CharField(_("name or organisation"), max_length=100, blank=True)
    phone = models.CharField(_("verified mobile (private)"), max_length=11, blank=True)
    # What the person keeps to read their opinion again (with the number): core.receipts.
    receipt_code = models.CharField(_("receipt code"), max_length=16, blank=True)
    entry = models.ForeignKey(
        ReportEntry,
        verbose_name=_("report entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinions",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["task", "id"]
        indexes = [models.Index(fields=["task", "article"], name="opinion_task_article_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt_code"], condition=~Q(receipt_code=""), name="opinion_receipt_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def place_label(self) -> str:
        """第十一条第一款第（三）项 or 草案整体."""
        if self.article is None:
            return str(_("the draft as a whole"))
        label = self.article.label
        if self.paragraph:
            label += f"第{int_to_chinese(self.paragraph)}款"
        if self.item:
            label += f"第（{int_to_chinese(self.item)}）项"
        return label
