"""Suggestions (代表建议), proposals (提案), bills (议案) and what happens to them (DOMAIN.md §3–§4).

A Motion is drafted by its lead signer, co-signed by invitation (Signature), reviewed for filing, assigned
to units (Assignment, one per unit), answered (Reply, one per replying unit and round), rated by each
proposer (Evaluation, one per proposer and round) and disclosed by staff. Statuses change only through
the transition tables in ``services.py``; deadlines are stored with the rule that produced them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minsheng.core.models import TimeStampedModel


class MotionKind(models.TextChoices):
    SUGGESTION = "suggestion", _("suggestion")
    PROPOSAL = "proposal", _("proposal")
    BILL = "bill", _("bill")


class MotionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("awaiting filing review")
    FILED = "filed", _("filed, awaiting assignment")
    DECLINED = "declined", _("not filed")
    ON_AGENDA = "on_agenda", _("on a meeting's agenda")
    REFERRED = "referred", _("referred to a special committee")
    MERGED = "merged", _("merged into another item")
    ASSIGNED = "assigned", _("being handled")
    REPLIED = "replied", _("replied, awaiting ratings")
    REHANDLING = "rehandling", _("being handled again")
    FOLLOW_UP = "follow_up", _("followed until solved")
    CLOSED = "closed", _("closed")
    WITHDRAWN = "withdrawn", _("withdrawn")


class ProposerKind(models.TextChoices):
    """Who puts a motion forward (DOMAIN.md §4: CPPCC proposals may come from a group)."""

    INDIVIDUAL = "individual", _("one deputy or member")
    JOINT = "joint", _("several deputies or members")
    SECTOR = "sector", _("a sector")
    PARTY_ORG = "party_org", _("a party or people's organisation")
    SPECIAL_COMMITTEE = "special_committee", _("a special committee")


class HandlingMode(models.TextChoices):
    LEAD_CO = "lead_co", _("lead unit with co-units")
    SEPARATE = "separate", _("separately by each unit")


class CategorySet(models.TextChoices):
    ABCD = "ABCD", _("A/B/C/D")
    ABC = "ABC", _("A/B/C")


class Category(models.TextChoices):
    A = "A", _("A: solved or basically solved")
    B = "B", _("B: being solved or planned")
    C = "C", _("C: to be solved when conditions allow")
    D = "D", _("D: kept for reference")


class MotionSettings(models.Model):
    """Numeric thresholds and category sets per jurisdiction (time limits live in core DeadlineRule)."""

    jurisdiction = models.OneToOneField(
        "org.Jurisdiction",
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty means the default for every jurisdiction."),
    )
    bill_min_signers = models.PositiveSmallIntegerField(
        _("minimum deputies signing a bill"), default=10, help_text=_("10 at county level, 5 in a township.")
    )
    categories = models.CharField(
        _("result categories"), max_length=4, choices=CategorySet.choices, default=CategorySet.ABCD
    )
    title_max_length = models.PositiveSmallIntegerField(_("maximum title length"), default=60)
    text_max_length = models.PositiveIntegerField(_("maximum text length"), default=5000)
    invitation_days = models.PositiveSmallIntegerField(_("days to answer a co-signing invitation"), default=7)

    class Meta:
        verbose_name = _("motion settings")
        verbose_name_plural = _("motion settings")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction"],
                condition=Q(jurisdiction__isnull=True),
                name="motion_settings_one_default",
            ),
            models.CheckConstraint(condition=Q(bill_min_signers__gte=1), name="motion_settings_min_signers"),
        ]

    def __str__(self) -> str:
        return str(self.jurisdiction or _("default"))


class Motion(TimeStampedModel):
    """One suggestion, proposal or bill: one matter, one lead signer."""

    kind = models.CharField(_("kind"), max_length=16, choices=MotionKind.choices)
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="motions"
    )
    term = models.ForeignKey(
        "org.Term", verbose_name=_("term"), on_delete=models.PROTECT, related_name="motions"
    )
    session = models.PositiveSmallIntegerField(
        _("session"), null=True, blank=True, help_text=_("Empty between sessions.")
    )
    number = models.CharField(_("number"), max_length=32, blank=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=16, choices=MotionStatus.choices, default=MotionStatus.DRAFT, db_index=True
    )
    lead_signer = models.ForeignKey(
        "org.Person", verbose_name=_("lead signer"), on_delete=models.PROTECT, related_name="led_motions"
    )
    proposer_kind = models.CharField(
        _("proposed by"), max_length=20, choices=ProposerKind.choices, default=ProposerKind.INDIVIDUAL
    )
    proposer_sector = models.ForeignKey(
        "org.Sector",
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposer_body = models.ForeignKey(
        "org.Body",
        verbose_name=_("special committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposer_org = models.CharField(_("party or organisation"), max_length=64, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_items",
    )
    handling_mode = models.CharField(
        _("handling mode"), max_length=16, choices=HandlingMode.choices, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    assign_due = models.DateField(_("assign by"), null=True, blank=True)
    assign_due_rule = models.CharField(_("rule"), max_length=64, blank=True)
    decline_reason = models.TextField(_("reason for not filing"), blank=True)
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    source_voice = models.ForeignKey(
        "voices.Voice",
        verbose_name=_("adopted from voice"),
        related_name="adopted_motions",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["jurisdiction", "kind", "status"], name="motion_place_kind_status_idx"),
            models.Index(fields=["lead_signer", "status"], name="motion_lead_status_idx"),
            models.Index(fields=["-created_at", "-id"], name="motion_newest_first_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="motion_not_merged_into_itself"
            ),
            models.UniqueConstraint(
                fields=["term", "kind", "number"],
                condition=~Q(number=""),
                name="motion_number_unique_in_term",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("motions:detail", args=[self.pk])


class SignatureRole(models.TextChoices):
    LEAD = "lead", _("lead signer")
    CO = "co", _("co-signer")


class SignatureStatus(models.TextChoices):
    INVITED = "invited", _("invited")
    ACCEPTED = "accepted", _("signed")
    DECLINED = "declined", _("declined")


class Signature(models.Model):
    """A deputy's or member's name on a motion: the lead signer's at once, co-signers' by invitation."""

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="signatures"
    )
    person = models.ForeignKey(
        "org.Person", verbose_name=_("signer"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=8, choices=SignatureRole.choices)
    status = models.CharField(_("status"), max_length=16, choices=SignatureStatus.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    answer_by = models.DateField(_("answer by"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "person"], name="signature_once_per_person"),
            models.UniqueConstraint(
                fields=["motion"], condition=Q(role="lead"), name="signature_one_lead_signer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("lead unit")
    CO = "co", _("co-unit")
    SEPARATE = "separate", _("separate handling")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("being handled")
    VIEWS_SENT = "views_sent", _("views sent to the lead unit")
    REPLIED = "replied", _("replied")
    RETURNED = "returned", _("returned as misassigned")


class Assignment(models.Model):
    """One unit's part in handling a motion, with its deadline and the rule that produced it."""

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="motion_assignments"
    )
    role = models.CharField(_("role"), max_length=10, choices=AssignmentRole.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    assigned_on = models.DateField(_("assigned on"))
    due = models.DateField(_("due"), db_index=True)
    due_rule = models.CharField(_("deadline rule"), max_length=64)
    max_due = models.DateField(_("latest possible due date"))
    return_by = models.DateField(_("return by"))
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extension_requested_to = models.DateField(_("extension requested until"), null=True, blank=True)
    extension_request_reason = models.TextField(_("reason given for the extension request"), blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    # A proposal's handling consultation (提案办理协商) with the proposers before replying: due by a
    # rule (``proposal_handling_consultation``), stopped when the unit records it.
    consult_by = models.DateField(_("consult the proposers by"), null=True, blank=True)
    consult_rule = models.CharField(_("consultation rule"), max_length=64, blank=True)
    consulted_on = models.DateField(_("consulted on"), null=True, blank=True)
    consult_note = models.CharField(_("how the proposers were consulted"), max_length=500, blank=True)
    replacement = models.OneToOneField(
        "self",
        verbose_name=_("given instead to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["motion", "role", "id"]
        indexes = [models.Index(fields=["unit", "status", "due"], name="assignment_unit_due_idx")]

    def __str__(self) -> str:
        return f"{self.motion} → {self.unit}"


class UnitView(models.Model):
    """A co-unit's written views sent to the lead unit."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="views_sent"
    )
    text = models.TextField(_("views"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("co-unit views")
        verbose_name_plural = _("co-unit views")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Disclosure(models.TextChoices):
    UNDECIDED = "", _("not decided yet")
    FULL = "full", _("full text")
    SUMMARY = "summary", _("summary")
    NONE = "none", _("not public")


class Reply(models.Model):
    """A unit's answer, with its result category; the office may review and change the category."""

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="replies"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="replies"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    category = models.CharField(_("category"), max_length=1, choices=Category.choices)
    reviewed_category = models.CharField(
        _("category after review"), max_length=1, choices=Category.choices, blank=True
    )
    text = models.TextField(_("reply"))
    disclosure = models.CharField(
        _("public disclosure"),
        max_length=8,
        choices=Disclosure.choices,
        default=Disclosure.UNDECIDED,
        blank=True,
    )
    summary = models.TextField(_("public summary"), blank=True)
    disclosed_at = models.DateTimeField(_("disclosed at"), null=True, blank=True)
    # Names of private persons (residents, not deputies or officials) that staff marked when
    # disclosing: the public text shows them masked (张** ), as it does the source voice's name.
    private_names = models.JSONField(_("private names to mask"), default=list, blank=True)
    # Staff decide on disclosure by a rule's date (``motion_disclosure``: 20 working days from the
    # reply); any decision, "not public" included, stops the clock.
    disclose_by = models.DateField(_("decide on disclosure by"), null=True, blank=True)
    disclose_rule = models.CharField(_("disclosure rule"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("replied at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["round", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "round"], name="reply_once_per_unit_and_round"),
        ]

    def __str__(self) -> str:
        return f"{self.motion} · {self.final_category}"

    @property
    def final_category(self) -> str:
        return self.reviewed_category or self.category


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY = "basically", _("basically satisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")


class Evaluation(models.Model):
    """One proposer's rating of one round of replies."""

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="evaluations"
    )
    round = models.PositiveSmallIntegerField(_("round"))
    proposer = models.ForeignKey(
        "org.Person", verbose_name=_("proposer"), on_delete=models.PROTECT, related_name="+"
    )
    overall = models.CharField(_("overall"), max_length=16, choices=Rating.choices)
    process = models.CharField(_("handling process"), max_length=16, choices=Rating.choices, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=Rating.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["round", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "round", "proposer"], name="evaluation_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.proposer} · {self.get_overall_display()}"


class ResidentRating(models.Model):
    """The rating a resident gives to what became of their voice (a suggestion or proposal adopted from
    it): one per voice, item and round of replies, proven by tracking code and phone."""

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="resident_ratings"
    )
    voice = models.ForeignKey(
        "voices.Voice", verbose_name=_("voice"), on_delete=models.CASCADE, related_name="outcome_ratings"
    )
    round = models.PositiveSmallIntegerField(_("round"))
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("resident's rating")
        verbose_name_plural = _("residents' ratings")
        ordering = ["round", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["motion", "voice", "round"], name="resident_rating_once_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voice} · {self.get_rating_display()}"


class KeySupervision(models.Model):
    """A key item (重点督办) supervised by a named leader."""

    motion = models.OneToOneField(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="key_supervision"
    )
    leader = models.ForeignKey(
        "org.Person", verbose_name=_("supervising leader"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("chosen at"), auto_now_add=True)

    class Meta:
        verbose_name = _("key supervision")
        verbose_name_plural = _("key supervisions")

    def __str__(self) -> str:
        return f"{self.motion} · {self.leader}"
