"""Meetings of congresses, standing committees and CPPCC committees (DOMAIN.md §8).

A Meeting of a Body has an agenda tree (AgendaItem) with documents (Document, versions as
attachments), a roster (Attendee: the entitled members snapshotted when the meeting is notified, and
non-voting attendees 列席) with leave and sign-in, and polls (Poll) on items: decisions, elections
(Nominee = candidate) and appointments or removals (Nominee = nominee, Appointment = the record of a
passed appointment). Ballots live in ``core.ballots`` (secret or named). Statuses change only
through the transition tables in ``services.py``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minsheng.core.models import TimeStampedModel
from minsheng.meetings.counting import BASE_ALL, BASE_CAST, BASE_PRESENT

TITLE_MAX_LENGTH = 100
TEXT_MAX_LENGTH = 5000


def _screen_key() -> str:
    return secrets.token_urlsafe(18)


class MeetingKind(models.TextChoices):
    CONGRESS_SESSION = "congress_session", _("session of the people's congress")
    STANDING_COMMITTEE = "standing_committee", _("standing committee meeting")
    CHAIRS_MEETING = "chairs_meeting", _("chair's meeting")
    CPPCC_PLENARY = "cppcc_plenary", _("CPPCC plenary session")
    CPPCC_STANDING = "cppcc_standing", _("CPPCC standing committee meeting")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    NOTIFIED = "notified", _("notified")
    IN_SESSION = "in_session", _("in session")
    CLOSED = "closed", _("adjourned")
    PUBLISHED = "published", _("published")


class Meeting(TimeStampedModel):
    """One meeting of a body: 区十八届人大三次会议, 常委会第二十五次会议, 政协十五届四次全会."""

    body = models.ForeignKey(
        "org.Body", verbose_name=_("body"), on_delete=models.PROTECT, related_name="meetings"
    )
    term = models.ForeignKey(
        "org.Term", verbose_name=_("term"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    venue = models.CharField(_("venue"), max_length=200)
    description = models.TextField(_("description"), max_length=TEXT_MAX_LENGTH, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT, db_index=True
    )
    screen_key = models.CharField(_("hall screen key"), max_length=32, default=_screen_key, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("session or meeting")
        verbose_name_plural = _("sessions and meetings")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="meeting_ends_after_start",
                violation_error_message=_("A meeting cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("meetings:detail", args=[self.pk])


class ItemKind(models.TextChoices):
    REPORT = "report", _("report to deliberate")
    DECISION = "decision", _("decision")
    ELECTION = "election", _("election")
    APPOINTMENT = "appointment", _("appointment or removal")
    INQUIRY = "inquiry", _("inquiry")
    OTHER = "other", _("other")


class AgendaItem(TimeStampedModel):
    """An item of the agenda; items may have sub-items (one level is what meetings use)."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("session or meeting"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=TEXT_MAX_LENGTH, blank=True)
    motion = models.ForeignKey(
        "motions.Motion",
        verbose_name=_("bill"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_items",
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Document(TimeStampedModel):
    """A document of an item (report, draft decision, nominee list); each upload is a new version."""

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    public = models.BooleanField(
        _("public after publication"),
        default=True,
        help_text=_("Members see every document before the meeting; the public only these, once published."),
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return self.title


class LeaveStatus(models.TextChoices):
    NONE = "none", _("no leave asked")
    REQUESTED = "requested", _("leave requested")
    APPROVED = "approved", _("on leave")
    REFUSED = "refused", _("leave refused")


class SignInMethod(models.TextChoices):
    PHONE = "phone", _("on the member's phone")
    QR = "qr", _("QR code at the door")
    CLERK = "clerk", _("by a clerk")


class Attendee(models.Model):
    """One person on a meeting's roster: an entitled member (voting) or a non-voting attendee (列席)."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("session or meeting"),
        on_delete=models.CASCADE,
        related_name="attendees",
    )
    person = models.ForeignKey(
        "org.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="meeting_seats"
    )
    voting = models.BooleanField(_("entitled to vote"), default=True)
    capacity = models.CharField(_("capacity"), max_length=64, blank=True)
    leave_status = models.CharField(
        _("leave"), max_length=16, choices=LeaveStatus.choices, default=LeaveStatus.NONE
    )
    leave_reason = models.CharField(_("reason for leave"), max_length=300, blank=True)
    leave_note = models.CharField(_("staff note on the leave"), max_length=300, blank=True)
    present = models.BooleanField(_("signed in"), default=False)
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    signed_in_via = models.CharField(_("signed in"), max_length=8, choices=SignInMethod.choices, blank=True)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["meeting", "-voting", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendee_once_per_meeting"),
            models.CheckConstraint(
                condition=Q(present=False) | ~Q(leave_status="approved"),
                name="attendee_not_present_on_leave",
                violation_error_message=_("A member on leave cannot be signed in."),
            ),
        ]
        indexes = [models.Index(fields=["person", "meeting"], name="attendee_person_idx")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.person_id}"


class VoteValue(models.TextChoices):
    YES = "yes", _("for")
    NO = "no", _("against")
    ABSTAIN = "abstain", _("abstain")


class PollKind(models.TextChoices):
    DECISION = "decision", _("decision")
    ELECTION = "election", _("election")
    APPOINTMENT = "appointment", _("appointment or removal")


class PollStatus(models.TextChoices):
    DRAFT = "draft", _("prepared")
    OPEN = "open", _("voting")
    CLOSED = "closed", _("vote closed")
    ANNOUNCED = "announced", _("result announced")


class PollMethod(models.TextChoices):
    ELECTRONIC = "electronic", _("electronic voting")
    SHOW_OF_HANDS = "show_of_hands", _("show of hands")


class AppointmentMode(models.TextChoices):
    EACH = "each", _("person by person on one ballot")
    TOGETHER = "together", _("all nominees together")


class RuleBase(models.TextChoices):
    ALL = BASE_ALL, _("all members")
    PRESENT = BASE_PRESENT, _("members present")
    CAST = BASE_CAST, _("votes cast")


class Poll(TimeStampedModel):
    """A vote on an item. Its pass rule is copied from the body's rules when it is made (data, per poll)."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("session or meeting"),
        on_delete=models.CASCADE,
        related_name="polls",
    )
    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="polls"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PollKind.choices)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=PollStatus.choices, default=PollStatus.DRAFT, db_index=True
    )
    method = models.CharField(
        _("method"), max_length=16, choices=PollMethod.choices, default=PollMethod.ELECTRONIC
    )
    secret = models.BooleanField(_("secret ballot"), default=True)
    allow_change = models.BooleanField(_("ballots may be changed until the poll closes"), default=True)
    rule_base = models.CharField(_("base of the majority"), max_length=8, choices=RuleBase.choices)
    rule_numerator = models.PositiveSmallIntegerField(_("share: numerator"))
    rule_denominator = models.PositiveSmallIntegerField(_("share: denominator"))
    rule_strict = models.BooleanField(_("more than the share (not: at least)"))
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    mode = models.CharField(
        _("appointment voting"), max_length=16, choices=AppointmentMode.choices, default=AppointmentMode.EACH
    )
    round = models.PositiveSmallIntegerField(_("voting round"), default=1)
    previous_round = models.ForeignKey(
        "self",
        verbose_name=_("previous round"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="further_rounds",
    )
    box_id = models.BigIntegerField(_("ballot box"), null=True, blank=True, editable=False)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    entitled_count = models.PositiveIntegerField(_("entitled (应到)"), null=True, blank=True)
    present_count = models.PositiveIntegerField(_("present (实到)"), null=True, blank=True)
    cast_count = models.PositiveIntegerField(_("ballots cast"), null=True, blank=True)
    result = models.JSONField(_("vote result"), default=dict, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["meeting", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rule_denominator__gte=1) & Q(rule_numerator__lte=models.F("rule_denominator")),
                name="poll_rule_is_a_share",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="poll_has_a_seat"),
        ]

    def __str__(self) -> str:
        return self.title


