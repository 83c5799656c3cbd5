"""Writes of the org app: keyword-only, typed, atomic, and each leaves an Event."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minsheng.core.errors import PermissionDeniedError, ValidationFailedError
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.org.models import ApiToken, User
from minsheng.org.rules import has_admin_role

# A recognisable prefix lets secret scanners and people spot a leaked key.
API_KEY_PREFIX = "ms_"
API_TOKEN_NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 64
# Stamping every request would turn each API read into a write; once a minute is enough to audit use.
API_TOKEN_USE_RESOLUTION = dt.timedelta(minutes=1)


def api_key_hash(key: str) -> str:
    """What is stored for a key: its SHA-256 in hex (the key itself is shown once and never kept)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _may_manage_tokens_of(actor: User | None, user: User) -> bool:
    # ``None`` is the system: an operator at the server's command line.
    return actor is None or actor.pk == user.pk or bool(has_admin_role(actor))


def api_token_create(*, actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a bearer token for ``user``. Returns the token and its plain key, which is never stored."""
    if not _may_manage_tokens_of(actor, user):
        raise PermissionDeniedError(_("You may create API tokens only for your own account."))
    name = name.strip()
    if not name:
        raise ValidationFailedError(
            _("Give the token a name, such as the program that will use it."), field="name"
        )
    if len(name) > API_TOKEN_NAME_MAX_LENGTH:
        raise ValidationFailedError(
            _("The token name must be at most %(max)s characters long."),
            field="name",
            params={"max": API_TOKEN_NAME_MAX_LENGTH},
        )
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, key_hash=api_key_hash(key))
        event_record(actor=actor, verb="api_token_created", target=token, payload={"name": name})
    return token, key


def api_token_revoke(*, actor: User | None, token: ApiToken) -> None:
    """Delete the token so that its key stops working; the Event keeps the record that it existed."""
    if not _may_manage_tokens_of(actor, token.user):
        raise PermissionDeniedError(_("You may revoke only your own API tokens."))
    with transaction.atomic():
        event_record(
            actor=actor,
            verb="api_token_revoked",
            target=token,
            payload={"name": token.name, "user": token.user_id},
        )
        token.delete()


def api_token_mark_used(*, token: ApiToken, now: dt.datetime | None = None) -> bool:
    """Stamp ``last_used_at``, at most once per minute. Returns whether the row was written.

    Bookkeeping, not a change of the domain: it leaves no Event (one per request would flood the log).
    One conditional UPDATE, so concurrent requests never race or block each other for long.
    """
    now = now or timezone.now()
    if token.last_used_at is not None and token.last_used_at >= now - API_TOKEN_USE_RESOLUTION:
        return False  # stamped within the minute, as read with the token: no write (SQLite's lock) at all
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - API_TOKEN_USE_RESOLUTION)
    written = ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    if written:
        token.last_used_at = now
    return bool(written)


def api_tokens_revoke_all(*, actor: User | None, user: User, reason: str) -> int:
    """Delete every API token of ``user`` (after a password reset, say). Returns how many.

    Participant tokens that were joined with one of them die with it (they are tied to their API token).
    """
    if not _may_manage_tokens_of(actor, user):
        raise PermissionDeniedError(_("You may revoke only your own API tokens."))
    with transaction.atomic():
        tokens = list(rows_locked(ApiToken).filter(user=user))
        for token in tokens:
            event_record(
                actor=actor,
                verb="api_token_revoked",
                target=token,
                payload={"name": token.name, "user": user.pk, "reason": reason},
            )
        ApiToken.objects.filter(pk__in=[token.pk for token in tokens]).delete()
    return len(tokens)
