"""Forms of the deliberation pages: they validate input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.core.phone_flow import PhoneFields
from minsheng.core.widgets import date_picker, datetime_picker
from minsheng.deliberation.models import (
    STATEMENT_MAX_LENGTH,
    AttendeeKind,
    Audience,
    ConversionKind,
    ModerationMode,
)
from minsheng.org.fields import UnitChoiceField
from minsheng.org.models import Body, BodyKind, Person, Sector, Unit


class ProposeForm(PhoneFields):
    """A topic proposed; a person without an account proves a mobile number in the same form."""

    body = forms.ModelChoiceField(
        label=_("To"),
        queryset=Body.objects.filter(
            kind__in=[BodyKind.CPPCC_COMMITTEE, BodyKind.CONSULTATION_ROOM, BodyKind.MEMBERS_STUDIO]
        ).order_by("jurisdiction__code", "name"),
    )
    title = forms.CharField(label=_("Title"), max_length=100)
    question = forms.CharField(label=_("The question to discuss"), max_length=300)
    background = forms.CharField(
        label=_("Background"), max_length=5000, required=False, widget=forms.Textarea
    )


class JoinForm(PhoneFields):
    """Taking part in a topic: a person without an account proves a mobile number (core.phone_flow)."""


class AcceptForm(forms.Form):
    audience = forms.ChoiceField(label=_("Who takes part"), choices=Audience.choices)
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=Sector.objects.all(), required=False)
    people = forms.CharField(
        label=_("Named participants (person ids, comma separated)"), required=False, max_length=2000
    )
    opens_on = forms.DateField(label=_("Opens on"), required=False, widget=date_picker())
    closes_on = forms.DateField(label=_("Closes on"), required=False, widget=date_picker())
    moderation = forms.ChoiceField(label=_("Moderation"), choices=ModerationMode.choices)
    seeds = forms.CharField(
        label=_("Seed statements (one per line)"), required=False, widget=forms.Textarea, max_length=40000
    )

    def people_ids(self) -> list[int]:
        raw = self.cleaned_data.get("people") or ""
        return [int(part) for part in raw.replace("，", ",").split(",") if part.strip().isdigit()]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class SeedsForm(forms.Form):
    seeds = forms.CharField(
        label=_("Seed statements (one per line)"), widget=forms.Textarea, max_length=40000
    )


class StatementForm(forms.Form):
    text = forms.CharField(
        label=_("Your statement"),
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": STATEMENT_MAX_LENGTH}),
    )


class ModerateForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("publish", _("Publish")), ("moderate_out", _("Moderate out")), ("restore", _("Restore"))]
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=datetime_picker())
    place = forms.CharField(label=_("Place"), max_length=200)


class HoldForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea, max_length=20000)
    attendees = forms.CharField(
        label=_("Attendance (one per line: name, capacity, affiliation)"),
        widget=forms.Textarea,
        max_length=20000,
        help_text=_("Capacity: resident, member, department or expert."),
    )

    CAPACITY_WORDS = {
        "居民": AttendeeKind.RESIDENT,
        "委员": AttendeeKind.MEMBER,
        "部门": AttendeeKind.DEPARTMENT,
        "专家": AttendeeKind.EXPERT,
    }

    def attendee_rows(self) -> list[tuple[str, str, str]]:
        rows = []
        for line in (self.cleaned_data.get("attendees") or "").splitlines():
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if not parts or not parts[0]:
                continue
            kind = parts[1] if len(parts) > 1 else AttendeeKind.RESIDENT
            kind = self.CAPACITY_WORDS.get(kind, kind)
            rows.append((parts[0], kind, parts[2] if len(parts) > 2 else ""))
        return rows


class OutcomeForm(forms.Form):
    text = forms.CharField(
        label=_("Agreed outcome"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    unit = UnitChoiceField(label=_("Responsible unit"), queryset=Unit.objects.order_by("kind", "name"))
    due = forms.DateField(label=_("Deadline"), widget=date_picker())


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("Progress"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    done = forms.BooleanField(label=_("Done"), required=False)


class ConvertForm(forms.Form):
    kind = forms.ChoiceField(label=_("Turn into"), choices=ConversionKind.choices)
    lead_signer = forms.ModelChoiceField(
        label=_("Lead member of the proposal"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args: Any, members: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if members is not None:
            field = self.fields["lead_signer"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = members


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20)


class CodeForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20)
    code = forms.CharField(label=_("Verification code"), max_length=6)
