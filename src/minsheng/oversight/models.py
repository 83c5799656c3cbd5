"""Supervision that closes the loop (监督, DOMAIN.md §7).

A body's annual plan lists activities (hearing a work report, law-enforcement inspection, special
inquiry, inspection visit, research, work appraisal, CPPCC democratic supervision). An activity's
findings become a problem list (``Problem``); staff hand each problem to one or more units as
rectification items (``RectificationItem``), which units answer with progress reports that staff or the
team accept or send back. An item closes only on an accepted final report. The same machinery takes
problems from other sources: a commitment made in a special inquiry, a problem found on a key-project
visit, a question on a budget line, a deliberation outcome.

Key projects and cooperation items share one register (``Project``): milestones planned against actual,
progress, visits and problems. Budget execution tables are imported monthly; lines behind the time
line or over budget are flagged by a query, never by a stored flag.

Statuses change only through the transition tables in ``services.py``; deadlines are stored with the
rule that produced them, and overdue is a query.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minsheng.core.models import TimeStampedModel

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 2000
AMOUNT_DIGITS = 16  # up to 99,999,999,999,999.99 (ten-thousand yuan or yuan, as the table says)


class OversightSettings(models.Model):
    """Numeric thresholds per jurisdiction (time limits live in core ``DeadlineRule``)."""

    jurisdiction = models.OneToOneField(
        "org.Jurisdiction",
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty means the default for every jurisdiction."),
    )
    satisfaction_pass_percent = models.PositiveSmallIntegerField(
        _("satisfied share needed (percent)"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "A unit passes a satisfaction ballot when the votes “satisfied” and “basically satisfied” "
            "are more than this share of the votes cast; otherwise it must rectify again."
        ),
    )
    budget_lag_margin_percent = models.PositiveSmallIntegerField(
        _("budget lag margin (percentage points)"),
        default=10,
        validators=[MaxValueValidator(100)],
        help_text=_("A line is behind the time line when its execution rate is below month/12 minus this."),
    )
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind units this many days before a deadline"), default=5, validators=[MaxValueValidator(60)]
    )

    class Meta:
        verbose_name = _("supervision settings")
        verbose_name_plural = _("supervision settings")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction"],
                condition=Q(jurisdiction__isnull=True),
                name="oversight_settings_one_default",
            ),
        ]

    def __str__(self) -> str:
        return str(self.jurisdiction or _("default"))


# --- plans and activities ---------------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class SupervisionPlan(TimeStampedModel):
    """A body's annual supervision plan (年度监督工作计划)."""

    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.ForeignKey(
        "org.Body",
        verbose_name=_("supervising body"),
        on_delete=models.PROTECT,
        related_name="supervision_plans",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )

    class Meta:
        verbose_name = _("supervision plan")
        verbose_name_plural = _("supervision plans")
        ordering = ["-year", "body"]
        constraints = [models.UniqueConstraint(fields=["body", "year"], name="oversight_plan_one_a_year")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("oversight:plan", args=[self.pk])


class ActivityKind(models.TextChoices):
    REPORT_REVIEW = "report_review", _("hearing and deliberating a work report")
    LAW_INSPECTION = "law_inspection", _("law-enforcement inspection")
    SPECIAL_INQUIRY = "special_inquiry", _("special inquiry")
    INSPECTION_VISIT = "inspection_visit", _("inspection visit")
    RESEARCH = "research", _("research")
    WORK_APPRAISAL = "work_appraisal", _("work appraisal")
    DEMOCRATIC_SUPERVISION = "democratic_supervision", _("CPPCC democratic supervision")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    UNDER_WAY = "under_way", _("under way")
    REPORTED = "reported", _("report delivered")
    CLOSED = "closed", _("closed")
    CANCELLED = "cancelled", _("cancelled")


class Activity(TimeStampedModel):
    """One supervision activity of a plan: subject, units concerned, team, dates, visits, report."""

    plan = models.ForeignKey(
        SupervisionPlan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.ForeignKey(
        "org.Body", verbose_name=_("supervising body"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("form of supervision"), max_length=32, choices=ActivityKind.choices)
    title = models.CharField(_("subject"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), blank=True)
    units = models.ManyToManyField(
        "org.Unit", verbose_name=_("units concerned"), related_name="supervision_activities", blank=True
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ActivityStatus.choices,
        default=ActivityStatus.PLANNED,
        db_index=True,
    )
    report = models.ForeignKey(
        "core.Attachment",
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    report_summary = models.TextField(_("summary of the report"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision activity")
        verbose_name_plural = _("supervision activities")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="oversight_activity_ends_after_start",
                violation_error_message=_("An activity cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("oversight:activity", args=[self.pk])


class TeamRole(models.TextChoices):
    LEADER = "leader", _("team leader")
    MEMBER = "member", _("team member")


class TeamMember(models.Model):
    """A deputy or member on an activity's team: told when chosen, recorded when they took part."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="team"
    )
    person = models.ForeignKey(
        "org.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="supervision_teams"
    )
    role = models.CharField(_("role"), max_length=8, choices=TeamRole.choices, default=TeamRole.MEMBER)
    notified_at = models.DateTimeField(_("told at"), null=True, blank=True)
    took_part = models.BooleanField(_("took part"), default=False)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="oversight_team_once_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"


# --- the project register -------------------------------------------------------------------------


class CooperationPlatform(TimeStampedModel):
    """A cooperation platform (e.g. a Sino-German technology platform) whose items are followed."""

    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("platform name"), max_length=TITLE_MAX_LENGTH)
    partners = models.CharField(_("partners"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("cooperation platform")
        verbose_name_plural = _("cooperation platforms")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="oversight_platform_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectKind(models.TextChoices):
    KEY_PROJECT = "key_project", _("key project")
    COOPERATION = "cooperation", _("cooperation item")


class CooperationKind(models.TextChoices):
    JOINT_RESEARCH = "joint_research", _("joint research and development")
    TECHNOLOGY_TRANSFER = "technology_transfer", _("technology transfer")
    SHARED_IP = "shared_ip", _("shared intellectual property")
    TALENT = "talent", _("talent exchange")
    OTHER = "other", _("other cooperation")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("in preparation")
    UNDER_CONSTRUCTION = "under_construction", _("under way")
    SUSPENDED = "suspended", _("suspended")
    IN_PRODUCTION = "in_production", _("in production")
    COMPLETED = "completed", _("completed")


class Project(TimeStampedModel):
    """A key project (重点项目) or a cooperation item, followed over its life (云上监督)."""

    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("township or street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ProjectKind.choices, default=ProjectKind.KEY_PROJECT
    )
    platform = models.ForeignKey(
        CooperationPlatform,
        verbose_name=_("cooperation platform"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    cooperation_kind = models.CharField(
        _("form of cooperation"), max_length=24, choices=CooperationKind.choices, blank=True
    )
    name = models.CharField(_("project name"), max_length=TITLE_MAX_LENGTH)
    owner = models.CharField(_("owner or investor"), max_length=TITLE_MAX_LENGTH, blank=True)
    partners = models.CharField(_("partners"), max_length=500, blank=True)
    investment_planned = models.DecimalField(
        _("planned investment (10,000 yuan)"),
        max_digits=AMOUNT_DIGITS,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    investment_completed = models.DecimalField(
        _("investment completed (10,000 yuan)"),
        max_digits=AMOUNT_DIGITS,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=AMOUNT_DIGITS, decimal_places=2, null=True, blank=True
    )
    park = models.CharField(_("park"), max_length=100, blank=True)
    location = models.CharField(_("location"), max_length=TITLE_MAX_LENGTH, blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    description = models.TextField(_("description"), blank=True)
    supervisors = models.ManyToManyField(
        "org.Person",
        verbose_name=_("supervising deputies and members"),
        related_name="supervised_projects",
        blank=True,
    )
    owner_contacts = models.ManyToManyField(
        "org.Person",
        verbose_name=_("owner's contacts (may post progress)"),
        related_name="owned_projects",
        blank=True,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["jurisdiction", "kind", "status"], name="oversight_project_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(investment_planned__gte=0) & Q(investment_completed__gte=0),
                name="oversight_project_investment_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(kind="cooperation") | Q(platform__isnull=True),
                name="oversight_project_platform_only_for_cooperation",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("oversight:project", args=[self.pk])


class MilestoneKind(models.TextChoices):
    START = "start", _("construction starts")
    STRUCTURE = "structure", _("structure finished")
    EQUIPMENT = "equipment", _("equipment installation")
    PRODUCTION = "production", _("production starts")
    OTHER = "other", _("other milestone")


class Milestone(models.Model):
    """A step of a project, planned against actual; past its planned date with no actual date = delayed."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MilestoneKind.choices)
    name = models.CharField(_("milestone name"), max_length=100)
    planned_date = models.DateField(_("planned date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["order", "planned_date", "id"]
        # "Is this project delayed?" is asked per project (a correlated EXISTS): the project comes first.
        indexes = [
            models.Index(
                fields=["project", "actual_date", "planned_date"], name="oversight_milestone_due_idx"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProjectProgress(models.Model):
    """A progress post by the owner or staff; photos are attachments of this row."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="progress"
    )
    text = models.TextField(_("progress"))
    investment_completed = models.DecimalField(
        _("investment completed to date (10,000 yuan)"),
        max_digits=AMOUNT_DIGITS,
        decimal_places=2,
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("posted by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project progress")
        verbose_name_plural = _("project progress")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:40]


class OutcomeKind(models.TextChoices):
    PATENT = "patent", _("patent")
    PRODUCT = "product", _("product")
    STANDARD = "standard", _("standard")
    OTHER = "other", _("other outcome")


class ProjectOutcome(models.Model):
    """What a cooperation item produced: patents, products, standards."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="outcomes"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OutcomeKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    reference = models.CharField(_("number or reference"), max_length=100, blank=True)
    date = models.DateField(_("date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("cooperation outcome")
        verbose_name_plural = _("cooperation outcomes")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return self.title


class Visit(models.Model):
    """A visit by a team or supervising deputies: place, date, notes; photos are attachments."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="visits",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="visits",
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=TITLE_MAX_LENGTH)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection visit record")
        verbose_name_plural = _("inspection visit records")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(activity__isnull=False) & Q(project__isnull=True))
                | (Q(activity__isnull=True) & Q(project__isnull=False)),
                name="oversight_visit_of_activity_or_project",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.place}"


# --- special inquiry -----------------------------------------------------------------------------


class InquiryQuestion(models.Model):
    """A question put by a member to a named official in a special inquiry, and the answer given."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="questions"
    )
    asker = models.ForeignKey(
        "org.Person", verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit answering"), on_delete=models.PROTECT, related_name="+"
    )
    official = models.CharField(_("official answering (name and post)"), max_length=100)
    question = models.TextField(_("question put"))
    answer = models.TextField(_("answer"), blank=True)
    commitment = models.TextField(_("commitment made"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("inquiry question")
        verbose_name_plural = _("inquiry questions")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.question[:40]


# --- budget execution ----------------------------------------------------------------------------


class BudgetTable(models.Model):
    """One month's budget execution table as imported (by department and item: budget, executed)."""

    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    source_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("budget execution table")
        verbose_name_plural = _("budget execution tables")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "year", "month"], name="oversight_budget_one_table_a_month"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12), name="oversight_budget_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def get_absolute_url(self) -> str:
        return reverse("oversight:budget", args=[self.pk])


class BudgetLine(models.Model):
    """A department's item: budget for the year and executed to date (flags are computed)."""

    table = models.ForeignKey(
        BudgetTable, verbose_name=_("table"), on_delete=models.CASCADE, related_name="lines"
    )
    row = models.PositiveIntegerField(_("row in the workbook"))
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("department"), on_delete=models.PROTECT, related_name="budget_lines"
    )
    item = models.CharField(_("budget item"), max_length=200)
    budget = models.DecimalField(_("budget"), max_digits=AMOUNT_DIGITS, decimal_places=2)
    executed = models.DecimalField(_("executed to date"), max_digits=AMOUNT_DIGITS, decimal_places=2)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["row"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0) & Q(executed__gte=0), name="oversight_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.item}"


# --- problems and rectification ------------------------------------------------------------------


class ProblemSource(models.TextChoices):
    FINDING = "finding", _("finding of an activity")
    INQUIRY_COMMITMENT = "inquiry_commitment", _("commitment in a special inquiry")
    PROJECT_VISIT = "project_visit", _("problem found on a project")
    BUDGET_QUESTION = "budget_question", _("question on a budget line")
    DELIBERATION_OUTCOME = "deliberation_outcome", _("deliberation outcome")
    BALLOT = "ballot", _("unsatisfactory ballot")


class Problem(TimeStampedModel):
    """One entry of a problem list (问题清单), whatever found it; units rectify it through items."""

    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.ForeignKey(
        "org.Body", verbose_name=_("supervising body"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=24, choices=ProblemSource.choices)
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    question = models.OneToOneField(
        InquiryQuestion,
        verbose_name=_("inquiry question"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problem",
    )
    budget_line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("budget line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions",
    )
    source_id_external = models.PositiveBigIntegerField(
        _("id of the record it came from"), null=True, blank=True
    )
    text = models.TextField(_("problem"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:40]


class ItemStatus(models.TextChoices):
    OPEN = "open", _("being rectified")
    UNDER_REVIEW = "under_review", _("report under review")
    CLOSED = "closed", _("closed")


OPEN_ITEM_STATES = (ItemStatus.OPEN, ItemStatus.UNDER_REVIEW)


class DueRule(models.TextChoices):
    """The deadline rules of core.calendar a rectification item may carry."""

    STANDARD = "oversight_rectify", _("standard (30 working days)")
    SHORT = "oversight_rectify_short", _("urgent (10 working days)")
    LONG = "oversight_rectify_long", _("long-term (60 working days)")


class RectificationItem(TimeStampedModel):
    """One unit's task on one problem (整改清单): deadline with its rule, progress reports, review."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.PROTECT, related_name="items"
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.ForeignKey(
        "org.Body", verbose_name=_("supervising body"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    task = models.TextField(_("task"))
    status = models.CharField(_("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    assigned_on = models.DateField(_("assigned on"))
    due = models.DateField(_("due"))
    due_rule = models.CharField(_("deadline rule"), max_length=64)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["due", "id"]
        indexes = [
            models.Index(fields=["unit", "status", "due", "id"], name="oversight_item_unit_idx"),
            models.Index(fields=["status", "due", "id"], name="oversight_item_due_idx"),
            # A body's open items by unit (the dashboard) and a body's lists, over index ranges only:
            # the closed items of past years are most of the rows and are never read for them.
            models.Index(fields=["body", "status", "unit", "due"], name="oversight_item_counts_idx"),
            models.Index(fields=["body", "status", "closed_at", "unit"], name="oversight_item_closed_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["problem", "unit"], name="oversight_item_once_per_unit"),
        ]

    def __str__(self) -> str:
        return self.task[:40]

    def get_absolute_url(self) -> str:
        return reverse("oversight:item", args=[self.pk])


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("awaiting review")
    ACCEPTED = "accepted", _("approved")
    SENT_BACK = "sent_back", _("sent back")


class ProgressReport(models.Model):
    """A unit's progress report with evidence (attachments of this row), reviewed by staff or the team."""

    item = models.ForeignKey(
        RectificationItem,
        verbose_name=_("rectification item"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    text = models.TextField(_("report"))
    is_final = models.BooleanField(_("final report"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    review_reason = models.TextField(_("review remarks"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status="submitted"),
                name="oversight_one_report_under_review",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]


# --- satisfaction ballots ------------------------------------------------------------------------


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY = "basically", _("basically satisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")


class BallotStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("satisfaction ballot", "voting")
    CLOSED = "closed", _("closed")


class SatisfactionBallot(TimeStampedModel):
    """A satisfaction ballot (满意度测评) on a unit after a report or a rectification.

    The members of the supervising body vote anonymously through ``core.ballots`` (who voted is kept
    apart from what was chosen); this row holds only the counts computed at close, the share needed
    (copied from the settings when the ballot opened) and whether the unit passed.
    """

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="ballots"
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.ForeignKey(
        "org.Body", verbose_name=_("supervising body"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit rated"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=BallotStatus.choices, default=BallotStatus.OPEN
    )
    pass_percent = models.PositiveSmallIntegerField(_("satisfied share needed (percent)"))
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    satisfied = models.PositiveIntegerField(_("satisfied"), default=0)
    basically = models.PositiveIntegerField(_("basically satisfied"), default=0)
    dissatisfied = models.PositiveIntegerField(_("dissatisfied"), default=0)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        verbose_name = _("satisfaction ballot")
        verbose_name_plural = _("satisfaction ballots")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "unit"],
                condition=Q(status="open"),
                name="oversight_one_open_ballot_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.unit}"

    @property
    def votes(self) -> int:
        return self.satisfied + self.basically + self.dissatisfied

    @property
    def satisfied_percent(self) -> Decimal | None:
        """The share of 满意 and 基本满意 among the votes cast."""
        if not self.votes:
            return None
        return (Decimal(self.satisfied + self.basically) * 100 / self.votes).quantize(Decimal("0.1"))
