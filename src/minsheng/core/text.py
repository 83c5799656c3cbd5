"""Checks for the plain text people type: one rule and one set of messages for every app.

Text is stored and shown as plain text (templates escape it), so markup is refused rather than
silently changed: the person sees why and can rewrite it. Control characters are invisible and never
typed (they come with pasted text, or from a hostile client; PostgreSQL cannot even store NUL), so
they are dropped rather than refused. So are the other invisible characters (``is_invisible``): bidi
controls such as U+202E, which make "gpj.exe" read "exe.jpg" and reorder a phone number, zero-width
spaces and joiners, which hide words from search and masking, and lone surrogates, which no database
can store. Windows line ends and the Unicode line and paragraph separators become ``\\n``.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from minsheng.core.errors import ValidationFailedError

MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>|javascript\s*:", re.IGNORECASE)
"""A tag (opened and closed: "a <b" in a formula is text) or a script URL."""


# Unicode categories dropped whole: controls (Cc, except newline and tab), format characters (Cf:
# bidi embeddings, overrides, isolates and marks, zero-width space/joiners, word joiner, BOM, soft
# hyphen, tag characters) and surrogates (Cs).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
# Letters and marks that render as nothing (fillers, the combining grapheme joiner, Khmer inherent
# vowels, Mongolian free variation selectors): used to make two strings look alike.
_INVISIBLE_EXTRA = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0")
_LINE_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n", "\u0085": "\n"})


def is_invisible(ch: str) -> bool:
    """A character that shows nothing (or reorders what is shown) and that nobody types on purpose."""
    if ch in "\n\t":
        return False
    return ch in _INVISIBLE_EXTRA or unicodedata.category(ch) in _INVISIBLE_CATEGORIES


def invisible_removed(text: str) -> str:
    """``text`` with line ends made ``\\n`` and every invisible character (``is_invisible``) dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_BREAKS)
    return "".join(ch for ch in text if not is_invisible(ch))


def plain_text_checked(
    value: str | None,
    *,
    field: str,
    max_length: int,
    label: str | Promise | None = None,
    required: bool = True,
) -> str:
    """``value`` trimmed, or a ValidationFailedError naming ``field`` (and ``label`` in the message)."""
    text = invisible_removed(value or "").strip()
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
