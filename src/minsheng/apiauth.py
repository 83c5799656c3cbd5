"""Who is calling the JSON API: every way to authenticate, in one place.

Every operation names one of two lists (ninja tries each class in order, the first that answers wins):

- ``SIGNED_IN`` (the API's default): a bearer token (``Authorization: Bearer <key>``), else the
  browser session with its CSRF token. Nobody else gets in (401).
- ``PUBLIC`` (public reads and public forms): the same two, else anyone as an anonymous caller. A
  public operation therefore still sees who is calling (an author reads their own draft with their
  token), a bad token is still refused (401), and a request that rides on a browser cookie must carry
  the CSRF token like the site's forms (403): without it another site could make a signed-in
  deputy's browser file a voice in the deputy's name. Scripts that send no cookie need no token.

``ParticipantTokenAuth`` is the deliberation participant's own token (``X-Participant-Token``), put in
front of ``PUBLIC`` by the voting operations (``participant_or_public``); it is tied to the API token
that joined with it, if any.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth
from ninja.utils import check_csrf

from minsheng.core.queries import kept_query_rows
from minsheng.org.models import ApiToken, User
from minsheng.org.services import api_key_hash, api_token_mark_used

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class InvalidTokenError(AuthenticationError):
    """A bearer token was sent but matches no active token: say so instead of falling back to the session."""


class CsrfFailedError(AuthorizationError):
    """A browser sent an unsafe request on its cookies without a valid CSRF token."""


class InvalidParticipantTokenError(AuthorizationError):
    """A participant token was sent but is unknown or dead (its API token was revoked)."""


def _csrf_required(request: HttpRequest) -> bool:
    return not getattr(request, "_ninja_csrf_exempt", False)


def _token_with_user(key_hash: str) -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user").filter(key_hash=key_hash)


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <key>``, checked against the stored SHA-256 of the key."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        # Compiled once (the key's hash is unique): every call of a script or a station's app asks it.
        rows = kept_query_rows(ApiToken, "api-token", _token_with_user, api_key_hash(token))
        found: ApiToken | None = rows[0] if rows else None
        if found is None or not found.user.is_active:
            raise InvalidTokenError()
        api_token_mark_used(token=found)
        # Views and rules read request.user whichever way the caller signed in.
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class SessionCsrfAuth(SessionAuth):
    """The browser session. CSRF is checked only once we know the session is signed in, so an
    anonymous caller gets 401 (sign in), not 403 (CSRF)."""

    def __call__(self, request: HttpRequest) -> User | None:
        user = request.user
        if not user.is_authenticated:
            return None
        if _csrf_required(request) and check_csrf(request) is not None:
            raise CsrfFailedError()
        return user


class Anonymous:
    """Last in ``PUBLIC``: anyone, as an anonymous caller. The OpenAPI document shows it as an
    optional security requirement (``{}``)."""

    openapi_security_schema = {"type": "http", "scheme": "anonymous"}  # replaced by {} in the document

    def __call__(self, request: HttpRequest) -> Any:
        rides_on_cookies = settings.SESSION_COOKIE_NAME in request.COOKIES
        unsafe = request.method in UNSAFE_METHODS and _csrf_required(request)
        if rides_on_cookies and unsafe and check_csrf(request) is not None:
            raise CsrfFailedError()
        return AnonymousUser()


class ParticipantTokenAuth(APIKeyHeader):
    """``X-Participant-Token``: a deliberation participant without an account (or a script).

    The app that owns participants passes its look-up (token → participant or None), so that this
    module imports no app's services.
    """

    param_name = "X-Participant-Token"

    def __init__(self, lookup: Callable[[str], Any]) -> None:
        self.lookup = lookup
        super().__init__()

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        participant = self.lookup(key)
        if participant is None:
            raise InvalidParticipantTokenError()
        request.participant = participant  # type: ignore[attr-defined]
        return participant


SIGNED_IN = [ApiTokenAuth(), SessionCsrfAuth()]
PUBLIC = [*SIGNED_IN, Anonymous()]


def participant_or_public(lookup: Callable[[str], Any]) -> list[Any]:
    """The participant token first, then everything ``PUBLIC`` accepts (deliberation's voting)."""
    return [ParticipantTokenAuth(lookup), *PUBLIC]
