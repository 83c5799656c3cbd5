"""Forms of the org app: sign-in, password reset, directory search."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from minsheng.org.selectors import MAX_QUERY_LENGTH, DirectoryKind


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
