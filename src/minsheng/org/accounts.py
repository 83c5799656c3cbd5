"""Sign-in throttling and password reset by one-time code (sent through the message backend)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from minsheng.core.conf import setting_int
from minsheng.core.errors import ValidationFailedError
from minsheng.core.events import event_record
from minsheng.core.messaging import message_send
from minsheng.org.models import User

RESET_CODE_SECONDS = 10 * 60
RESET_MAX_ATTEMPTS = 5


def _limits() -> tuple[int, int]:
    return setting_int("LOGIN_MAX_FAILURES"), setting_int("LOGIN_WINDOW_SECONDS")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _failure_keys(login: str, client_ip: str) -> list[str]:
    # Count per account and per address, so neither one account nor one machine can guess freely.
    return [f"login-fail:acct:{_digest(login.strip().lower())}", f"login-fail:ip:{_digest(client_ip)}"]


def login_is_throttled(*, login: str, client_ip: str) -> bool:
    max_failures, _window = _limits()
    return any(int(cache.get(key, 0)) >= max_failures for key in _failure_keys(login, client_ip))


def login_failure_note(*, login: str, client_ip: str) -> None:
    _max, window = _limits()
    for key in _failure_keys(login, client_ip):
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)


def login_failures_clear(*, login: str, client_ip: str) -> None:
    cache.delete_many(_failure_keys(login, client_ip))


def user_by_login(login: str) -> User | None:
    login = login.strip()
    if not login:
        return None
    return User.objects.filter(Q(username=login) | Q(phone=login), is_active=True).first()


@dataclass(frozen=True)
class ResetRequest:
    sent: bool


def _reset_key(user: User) -> str:
    return f"pwreset:{user.pk}"


def password_reset_request(*, login: str) -> ResetRequest:
    """Send a six-digit code to the account's phone or e-mail. Says nothing about whether it exists."""
    user = user_by_login(login)
    if user is None or not (user.phone or user.email):
        return ResetRequest(sent=False)
    code = f"{secrets.randbelow(1_000_000):06d}"
    cache.set(_reset_key(user), {"code": _digest(code), "attempts": 0}, timeout=RESET_CODE_SECONDS)
    message_send(
        to=user.phone or user.email,
        subject=_("Minsheng password reset"),
        body=_("Your Minsheng verification code is %(code)s. It is valid for 10 minutes.") % {"code": code},
    )
    return ResetRequest(sent=True)


def password_reset_confirm(*, login: str, code: str, new_password: str) -> User:
    """Check the code (at most RESET_MAX_ATTEMPTS tries) and set the new password."""
    user = user_by_login(login)
    stored = cache.get(_reset_key(user)) if user else None
    invalid = ValidationFailedError(_("The verification code is wrong or has expired."), field="code")
    if user is None or stored is None:
        raise invalid
    if stored["attempts"] >= RESET_MAX_ATTEMPTS:
        cache.delete(_reset_key(user))
        raise ValidationFailedError(_("Too many wrong codes. Request a new one."), field="code")
    if not hmac.compare_digest(stored["code"], _digest(code)):
        cache.set(
            _reset_key(user), {**stored, "attempts": stored["attempts"] + 1}, timeout=RESET_CODE_SECONDS
        )
        raise invalid
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        event_record(actor=user, verb="password_reset", target=user)
    cache.delete(_reset_key(user))
    return user
