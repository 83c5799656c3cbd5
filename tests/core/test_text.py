"""The one plain-text check every app uses: trimmed, within its limit, no markup, no control characters."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from minsheng.core.errors import ValidationFailedError
from minsheng.core.text import plain_text_checked


def test_clean_text_is_trimmed_and_line_ends_normalised():
    assert (
        plain_text_checked("  第一行\r\n第二行\r第三行\t ", field="text", max_length=20)
        == "第一行\n第二行\n第三行"
    )


def test_control_characters_are_dropped_not_stored():
    assert plain_text_checked("路灯\x00坏了\x07\x1b[0m", field="text", max_length=20) == "路灯坏了[0m"


@pytest.mark.parametrize(
    ("value", "label", "message"),
    [
        ("", None, "请填写内容。"),
        ("\x00 \x0b", "标题", "标题不能为空。"),
        ("字" * 11, None, "最多 10 个字（当前 11 个）。"),
        ("字" * 11, "意见", "意见最多 10 个字（当前 11 个）。"),
        ("<script>alert(1)</script>", None, "内容中不能包含HTML标签或脚本，请删除后再提交。"),
        ('<img src=x onerror="x()">', "意见", "意见不能包含 HTML 标签或脚本。"),
        ("点此 javascript:alert(1)", "正文", "正文不能包含 HTML 标签或脚本。"),
    ],
)
def test_bad_text_gets_a_chinese_message_naming_the_field(value, label, message):
    with translation.override("zh-hans"), pytest.raises(ValidationFailedError) as error:
        plain_text_checked(value, field="text", max_length=10, label=label)
    assert error.value.message == message and error.value.field == "text"


def test_optional_text_may_be_empty_and_comparisons_stay_text():
    assert plain_text_checked("   ", field="note", max_length=10, required=False) == ""
    assert plain_text_checked("3 < 5，a>b", field="note", max_length=10) == "3 < 5，a>b"


@given(st.text(max_size=60))
def test_any_accepted_text_is_within_limit_and_free_of_control_characters(value):
    try:
        text = plain_text_checked(value, field="text", max_length=40, required=False)
    except ValidationFailedError:
        return
    assert len(text) <= 40 and text == text.strip()
    assert all(ch in "\n\t" or (ord(ch) >= 32 and not 0x7F <= ord(ch) <= 0x9F) for ch in text)


def test_angle_brackets_in_formulas_are_text_not_markup():
    for value in ("当 x<y 时", "a <b", "PM2.5<35，<50 为良"):
        assert plain_text_checked(value, field="text", max_length=40) == value
