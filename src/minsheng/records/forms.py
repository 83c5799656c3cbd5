"""Forms of the records app (the services check the text again: ``core.text.plain_text_checked``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.org.models import REPRESENTATIVE_ROLES, Body, Person
from minsheng.records.services import NOTE_MAX, REPORT_TEXT_MAX


class ReportTextForm(forms.Form):
    text = forms.CharField(
        label=_("Report text"),
        max_length=REPORT_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Your own account of the year; the figures come from the record."),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Why it goes back"), max_length=500)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class StartForm(forms.Form):
    body = forms.ModelChoiceField(label=_("Seat"), queryset=Body.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["body"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Body.objects.filter(
            memberships__person=person, memberships__role__in=REPRESENTATIVE_ROLES
        ).distinct()
