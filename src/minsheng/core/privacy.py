"""Masking of personal data (DESIGN.md convention 7): phones, ID numbers, e-mail addresses.

What is masked, and how (masked characters become ``*``; separators and length are kept):

- mainland mobile numbers ``1[3-9]x xxxx xxxx``, with or without ``+86``/``0086``/``86``: the first 3
  and last 4 digits stay (``138****5678``);
- landlines with an area code (``0519-86681234``, ``(010) 12345678``, ``051986681234``): the area
  code stays, the local number is hidden (``0519-********``);
- long numbers of 15 digits or more, optionally ending in ``X`` (18- and 15-digit resident ID
  numbers, bank cards of 16–19 digits): the first 3 and last 3 characters stay. A run that has the
  shape of an ID number but a wrong check digit is masked all the same: it is most likely a mistyped
  ID number, and hiding a harmless number costs less than showing a real one. ``id_number_is_valid``
  is the check for input validation;
- e-mail addresses: the first character of the local part stays (``z***@example.com``).

People write numbers in many ways, and a masker that knows only one lets the others through. A
*digit* here is any character with a decimal value (ASCII, full-width ``１３８``, circled ``①``…) or
a Chinese numeral (``〇零一二三四五六七八九``, the spoken ``幺`` and the financial ``壹贰叁…``); a
number is a run of digits in which up to three *separators* may stand between two digits: spaces of
any kind, dots, hyphens and dashes (``-‐–—－``), underscores, slashes, middle dots, parentheses and
invisible characters. So ``139.1234.5678``, ``139—1234—5678``, ``139_1234_5678``, ``139  1234  5678``,
``1 3 9 1 2 3 4 5 6 7 8`` and ``一三九一二三四五六七八`` are all the same mobile number (a number is
written in one script: Chinese numerals and decimal digits never join one run). A run is
judged whole first; if it is none of the above, each stretch of its separated groups is tried, so a
phone number written next to another number (``编号 7 139 1234 5678``) is still found.

A single unbroken run of 12–14 digits that is not a landline (order numbers, timestamps, case
numbers) is left as it is, and so is a mobile number inside it: there the digits say nothing about
where a phone number would start. Masking is idempotent: masking masked text changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence

from minsheng.core.text import is_invisible

MASK = "*"

# Full-width digits, plus sign, hyphen, parentheses and space, read as ASCII: one character each,
# so positions in the normalised text are positions in the original.
_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９＋－（）　ｘＸ",
    "0123456789+-() xX",
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_CHINESE_NUMERALS = {
    **dict.fromkeys("〇零", "0"),
    **{ch: str(value) for value, ch in enumerate("〇一二三四五六七八九") if value},
    "幺": "1",
    **{ch: str(value) for value, ch in enumerate("零壹贰叁肆伍陆柒捌玖") if value},
    **{ch: str(value) for value, ch in enumerate("零壹貳參肆伍陸柒捌玖") if value},
}
_SEPARATORS = frozenset(" .-_/\\()·・‐‑‒–—―－．＿／（）")
MAX_SEPARATORS = 3
"""Separator characters allowed between two digits of one number (``139  1234`` has two)."""

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_AREA_CODE = re.compile(r"0(?:10|2[0-9]|[3-9][0-9]{2})")
LONG_NUMBER_DIGITS = 15


def digit_value(ch: str) -> str | None:
    """The decimal digit a character stands for ("8" for "8", "８", "⑧" and "八"), else None."""
    if ch in _CHINESE_NUMERALS:
        return _CHINESE_NUMERALS[ch]
    value = unicodedata.digit(ch, None)
    return None if value is None else str(value)


def _is_separator(ch: str) -> bool:
    return ch in _SEPARATORS or ch.isspace() or is_invisible(ch)


def _normalise(text: str) -> str:
    return text.translate(_FULL_WIDTH)


def _script(ch: str) -> str:
    return "chinese" if ch in _CHINESE_NUMERALS else "decimal"


def _runs(text: str) -> list[list[list[int]]]:
    """The numbers in ``text``: each a list of groups (digits not parted by separators) of positions.

    A number is written in one script: Chinese numerals and decimal digits do not mix, so that a word
    like 一起 right after ``13812345678`` is not read as its twelfth digit. In Chinese numerals each
    numeral is its own group: nobody writes an order number in them, so any stretch may be a number.
    A final ``X`` after the 14th or 17th digit (an ID number's check character) joins the last group.
    """
    runs: list[list[list[int]]] = []
    i, size = 0, len(text)
    while i < size:
        if digit_value(text[i]) is None:
            i += 1
            continue
        script = _script(text[i])

        def same_script_digit(ch: str, script: str = script) -> bool:
            return digit_value(ch) is not None and _script(ch) == script

        groups: list[list[int]] = [[i]]
        i += 1
        while i < size:
            if same_script_digit(text[i]):
                if script == "chinese":
                    groups.append([i])
                else:
                    groups[-1].append(i)
                i += 1
                continue
            j = i
            while j < size and j - i < MAX_SEPARATORS and _is_separator(text[j]):
                j += 1
            if j > i and j < size and same_script_digit(text[j]):
                groups.append([j])
                i = j + 1
                continue
            break
        digit_count = sum(len(group) for group in groups)
        if i < size and text[i] in "Xx" and digit_count in (14, 17):
            groups[-1].append(i)
            i += 1
        runs.append(groups)
    return runs


def _hidden_in(groups: Sequence[list[int]], digits: str) -> list[int] | None:
    """The positions to hide if ``groups`` (whose digits are ``digits``) form a whole number, else None."""
    positions = [p for group in groups for p in group]
    for prefix in ("", "86", "0086"):
        if digits.startswith(prefix) and _MOBILE.fullmatch(digits[len(prefix) :]):
            return positions[len(prefix) + 3 : len(prefix) + 7]
    if len(positions) >= LONG_NUMBER_DIGITS:
        return positions[3:-3]
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        if len(groups) > 1 and 3 <= len(groups[0]) <= 4:
            area = len(groups[0])
        else:
            found = _AREA_CODE.match(digits)
            area = found.end() if found else 0
        local = digits[area:]
        if area and 7 <= len(local) <= 8 and local[0] != "0":
            return positions[area:]
    return None


def _hidden_positions(text: str) -> set[int]:
    hidden: set[int] = set()
    for groups in _runs(text):
        values = ["X" if text[p] in "Xx" else (digit_value(text[p]) or "") for group in groups for p in group]
        whole = _hidden_in(groups, "".join(values))
        if whole is not None:
            hidden.update(whole)
            continue
        # Not one number as a whole: try each stretch of groups, leftmost and shortest first.
        start = 0
        while start < len(groups):
            for end in range(start + 1, len(groups) + 1):
                stretch = groups[start:end]
                digits = "".join(digit_value(text[p]) or "X" for group in stretch for p in group)
                if len(digits) >= LONG_NUMBER_DIGITS:
                    break
                found = _hidden_in(stretch, digits) if end - start < len(groups) else None
                if found is not None:
                    hidden.update(found)
                    start = end - 1
                    break
            start += 1
    return hidden


def _mask_numbers(text: str) -> str:
    hidden = _hidden_positions(text)
    if not hidden:
        return text
    return "".join(MASK if i in hidden else ch for i, ch in enumerate(text))


def _mask_digits(text: str, *, keep_head: int, keep_tail: int) -> str:
    """Replace every digit (and a final ID check letter X) except the first ``keep_head`` and last
    ``keep_tail`` of them; other characters (separators, prefixes) stay as they are."""
    last = len(text) - 1
    positions = [
        i
        for i, ch in enumerate(text)
        if digit_value(ch) is not None
        or (i == last and ch in "XxＸｘ" and digit_value(text[i - 1 : i] or "a") is not None)
    ]
    hidden = set(positions[keep_head : len(positions) - keep_tail if keep_tail else None])
    return "".join(MASK if i in hidden else ch for i, ch in enumerate(text))


def _mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    # A phone number can hide in the domain too (a@13812345678.cn); mask it there as in free text.
    return f"{local[:1]}{MASK * 3}@{mask_text(domain)}"


def mask_text(text: str) -> str:
    """Mask every phone number, ID-like number, bank-card number and e-mail address in free text."""
    if not text:
        return text
    parts: list[str] = []
    cursor = 0
    for match in _EMAIL.finditer(_normalise(text)):
        parts.append(_mask_numbers(text[cursor : match.start()]))
        parts.append(_mask_email(text[match.start() : match.end()]))
        cursor = match.end()
    parts.append(_mask_numbers(text[cursor:]))
    return "".join(parts)


def mask_names(text: str, names: Iterable[str]) -> str:
    """``text`` with each of ``names`` (private persons) shown as its first character and ``*``s
    (张三丰 → 张**). Longer names first, so that 张三丰 is not left as 张三* by 张三."""
    for name in sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, name[0] + MASK * (len(name) - 1))
    return text


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
