"""Receipt codes: what a person without an account keeps to find again what they sent — a voice's
tracking code, an opinion's or a consultation statement's receipt.

A code is 10 characters of an alphabet without look-alikes (no 0/O, no 1/I): 32 symbols × 10 places,
50 bits, never guessed in practice; and the look-up asks for the mobile number too and counts failures
per client, so that nobody can walk through codes. What a person types is read kindly (spaces,
hyphens, case ignored).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from minsheng.core.errors import DomainError, NotFoundError, RateLimitedError, ValidationFailedError
from minsheng.core.throttle import client_ip, throttle_count, throttle_refuse_if_exceeded
from minsheng.core.verification import mobile_normalise

RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 10
RECEIPT_MAX_LENGTH = 16  # the database column: room for longer codes later
LOOKUP_FAILURES_PER_CLIENT = 10
LOOKUP_WINDOW_SECONDS = 15 * 60

FoundT = TypeVar("FoundT")


def receipt_code_new() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def receipt_code_normalise(code: str) -> str:
    """What a person types, read kindly: spaces, hyphens and case ignored."""
    return "".join(ch for ch in (code or "").upper() if ch.isascii() and ch.isalnum())[:RECEIPT_MAX_LENGTH]


def receipt_lookup(
    *, scope: str, client: str, find: Callable[[], FoundT | None], not_found: str | Promise
) -> FoundT:
    """Run ``find`` (code and number already read); a miss counts against ``client`` in ``scope``.

    After LOOKUP_FAILURES_PER_CLIENT misses in the window every look-up of the scope is refused
    (``RateLimitedError``); a miss is a ``NotFoundError`` that does not say which part was wrong.
    """
    key = f"{scope}:lookup-fail:{client}"
    throttle_refuse_if_exceeded(key, limit=LOOKUP_FAILURES_PER_CLIENT)
    found = find()
    if found is None:
        with contextlib.suppress(RateLimitedError):  # the refusal comes with the next look-up
            throttle_count(key, limit=LOOKUP_FAILURES_PER_CLIENT, seconds=LOOKUP_WINDOW_SECONDS)
        raise NotFoundError(str(not_found))
    return found


class ReceiptLookupForm(forms.Form):
    """A receipt code and the mobile number it was sent from: what opens a submission again."""

    code = forms.CharField(
        label=gettext_lazy("Receipt code"),
        max_length=20,
        error_messages={"required": gettext_lazy("Enter the receipt code.")},
    )
    phone = forms.CharField(
        label=gettext_lazy("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": gettext_lazy("Enter your mobile number.")},
    )


def receipt_number(typed: str) -> str:
    """The mobile number typed in a look-up, normalised; empty when it is no number (nothing is
    found then, and the miss counts like any other)."""
    try:
        return mobile_normalise(typed)
    except ValidationFailedError:
        return ""


@dataclass(frozen=True)
class ReceiptPage:
    form: ReceiptLookupForm
    found: Any
    status: int


def receipt_page(request: HttpRequest, lookup: Callable[..., Any]) -> ReceiptPage:
    """A look-up page's request: the form (the code may come in the link), and on a valid post what
    ``lookup(client=…, code=…, phone=…)`` finds, or the refusal in the form (404, or 429 when the
    client has missed too often)."""
    form = ReceiptLookupForm(request.POST or None, initial={"code": request.GET.get("code", "")[:20]})
    if request.method != "POST":
        return ReceiptPage(form, None, 200)
    if not form.is_valid():
        return ReceiptPage(form, None, 400)
    try:
        data = form.cleaned_data
        found = lookup(client=client_ip(request), code=data["code"], phone=data["phone"])
    except DomainError as refusal:
        form.add_error(None, str(refusal.message))
        return ReceiptPage(form, None, 429 if isinstance(refusal, RateLimitedError) else 404)
    return ReceiptPage(form, found, 200)
