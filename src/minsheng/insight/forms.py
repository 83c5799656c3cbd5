from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.org.models import Unit


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Category"), max_length=50)
    units = forms.ModelMultipleChoiceField(
        label=_("Handling units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            field = self.fields["units"]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = units


class HotForwardForm(forms.Form):
    rank = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    unit = forms.ModelChoiceField(label=_("Handling unit"), queryset=Unit.objects.none())
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


class TextCheckForm(forms.Form):
    """What the live panels (similar items, reply flags) receive from the page being typed on."""

    text = forms.CharField(max_length=20000, required=False)
    title = forms.CharField(max_length=500, required=False)


class SupportForm(forms.Form):
    phone = forms.CharField(label=_("Mobile phone"), max_length=20)
    code = forms.CharField(label=_("Verification code"), max_length=10, required=False)
