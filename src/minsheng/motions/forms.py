"""Forms of the motions pages. They check shapes; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.core.attachments import MAX_FILES
from minsheng.core.widgets import MultipleFileField, date_picker
from minsheng.motions.models import (
    Category,
    Disclosure,
    HandlingMode,
    MotionKind,
    MotionStatus,
    ProposerKind,
    Rating,
)
from minsheng.org.fields import UnitChoiceField
from minsheng.org.models import LEADER_ROLES, Membership, Person, Role, Unit
from minsheng.org.selectors import today


class StateForm(forms.Form):
    """Every action form carries the state the user saw, so a stale page gets a conflict, not a surprise."""

    state = forms.CharField(widget=forms.HiddenInput, required=False)


class MotionDraftForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MotionKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("One matter per item, concrete and specific."),
    )
    session = forms.IntegerField(label=_("Session"), required=False, min_value=1, max_value=99)
    proposer_kind = forms.ChoiceField(
        label=_("Proposed by"), choices=ProposerKind.choices, initial=ProposerKind.INDIVIDUAL
    )
    proposer_org = forms.CharField(label=_("Party or organisation"), required=False, max_length=64)
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Images, PDF or Office documents; at most %(n)s files of 10 MB.") % {"n": MAX_FILES},
    )


class MotionEditForm(StateForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))
    # The version of the draft the editor opened: a later save by someone else is a conflict.
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)


class InviteForm(StateForm):
    names = forms.CharField(
        label=_("Co-signers"),
        max_length=500,
        help_text=_("Names of deputies or members of the same term, separated by commas."),
    )

    def __init__(
        self, *args: Any, role: str = Role.DEPUTY, term_id: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.role, self.term_id = role, term_id

    def clean_names(self) -> list[Person]:
        raw = self.cleaned_data["names"].replace("，", ",").replace("、", ",").replace(" ", ",")
        names = [n.strip() for n in raw.split(",") if n.strip()]
        seats = (
            Membership.objects.active_on(today())
            .filter(role=self.role, term_id=self.term_id or 0, person__name__in=names)
            .select_related("person")
        )
        found = {m.person.name: m.person for m in seats}
        missing = [n for n in names if n not in found]
        if missing:
            raise forms.ValidationError(
                _("No deputy or member of this term is named: %(names)s.") % {"names": "、".join(missing)}
            )
        return list(found.values())


class SignatureForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Your answer"),
        choices=[("1", _("Co-sign")), ("0", _("Decline"))],
        coerce=lambda v: v == "1",
    )


class SubmitForm(StateForm):
    as_suggestion = forms.BooleanField(
        label=_("If a bill lacks signatures, submit it as a suggestion"), required=False
    )


class DeclineForm(StateForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    forward = forms.ChoiceField(
        label=_("Forward the content"),
        required=False,
        choices=[
            ("", _("Do not forward")),
            ("voice", _("as a voice to be handled")),
            ("social_report", _("as a social-conditions report")),
        ],
    )


class MergeForm(StateForm):
    into = forms.IntegerField(label=_("Merge into item no."), min_value=1)


class AssignForm(StateForm):
    mode = forms.ChoiceField(label=_("Handling mode"), choices=HandlingMode.choices)
    lead_unit = UnitChoiceField(label=_("Lead unit"), required=False)
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-units"), queryset=Unit.objects.none(), required=False
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units (separate handling)"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args: Any, jurisdiction_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(jurisdiction__in=_places(jurisdiction_id)).order_by("kind", "name")
        for name in ("lead_unit", "co_units", "units"):
            self.fields[name].queryset = units  # type: ignore[attr-defined]


def _places(jurisdiction_id: int | None) -> list[int]:
    from minsheng.org.models import Jurisdiction

    if jurisdiction_id is None:
        return []
    return [
        jurisdiction_id,
        *Jurisdiction.objects.filter(parent_id=jurisdiction_id).values_list("pk", flat=True),
    ]


class ReassignForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    unit = UnitChoiceField(label=_("Give it to"))

    def __init__(self, *args: Any, jurisdiction_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(jurisdiction__in=_places(jurisdiction_id))  # type: ignore[attr-defined]


class AssignmentForm(StateForm):
    assignment = forms.IntegerField(widget=forms.HiddenInput)


class ReturnForm(AssignmentForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ViewsForm(AssignmentForm):
    text = forms.CharField(label=_("Written views"), widget=forms.Textarea(attrs={"rows": 5}))


class ReplyForm(AssignmentForm):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args: Any, categories: str = "ABCD", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [c for c in Category.choices if c[0] in categories]  # type: ignore[attr-defined]


class ConsultForm(AssignmentForm):
    held_on = forms.DateField(label=_("Consulted on"), widget=date_picker())
    note = forms.CharField(
        label=_("How the proposers were consulted"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text=_("A meeting, a visit or a call; who took part and what was agreed."),
    )


class ExtendForm(AssignmentForm):
    until = forms.DateField(label=_("New deadline"), widget=date_picker())
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class ExtensionRequestForm(AssignmentForm):
    until = forms.DateField(label=_("Extend until"), widget=date_picker())
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class ReviewForm(forms.Form):
    reply = forms.IntegerField(widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("Category after review"), choices=Category.choices)


class DiscloseForm(forms.Form):
    reply = forms.IntegerField(widget=forms.HiddenInput)
    disclosure = forms.ChoiceField(
        label=_("Public disclosure"), choices=[c for c in Disclosure.choices if c[0]]
    )
    summary = forms.CharField(
        label=_("Public summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    private_names = forms.CharField(
        label=_("Names of private persons to mask"),
        help_text=_(
            "Separate names with commas. The resident whose voice became this item is masked anyway."
        ),
        required=False,
        max_length=1000,
    )

    def clean_private_names(self) -> list[str]:
        raw: str = self.cleaned_data["private_names"]
        return [name.strip() for name in raw.replace("，", ",").replace("、", ",").split(",") if name.strip()]


class RateForm(StateForm):
    overall = forms.ChoiceField(label=_("Overall"), choices=Rating.choices, widget=forms.RadioSelect)
    process = forms.ChoiceField(
        label=_("Handling process"), choices=[("", "—"), *Rating.choices], required=False
    )
    result = forms.ChoiceField(label=_("Result"), choices=[("", "—"), *Rating.choices], required=False)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ResidentRatingForm(forms.Form):
    """The resident rates what became of their voice (reached through the tracking code and phone)."""

    motion = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2_147_483_647)
    rating = forms.ChoiceField(
        label=_("How satisfied are you with the outcome?"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SuperviseForm(forms.Form):
    leader = forms.ModelChoiceField(label=_("Supervising leader"), queryset=Person.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leaders = Membership.objects.active_on(today()).filter(role__in=LEADER_ROLES).values("person_id")
        self.fields["leader"].queryset = Person.objects.filter(pk__in=leaders).order_by("pinyin")  # type: ignore[attr-defined]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *MotionKind.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *MotionStatus.choices]
    )
    unit = UnitChoiceField(
        label=_("Unit"), required=False, queryset=Unit.objects.order_by("kind", "name"), empty_label=_("All")
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All")), *Category.choices]
    )
    term = forms.IntegerField(label=_("Term"), required=False, widget=forms.HiddenInput)
    session = forms.IntegerField(label=_("Session"), required=False, min_value=1, max_value=99)
    date_from = forms.DateField(label=_("From"), required=False, widget=date_picker())
    date_to = forms.DateField(label=_("To"), required=False, widget=date_picker())


class PublicSearchForm(forms.Form):
    """The public list of published replies: search and filters (choices that find something)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All")), *((k.value, k.label) for k in (MotionKind.SUGGESTION, MotionKind.PROPOSAL))],
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All")), *Category.choices]
    )
    place = forms.TypedChoiceField(label=_("Place"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, choices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        years = [(y, _("Year %(year)s") % {"year": y}) for y in choices.years]
        self.fields["year"].choices = [*every, *years]  # type: ignore[attr-defined]
        self.fields["unit"].choices = [*every, *choices.units]  # type: ignore[attr-defined]
        self.fields["place"].choices = [*every, *choices.places]  # type: ignore[attr-defined]
