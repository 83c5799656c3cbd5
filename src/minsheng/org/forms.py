"""Forms of the org app: sign-in, password reset, directory search."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from minsheng.org.models import Unit, UnitKind
from minsheng.org.selectors import MAX_QUERY_LENGTH, DirectoryKind


class _UnitsByKind(forms.models.ModelChoiceIterator):
    """Units as option groups, one per kind, in the order of ``UnitKind``."""

    def __iter__(self) -> Iterator[Any]:
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        groups: dict[str, list[Any]] = {}
        for unit in self.queryset:
            groups.setdefault(unit.kind, []).append(self.choice(unit))
        order = list(UnitKind.values)
        for kind in sorted(groups, key=lambda k: order.index(k) if k in order else len(order)):
            yield (str(UnitKind(kind).label) if kind in order else kind, groups[kind])


class UnitChoiceField(forms.ModelChoiceField):
    """A handling unit from a list grouped by kind (departments, judicial organs, township
    governments), which the browser lets the user filter by typing (``data-filter``, web/site.js):
    forty-odd units in one flat list are hard to scan, most of all on a phone."""

    iterator = _UnitsByKind

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Unit.objects.none())
        kwargs.setdefault(
            "widget", forms.Select(attrs={"data-filter": _("Type part of a unit's name to narrow the list")})
        )
        super().__init__(*args, **kwargs)


class LoginForm(forms.Form):
    login = forms.CharField(
        label=_("Username or mobile number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ResetRequestForm(forms.Form):
    login = forms.CharField(label=_("Username or mobile number"), max_length=150)


class ResetConfirmForm(forms.Form):
    login = forms.CharField(label=_("Username or mobile number"), max_length=150)
    code = forms.RegexField(
        label=_("Verification code"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("The verification code is six digits.")},
    )
    new_password = forms.CharField(
        label=_("New password"), max_length=128, strip=False, widget=forms.PasswordInput
    )

    def clean_new_password(self) -> str:
        password: str = self.cleaned_data["new_password"]
        password_validation.validate_password(password)
        return password


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, pinyin initials, constituency or sector"), max_length=MAX_QUERY_LENGTH, required=False
    )
    kind = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            (DirectoryKind.ALL, _("Deputies and members")),
            (DirectoryKind.DEPUTIES, _("District deputies")),
            (DirectoryKind.MEMBERS, _("CPPCC members")),
        ],
    )
