"""Topics (议题), statements and votes, opinion-map analyses, consultation meetings and outcomes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minsheng.core.models import TimeStampedModel

STATEMENT_MAX_LENGTH = 140
TITLE_MAX_LENGTH = 100
TEXT_MAX_LENGTH = 5000


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("not taken up")
    OPEN = "open", _("open for votes")
    CLOSED = "closed", _("voting closed")
    CONCLUDED = "concluded", _("concluded")


class ProposerKind(models.TextChoices):
    MEMBER = "member", _("CPPCC member")
    RESIDENT = "resident", _("resident")
    DEPARTMENT = "department", _("department")
    STAFF = "staff", _("staff")


class Audience(models.TextChoices):
    PUBLIC = "public", _("the public of a jurisdiction")
    NAMED = "named", _("named people")
    SECTOR = "sector", _("a sector")


class ModerationMode(models.TextChoices):
    PRE = "pre", _("checked before publication")
    POST = "post", _("published at once, checked afterwards")


class Topic(TimeStampedModel):
    """A question put to consultation: proposed, accepted by staff, voted on, met on, concluded."""

    body = models.ForeignKey(
        "org.Body", verbose_name=_("organising body"), on_delete=models.PROTECT, related_name="topics"
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    background = models.TextField(_("background"), max_length=TEXT_MAX_LENGTH, blank=True)
    question = models.CharField(_("question"), max_length=300)
    status = models.CharField(
        _("status"), max_length=16, choices=TopicStatus.choices, default=TopicStatus.PROPOSED
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposer_kind = models.CharField(_("proposed by"), max_length=16, choices=ProposerKind.choices)
    proposer_phone_hash = models.CharField(_("proposer's phone (hashed)"), max_length=64, blank=True)
    proposer_phone_masked = models.CharField(_("proposer's phone (masked)"), max_length=20, blank=True)
    audience = models.CharField(
        _("participants"), max_length=16, choices=Audience.choices, default=Audience.PUBLIC
    )
    audience_sector = models.ForeignKey(
        "org.Sector",
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    audience_people = models.ManyToManyField(
        "org.Person", verbose_name=_("named participants"), blank=True, related_name="+"
    )
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    moderation = models.CharField(
        _("moderation"), max_length=8, choices=ModerationMode.choices, default=ModerationMode.POST
    )
    statement_max_length = models.PositiveSmallIntegerField(
        _("longest statement (characters)"), default=STATEMENT_MAX_LENGTH
    )
    analysis_pending = models.BooleanField(_("analysis pending"), default=False)
    analysed_at = models.DateTimeField(_("map last updated"), null=True, blank=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "jurisdiction"], name="topic_status_place_idx")]

    def __str__(self) -> str:
        return self.title


class Participant(TimeStampedModel):
    """Someone taking part in one topic: a signed-in user, or a phone-verified resident.

    A resident's number is stored only hashed (to recognise them again) and masked (for staff);
    ``token_hash`` authenticates API calls of a participant without an account.
    """

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    phone_hash = models.CharField(_("phone (hashed)"), max_length=64, blank=True)
    phone_masked = models.CharField(_("phone (masked)"), max_length=20, blank=True)
    external_id = models.CharField(_("id in an imported conversation"), max_length=64, blank=True)
    token_hash = models.CharField(_("token (hashed)"), max_length=64, unique=True)
    # A token handed out to a script that joined with an API token lives only as long as that token:
    # revoking the API token (or a password reset) clears ``api_token``, and the token stops working.
    api_token = models.ForeignKey(
        "org.ApiToken",
        verbose_name=_("joined with API token"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token_needs_api_token = models.BooleanField(_("token tied to an API token"), default=False)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "user"], condition=Q(user__isnull=False), name="participant_one_per_user"
            ),
            models.UniqueConstraint(
                fields=["topic", "phone_hash"], condition=~Q(phone_hash=""), name="participant_one_per_phone"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(phone_hash="") | ~Q(external_id=""),
                name="participant_identified",
            ),
        ]

    @staticmethod
    def live_token() -> Q:
        """The participants whose token still works (not tied to a revoked API token)."""
        return Q(token_needs_api_token=False) | Q(api_token__isnull=False)

    def __str__(self) -> str:
        return f"#{self.pk}"


class StatementStatus(models.TextChoices):
    PENDING = "pending", _("awaiting moderation")
    PUBLISHED = "published", _("published")
    REJECTED = "rejected", _("moderated out")


class Statement(TimeStampedModel):
    """A short statement that participants vote on; seeds are written by staff."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="statements"
    )
    author = models.ForeignKey(
        Participant,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statements",
    )
    text = models.CharField(_("text"), max_length=1000)
    external_id = models.CharField(_("id in an imported conversation"), max_length=64, blank=True)
    is_seed = models.BooleanField(_("seed statement"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=StatementStatus.choices, default=StatementStatus.PENDING
    )
    moderation_reason = models.CharField(_("moderation reason"), max_length=300, blank=True)
    # What a participant keeps to read their statement and its moderation again: core.receipts.
    receipt_code = models.CharField(_("receipt code"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["id"]
        indexes = [models.Index(fields=["topic", "status"], name="statement_topic_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt_code"], condition=~Q(receipt_code=""), name="statement_receipt_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class VoteValue(models.IntegerChoices):
    AGREE = 1, _("agree")
    PASS = 0, _("pass")
    DISAGREE = -1, _("disagree")


class Vote(models.Model):
    """A participant's latest vote on a statement (one row per pair; a new vote replaces it)."""

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="+")
    statement = models.ForeignKey(
        Statement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="votes"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="votes"
    )
    value = models.SmallIntegerField(_("vote"), choices=VoteValue.choices)
    voted_at = models.DateTimeField(_("voted at"))

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["statement", "participant"], name="vote_one_per_pair"),
            models.CheckConstraint(condition=Q(value__in=[-1, 0, 1]), name="vote_value_valid"),
        ]
        indexes = [models.Index(fields=["topic", "voted_at"], name="vote_topic_time_idx")]

    def __str__(self) -> str:
        return f"{self.participant_id}→{self.statement_id}: {self.value}"


class Analysis(models.Model):
    """One run of the consensus engine over a topic's votes: the engine's JSON, as computed."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="analyses"
    )
    result = models.JSONField(_("result"))
    computed_at = models.DateTimeField(_("computed at"), db_index=True)
    vote_count = models.PositiveIntegerField(_("votes analysed"))
    last_vote_at = models.DateTimeField(_("latest vote analysed"), null=True, blank=True)
    incremental = models.BooleanField(_("incremental update"), default=False)
    divisive = models.JSONField(_("divisive statements"), default=list)

    class Meta:
        verbose_name = _("analysis")
        verbose_name_plural = _("analyses")
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.topic_id} @ {self.computed_at:%Y-%m-%d %H:%M:%S}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class Meeting(TimeStampedModel):
    """A consultation meeting (协商会) on a topic."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField(_("minutes"), max_length=20000, blank=True)

    class Meta:
        verbose_name = _("consultation meeting")
        verbose_name_plural = _("consultation meetings")
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.topic} · {self.starts_at:%Y-%m-%d}"


