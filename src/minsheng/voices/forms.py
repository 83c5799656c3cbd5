"""Forms of the voices app: they check shape and turn input into values; services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.core.attachments import ATTACHMENT, MAX_FILES
from minsheng.core.errors import ValidationFailedError
from minsheng.core.phone_flow import PhoneFields
from minsheng.core.validators import credit_code_normalise, validate_credit_code
from minsheng.core.verification import mobile_normalise
from minsheng.core.widgets import MultipleFileField, date_picker, time_picker
from minsheng.org.fields import UnitChoiceField
from minsheng.org.models import Body, Membership, Unit
from minsheng.voices.models import (
    ENTERPRISE_NAME_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Rating,
    ReceptionDay,
    ReferralReason,
    ReplyRule,
    VoiceChannel,
    VoiceKind,
    VoiceStatus,
)

TEXT_ERRORS = {
    "required": _("Please write something here."),
    "max_length": _("At most %(limit_value)d characters (now %(show_value)d)."),
}


class SeatChoiceField(forms.ModelChoiceField):
    """A deputy's or member's seat, shown by the person's name."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.person.name)


class SeatMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.person.name)


def _phone_clean(value: str) -> str:
    try:
        return mobile_normalise(value)
    except ValidationFailedError as error:
        raise forms.ValidationError(error.message) from error


class VoiceSubmitForm(PhoneFields):
    """The resident's form: what, who (optional name) and a mobile number proven by a one-time code
    (``core.phone_flow``: the fields ``phone`` and ``code``, drawn by ``web/_phone_fields.html``)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=VoiceKind.choices, initial=VoiceKind.SUGGESTION)
    text = forms.CharField(
        label=_("Your message"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": TEXT_MAX_LENGTH}),
        error_messages=TEXT_ERRORS,
        help_text=_("Describe the matter, the place and what you hope for. Do not write ID numbers."),
    )
    name = forms.CharField(label=_("Name (optional)"), max_length=64, required=False)
    attachments = MultipleFileField(
        label=_("Photos or documents (optional)"),
        accept=ATTACHMENT.accept,
        help_text=_("At most %(count)s files, 10 MB each: images, PDF or Office documents.")
        % {"count": MAX_FILES},
    )
    enterprise_name = forms.CharField(
        label=_("Enterprise (for an enterprise's need)"),
        max_length=ENTERPRISE_NAME_MAX_LENGTH,
        required=False,
        help_text=_("Leave empty when you write as a resident."),
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=24,
        required=False,
        validators=[validate_credit_code],
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )

    field_order = ["kind", "text", "name", "attachments", "enterprise_name", "credit_code", "phone", "code"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name, code = data.get("enterprise_name", "").strip(), data.get("credit_code", "").strip()
        if name and not code and "credit_code" not in self.errors:
            self.add_error("credit_code", _("Give the enterprise's unified social credit code."))
        if code and not name:
            self.add_error("enterprise_name", _("Give the enterprise's name."))
        if code and "credit_code" not in self.errors:
            data["credit_code"] = credit_code_normalise(code)
        return data


class StaffEntryForm(forms.Form):
    """Station staff enter a visitor's voice on a reception day, on the person's behalf."""

    kind = forms.ChoiceField(label=_("Kind"), choices=VoiceKind.choices, initial=VoiceKind.SUGGESTION)
    text = forms.CharField(
        label=_("The visitor's matter"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=TEXT_ERRORS,
    )
    name = forms.CharField(label=_("Name (optional)"), max_length=64, required=False)
    phone = forms.CharField(label=_("Mobile number"), max_length=20)
    reception_day = forms.ModelChoiceField(
        label=_("Reception day"), queryset=ReceptionDay.objects.none(), required=False
    )
    addressed_to = SeatChoiceField(label=_("Received by"), queryset=Membership.objects.none(), required=False)
    attachments = MultipleFileField(label=_("Photos or documents (optional)"), accept=ATTACHMENT.accept)

    def __init__(self, *args: Any, days: Any = None, deputies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if days is not None:
            field = self.fields["reception_day"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = days
        if deputies is not None:
            field = self.fields["addressed_to"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = deputies

    def clean_phone(self) -> str:
        return _phone_clean(self.cleaned_data["phone"])


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"), max_length=20, error_messages={"required": _("Enter the tracking code.")}
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("Enter your mobile number.")},
    )

    def clean_phone(self) -> str:
        return _phone_clean(self.cleaned_data["phone"])


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("Your rating"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)


class _ActionForm(forms.Form):
    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)


class AnswerForm(_ActionForm):
    text = forms.CharField(
        label=_("Answer"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=TEXT_ERRORS,
    )


class ReplyForm(_ActionForm):
    text = forms.CharField(
        label=_("Reply of the unit"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages=TEXT_ERRORS,
    )


class ForwardForm(_ActionForm):
    unit = UnitChoiceField(label=_("Handling unit"))
    reply_rule = forms.ChoiceField(
        label=_("Reply deadline"), choices=ReplyRule.choices, initial=ReplyRule.COMPLAINT
    )
    instructions = forms.CharField(
        label=_("Instructions (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            field = self.fields["unit"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = units


class ReferForm(_ActionForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=ReferralReason.choices)
    note = forms.CharField(
        label=_("Where the person can turn (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(_ActionForm):
    into = forms.CharField(
        label=_("Tracking code of the voice it duplicates"),
        max_length=20,
        error_messages={"required": _("Enter the tracking code.")},
    )


class _ReasonForm(_ActionForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=TEXT_ERRORS,
    )


class ReturnForm(_ReasonForm):
    """The unit returns the work order: why it is not the unit's business."""


