"""Text intelligence: routing models and their quality, category → unit mappings, hot-issue reports.

The pure algorithms live in ``minsheng.analysis.text``; this app trains and keeps models, and
shows what they suggest to the people who decide (nothing is sent or merged without a person).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.core.models import TimeStampedModel


class RoutingSource(models.TextChoices):
    PLATFORM = "platform", _("confirmed assignments on this platform")
    CSV = "csv", _("a labelled file")
    DEMO = "demo", _("the demo data")


class RoutingModelVersion(TimeStampedModel):
    """One trained routing model: what it learned from, how well it did on messages it never saw,
    and whether it replaced the one before (only when it scored at least as well on the same slice).

    The model itself is a file in the data folder (``MINSHENG["MODELS_DIR"]``), loaded only when its
    SHA-256 matches ``sha256``. The active model is the newest accepted one."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    source = models.CharField(_("trained on"), max_length=16, choices=RoutingSource.choices)
    recipe = models.CharField(_("recipe"), max_length=100)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trained by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    n_train = models.PositiveIntegerField(_("training messages"))
    n_heldout = models.PositiveIntegerField(_("held-back messages"))
    labels = models.JSONField(_("labels"), default=list)
    quality = models.JSONField(_("quality on the held-back slice"), default=dict)
    baseline = models.JSONField(_("the previous model on the same slice"), default=dict, blank=True)
    accepted = models.BooleanField(_("replaced the active model"), default=False)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    seconds = models.FloatField(_("training time (s)"), default=0.0)

    class Meta:
        verbose_name = _("routing model")
        verbose_name_plural = _("routing models")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"#{self.number}"


class RoutingCategory(TimeStampedModel):
    """A category a model may suggest (城乡建设, 交通运输 …) and the units that handle it here."""

    name = models.CharField(_("category"), max_length=50, unique=True)
    units = models.ManyToManyField("org.Unit", verbose_name=_("handling units"), blank=True, related_name="+")

    class Meta:
        verbose_name = _("routing category")
        verbose_name_plural = _("routing categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HotIssueReport(models.Model):
    """The hot issues of one jurisdiction over a period, as computed (clustering takes seconds, so
    pages show the latest report; a periodic job and staff refresh it)."""

    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.CASCADE, related_name="+"
    )
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    n_messages = models.PositiveIntegerField(_("messages"))
    issues = models.JSONField(_("issues"), default=list)

    class Meta:
        verbose_name = _("hot-issue report")
        verbose_name_plural = _("hot-issue reports")
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["jurisdiction", "-computed_at"], name="hot_report_latest")]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.period_start}–{self.period_end}"


class VoiceSupport(models.Model):
    """A resident's "me too" on an open voice, instead of writing the same message again.

    One per phone and voice (the phone is kept only as a salted hash: it proves uniqueness, it is
    not a contact). Supports count as likes in hot issues."""

    voice = models.ForeignKey(
        "voices.Voice", verbose_name=_("voice"), on_delete=models.CASCADE, related_name="+"
    )
    phone_hash = models.CharField(_("phone (hashed)"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["voice", "phone_hash"], name="voice_support_once_per_phone")
        ]

    def __str__(self) -> str:
        return f"{self.voice_id}"
