"""One way to prove a mobile number, for every form a person without an account sends: a voice, an
opinion on a draft, taking part in a consultation.

The phone and code fields belong to the app's own form (``PhoneFields``), next to what the person
writes, and are drawn by one template (``web/_phone_fields.html``). Its "send code" button posts the
whole form with ``action=send_code``: the page comes back with everything typed kept and the code on
its way (``phone_code_request``). The form's own button then proves the number with that code
(``phone_proven``), once per visit: a number proven here is remembered in the session for half an
hour, and a signed-in person's own account number needs no code. The counters and the "try again at"
message live in ``core.verification``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.core.errors import DomainError, RateLimitedError, ValidationFailedError
from minsheng.core.throttle import client_ip
from minsheng.core.verification import (
    mobile_normalise,
    phone_code_check,
    phone_code_send,
    phone_session_remember,
    phone_session_verified,
)

SEND_CODE = "send_code"


class PhoneFields(forms.Form):
    """The phone and code fields of a form a person without an account sends (mix into the app's form).

    ``phone`` is optional here: the view decides whether this person must prove a number (signed-in
    people usually need not)."""

    phone = forms.CharField(
        label=gettext_lazy("Mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_phone(self) -> str:
        value = (self.cleaned_data.get("phone") or "").strip()
        if not value:
            return ""
        try:
            return mobile_normalise(value)
        except ValidationFailedError as error:
            raise forms.ValidationError(str(error.message)) from error


def phone_send_requested(request: HttpRequest) -> bool:
    """The person pressed "send code" (not the form's own button)."""
    return request.method == "POST" and request.POST.get("action") == SEND_CODE


def _form_error(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


def phone_code_request(request: HttpRequest, form: PhoneFields, *, purpose: str) -> int:
    """Send a code to the number in ``form``; the rest of the form is shown back as typed, without its
    errors (they are not the point yet). Returns the HTTP status for the page."""
    form.is_valid()
    phone_errors = form.errors.get("phone")
    form.errors.clear()
    number = form.cleaned_data.get("phone", "") if hasattr(form, "cleaned_data") else ""
    if phone_errors or not number:
        form.add_error("phone", phone_errors[0] if phone_errors else _("Enter your mobile number."))
        return 400
    try:
        phone_code_send(phone=number, purpose=purpose, client_ip=client_ip(request))
    except DomainError as error:
        _form_error(form, error)
        return 429 if isinstance(error, RateLimitedError) else 400
    messages.info(request, _("A verification code was sent to your phone. It is valid for 10 minutes."))
    return 200


def phone_proven(request: HttpRequest, form: PhoneFields, *, purpose: str) -> str:
    """The number this submission proves, or ``ValidationFailedError`` naming the field to fix.

    Proven: the signed-in person's account number, the number this browser proved in the last half
    hour, or the number with the code typed now (then remembered for the visit). With no number
    typed, the number proven in this visit is used."""
    typed = form.cleaned_data.get("phone", "")
    remembered = phone_session_verified(request.session)
    own = getattr(request.user, "phone", None) if request.user.is_authenticated else None
    number = typed or remembered or ""
    if not number:
        raise ValidationFailedError(_("Enter your mobile number."), field="phone")
    if number in (remembered, own):
        return number
    code = form.cleaned_data.get("code", "")
    if not code:
        raise ValidationFailedError(_("Enter the verification code sent to your phone."), field="code")
    phone_code_check(phone=number, purpose=purpose, code=code)
    phone_session_remember(request.session, number)
    return number


def phone_context(request: HttpRequest) -> dict[str, Any]:
    """What ``web/_phone_fields.html`` shows besides the fields: the number already proven."""
    return {"verified_phone": phone_session_verified(request.session)}
