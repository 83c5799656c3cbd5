"""Sign-in throttling and password reset by one-time code (sent through the message backend).

Every limit counts per *account*, whatever identifier was typed (username or mobile number), and per
client address; an identifier that names no account is counted under its own key, so that the answers
(and the limits reached) are the same for existing and non-existing accounts at every step.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth import password_validation
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from minsheng.core.codes import CodeCheck, code_consume, code_discard, code_issue
from minsheng.core.conf import setting_int
from minsheng.core.errors import RateLimitedError, ValidationFailedError
from minsheng.core.events import event_record
from minsheng.core.messaging import message_send
from minsheng.core.throttle import counter_add, counter_value, counters_clear, throttle_count
from minsheng.org.models import User
from minsheng.org.services import api_tokens_revoke_all

RESET_CODE_SECONDS = 10 * 60
RESET_WINDOW_SECONDS = 60 * 60
RESET_MAX_ATTEMPTS = 5
"""Wrong reset codes allowed per account per window, across every code sent in it."""
RESET_REQUESTS_PER_ACCOUNT = 3
RESET_REQUESTS_PER_CLIENT = 10


def _limits() -> tuple[int, int]:
    return setting_int("LOGIN_MAX_FAILURES"), setting_int("LOGIN_WINDOW_SECONDS")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def user_by_login(login: str) -> User | None:
    """The account a username or mobile number names (active or not), as the sign-in backend finds it."""
    login = login.strip()
    if not login:
        return None
    return User.objects.filter(Q(username=login) | Q(phone=login)).order_by("pk").first()


def account_key(login: str) -> str:
    """The account's own key ("user:<id>") whichever identifier named it, else one for the text typed."""
    user = user_by_login(login)
    return f"user:{user.pk}" if user is not None else f"login:{_digest(login.strip().lower())}"


# ---------------------------------------------------------------------------------------------------
# Sign-in
# ---------------------------------------------------------------------------------------------------


def _failure_keys(login: str, client_ip: str) -> list[str]:
    # Per account and per address, so that neither one account nor one machine can guess freely.
    return [f"login-fail:{account_key(login)}", f"login-fail:ip:{_digest(client_ip)}"]


def login_refuse_if_throttled(*, login: str, client_ip: str) -> None:
    """RateLimitedError (saying when to try again) once the account or the address reached the limit."""
    max_failures, _window = _limits()
    for key in _failure_keys(login, client_ip):
        counted = counter_value(key)
        if counted is not None and counted.count >= max_failures:
            raise RateLimitedError(_("Too many failed sign-ins."), retry_at=counted.window_ends)


def login_is_throttled(*, login: str, client_ip: str) -> bool:
    try:
        login_refuse_if_throttled(login=login, client_ip=client_ip)
    except RateLimitedError:
        return True
    return False


def login_failure_note(*, login: str, client_ip: str) -> None:
    _max, window = _limits()
    for key in _failure_keys(login, client_ip):
        counter_add(key, seconds=window)


def login_failures_clear(*, login: str, client_ip: str) -> None:
    # Only the account's count: a machine that guessed at other accounts stays counted.
    counters_clear(_failure_keys(login, client_ip)[0])


# ---------------------------------------------------------------------------------------------------
# Password reset
# ---------------------------------------------------------------------------------------------------


def _reset_code_key(account: str) -> str:
    return f"pwreset:{account}"


def password_reset_request(*, login: str, client_ip: str = "") -> None:
    """Send a six-digit code to the account's phone or e-mail.

    The caller answers the same whether or not the account exists; the limits (per account or typed
    identifier, and per address) are reached alike, and then say when to try again.
    """
    account = account_key(login)
    limit_message = _("Too many password reset requests.")
    if client_ip:
        throttle_count(
            f"pwreset-requests:ip:{_digest(client_ip)}",
            limit=RESET_REQUESTS_PER_CLIENT,
            seconds=RESET_WINDOW_SECONDS,
            message=limit_message,
        )
    throttle_count(
        f"pwreset-requests:{account}",
        limit=RESET_REQUESTS_PER_ACCOUNT,
        seconds=RESET_WINDOW_SECONDS,
        message=limit_message,
    )
    user = user_by_login(login)
    if user is None or not user.is_active or not (user.phone or user.email):
        return
    code = code_issue(key=_reset_code_key(account), seconds=RESET_CODE_SECONDS)
    message_send(
        to=user.phone or user.email,
        subject=_("Minsheng password reset"),
        body=_("Your Minsheng verification code is %(code)s. It is valid for 10 minutes.") % {"code": code},
    )


def password_reset_confirm(*, login: str, code: str, new_password: str) -> User:
    """Check the code and set the new password; revoke the account's API tokens.

    Tries are counted per account across every code sent in the window (asking for a new code does not
    give new tries), before the code is compared, so that simultaneous guesses are all counted.
    """
    account = account_key(login)
    tries = counter_add(f"pwreset-tries:{account}", seconds=RESET_WINDOW_SECONDS)
    if tries.count > RESET_MAX_ATTEMPTS:
        code_discard(key=_reset_code_key(account))
        raise RateLimitedError(
            _("Too many wrong codes. Request a new one."), retry_at=tries.window_ends, field="code"
        )
    user = user_by_login(login)
    outcome = code_consume(key=_reset_code_key(account), code=code, max_tries=RESET_MAX_ATTEMPTS)
    if user is None or not user.is_active or outcome is not CodeCheck.ACCEPTED:
        raise ValidationFailedError(_("The verification code is wrong or has expired."), field="code")
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        event_record(actor=user, verb="password_reset", target=user)
        # Whoever knew the old password may have made tokens with it: they stop working too.
        api_tokens_revoke_all(actor=user, user=user, reason="password_reset")
    counters_clear(f"pwreset-tries:{account}")
    return user
