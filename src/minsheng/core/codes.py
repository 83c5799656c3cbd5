"""One-time codes (six digits, sent by SMS or e-mail): issued, then consumed once, with few tries.

Only a code's SHA-256 is stored (``core.OneTimeCode``). Every check first *claims a try* with one
conditional UPDATE (``tries < max_tries`` and not expired) and only then compares: simultaneous
guesses cannot all read the same count, so eight wrong codes sent at once spend eight tries (or find
the code void) and the right code after them is refused. A right code is consumed by deleting its
row, which one request only can do.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import secrets

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from minsheng.core.models import OneTimeCode

CODE_DIGITS = 6


class CodeCheck(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    """A try was spent and the code did not match."""
    EXHAUSTED = "exhausted"
    """The code is still there, but every try has been spent."""
    MISSING = "missing"
    """No live code under the key (never sent, expired, or already used)."""


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def code_issue(*, key: str, seconds: int) -> str:
    """A fresh random code under ``key`` (replacing any earlier one, tries back to zero)."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    expires_at = timezone.now() + dt.timedelta(seconds=seconds)
    with transaction.atomic():
        OneTimeCode.objects.update_or_create(
            key=key, defaults={"digest": _digest(code), "tries": 0, "expires_at": expires_at}
        )
    return code


def code_consume(*, key: str, code: str, max_tries: int) -> CodeCheck:
    """Spend one try on ``code``; ACCEPTED removes the code so that it works once."""
    now = timezone.now()
    live = OneTimeCode.objects.filter(key=key, expires_at__gt=now)
    if not live.filter(tries__lt=max_tries).update(tries=F("tries") + 1):
        return CodeCheck.EXHAUSTED if live.exists() else CodeCheck.MISSING
    stored = live.values_list("digest", flat=True).first()
    if stored is None:
        return CodeCheck.MISSING
    if not hmac.compare_digest(stored, _digest((code or "").strip())):
        return CodeCheck.WRONG
    deleted, _ = OneTimeCode.objects.filter(key=key, digest=stored).delete()
    return CodeCheck.ACCEPTED if deleted else CodeCheck.MISSING


def code_discard(*, key: str) -> None:
    OneTimeCode.objects.filter(key=key).delete()


def codes_prune(*, now: dt.datetime | None = None) -> int:
    """Delete expired codes. Returns how many."""
    deleted, _ = OneTimeCode.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