class NomineeAction(models.TextChoices):
    ELECT = "elect", _("elect")
    APPOINT = "appoint", _("appoint")
    REMOVE = "remove", _("remove")


class Nominee(models.Model):
    """A candidate in an election, or a nominee for appointment or removal, with the outcome."""

    poll = models.ForeignKey(Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="nominees")
    person = models.ForeignKey(
        "org.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=64)
    action = models.CharField(_("action"), max_length=8, choices=NomineeAction.choices)
    office = models.CharField(_("office"), max_length=100)
    nominated_by = models.CharField(_("nominated by"), max_length=100, blank=True)
    profile = models.TextField(_("profile"), max_length=TEXT_MAX_LENGTH, blank=True)
    reasons = models.TextField(_("reasons"), max_length=TEXT_MAX_LENGTH, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    yes = models.PositiveIntegerField(_("for"), null=True, blank=True)
    no = models.PositiveIntegerField(_("against"), null=True, blank=True)
    abstain = models.PositiveIntegerField(_("abstentions"), null=True, blank=True)
    passed = models.BooleanField(_("passed or elected"), null=True, blank=True)

    class Meta:
        verbose_name = _("nominee")
        verbose_name_plural = _("nominees")
        ordering = ["poll", "position", "id"]

    def __str__(self) -> str:
        return self.name


class Appointment(TimeStampedModel):
    """The record of a passed appointment or removal (任免): office, effective date, certificate, oath."""

    nominee = models.OneToOneField(
        Nominee, verbose_name=_("nominee"), on_delete=models.PROTECT, related_name="appointment"
    )
    body = models.ForeignKey("org.Body", verbose_name=_("body"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=64)
    action = models.CharField(_("action"), max_length=8, choices=NomineeAction.choices)
    office = models.CharField(_("office"), max_length=100)
    effective_on = models.DateField(_("effective on"))
    number = models.CharField(_("certificate number"), max_length=32)
    oath_on = models.DateField(_("oath taken on"), null=True, blank=True)

    class Meta:
        verbose_name = _("appointment record")
        verbose_name_plural = _("appointment records")
        ordering = ["-effective_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["body", "number"], name="appointment_number_once")]

    def __str__(self) -> str:
        return f"{self.name} · {self.office}"


class RulePurpose(models.TextChoices):
    QUORUM = "quorum", _("quorum to open a vote")
    DECISION = "decision", _("decision")
    ELECTION = "election", _("election")
    FURTHER_ROUND = "further_round", _("further round of an election")
    APPOINTMENT = "appointment", _("appointment or removal")


class VotingRule(models.Model):
    """A majority as data: for a body (or every body of a kind), what must exceed which share of what.

    Looked up body first, then body kind, then the defaults of DOMAIN.md in ``services.py``.
    """

    body = models.ForeignKey(
        "org.Body", verbose_name=_("body"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    body_kind = models.CharField(
        _("or every body of the kind"),
        max_length=32,
        blank=True,
        help_text=_("Used when no rule is set for the body itself."),
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=RulePurpose.choices)
    base = models.CharField(_("base"), max_length=8, choices=RuleBase.choices, default=BASE_ALL)
    numerator = models.PositiveSmallIntegerField(_("share: numerator"), default=1)
    denominator = models.PositiveSmallIntegerField(_("share: denominator"), default=2)
    strict = models.BooleanField(_("more than the share (not: at least)"), default=True)

    class Meta:
        verbose_name = _("voting rule")
        verbose_name_plural = _("voting rules")
        constraints = [
            models.CheckConstraint(
                condition=(Q(body__isnull=False) & Q(body_kind=""))
                | (Q(body__isnull=True) & ~Q(body_kind="")),
                name="voting_rule_for_a_body_or_a_kind",
                violation_error_message=_("A rule is for one body or for every body of one kind."),
            ),
            models.CheckConstraint(
                condition=Q(denominator__gte=1) & Q(numerator__lte=models.F("denominator")),
                name="voting_rule_is_a_share",
                violation_error_message=_("The share must be a fraction between 0 and 1."),
            ),
            models.UniqueConstraint(fields=["body", "purpose"], name="voting_rule_once_per_body"),
            models.UniqueConstraint(
                fields=["body_kind", "purpose"],
                condition=Q(body__isnull=True),
                name="voting_rule_once_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body or self.body_kind}: {self.get_purpose_display()}"


class VotingSettings(models.Model):
    """Per body: whether polls are named (记名) by default and whether a ballot may be changed."""

    body = models.OneToOneField(
        "org.Body", verbose_name=_("body"), on_delete=models.CASCADE, related_name="voting_settings"
    )
    named_polls = models.BooleanField(_("named polls (记名表决)"), default=False)
    allow_change = models.BooleanField(_("ballots may be changed until the poll closes"), default=True)

    class Meta:
        verbose_name = _("voting settings")
        verbose_name_plural = _("voting settings")

    def __str__(self) -> str:
        return str(self.body)
