"""Domain errors: what a service raises when it refuses, in words a user can read.

Every error carries a stable ``code`` (for API clients and tests), an optional ``field`` (the input the
error is about) and a translated ``message``. The message is rendered when read, so it appears in the
language active at that moment (the user's), not the one active when the error was raised.

    raise InvalidTransitionError(action="submit", state="archived")
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every refusal a service makes on purpose."""

    code: str = "domain_error"
    default_message: str | Promise = _("The request could not be completed.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        field: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.template: str | Promise = message if message is not None else self.default_message
        self.params: dict[str, Any] = dict(params or {})
        if code is not None:
            self.code = code
        self.field = field
        super().__init__(self.template)

    @property
    def message(self) -> str:
        """The user-facing text in the active language, with its named placeholders filled in."""
        text = str(self.template)
        return text % self.params if self.params else text

    def as_dict(self) -> dict[str, str | None]:
        """The shape API endpoints return: ``{"code", "message", "field"}``."""
        return {"code": self.code, "message": self.message, "field": self.field}

    def __str__(self) -> str:
        return self.message


class PermissionDeniedError(DomainError):
    """The actor may not do this to this object."""

    code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class InvalidTransitionError(DomainError):
    """The action is not possible from the object's current state (or is unknown)."""

    code = "invalid_transition"
    default_message = _("This action is not possible in the current state.")

    def __init__(self, *, action: str, state: str, field: str | None = None) -> None:
        super().__init__(
            _("The action “%(action)s” is not possible in the state “%(state)s”."),
            field=field,
            params={"action": action, "state": state},
        )
        self.action = action
        self.state = state


class ConflictError(DomainError):
    """Someone else changed the object first: the caller saw an outdated state."""

    code = "conflict"
    default_message = _("Someone else changed this record in the meantime. Reload it and try again.")

    def __init__(self, *, expected: str = "", actual: str = "", message: str | Promise | None = None) -> None:
        if message is None and expected and actual:
            message = _(
                "Someone else changed this record in the meantime (it is now “%(actual)s”, "
                "not “%(expected)s”). Reload it and try again."
            )
        params = {"expected": expected, "actual": actual} if expected or actual else None
        super().__init__(message, params=params)
        self.expected = expected
        self.actual = actual


def version_of(updated_at: dt.datetime) -> str:
    """The version token of a row for optimistic edits: its last-change time, to the microsecond."""
    return updated_at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def version_check(*, expected: str | None, updated_at: dt.datetime) -> None:
    """ConflictError (naming when the other change was saved) unless ``expected`` is the row's version.

    ``None`` skips the check (a caller that saw no version, e.g. an old script); the forms and the API
    documents always send it, so two people editing the same text never silently overwrite each other.
    """
    if expected is None or expected == version_of(updated_at):
        return
    conflict = ConflictError(
        message=_(
            "Someone else saved this text at %(time)s, after you opened it. Your changes were not "
            "saved: reload to see theirs, then make your changes again."
        )
    )
    conflict.params = {"time": formats.time_format(timezone.localtime(updated_at), "H:i:s")}
    raise conflict


class ValidationFailedError(DomainError):
    """The input breaks a rule of the domain (beyond what a form can check)."""

    code = "validation_failed"
    default_message = _("The input is not valid.")


class NotFoundError(DomainError):
    """The object does not exist, or the actor may not know that it does."""

    code = "not_found"
    default_message = _("The requested record was not found.")


class RateLimitedError(DomainError):
    """Too many attempts in a short time (one-time codes, public forms).

    With ``retry_at`` the message ends by saying when to try again, in local time and in minutes
    ("请于 14:05 后再试（约 12 分钟后）。"), and the API sends a ``Retry-After`` header.
    """

    code = "rate_limited"
    default_message = _("Too many attempts. Wait a few minutes and try again.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        retry_at: dt.datetime | None = None,
        field: str | None = None,
    ) -> None:
        if message is None and retry_at is not None:
            message = _("Too many attempts.")
        super().__init__(message, field=field)
        self.retry_at = retry_at

    def retry_after_seconds(self) -> int | None:
        if self.retry_at is None:
            return None
        return max(1, math.ceil((self.retry_at - timezone.now()).total_seconds()))

    @property
    def message(self) -> str:
        text = str(self.template)
        seconds = self.retry_after_seconds()
        if seconds is None:
            return text
        local = timezone.localtime(self.retry_at)
        same_day = local.date() == timezone.localdate()
        when = formats.time_format(local, "H:i") if same_day else formats.date_format(local, "m-d H:i")
        retry = gettext("Try again after %(time)s (in about %(minutes)s minutes).") % {
            "time": when,
            "minutes": math.ceil(seconds / 60),
        }
        # Chinese sentences follow each other without a space; English ones with one.
        return f"{text}{'' if text.endswith(('。', '！', '？')) else ' '}{retry}"


# The HTTP status of each refusal: the API's JSON errors and the site's error pages answer the same.
HTTP_STATUS: dict[type[DomainError], int] = {
    ValidationFailedError: 400,
    PermissionDeniedError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    InvalidTransitionError: 409,
    RateLimitedError: 429,
}


def http_status_of(error: DomainError) -> int:
    """The status of the nearest class in the error's MRO; 400 for any other refusal."""
    for klass in type(error).__mro__:
        if klass in HTTP_STATUS:
            return HTTP_STATUS[klass]
    return 400
