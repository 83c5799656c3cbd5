"""The JSON API: one NinjaAPI at /api/, its authentication, its error format, and every app's router.

- Authentication: ``minsheng.apiauth`` (a bearer token or the browser session with CSRF). Every
  operation requires one of them unless it says ``auth=PUBLIC`` (public reads and forms), which also
  lets anonymous callers in; no operation says ``auth=None`` (tests/test_api_auth.py checks).
- Errors: every error, whatever raised it, is ``{"detail": <message in the user's language>,
  "code": <stable code>, "field": <the input it is about, or null>}``; validation errors are 400, not 422.
- Documentation: OpenAPI at /api/openapi.json, Swagger UI at /api/docs from local static files.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError
from ninja.openapi.docs import Swagger

from minsheng.apiauth import (
    SIGNED_IN,
    Anonymous,
    CsrfFailedError,
    InvalidParticipantTokenError,
    InvalidTokenError,
)
from minsheng.core.errors import (
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ValidationFailedError,
    http_status_of,
)
from minsheng.deliberation.api import router as deliberation_router
from minsheng.insight.api import router as insight_router
from minsheng.legislation.api import router as legislation_router
from minsheng.meetings.api import router as meetings_router
from minsheng.motions.api import router as motions_router
from minsheng.org.api import router as org_router
from minsheng.oversight.api import router as oversight_router
from minsheng.records.api import router as records_router
from minsheng.voices.api import router as voices_router

logger = logging.getLogger("minsheng.api")

# ---------------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------------


class ErrorOut(Schema):
    """The body of every error response."""

    detail: str
    code: str
    field: str | None = None


def error_response(
    request: HttpRequest, *, status: int, detail: str | Promise, code: str, field: str | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": str(detail), "code": code, "field": field}, status=status)


def _error_field(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """The input an error is about, as the client sent it: ``("query", "place")`` → ``"place"``.

    For JSON bodies ninja adds the view's parameter name after ``"body"``; clients never see it.
    """
    parts = [str(part) for part in loc[1:]]
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or None


def validation_message(error: dict[str, Any]) -> tuple[str, str | None]:
    """One readable, translated sentence for one pydantic error, naming the field."""
    field = _error_field(error.get("loc", ()))
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if field is None:
        if kind == "json_invalid":
            return _("The request body is not valid JSON."), None
        return _("The request is not valid."), None
    values: dict[str, Any] = {"field": field, **ctx}
    if kind == "missing":
        message = _("The field “%(field)s” is required.")
    elif kind == "blank" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        message = _("The field “%(field)s” must not be empty.")
    elif kind == "string_too_short":
        message = _("The field “%(field)s” must be at least %(min_length)s characters long.")
    elif kind == "string_too_long":
        message = _("The field “%(field)s” must be at most %(max_length)s characters long.")
    elif kind == "control_characters":
        message = _("The field “%(field)s” must not contain control characters.")
    elif kind in {"int_parsing", "int_type", "int_from_float"}:
        message = _("The field “%(field)s” must be a whole number.")
    elif kind in {"greater_than_equal", "greater_than"}:
        values["limit"] = ctx.get("ge", ctx.get("gt"))
        message = _("The field “%(field)s” is too small (the limit is %(limit)s).")
    elif kind in {"less_than_equal", "less_than"}:
        values["limit"] = ctx.get("le", ctx.get("lt"))
        message = _("The field “%(field)s” is too large (the limit is %(limit)s).")
    elif kind in {"enum", "literal_error"}:
        # pydantic lists the choices as "'a', 'b' or 'c'": drop its English "or".
        values["expected"] = str(ctx.get("expected", "")).replace(" or ", ", ")
        message = _("The field “%(field)s” must be one of: %(expected)s.")
    elif kind == "string_pattern_mismatch":
        message = _("The field “%(field)s” contains characters that are not allowed.")
    else:
        message = _("The field “%(field)s” is not valid.")
    return message % values, field


def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    explained = [validation_message(error) for error in exc.errors]
    detail = " ".join(message for message, _field in explained) or _("The request is not valid.")
    first_field = next((field for _message, field in explained if field), None)
    return error_response(
        request, status=400, detail=detail, code=ValidationFailedError.code, field=first_field
    )


def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = error_response(
        request, status=http_status_of(exc), detail=exc.message, code=exc.code, field=exc.field
    )
    if isinstance(exc, RateLimitedError) and (seconds := exc.retry_after_seconds()) is not None:
        response["Retry-After"] = str(seconds)
    return response


def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, status=404, detail=NotFoundError.default_message, code=NotFoundError.code)


def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(
        request, status=403, detail=PermissionDeniedError.default_message, code=PermissionDeniedError.code
    )


def on_csrf_failed(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = _("The security check (CSRF) failed. Reload the page and try again.")
    return error_response(request, status=403, detail=detail, code="csrf_failed")


def on_not_authenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = _("Sign in, or send a valid API token, to use this endpoint.")
    return error_response(request, status=401, detail=detail, code="not_authenticated")


def on_invalid_token(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = _("The API token is not valid or has been revoked.")
    return error_response(request, status=401, detail=detail, code="invalid_token")


def on_invalid_participant_token(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = _("The participant token is not valid. Join the topic again.")
    return error_response(request, status=403, detail=detail, code="invalid_participant_token")


def on_throttled(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = _("Too many requests. Wait a moment and try again.")
    return error_response(request, status=429, detail=detail, code="throttled")


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, status=exc.status_code, detail=exc.message, code=f"http_{exc.status_code}")


def on_body_too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = _("The request is too large (at most %(size)s MB of form or JSON data).") % {
        "size": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:.1f}"
    }
    return error_response(request, status=413, detail=detail, code="too_large")


def on_malformed_body(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = _("The request body could not be read (malformed form data or too many fields).")
    return error_response(request, status=400, detail=detail, code="malformed_body")


def on_number_out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The schemas bound every number; this is the safety net for one they missed.
    logger.warning("Out-of-range input reached the database in %s %s: %s", request.method, request.path, exc)
    detail = _("A number in the request is too large.")
    return error_response(request, status=400, detail=detail, code=ValidationFailedError.code)


def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled error in %s %s", request.method, request.path, exc_info=exc)
    detail = _("Something went wrong on the server. Please try again later.")
    return error_response(request, status=500, detail=detail, code="server_error")


# Order does not matter: ninja uses the handler of the nearest class in the exception's MRO.
EXCEPTION_HANDLERS: dict[type[Exception], Callable[[HttpRequest, Any], HttpResponse]] = {
    ValidationError: on_validation_error,
    DomainError: on_domain_error,
    Http404: on_not_found,
    PermissionDenied: on_permission_denied,
    AuthenticationError: on_not_authenticated,
    InvalidTokenError: on_invalid_token,
    AuthorizationError: on_permission_denied,
    CsrfFailedError: on_csrf_failed,
    InvalidParticipantTokenError: on_invalid_participant_token,
    Throttled: on_throttled,
    RequestDataTooBig: on_body_too_large,
    SuspiciousOperation: on_malformed_body,
    MultiPartParserError: on_malformed_body,
    OverflowError: on_number_out_of_range,
    DataError: on_number_out_of_range,
    HttpError: on_http_error,
    Exception: on_unexpected_error,
}

# ---------------------------------------------------------------------------------------------------
# Documentation
# ---------------------------------------------------------------------------------------------------


class LocalSwagger(Swagger):
    """Swagger UI from django-ninja's own static files, never from a CDN: intranets have no internet.

    ninja falls back to a CDN page when "ninja" is missing from INSTALLED_APPS; this class never does
    (it needs "ninja" in INSTALLED_APPS, which also lets collectstatic serve the files).
    """

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": json.dumps(self.settings, indent=1), "api": api, "add_csrf": True}
        return render(request, self.template, context)


# Statuses that any operation may answer with, documented once for every router (present and future).
COMMON_ERROR_STATUSES = {"400": "Bad input", "404": "Not found", "500": "Server error"}
AUTHENTICATED_ERROR_STATUSES = {"401": "Not signed in or bad token", "403": "Not allowed"}
WRITE_ERROR_STATUSES = {"409": "Conflict with the current state", "413": "Request body too large"}


class MinshengAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # Public operations: anonymous access is the empty (optional) security requirement.
        anonymous = Anonymous.__name__
        schema.get("components", {}).get("securitySchemes", {}).pop(anonymous, None)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if "security" in operation:
                    operation["security"] = [{} if anonymous in req else req for req in operation["security"]]
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ErrorOut.model_json_schema()
        error_ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                statuses = dict(COMMON_ERROR_STATUSES)
                if operation.get("security"):  # a public operation too refuses a bad token or CSRF
                    statuses |= AUTHENTICATED_ERROR_STATUSES
                if method.lower() not in {"get", "head", "options"}:
                    statuses |= WRITE_ERROR_STATUSES
                for status, description in statuses.items():
                    operation.setdefault("responses", {}).setdefault(
                        status, {"description": description, **error_ref}
                    )
        return schema


api = MinshengAPI(
    title="民声 Minsheng API",
    version="1",
    description="Public reads need no authentication; everything else needs a session or a bearer token.",
    urls_namespace="api",
    docs=LocalSwagger(settings={"validatorUrl": None}),  # no badge fetched from validator.swagger.io
    docs_url="/docs",
    openapi_url="/openapi.json",
    # The token first: a script's POST carries no CSRF token, and must not be refused by the session check.
    auth=SIGNED_IN,
)
for exception_class, handler in EXCEPTION_HANDLERS.items():
    api.add_exception_handler(exception_class, handler)

# Routers: each app's api.py defines ``router``; it is mounted at the root so that its paths read
# /api/<resource>. A new app adds one import at the top and one line here, in the order of the apps.
api.add_router("/", org_router)
api.add_router("/voices", voices_router)
api.add_router("/motions", motions_router)
api.add_router("/legislation", legislation_router)
api.add_router("/deliberation", deliberation_router)
api.add_router("/oversight", oversight_router)
api.add_router("/meetings", meetings_router)
api.add_router("/insight", insight_router)
api.add_router("/records", records_router)
