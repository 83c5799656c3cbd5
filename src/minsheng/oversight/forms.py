"""Forms of the oversight pages. They check shapes; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minsheng.core.attachments import ATTACHMENT, IMAGE, SPREADSHEET
from minsheng.core.widgets import MultipleFileField, date_picker
from minsheng.org.models import Body, Jurisdiction, JurisdictionLevel, Membership, Person, Role, Unit, User
from minsheng.org.selectors import today
from minsheng.oversight.models import (
    ActivityKind,
    CooperationKind,
    CooperationPlatform,
    DueRule,
    InquiryQuestion,
    ItemStatus,
    Milestone,
    MilestoneKind,
    OutcomeKind,
    Problem,
    ProblemSource,
    ProjectKind,
    ProjectStatus,
    Satisfaction,
    SupervisionPlan,
)

IMAGE_ACCEPT = IMAGE.accept
EVIDENCE_ACCEPT = ATTACHMENT.accept
NAMES_HELP = _("Names separated by commas or 、.")
STATUS_FILTER_CHOICES = [
    ("", _("Not closed yet")),
    *ItemStatus.choices,
    ("overdue", _("overdue")),
    ("all", _("All")),
]


def _names(raw: str) -> list[str]:
    text = raw.replace("，", ",").replace("、", ",").replace(";", ",").replace("；", ",")
    return [n.strip() for n in text.replace(" ", ",").split(",") if n.strip()]


def people_by_name(raw: str, *, roles: tuple[str, ...], jurisdiction_id: int) -> list[Person]:
    """Deputies or members in office in the jurisdiction, by name; a ValidationError names the unknown."""
    names = _names(raw)
    seats = (
        Membership.objects.active_on(today())
        .filter(role__in=roles, person__name__in=names, body__jurisdiction_id=jurisdiction_id)
        .select_related("person")
    )
    found: dict[str, Person] = {}
    for seat in seats:
        found.setdefault(seat.person.name, seat.person)
    missing = [n for n in names if n not in found]
    if missing:
        raise forms.ValidationError(
            _("No deputy or member in office is named: %(names)s.") % {"names": "、".join(missing)}
        )
    return [found[n] for n in dict.fromkeys(names)]


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def units_of(jurisdiction_id: int | None) -> QuerySet[Unit]:
    if jurisdiction_id is None:
        return Unit.objects.none()
    return Unit.objects.filter(
        Q(jurisdiction_id=jurisdiction_id) | Q(jurisdiction__parent_id=jurisdiction_id)
    ).order_by("jurisdiction__code", "kind", "name")


class StateForm(forms.Form):
    """Every action form carries the state the user saw: a stale page gets a conflict, not a surprise."""

    state = forms.CharField(widget=forms.HiddenInput, required=False)


# --- creating ------------------------------------------------------------------------------------


class PlanForm(forms.Form):
    body = forms.ModelChoiceField(label=_("Supervising body"), queryset=Body.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)

    def __init__(self, *args: Any, bodies: QuerySet[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]
        self.fields["year"].initial = today().year


class ActivityForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=SupervisionPlan.objects.none(), required=False)
    body = forms.ModelChoiceField(
        label=_("Supervising body"),
        queryset=Body.objects.none(),
        required=False,
        help_text=_("For an activity outside the plan."),
    )
    kind = forms.ChoiceField(label=_("Form of supervision"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )
    units = UnitsField(
        label=_("Units concerned"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    start_date = forms.DateField(label=_("From"), widget=date_picker())
    end_date = forms.DateField(label=_("Until"), widget=date_picker())

    def __init__(
        self,
        *args: Any,
        plans: QuerySet[SupervisionPlan],
        bodies: QuerySet[Body],
        jurisdiction_id: int | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]
        self.fields["units"].queryset = units_of(jurisdiction_id)  # type: ignore[attr-defined]


class ProjectForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProjectKind.choices)
    name = forms.CharField(label=_("Project name"), max_length=200)
    owner = forms.CharField(label=_("Owner or investor"), max_length=200, required=False)
    platform = forms.ModelChoiceField(
        label=_("Cooperation platform"), queryset=CooperationPlatform.objects.none(), required=False
    )
    cooperation_kind = forms.ChoiceField(
        label=_("Form of cooperation"), choices=[("", _("None")), *CooperationKind.choices], required=False
    )
    partners = forms.CharField(label=_("Partners"), max_length=500, required=False)
    investment_planned = forms.DecimalField(
        label=_("Planned investment (10,000 yuan)"), min_value=0, max_digits=16, decimal_places=2, initial=0
    )
    floor_area = forms.DecimalField(
        label=_("Floor area (m²)"), min_value=0, max_digits=16, decimal_places=2, required=False
    )
    park = forms.CharField(label=_("Park"), max_length=100, required=False)
    place = forms.ModelChoiceField(
        label=_("Township or street"), queryset=Jurisdiction.objects.none(), required=False
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    start_planned = forms.DateField(
        label=_("Construction starts (planned)"), widget=date_picker(), required=False
    )
    structure_planned = forms.DateField(
        label=_("Structure finished (planned)"), widget=date_picker(), required=False
    )
    equipment_planned = forms.DateField(
        label=_("Equipment installation (planned)"), widget=date_picker(), required=False
    )
    production_planned = forms.DateField(
        label=_("Production starts (planned)"), widget=date_picker(), required=False
    )
    supervisors = forms.CharField(
        label=_("Supervising deputies and members"), max_length=500, required=False, help_text=NAMES_HELP
    )
    owner_accounts = forms.CharField(
        label=_("Owner's contacts (account names or mobile numbers)"),
        max_length=300,
        required=False,
        help_text=_("They may post progress and record milestones."),
    )

    MILESTONE_FIELDS = (
        ("start_planned", MilestoneKind.START),
        ("structure_planned", MilestoneKind.STRUCTURE),
        ("equipment_planned", MilestoneKind.EQUIPMENT),
        ("production_planned", MilestoneKind.PRODUCTION),
    )

    def __init__(
        self, *args: Any, jurisdiction_id: int | None, platforms: QuerySet[CooperationPlatform], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.jurisdiction_id = jurisdiction_id
        self.fields["platform"].queryset = platforms  # type: ignore[attr-defined]
        self.fields["place"].queryset = Jurisdiction.objects.filter(  # type: ignore[attr-defined]
            level=JurisdictionLevel.TOWNSHIP, parent_id=jurisdiction_id
        ).order_by("code")

    def clean_supervisors(self) -> list[Person]:
        raw = self.cleaned_data["supervisors"]
        if not raw.strip():
            return []
        return people_by_name(
            raw, roles=(Role.DEPUTY, Role.CPPCC_MEMBER), jurisdiction_id=self.jurisdiction_id or 0
        )

    def clean_owner_accounts(self) -> list[Person]:
        names = _names(self.cleaned_data["owner_accounts"])
        users = User.objects.filter(Q(username__in=names) | Q(phone__in=names), person__isnull=False)
        found = {u.username: u for u in users} | {u.phone: u for u in users if u.phone}
        missing = [n for n in names if n not in found]
        if missing:
            raise forms.ValidationError(_("No account is named: %(names)s.") % {"names": "、".join(missing)})
        people: dict[int, Person] = {}
        for name in names:
            person = found[name].person
            if person is not None:
                people.setdefault(person.pk, person)
        return list(people.values())


class PlatformForm(forms.Form):
    name = forms.CharField(label=_("Platform name"), max_length=200)
    partners = forms.CharField(label=_("Partners"), max_length=500, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )


class BudgetImportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)
    file = forms.FileField(
        label=_("Budget execution table (xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": SPREADSHEET.accept}),
        help_text=_("Columns: department, item, budget, executed to date (部门、项目、预算数、执行数)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        day = today()
        self.fields["year"].initial, self.fields["month"].initial = day.year, day.month


class BudgetQuestionForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Your question to the department"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


# --- filters -------------------------------------------------------------------------------------


class ItemFilterForm(forms.Form):
    unit = UnitsField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTER_CHOICES, required=False)
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("All")), *ProblemSource.choices], required=False
    )
    q = forms.CharField(label=_("Search the tasks"), max_length=50, required=False)
    activity = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=2_147_483_647
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = forms.ModelChoiceField(
            label=_("Unit"), queryset=units, required=False, empty_label=_("All")
        )
        unit_field.label_from_instance = lambda obj: obj.name  # type: ignore[method-assign]
        self.fields["unit"] = unit_field


class ProjectFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *ProjectKind.choices], required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *ProjectStatus.choices], required=False
    )
    park = forms.ChoiceField(label=_("Park"), required=False)
    delayed = forms.BooleanField(label=_("Delayed only"), required=False)
    q = forms.CharField(label=_("Name or owner"), max_length=50, required=False)

    def __init__(self, *args: Any, parks: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["park"].choices = [("", _("All")), *((p, p) for p in parks)]  # type: ignore[attr-defined]


# --- actions on an activity ----------------------------------------------------------------------


class ReasonForm(StateForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ActivityReportForm(StateForm):
    report = forms.FileField(
        label=_("Report (Word document)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
    )
    summary = forms.CharField(
        label=_("Summary for the public"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class PublishForm(forms.Form):
    publish = forms.TypedChoiceField(
        label=_("Public page"),
        choices=[("1", _("Publish")), ("0", _("Withdraw from the public page"))],
        coerce=lambda v: v == "1",
    )


class TeamForm(forms.Form):
    names = forms.CharField(label=_("Deputies or members"), max_length=1000, help_text=NAMES_HELP)
    leader = forms.CharField(label=_("Team leader"), max_length=64, required=False)

    def __init__(
        self, *args: Any, roles: tuple[str, ...] = (), jurisdiction_id: int = 0, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.roles, self.jurisdiction_id = roles, jurisdiction_id

    def clean_names(self) -> list[Person]:
        return people_by_name(
            self.cleaned_data["names"], roles=self.roles, jurisdiction_id=self.jurisdiction_id
        )

    def clean_leader(self) -> Person | None:
        raw = self.cleaned_data["leader"].strip()
        if not raw:
            return None
        people = people_by_name(raw, roles=self.roles, jurisdiction_id=self.jurisdiction_id)
        return people[0] if people else None


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label=_("Took part"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, team: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = list(team)  # type: ignore[attr-defined]


class DocumentsForm(forms.Form):
    documents = MultipleFileField(label=_("Materials"), accept=ATTACHMENT.accept, required=True)


class VisitForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=date_picker())
    place = forms.CharField(label=_("Place"), max_length=200)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    photos = MultipleFileField(label=_("Photos"), accept=IMAGE_ACCEPT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = today()


class FindingForm(forms.Form):
    text = forms.CharField(
        label=_("Problem found"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class AssignForm(forms.Form):
    problem = forms.ModelChoiceField(label=_("Problem"), queryset=Problem.objects.none())
    units = UnitsField(
        label=_("Responsible units"),
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    task = forms.CharField(
        label=_("Rectification task"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    due_rule = forms.ChoiceField(label=_("Deadline"), choices=DueRule.choices, initial=DueRule.STANDARD)

    def __init__(self, *args: Any, problems: QuerySet[Problem], jurisdiction_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["problem"].queryset = problems  # type: ignore[attr-defined]
        self.fields["problem"].label_from_instance = lambda p: p.text[:60]  # type: ignore[attr-defined]
        self.fields["units"].queryset = units_of(jurisdiction_id)  # type: ignore[attr-defined]


class QuestionForm(forms.Form):
    asker = forms.CharField(label=_("Asked by"), max_length=64)
    unit = forms.ModelChoiceField(label=_("Unit answering"), queryset=Unit.objects.none())
    official = forms.CharField(label=_("Official answering (name and post)"), max_length=100)
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(
        self, *args: Any, roles: tuple[str, ...] = (), jurisdiction_id: int = 0, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.roles, self.jurisdiction_id = roles, jurisdiction_id
        self.fields["unit"].queryset = units_of(jurisdiction_id)  # type: ignore[attr-defined]
        self.fields["unit"].label_from_instance = lambda u: u.name  # type: ignore[attr-defined]

    def clean_asker(self) -> Person:
        people = people_by_name(
            self.cleaned_data["asker"], roles=self.roles, jurisdiction_id=self.jurisdiction_id
        )
        if len(people) != 1:
            raise forms.ValidationError(_("Name one person."))
        return people[0]


class AnswerForm(forms.Form):
    question = forms.ModelChoiceField(label=_("Question"), queryset=InquiryQuestion.objects.none())
    answer = forms.CharField(
        label=_("Answer given"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    commitment = forms.CharField(
        label=_("Commitment made (becomes a rectification item)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )
    due_rule = forms.ChoiceField(label=_("Deadline"), choices=DueRule.choices, initial=DueRule.STANDARD)

    def __init__(self, *args: Any, questions: QuerySet[InquiryQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = questions  # type: ignore[attr-defined]
        self.fields["question"].label_from_instance = lambda q: q.question[:60]  # type: ignore[attr-defined]


class BallotOpenForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit rated"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["unit"].label_from_instance = lambda u: u.name  # type: ignore[attr-defined]


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your rating of the unit"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


# --- actions on an item --------------------------------------------------------------------------


class ItemReportForm(StateForm):
    text = forms.CharField(label=_("Report"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    is_final = forms.BooleanField(label=_("Rectification is complete (final report)"), required=False)
    evidence = MultipleFileField(label=_("Evidence (photos, documents)"), accept=EVIDENCE_ACCEPT)


class ReviewForm(StateForm):
    accept = forms.TypedChoiceField(
        label=pgettext_lazy("review of a rectification report", "Decision"),
        choices=[("1", _("Accept the report")), ("0", _("Send it back"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Remarks (required when sending back)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class ExtendForm(StateForm):
    until = forms.DateField(label=_("New deadline"), widget=date_picker())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


# --- actions on a project ------------------------------------------------------------------------


class ProgressForm(forms.Form):
    text = forms.CharField(
        label=_("Progress made"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    investment_completed = forms.DecimalField(
        label=_("Investment completed to date (10,000 yuan)"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        required=False,
    )
    photos = MultipleFileField(label=_("Photos"), accept=IMAGE_ACCEPT)


class MilestoneReachForm(forms.Form):
    milestone = forms.ModelChoiceField(label=_("Milestone"), queryset=Milestone.objects.none())
    actual_date = forms.DateField(label=_("Reached on"), widget=date_picker())

    def __init__(self, *args: Any, milestones: QuerySet[Milestone], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = milestones  # type: ignore[attr-defined]
        self.fields["milestone"].label_from_instance = lambda m: m.name  # type: ignore[attr-defined]
        self.fields["actual_date"].initial = today()


class MilestoneAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MilestoneKind.choices)
    name = forms.CharField(label=_("Milestone name"), max_length=100, required=False)
    planned_date = forms.DateField(label=_("Planned date"), widget=date_picker())


class MilestoneReplanForm(forms.Form):
    milestone = forms.ModelChoiceField(label=_("Milestone"), queryset=Milestone.objects.none())
    planned_date = forms.DateField(label=_("New planned date"), widget=date_picker())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args: Any, milestones: QuerySet[Milestone], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = milestones  # type: ignore[attr-defined]
        self.fields["milestone"].label_from_instance = lambda m: m.name  # type: ignore[attr-defined]


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OutcomeKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    reference = forms.CharField(label=_("Number or reference"), max_length=100, required=False)
    date = forms.DateField(label=_("Date"), widget=date_picker())
