"""Domain errors: stable codes, named placeholders, messages in the active language."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from minsheng.core.errors import (
    ConflictError,
    DomainError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailedError,
)


def test_codes_are_stable_and_all_errors_are_domain_errors():
    errors = [
        PermissionDeniedError(),
        InvalidTransitionError(action="submit", state="archived"),
        ConflictError(),
        ValidationFailedError(),
        NotFoundError(),
    ]
    assert [e.code for e in errors] == [
        "permission_denied",
        "invalid_transition",
        "conflict",
        "validation_failed",
        "not_found",
    ]
    assert all(isinstance(e, DomainError) for e in errors)


def test_placeholders_are_filled_in_the_active_language():
    error = InvalidTransitionError(action="submit", state="archived")
    with translation.override("en"):
        assert error.message == "The action “submit” is not possible in the state “archived”."
        assert str(error) == error.message


def test_the_message_follows_the_language_active_when_it_is_read():
    error = PermissionDeniedError()
    with translation.override("en"):
        english = error.message
    with translation.override("zh-hans"):
        chinese = error.message
    assert english == "You do not have permission to do this."
    assert chinese != english  # the Simplified Chinese catalogue has it


def test_field_code_and_as_dict():
    error = ValidationFailedError(
        _("The place %(place)s is unknown."), field="place", params={"place": "火星"}
    )
    with translation.override("en"):
        assert error.as_dict() == {
            "code": "validation_failed",
            "message": "The place 火星 is unknown.",
            "field": "place",
        }


def test_conflict_names_both_states():
    error = ConflictError(expected="submitted", actual="accepted")
    with translation.override("en"):
        assert "accepted" in error.message and "submitted" in error.message


def test_a_message_with_a_percent_sign_and_no_params_is_left_alone():
    assert DomainError("100% done").message == "100% done"
