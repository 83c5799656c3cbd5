"""Masking of personal data (DESIGN.md convention 7): phones, ID numbers, e-mail addresses.

What is masked, and how (masked characters become ``*``; separators and length are kept):

- mainland mobile numbers ``1[3-9]x xxxx xxxx``, with or without ``+86``/``0086``/``86`` and with
  spaces or hyphens between the groups: the first 3 and last 4 digits stay (``138****5678``);
- landlines with an area code (``0519-86681234``, ``(010) 12345678``, ``051986681234``): the area
  code stays, the local number is hidden (``0519-********``);
- long numbers of 15 digits or more, optionally ending in ``X`` (18- and 15-digit resident ID
  numbers, bank cards): the first 3 and last 3 characters stay. A run that has the shape of an ID
  number but a wrong check digit is masked all the same: it is most likely a mistyped ID number, and
  hiding a harmless number costs less than showing a real one. ``id_number_is_valid`` is the check
  for input validation;
- e-mail addresses: the first character of the local part stays (``z***@example.com``).

Free text is scanned with full-width digits and symbols (``１３８``, ``＋８６``) read as their ASCII
twins, and numbers are recognised next to Chinese characters (``电话13812345678联系``), because a
Chinese word is not a word boundary for a digit. A number inside a longer run of digits is not a phone
number and is left alone unless the whole run is long enough to be masked as a long number; numbers
of 12–14 digits that are not landlines (order numbers, timestamps) are left as they are.
Masking is idempotent: masking masked text changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re

MASK = "*"

# Full-width digits, plus sign, hyphen, parentheses and space, read as ASCII: one character each,
# so positions in the normalised text are positions in the original.
_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９＋－（）　ｘＸ",
    "0123456789+-() xX",
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"

_SEP = r"[-\s]?"
_TEXT_PATTERN = re.compile(
    r"""
    (?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})
    | (?<![0-9])(?P<long>[0-9]{15,}[Xx]?)(?![0-9])
    | (?<![0-9+])(?P<mobile_prefix>(?:\+|00)?86[-\s]?)?
      (?P<mobile>1[3-9][0-9]{sep}[0-9]{4}{sep}[0-9]{4})(?![0-9])
    | (?<![0-9])(?P<landline_area>\(?0(?:10|2[0-9]|[3-9][0-9]{2})\)?)(?P<landline_sep>[-\s]?)
      (?P<landline>[1-9][0-9]{2,3}[-\s]?[0-9]{4})(?![0-9])
    """.replace("{sep}", _SEP),
    re.VERBOSE,
)


def _normalise(text: str) -> str:
    return text.translate(_FULL_WIDTH)


def _mask_digits(text: str, *, keep_head: int, keep_tail: int) -> str:
    """Replace every digit (and a final ID check letter X) except the first ``keep_head`` and last
    ``keep_tail`` of them; other characters (separators, prefixes) stay as they are."""
    normalised = _normalise(text)
    last = len(normalised) - 1
    positions = [
        i
        for i, ch in enumerate(normalised)
        if ch in "0123456789" or (i == last and ch in "Xx" and normalised[i - 1 : i].isdigit())
    ]
    hidden = set(positions[keep_head : len(positions) - keep_tail if keep_tail else None])
    return "".join(MASK if i in hidden else ch for i, ch in enumerate(text))


def _mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    # A phone number can hide in the domain too (a@13812345678.cn); mask it there as in free text.
    return f"{local[:1]}{MASK * 3}@{mask_text(domain)}"


def _mask_match(match: re.Match[str], original: str) -> str:
    start, end = match.span()
    piece = original[start:end]
    if match.group("email"):
        return _mask_email(piece)
    if match.group("long"):
        return _mask_digits(piece, keep_head=3, keep_tail=3)
    if match.group("mobile"):
        prefix_length = len(match.group("mobile_prefix") or "")
        return piece[:prefix_length] + _mask_digits(piece[prefix_length:], keep_head=3, keep_tail=4)
    if match.group("landline"):
        local_start = match.start("landline") - start
        return piece[:local_start] + _mask_digits(piece[local_start:], keep_head=0, keep_tail=0)
    raise AssertionError(f"unexpected match {piece!r}")  # pragma: no cover


def mask_text(text: str) -> str:
    """Mask every phone number, ID-like number and e-mail address inside free text."""
    if not text:
        return text
    normalised = _normalise(text)
    parts: list[str] = []
    cursor = 0
    for match in _TEXT_PATTERN.finditer(normalised):
        parts.append(text[cursor : match.start()])
        parts.append(_mask_match(match, text))
        cursor = match.end()
    parts.append(text[cursor:])
    return "".join(parts)


def mask_phone(value: str) -> str:
    """A phone number field for public display: masked as in ``mask_text``; anything unrecognised
    keeps only its last 2 digits, because a phone field holds nothing that may be shown."""
    masked = mask_text(value)
    if masked != value or not any(ch.isdigit() for ch in value):
        return masked
    return _mask_digits(value, keep_head=0, keep_tail=2)


def mask_mobile(value: str) -> str:
    return mask_phone(value)


def mask_id_number(value: str) -> str:
    """An ID number field: first 3 and last 3 characters kept, whether its check digit is right or not."""
    return _mask_digits(value, keep_head=3, keep_tail=3)


def mask_email(value: str) -> str:
    return _mask_email(value) if "@" in value else mask_text(value)


def id_number_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID number (GB 11643)."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def id_number_is_valid(value: str) -> bool:
    """An 18-character resident ID number: 17 digits, a real birth date, and the right check character."""
    number = _normalise(value.strip()).upper()
    if not re.fullmatch(r"[1-9][0-9]{16}[0-9X]", number):
        return False
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if birth.year < 1800:
        return False
    return id_number_check_char(number[:17]) == number[17]
