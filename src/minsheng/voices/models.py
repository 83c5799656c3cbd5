"""民声: voices of residents, the work orders that answer them, reception days, social-conditions reports.

A voice moves through one workflow (``VoiceStatus``, table in ``services.VOICE_TRANSITIONS``):

    received ──answer──▶ replied ──rate 满意/基本满意──▶ closed
        │                  ▲   └──rate 不满意──▶ rehandling (work order reopened) / received (direct answer)
        ├─forward─▶ forwarded ──reply (unit)──┘
        ├─refer──▶ referred      (litigation, arbitration, administrative review, not a public matter)
        ├─merge──▶ merged        (a duplicate of another voice)
        └─adopt──▶ adopted       (taken up in a suggestion or proposal)

Deadlines are data: each is stored with the rule (``core.calendar``) that produced it; overdue is a query.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minsheng.core.models import TimeStampedModel

TEXT_MAX_LENGTH = 2000
TRACKING_CODE_LENGTH = 10
ENTERPRISE_NAME_MAX_LENGTH = 100


class VoiceChannel(models.TextChoices):
    WEB = "web", _("web form")
    QR = "qr", _("QR code")
    RECEPTION = "reception", _("reception day")
    MOTION_FORWARD = "motion_forward", _("forwarded from a motion")


class VoiceKind(models.TextChoices):
    SUGGESTION = "suggestion", _("suggestion")
    COMPLAINT = "complaint", _("complaint")
    ENQUIRY = "enquiry", _("enquiry")
    HELP = "help", _("request for help")


class VoiceStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    FORWARDED = "forwarded", _("forwarded to a unit")
    REHANDLING = "rehandling", _("being handled again")
    REPLIED = "replied", _("replied, awaiting rating")
    CLOSED = "closed", _("closed")
    REFERRED = "referred", _("referred elsewhere")
    MERGED = "merged", _("merged into another voice")
    ADOPTED = "adopted", _("adopted into a motion")


# States in which a unit is working on the voice (a work order is open).
HANDLING_STATES = (VoiceStatus.FORWARDED, VoiceStatus.REHANDLING)
# States in which nothing more happens.
FINAL_STATES = (VoiceStatus.CLOSED, VoiceStatus.REFERRED, VoiceStatus.MERGED, VoiceStatus.ADOPTED)


class ReferralReason(models.TextChoices):
    LITIGATION = "litigation", _("in litigation")
    ARBITRATION = "arbitration", _("in arbitration")
    ADMINISTRATIVE_REVIEW = "administrative_review", _("in administrative review")
    NOT_PUBLIC = "not_public", _("not a public matter")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("basically satisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")


class ReplyRule(models.TextChoices):
    """The reply deadline rules of core.calendar a work order may carry (the 12345 reference loop)."""

    COMPLAINT = "voice_reply_complaint", _("complaint or suggestion (13 working days)")
    ENQUIRY = "voice_reply_enquiry", _("enquiry (3 working days)")
    URGENT = "voice_reply_urgent", _("urgent (same day)")


class ReceptionDayStatus(models.TextChoices):
    """published ──hold (on the day or after)──▶ held; published ──cancel──▶ cancelled
    (``services.RECEPTION_DAY_TRANSITIONS``). Only a held day counts in the duty record."""

    PUBLISHED = "published", _("published")
    HELD = "held", pgettext_lazy("reception day", "held")
    CANCELLED = "cancelled", _("cancelled")


class ReceptionDay(TimeStampedModel):
    """A station's announced reception day (接待日): date, place and the deputies who receive; held
    once the station's deputies or staff record that it took place."""

    station = models.ForeignKey(
        "org.Body", verbose_name=_("station"), on_delete=models.PROTECT, related_name="reception_days"
    )
    date = models.DateField(_("date"), db_index=True)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    place = models.CharField(_("place"), max_length=200)
    deputies = models.ManyToManyField(
        "org.Membership", verbose_name=_("receiving deputies"), related_name="reception_days", blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReceptionDayStatus.choices, default=ReceptionDayStatus.PUBLISHED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("reception day")
        verbose_name_plural = _("reception days")
        ordering = ["date", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="reception_day_ends_after_start",
                violation_error_message=_("A reception day must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.date:%Y-%m-%d}"


class Voice(TimeStampedModel):
    """A message from a resident or enterprise to a deputy, member or station (民声)."""

    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=VoiceChannel.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=VoiceKind.choices, default=VoiceKind.SUGGESTION)
    text = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH)
    name = models.CharField(_("name"), max_length=64, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voices",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Station staff who entered the voice on the person's behalf."),
    )
    addressed_to = models.ForeignKey(
        "org.Membership",
        verbose_name=_("addressed to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voices",
    )
    station = models.ForeignKey(
        "org.Body",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voices",
    )
    place = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("place concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="voices"
    )
    reception_day = models.ForeignKey(
        ReceptionDay,
        verbose_name=_("reception day"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=VoiceStatus.choices, default=VoiceStatus.RECEIVED, db_index=True
    )
    triage_due = models.DateField(_("route by"), null=True, blank=True)
    triage_rule = models.CharField(_("routing deadline rule"), max_length=64, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    referral_reason = models.CharField(
        _("referral reason"), max_length=32, choices=ReferralReason.choices, blank=True
    )
    referral_note = models.CharField(_("referral note"), max_length=500, blank=True)
    # An enterprise's need (企业诉求) comes through the same channel, marked by the enterprise's name
    # and its unified social credit code (checked with its check character, core.validators).
    enterprise_name = models.CharField(_("enterprise"), max_length=ENTERPRISE_NAME_MAX_LENGTH, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)

    class Meta:
        verbose_name = _("voice")
        verbose_name_plural = _("voices")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "triage_due"], name="voice_status_due_idx"),
            models.Index(fields=["jurisdiction", "status"], name="voice_place_status_idx"),
            # The lists show the newest first: served by an index, not a sort of every row.
            models.Index(fields=["-created_at", "-id"], name="voice_newest_first_idx"),
            models.Index(
                fields=["-created_at", "-id"], condition=~Q(credit_code=""), name="voice_enterprise_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")),
                name="voice_not_merged_into_itself",
                violation_error_message=_("A voice cannot be merged into itself."),
            ),
            models.CheckConstraint(
                condition=Q(credit_code="", enterprise_name="")
                | (~Q(credit_code="") & ~Q(enterprise_name="")),
                name="voice_enterprise_named_and_coded",
                violation_error_message=_("An enterprise's need carries both its name and its credit code."),
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_enterprise(self) -> bool:
        return bool(self.credit_code)

    @property
    def summary(self) -> str:
        first_line = self.text.strip().splitlines()[0] if self.text.strip() else ""
        return first_line[:40] + ("…" if len(first_line) > 40 or "\n" in self.text.strip() else "")


class WorkOrderStatus(models.TextChoices):
    OPEN = "open", _("being handled")
    REPLIED = "replied", _("replied")
    RETURNED = "returned", _("returned as not the unit's business")


class WorkOrder(TimeStampedModel):
    """A voice forwarded to a handling unit (交办) with a reply deadline; reopened when the person is
    dissatisfied, with a new deadline recorded in the voice's Events.

    Its own workflow (``services.WORK_ORDER_TRANSITIONS``), as for a suggestion's assignment: the unit
    replies, returns it as not its business by ``return_by`` (with a reason), or asks for more time up
    to ``max_due``, which those who route the voice grant or refuse.
    """

    voice = models.ForeignKey(
        Voice, verbose_name=_("voice"), on_delete=models.CASCADE, related_name="work_orders"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="voice_work_orders"
    )
    instructions = models.CharField(_("instructions"), max_length=500, blank=True)
    due = models.DateField(_("reply by"), db_index=True)
    due_rule = models.CharField(_("deadline rule"), max_length=64, choices=ReplyRule.choices)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=WorkOrderStatus.choices, default=WorkOrderStatus.OPEN
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("forwarded by"), on_delete=models.PROTECT, related_name="+"
    )
    # Empty on work orders forwarded before returns and extensions existed: those cannot use them.
    return_by = models.DateField(_("return by"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=500, blank=True)
    max_due = models.DateField(_("latest possible reply date"), null=True, blank=True)
    extension_requested_to = models.DateField(_("more time asked until"), null=True, blank=True)
    extension_request_reason = models.CharField(_("reason given for more time"), max_length=500, blank=True)
    extension_reason = models.CharField(_("reason for the extension"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["unit", "status", "due"], name="workorder_unit_status_due_idx")]
        constraints = [
            # One voice has at most one open work order: "one state at a time" for the unit too.
            models.UniqueConstraint(
                fields=["voice"], condition=Q(status="open"), name="workorder_one_open_per_voice"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voice} → {self.unit}"

    @property
    def is_open(self) -> bool:
        return self.status == WorkOrderStatus.OPEN


class ReplySource(models.TextChoices):
    DIRECT = "direct", _("direct answer")
    UNIT = "unit", _("unit reply")


class VoiceReply(models.Model):
    """An answer to a voice (direct from the deputy/station, or from the unit) and the person's rating."""

    voice = models.ForeignKey(
        Voice, verbose_name=_("voice"), on_delete=models.CASCADE, related_name="replies"
    )
    work_order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies",
    )
    source = models.CharField(_("source"), max_length=16, choices=ReplySource.choices)
    text = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("replied at"), auto_now_add=True)
    rating = models.CharField(_("rating"), max_length=24, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reply to a voice")
        verbose_name_plural = _("replies to voices")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source="direct", work_order__isnull=True)
                | Q(source="unit", work_order__isnull=False),
                name="voicereply_unit_reply_has_work_order",
                violation_error_message=_("A unit reply belongs to a work order."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voice} #{self.pk}"


class SocialReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ADOPTED = "adopted", _("adopted")
    ARCHIVED = "archived", _("archived")


class SocialReport(TimeStampedModel):
    """A social-conditions report (社情民意信息) filed by a CPPCC member or staff."""

    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"), max_length=5000)
    source_label = models.CharField(_("source"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="social_reports",
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SocialReportStatus.choices, default=SocialReportStatus.SUBMITTED
    )

    class Meta:
        verbose_name = _("social-conditions report")
        verbose_name_plural = _("social-conditions reports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
