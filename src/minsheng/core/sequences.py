"""Numbers handed out in order, once each, under a key (``core.NumberSequence``).

``sequence_next`` increments the key's row with one ``UPDATE`` (which locks it until the transaction
ends), so concurrent callers queue on that row and each gets its own number; a rolled-back transaction
gives its number back. Counting the numbered records instead (``count + 1``) hands out a number twice
once a numbered record is deleted. The first call for a key starts after ``floor()``, the highest number
already in use (records numbered before the sequence existed, imported or seeded in bulk).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.db import IntegrityError, transaction
from django.db.models import F

from minsheng.core.models import NumberSequence

_DIGITS = re.compile(r"\d+")


def sequence_next(*, key: str, floor: Callable[[], int]) -> int:
    """The next number under ``key``. Call inside the transaction that stores it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next must run inside the transaction that uses the number.")
    if not NumberSequence.objects.filter(key=key).update(last=F("last") + 1):
        try:
            with transaction.atomic():  # a savepoint: another caller may create the row first
                NumberSequence.objects.create(key=key, last=floor() + 1)
        except IntegrityError:
            NumberSequence.objects.filter(key=key).update(last=F("last") + 1)
    return NumberSequence.objects.filter(key=key).values_list("last", flat=True).get()


def highest_number_in(texts: Iterable[str]) -> int:
    """The highest number written in ``texts`` (e.g. "建议第12号" → 12), 0 when there is none."""
    return max((int(found) for text in texts for found in _DIGITS.findall(text or "")), default=0)
