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
from typing import TypeVar

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from minsheng.core.errors import NotFoundError, RateLimitedError
from minsheng.core.throttle import throttle_count, throttle_refuse_if_exceeded

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
