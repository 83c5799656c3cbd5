"""Mobile-number verification by one-time code, for people who act without an account.

A resident submitting a voice, commenting on a draft or joining a consultation proves they hold a
mainland mobile number: we send a six-digit code through the message backend; the code is kept
hashed (``core.codes``), expires, allows few tries, and works once. A verified number is remembered in
the session for a while so that one visit needs one code.

Sending is limited per number and per client address, each *per purpose* (a resident who used up the
voice codes can still comment on a draft), and the refusal says when to try again.
"""

from __future__ import annotations

import hashlib
import re
import time

from django.contrib.sessions.backends.base import SessionBase
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.core.codes import CodeCheck, code_consume, code_issue
from minsheng.core.errors import RateLimitedError, ValidationFailedError
from minsheng.core.messaging import message_send
from minsheng.core.throttle import throttle_count

CODE_SECONDS = 10 * 60
MAX_WRONG_CODES = 5
SENDS_PER_PHONE_PER_HOUR = 5
SENDS_PER_CLIENT_PER_HOUR = 20
SESSION_KEY = "verified_phone"
SESSION_SECONDS = 30 * 60

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-()（）]")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９＋", "0123456789+")

INVALID_MOBILE = gettext_lazy("Enter a valid mainland mobile number (11 digits starting with 1).")


def mobile_normalise(value: str) -> str:
    """The 11-digit form of a mainland mobile number, or ValidationFailedError."""
    compact = _SEPARATORS.sub("", (value or "").translate(_FULL_WIDTH_DIGITS))
    for prefix in ("+86", "0086"):
        compact = compact.removeprefix(prefix)
    if len(compact) == 13 and compact.startswith("86"):
        compact = compact[2:]
    if not _MOBILE.match(compact):
        raise ValidationFailedError(INVALID_MOBILE, field="phone")
    return compact


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _code_key(phone: str, purpose: str) -> str:
    return f"otp:{purpose}:{_digest(phone)[:32]}"


def _count_within_hour(key: str, limit: int) -> None:
    """Count one more attempt under ``key``; RateLimitedError once the hourly limit is reached."""
    throttle_count(key, limit=limit, seconds=3600, message=_("Too many codes were requested."))


def phone_code_send(*, phone: str, purpose: str, client_ip: str = "") -> str:
    """Send a fresh code to ``phone`` for ``purpose`` (e.g. "voice"). Returns the normalised number."""
    number = mobile_normalise(phone)
    _count_within_hour(f"otp-sends:{purpose}:phone:{_digest(number)[:32]}", SENDS_PER_PHONE_PER_HOUR)
    if client_ip:
        _count_within_hour(f"otp-sends:{purpose}:ip:{_digest(client_ip)[:32]}", SENDS_PER_CLIENT_PER_HOUR)
    code = code_issue(key=_code_key(number, purpose), seconds=CODE_SECONDS)
    message_send(
        to=number,
        subject=_("Minsheng verification code"),
        body=_("Your Minsheng verification code is %(code)s. It is valid for 10 minutes.") % {"code": code},
    )
    return number


def phone_code_check(*, phone: str, purpose: str, code: str) -> str:
    """Accept the code once; after MAX_WRONG_CODES tries the code is void. Returns the number."""
    number = mobile_normalise(phone)
    outcome = code_consume(key=_code_key(number, purpose), code=code, max_tries=MAX_WRONG_CODES)
    if outcome is CodeCheck.EXHAUSTED:
        raise RateLimitedError(_("Too many wrong codes. Request a new one."))
    if outcome is not CodeCheck.ACCEPTED:
        raise ValidationFailedError(_("The verification code is wrong or has expired."), field="code")
    return number


def phone_session_remember(session: SessionBase, phone: str) -> None:
    session[SESSION_KEY] = {"phone": phone, "until": time.time() + SESSION_SECONDS}


def phone_session_verified(session: SessionBase) -> str | None:
    """The number this browser proved it holds in the last half hour, if any."""
    entry = session.get(SESSION_KEY)
    if not entry or entry.get("until", 0) < time.time():
        return None
    return str(entry["phone"])
