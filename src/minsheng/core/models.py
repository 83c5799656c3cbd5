"""Base models and the records every app shares: the Event log, deadline rules, calendar overrides."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Every domain row knows when it was made and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Event(models.Model):
    """One thing that happened: append-only and chained by hash so that tampering shows.

    Rows are written only by ``minsheng.core.events.event_record``; ``minsheng verify-events``
    recomputes the chain.
    """

    seq = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verb = models.CharField(_("verb"), max_length=64)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("target type"), null=True, blank=True, on_delete=models.PROTECT
    )
    target_id = models.CharField(_("target id"), max_length=64, blank=True, default="")
    from_state = models.CharField(_("from state"), max_length=32, blank=True, default="")
    to_state = models.CharField(_("to state"), max_length=32, blank=True, default="")
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, default="")
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["seq"]
        indexes = [models.Index(fields=["target_type", "target_id", "seq"], name="event_target_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb}"


class EventChainHead(models.Model):
    """The single row that every Event writer locks: it serialises appends and remembers the tail.

    Locking it (``select_for_update``) stops two concurrent writers from both chaining onto the same
    previous hash on PostgreSQL; remembering the last sequence number and hash lets
    ``events_verify`` notice rows deleted from the end of the chain.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(_("last sequence number"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("event chain head")
        verbose_name_plural = _("event chain heads")

    def __str__(self) -> str:
        return f"#{self.last_seq}"


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    MONTHS = "months", _("months")


class DeadlineRule(models.Model):
    """A legal or local time limit, settable per jurisdiction (defaults from DOMAIN.md)."""

    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty means the default for every jurisdiction."),
    )
    name = models.SlugField(_("rule name"), max_length=64)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=16, choices=DeadlineUnit.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="deadline_rule_unique_per_place"),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(jurisdiction__isnull=True),
                name="deadline_rule_unique_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount} {self.get_unit_display()}"


class CalendarOverride(models.Model):
    """An administrator's correction to the national working-day calendar (e.g. a local holiday)."""

    day = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("is a working day"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    # Files are stored under their hash, never under the name the uploader chose.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class Attachment(models.Model):
    """A file attached to any record; its type is sniffed from its content, not its name."""

    owner_type = models.ForeignKey(ContentType, verbose_name=_("owner type"), on_delete=models.PROTECT)
    owner_id = models.CharField(_("owner id"), max_length=64)
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    extension = models.CharField(_("extension"), max_length=10)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="attachment_owner_idx")]

    def __str__(self) -> str:
        return self.original_name


class Notification(models.Model):
    """An in-app notice for one user (reminders, overdue alerts, outcomes)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    text = models.CharField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.text[:40]


class SearchEntry(models.Model):
    """Searchable text of one record, as tokens: jieba words plus character bigrams.

    Written only by ``minsheng.core.search.search_index``. SQLite indexes it with FTS5, PostgreSQL
    with a trigram GIN index (migration 0005), so 2-character Chinese words inside longer words match.
    """

    content_type = models.ForeignKey(ContentType, verbose_name=_("record type"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("record id"))
    tokens = models.TextField(_("tokens"))

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="search_entry_one_per_record")
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id}"


class Counter(models.Model):
    """How many attempts fell under one key in the current window (rate limits, failed sign-ins,
    code tries). Written only by ``minsheng.core.throttle``, under a row lock, so that concurrent
    attempts are all counted (a cache's read-then-write loses some)."""

    key = models.CharField(_("key"), max_length=200, primary_key=True)
    count = models.PositiveIntegerField(_("count"), default=0)
    window_ends = models.DateTimeField(_("window ends"), db_index=True)

    class Meta:
        verbose_name = _("attempt counter")
        verbose_name_plural = _("attempt counters")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class OneTimeCode(models.Model):
    """A one-time code's SHA-256, its expiry and the tries spent on it (``minsheng.core.codes``)."""

    key = models.CharField(_("key"), max_length=200, primary_key=True)
    digest = models.CharField(_("digest"), max_length=64)
    tries = models.PositiveIntegerField(_("tries"), default=0)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return self.key
