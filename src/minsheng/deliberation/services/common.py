"""Helpers the deliberation services share: hashes of phones and tokens, throttles, permission checks."""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils.translation import gettext as _

from minsheng.core.actors import Actor
from minsheng.core.errors import (
    DomainError,
    PermissionDeniedError,
)
from minsheng.core.throttle import throttle_count

REASON_MAX_LENGTH = 300


def phone_hash(phone: str) -> str:
    """The stored form of a participant's number: enough to recognise them again, never to call them."""
    return hashlib.sha256(f"minsheng-deliberation:{phone}".encode()).hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def count_within_hour(key: str, limit: int) -> None:
    throttle_count(
        key,
        limit=limit,
        seconds=3600,
        message=_("You have written a lot in a short time."),
    )


def refusal_unless_perm(actor: Actor, permission: str, obj: Any) -> DomainError | None:
    """PermissionDeniedError (returned, for a guard) unless a signed-in ``actor`` holds ``permission``."""
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(permission, obj):
        return PermissionDeniedError()
    return None


def require_perm(actor: Actor, permission: str, obj: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(permission, obj):
        raise PermissionDeniedError()