class AttendeeKind(models.TextChoices):
    RESIDENT = "resident", _("resident")
    MEMBER = "member", _("CPPCC member")
    DEPARTMENT = "department", _("department")
    EXPERT = "expert", _("expert")


class Attendance(models.Model):
    """Who was invited to a meeting, in what capacity, and whether they came."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("capacity"), max_length=16, choices=AttendeeKind.choices)
    affiliation = models.CharField(_("affiliation"), max_length=100, blank=True)
    present = models.BooleanField(_("present"), default=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.name


class OutcomeStatus(models.TextChoices):
    AGREED = "agreed", _("agreed")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")


class ConversionKind(models.TextChoices):
    PROPOSAL = "proposal", _("CPPCC proposal")
    SOCIAL_REPORT = "social_report", _("social-conditions report")


class Outcome(TimeStampedModel):
    """An agreed outcome (协商成果): what a unit will do, by when; followed until done."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="outcomes"
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outcomes",
    )
    text = models.CharField(_("outcome"), max_length=1000)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    due = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=16, choices=OutcomeStatus.choices, default=OutcomeStatus.AGREED
    )
    converted_kind = models.CharField(
        _("turned into"), max_length=16, choices=ConversionKind.choices, blank=True
    )
    converted_id = models.PositiveBigIntegerField(_("id of the record it became"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreed outcome")
        verbose_name_plural = _("agreed outcomes")
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class OutcomeProgress(models.Model):
    """A progress update on an outcome, by its unit or by staff."""

    outcome = models.ForeignKey(
        Outcome, verbose_name=_("outcome"), on_delete=models.CASCADE, related_name="progress"
    )
    text = models.CharField(_("progress"), max_length=1000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:40]