class ExtensionRequestForm(_ReasonForm):
    until = forms.DateField(label=_("Reply by (new date)"), widget=date_picker())

    field_order = ["until", "reason"]


class ExtendForm(_ReasonForm):
    until = forms.DateField(label=_("Reply by (new date)"), widget=date_picker())

    field_order = ["until", "reason"]


class RefuseExtensionForm(_ReasonForm):
    """Why the unit does not get more time."""


class VoiceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=50, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *VoiceStatus.choices], required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *VoiceKind.choices], required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All")), *VoiceChannel.choices], required=False
    )
    unit = UnitChoiceField(label=_("Unit"), required=False, empty_label=_("All"))
    date_from = forms.DateField(label=_("Received from"), required=False, widget=date_picker())
    date_to = forms.DateField(label=_("Received until"), required=False, widget=date_picker())
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Unit.objects.order_by("jurisdiction__code", "kind", "name")


class ReceptionDayForm(forms.Form):
    station = forms.ModelChoiceField(label=_("Station"), queryset=Body.objects.none())
    date = forms.DateField(label=_("Date"), widget=date_picker())
    start_time = forms.TimeField(label=_("Starts at"), widget=time_picker())
    end_time = forms.TimeField(label=_("Ends at"), widget=time_picker())
    place = forms.CharField(label=_("Place"), max_length=200)
    deputies = SeatMultipleChoiceField(
        label=_("Receiving deputies"), queryset=Membership.objects.none(), required=False
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)

    def __init__(self, *args: Any, stations: Any = None, deputies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        station_field = self.fields["station"]
        deputies_field = self.fields["deputies"]
        assert isinstance(station_field, forms.ModelChoiceField)
        assert isinstance(deputies_field, forms.ModelMultipleChoiceField)
        if stations is not None:
            station_field.queryset = stations
        if deputies is not None:
            deputies_field.queryset = deputies


class SocialReportForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    text = forms.CharField(
        label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}), error_messages=TEXT_ERRORS
    )
    source_label = forms.CharField(label=_("Source (optional)"), max_length=200, required=False)
