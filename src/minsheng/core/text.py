"""Checks for the plain text people type: one rule and one set of messages for every app.

Text is stored and shown as plain text (templates escape it), so markup is refused rather than
silently changed: the person sees why and can rewrite it. Control characters are invisible and never
typed (they come with pasted text, or from a hostile client; PostgreSQL cannot even store NUL), so
they are dropped rather than refused. Windows line ends become ``\\n``.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from minsheng.core.errors import ValidationFailedError

MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>|javascript\s*:", re.IGNORECASE)
"""A tag (opened and closed: "a <b" in a formula is text) or a script URL."""


def _without_control_characters(text: str) -> str:
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def plain_text_checked(
    value: str | None,
    *,
    field: str,
    max_length: int,
    label: str | Promise | None = None,
    required: bool = True,
) -> str:
    """``value`` trimmed, or a ValidationFailedError naming ``field`` (and ``label`` in the message)."""
    text = _without_control_characters((value or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if required and not text:
        message = (
            _("%(label)s must not be empty.") % {"label": label}
            if label
            else _("Please write something here.")
        )
        raise ValidationFailedError(message, field=field)
    if MARKUP.search(text):
        message = (
            _("%(label)s must not contain HTML tags or scripts.") % {"label": label}
            if label
            else _("Please remove HTML tags or scripts from the text.")
        )
        raise ValidationFailedError(message, field=field)
    if len(text) > max_length:
        numbers = {"label": label, "limit": max_length, "count": len(text)}
        message = (
            _("%(label)s may be at most %(limit)s characters long (now %(count)s).") % numbers
            if label
            else _("At most %(limit)s characters (now %(count)s).") % numbers
        )
        raise ValidationFailedError(message, field=field)
    return text
