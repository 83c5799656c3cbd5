"""Identifiers people type that carry their own check: validated once, here, for every app.

Unified social credit code (统一社会信用代码, GB 32100-2015)
    18 characters from the 31-character set ``0-9 A-H J-N P-R T U W-Y`` (no I, O, S, V, Z): the
    registering authority (1 character), the kind of organisation (1), the administrative division
    code (6 digits), the organisation code (9) and a check character. The check character is
    ``31 − (Σ value(cᵢ) × 3ⁱ mod 31) mod 31`` over the first 17 characters (i = 0…16, weights
    3ⁱ mod 31), written with the same character set.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from minsheng.core.errors import ValidationFailedError

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_LENGTH = 18
_CREDIT_CODE_VALUES = {ch: value for value, ch in enumerate(CREDIT_CODE_ALPHABET)}
_CREDIT_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(CREDIT_CODE_LENGTH - 1))
# Full-width letters and digits (typed with a Chinese input method) read as their ASCII twins.
_FULL_WIDTH = {0xFF10 + i: 0x30 + i for i in range(10)} | {0xFF21 + i: 0x41 + i for i in range(26)}


def credit_code_normalise(value: str | None) -> str:
    """What a person typed, read kindly: spaces and hyphens dropped, full-width and lower case folded."""
    text = (value or "").translate(_FULL_WIDTH).upper()
    return "".join(ch for ch in text if ch not in " -\u3000\t")


def credit_code_check_character(first17: str) -> str:
    total = sum(
        _CREDIT_CODE_VALUES[ch] * weight for ch, weight in zip(first17, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(value: str | None) -> str | None:
    """Why ``value`` is not a valid unified social credit code, in the user's language; None when it is."""
    code = credit_code_normalise(value)
    if len(code) != CREDIT_CODE_LENGTH:
        return _("A unified social credit code has 18 characters (this one has %(count)s).") % {
            "count": len(code)
        }
    wrong = [ch for ch in code if ch not in _CREDIT_CODE_VALUES]
    if wrong:
        return _("“%(char)s” cannot appear in a unified social credit code.") % {"char": wrong[0]}
    if not code[2:8].isdigit():
        return _("Characters 3 to 8 of a unified social credit code are the division code (digits).")
    if credit_code_check_character(code[:17]) != code[17]:
        return _("The unified social credit code is mistyped: its last character does not match the check.")
    return None


def credit_code_is_valid(value: str | None) -> bool:
    return credit_code_problem(value) is None


def credit_code_checked(value: str | None, *, field: str = "credit_code") -> str:
    """The normalised code, or a ValidationFailedError naming ``field`` (for services)."""
    problem = credit_code_problem(value)
    if problem is not None:
        raise ValidationFailedError(problem, field=field)
    return credit_code_normalise(value)


def validate_credit_code(value: str) -> None:
    """The same check as a Django validator (for form and model fields)."""
    problem = credit_code_problem(value)
    if problem is not None:
        raise ValidationError(problem, code="invalid_credit_code")
