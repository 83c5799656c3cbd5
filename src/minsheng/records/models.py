"""The duty record (履职档案): one row per act per person, built from the Event log; points schemes;
annual reports; reading groups (书香)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.core.models import TimeStampedModel


class RecordEntry(models.Model):
    """One act of one deputy or member, credited from one Event (``seq``); rebuilt from the log at will.

    At most one row per person, kind and act: re-reading an Event changes nothing, which is what makes
    the incremental update and the full rebuild give the same rows.
    """

    # No index of their own: the person's and the body's indexes below start with them (two fewer
    # B-trees to keep up to date per line in a rebuild).
    person = models.ForeignKey(
        "org.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="record_entries",
        db_index=False,
    )
    body = models.ForeignKey(
        "org.Body",
        verbose_name=_("body"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=32)
    at = models.DateTimeField(_("time"))
    seq = models.BigIntegerField(_("event"))
    target_type = models.CharField(_("act type"), max_length=64)
    target_id = models.CharField(_("act id"), max_length=64)
    title = models.CharField(_("title"), max_length=200, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, blank=True)
    public = models.BooleanField(_("public"), default=False)

    class Meta:
        verbose_name = _("record entry")
        verbose_name_plural = _("record entries")
        ordering = ["at", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "target_type", "target_id"], name="record_entry_once_per_act"
            ),
        ]
        indexes = [
            models.Index(fields=["person", "year", "kind"], name="record_person_year_idx"),
            models.Index(fields=["body", "year", "kind"], name="record_body_year_idx"),
            models.Index(fields=["target_type", "target_id"], name="record_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.target_type}:{self.target_id}"


ALL_YEARS = 0  # the year of the tallies and distributions over every year


class RecordTally(models.Model):
    """How many counted acts (void outcomes left out) a person has of a kind in a body and year
    (``ALL_YEARS``: every year): derived from ``RecordEntry`` at each update and rebuild, so that the
    body's distributions are recomputed from a few rows instead of every line."""

    person = models.ForeignKey(
        "org.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    body = models.ForeignKey("org.Body", verbose_name=_("body"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=32)
    acts = models.PositiveIntegerField(_("acts counted"))

    class Meta:
        verbose_name = _("record tally")
        verbose_name_plural = _("record tallies")
        constraints = [
            models.UniqueConstraint(fields=["person", "body", "year", "kind"], name="record_tally_once"),
        ]
        indexes = [models.Index(fields=["body", "year", "kind"], name="record_tally_body_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.body_id} {self.year} {self.kind}: {self.acts}"


class RecordDistribution(models.Model):
    """A body's distribution for a kind and year (``ALL_YEARS``: every year): each counted person's
    acts, ascending — what "more than N % of the body's deputies" is read from, stored at each update
    and rebuild rather than counted per request."""

    body = models.ForeignKey("org.Body", verbose_name=_("body"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=32)
    counts = models.JSONField(_("acts per person, ascending"), default=list)

    class Meta:
        verbose_name = _("record distribution")
        verbose_name_plural = _("record distributions")
        constraints = [
            models.UniqueConstraint(fields=["body", "year", "kind"], name="record_distribution_once"),
        ]

    def __str__(self) -> str:
        return f"{self.body_id} {self.year} {self.kind}"


class RecordCursor(models.Model):
    """The last Event the record has read: the incremental update starts after it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(_("last event read"), default=0)
    rebuilt_at = models.DateTimeField(_("last full rebuild"), null=True, blank=True)

    class Meta:
        verbose_name = _("record cursor")
        verbose_name_plural = _("record cursors")

    def __str__(self) -> str:
        return f"#{self.last_seq}"


class PointsScheme(TimeStampedModel):
    """A body's points rules (履职积分) for one year; every change raises ``version`` (and is an Event)."""

    body = models.ForeignKey("org.Body", verbose_name=_("body"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveIntegerField(_("version"), default=1)
    rankings_public = models.BooleanField(
        _("rankings published"), default=False, help_text=_("Only then may the public see the rankings.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("points scheme")
        verbose_name_plural = _("points schemes")
        ordering = ["body", "-year"]
        constraints = [models.UniqueConstraint(fields=["body", "year"], name="points_scheme_once_per_year")]

    def __str__(self) -> str:
        return f"{self.body} {self.year} v{self.version}"


class PointRule(models.Model):
    """Points for one kind of act: each act counts ``points`` (negative for a deduction), at most ``cap``
    acts count, and an act with a ``bonus_outcomes`` outcome earns ``bonus_points`` more; acts with an
    ``excluded_outcomes`` outcome (e.g. withdrawn) count nothing."""

    scheme = models.ForeignKey(
        PointsScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="rules"
    )
    kind = models.CharField(_("kind"), max_length=32)
    points = models.DecimalField(_("points per act"), max_digits=6, decimal_places=2)
    cap = models.PositiveIntegerField(_("at most this many acts count"), null=True, blank=True)
    bonus_outcomes = models.CharField(
        _("outcomes earning a bonus"), max_length=200, blank=True, help_text=_("Comma-separated.")
    )
    bonus_points = models.DecimalField(_("bonus points"), max_digits=6, decimal_places=2, default=0)
    excluded_outcomes = models.CharField(
        _("outcomes that do not count"), max_length=200, blank=True, help_text=_("Comma-separated.")
    )

    class Meta:
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")
        ordering = ["scheme", "kind"]
        constraints = [models.UniqueConstraint(fields=["scheme", "kind"], name="point_rule_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.points}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted for approval")
    PUBLISHED = "published", _("approved and published")


class AnnualReport(TimeStampedModel):
    """A person's annual duty report (年度履职报告): their own words around the record's figures."""

    person = models.ForeignKey(
        "org.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="annual_reports"
    )
    body = models.ForeignKey("org.Body", verbose_name=_("body"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    text = models.TextField(_("report text"), max_length=20000, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-year", "person"]
        constraints = [
            models.UniqueConstraint(fields=["person", "body", "year"], name="annual_report_once_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.year}"


class ReadingGroup(TimeStampedModel):
    """A reading group (书香): members read a book list together, write notes and check in."""

    body = models.ForeignKey("org.Body", verbose_name=_("body"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    members = models.ManyToManyField("org.Person", verbose_name=_("members"), related_name="reading_groups")

    class Meta:
        verbose_name = _("reading group")
        verbose_name_plural = _("reading groups")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["body", "name"], name="reading_group_unique_name")]

    def __str__(self) -> str:
        return self.name


class Book(models.Model):
    """One book on a group's list."""

    group = models.ForeignKey(
        ReadingGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="books"
    )
    title = models.CharField(_("title"), max_length=200)
    author = models.CharField(_("author"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("book")
        verbose_name_plural = _("books")
        ordering = ["group", "order", "id"]

    def __str__(self) -> str:
        return self.title


class ReadingNote(TimeStampedModel):
    """A member's note on a book (a check-in when the text is short)."""

    book = models.ForeignKey(Book, verbose_name=_("book"), on_delete=models.CASCADE, related_name="notes")
    person = models.ForeignKey(
        "org.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("note"), max_length=5000)

    class Meta:
        verbose_name = _("reading note")
        verbose_name_plural = _("reading notes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.book_id}"
