"""The unified social credit code check (GB 32100-2015): length, alphabet, division code, check character."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from minsheng.core.errors import ValidationFailedError
from minsheng.core.validators import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_character,
    credit_code_checked,
    credit_code_is_valid,
    validate_credit_code,
)

PUBLISHED_EXAMPLE = "91350100M000100Y43"  # the example printed with the standard


def test_the_published_example_is_valid_and_normalised():
    assert credit_code_is_valid(PUBLISHED_EXAMPLE)
    assert credit_code_checked(" 91350100m000100y43 ") == PUBLISHED_EXAMPLE
    assert credit_code_checked("９１３５０１００Ｍ０００１００Ｙ４３") == PUBLISHED_EXAMPLE  # full width


@pytest.mark.parametrize(
    "value",
    [
        "",
        "9135010",
        "91350100M000100Y44",
        "91350100M000100Y4",
        "91350100M000100I43",
        "9135A100M000100Y43",
        "<script>",
    ],
)
def test_wrong_codes_are_refused_with_a_reason(value):
    assert not credit_code_is_valid(value)
    with pytest.raises(ValidationFailedError) as error:
        credit_code_checked(value, field="credit_code")
    assert error.value.field == "credit_code" and error.value.message
    with pytest.raises(ValidationError):
        validate_credit_code(value)


codes = st.builds(
    lambda head, division, org: head + division + org,
    st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=9, max_size=9),
).map(lambda first17: first17 + credit_code_check_character(first17))


@given(codes, st.integers(min_value=0, max_value=17), st.sampled_from(CREDIT_CODE_ALPHABET))
def test_every_single_character_mistake_is_caught(code, position, replacement):
    assert credit_code_is_valid(code)
    mistyped = code[:position] + replacement + code[position + 1 :]
    assert credit_code_is_valid(mistyped) == (mistyped == code)
