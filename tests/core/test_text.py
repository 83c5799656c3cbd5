"""The one plain-text check every app uses: trimmed, within its limit, no markup, no control characters."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from minsheng.core.errors import ValidationFailedError
from minsheng.core.text import is_invisible, plain_text_checked


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


INVISIBLE_SAMPLES = [
    "\u202e",  # right-to-left override
    "\u202a",  # left-to-right embedding
    "\u2066",  # left-to-right isolate
    "\u2069",  # pop directional isolate
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u061c",  # Arabic letter mark
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # zero-width no-break space (BOM)
    "\u00ad",  # soft hyphen
    "\u3164",  # Hangul filler
    "\u034f",  # combining grapheme joiner
    "\U000e0041",  # tag letter A
    "\ud800",  # a lone surrogate (JSON allows "\\ud800"; no database stores it)
]


@pytest.mark.parametrize("invisible", INVISIBLE_SAMPLES)
def test_invisible_characters_are_removed(invisible):
    assert plain_text_checked(f"路{invisible}灯坏了{invisible}", field="text", max_length=20) == "路灯坏了"


def test_text_of_invisible_characters_only_is_empty():
    with pytest.raises(ValidationFailedError):
        plain_text_checked("\u202e\u200b\u200d\ufeff", field="text", max_length=20)


def test_markup_hidden_by_invisible_characters_is_still_refused():
    with pytest.raises(ValidationFailedError):
        plain_text_checked("<scr\u200bipt>alert(1)</script\u200d>", field="text", max_length=60)


def test_unicode_line_separators_are_line_ends():
    assert plain_text_checked("一\u2028二\u2029三", field="text", max_length=20) == "一\n二\n三"


@given(st.text(max_size=60))
def test_no_accepted_text_keeps_an_invisible_character(value):
    try:
        text = plain_text_checked(value, field="text", max_length=60, required=False)
    except ValidationFailedError:
        return
    assert not any(is_invisible(ch) for ch in text)
