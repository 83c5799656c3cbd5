"""Forms of the meetings pages: they validate input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.core.widgets import date_picker
from minsheng.meetings.models import (
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    AppointmentMode,
    ItemKind,
    MeetingKind,
    NomineeAction,
    PollKind,
)
from minsheng.meetings.services import MAX_NOMINEES, NomineeIn
from minsheng.org.models import Body, BodyKind


class MeetingForm(forms.Form):
    body = forms.ModelChoiceField(
        label=_("Body"),
        queryset=Body.objects.filter(
            kind__in=[BodyKind.CONGRESS, BodyKind.STANDING_COMMITTEE, BodyKind.CPPCC_COMMITTEE]
        ).order_by("jurisdiction__code", "name"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    starts_on = forms.DateField(label=_("Starts on"), widget=date_picker())
    ends_on = forms.DateField(label=_("Ends on"), widget=date_picker())
    venue = forms.CharField(label=_("Venue"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File (docx or pdf)"))
    public = forms.BooleanField(label=_("Public once the meeting is published"), required=False, initial=True)


class VersionForm(forms.Form):
    file = forms.FileField(label=_("New version (docx or pdf)"))


class LeaveForm(forms.Form):
    reason = forms.CharField(label=_("Reason for leave"), max_length=300)


class PollForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PollKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    secret = forms.ChoiceField(
        label=_("Ballot"),
        choices=[("", _("as the body's setting")), ("1", _("secret")), ("0", _("named (记名)"))],
        required=False,
    )
    seats = forms.IntegerField(label=_("Seats (elections)"), min_value=1, max_value=MAX_NOMINEES, initial=1)
    mode = forms.ChoiceField(label=_("Appointments voted"), choices=AppointmentMode.choices)
    nominees = forms.CharField(
        label=_("Candidates or nominees, one per line: name | office | appoint or remove | nominated by"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("e.g. 张三 | 区财政局局长 | 任命 | 区人民政府区长提请"),
    )

    def nominee_list(self) -> list[NomineeIn]:
        actions = {
            "任命": NomineeAction.APPOINT,
            "免职": NomineeAction.REMOVE,
            "appoint": NomineeAction.APPOINT,
            "remove": NomineeAction.REMOVE,
        }
        rows = []
        for line in (self.cleaned_data.get("nominees") or "").splitlines():
            parts = [part.strip() for part in line.replace("｜", "|").split("|")]
            if not parts[0]:
                continue
            parts += [""] * (4 - len(parts))
            rows.append(
                NomineeIn(
                    name=parts[0],
                    office=parts[1] or "—",
                    action=actions.get(parts[2], NomineeAction.APPOINT),
                    nominated_by=parts[3],
                )
            )
        return rows


class HandsForm(forms.Form):
    yes = forms.IntegerField(label=_("For"), min_value=0, max_value=100_000)
    no = forms.IntegerField(label=_("Against"), min_value=0, max_value=100_000)
    abstain = forms.IntegerField(label=_("Abstentions"), min_value=0, max_value=100_000)


class OathForm(forms.Form):
    on = forms.DateField(label=_("Oath taken on"), widget=date_picker())
