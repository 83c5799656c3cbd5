"""PII masking in fields and in free Chinese text; resident ID check digits."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minsheng.core.privacy import (
    id_number_check_char,
    id_number_is_valid,
    mask_email,
    mask_id_number,
    mask_phone,
    mask_text,
)

# The GB 11643 example number and numbers built with its check digit rule.
VALID_IDS = ["11010519491231002X", "110101199003074477", "320412198801011235"]


def iso7064_mod11_2(digits: str) -> str:
    """The standard's own definition, independent of the code under test: weights 2^(n-1) mod 11."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(digits))
    return "10X98765432"[total % 11]


class TestIdNumbers:
    @pytest.mark.parametrize("number", VALID_IDS)
    def test_valid_check_digits(self, number):
        assert id_number_is_valid(number)

    def test_lower_case_x_and_full_width_digits_are_accepted(self):
        assert id_number_is_valid("11010519491231002x")
        assert id_number_is_valid("１１０１０５１９４９１２３１００２Ｘ")

    @pytest.mark.parametrize(
        "number",
        [
            "110105194912310021",  # wrong check digit
            "110101199003074478",  # wrong check digit
            "11010519491331002X",  # month 13
            "11010519490229002X",  # 29 Feb 1949 does not exist
            "01010519491231002X",  # region code cannot start with 0
            "1101051949123100",  # too short
            "1101051949123100211",  # too long
            "11010519491231002Y",
            "",
        ],
    )
    def test_invalid_numbers(self, number):
        assert not id_number_is_valid(number)

    def test_check_char_of_the_standard_example(self):
        assert id_number_check_char("11010519491231002") == "X"

    @given(st.text(alphabet="0123456789", min_size=17, max_size=17).filter(lambda s: s[0] != "0"))
    def test_exactly_one_check_char_is_right(self, first17):
        birth_ok = "19900101"
        body = first17[:6] + birth_ok + first17[14:]
        valid = [c for c in "0123456789X" if id_number_is_valid(body + c)]
        assert valid == [iso7064_mod11_2(body)]


class TestFieldMasking:
    def test_mobile(self):
        assert mask_phone("13812345678") == "138****5678"

    def test_landline_keeps_the_area_code(self):
        assert mask_phone("0519-86681234") == "0519-********"
        assert mask_phone("010-12345678") == "010-********"

    def test_unrecognised_phone_keeps_only_two_digits(self):
        assert mask_phone("12345") == "***45"

    def test_id_number_valid_or_not(self):
        assert mask_id_number("11010519491231002X") == "110************02X"
        assert mask_id_number("110105194912310021") == "110************021"

    def test_email(self):
        assert mask_email("zhangsan@example.com") == "z***@example.com"


class TestMaskText:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("请联系13812345678，谢谢", "请联系138****5678，谢谢"),
            ("电话13812345678联系张先生", "电话138****5678联系张先生"),
            ("手机：+86 138-1234-5678", "手机：+86 138-****-5678"),
            ("手机：+8613812345678", "手机：+86138****5678"),
            ("手机：0086 13812345678", "手机：0086 138****5678"),
            ("号码１３８１２３４５６７８。", "号码１３８****５６７８。"),
            ("＋８６１３８１２３４５６７８", "＋８６１３８****５６７８"),
            ("办公室0519-86681234转", "办公室0519-********转"),
            ("（0519）86681234", "（0519）********"),
            ("北京010 12345678", "北京010 ********"),
            ("身份证11010519491231002X已登记", "身份证110************02X已登记"),
            ("身份证110105194912310021号码有误", "身份证110************021号码有误"),
            ("邮箱zhang.san@example.com。", "邮箱z***@example.com。"),
            ("发到13812345678@163.com", "发到1***@163.com"),
        ],
    )
    def test_masks_personal_data_in_chinese_text(self, text, expected):
        assert mask_text(text) == expected

    @pytest.mark.parametrize(
        "text",
        [
            "2025年10月1日收到建议第202501011230号",  # a date and a 12-digit case number
            "投资12345678元，面积3000平方米",
            "订单号12381234567",  # 11 digits starting 12: not a mobile prefix
            "1381234567890",  # 13 digits: not a phone, too short for a long number
            "138****5678",
            "",
        ],
    )
    def test_leaves_lookalikes_alone(self, text):
        assert mask_text(text) == text

    def test_a_phone_inside_a_longer_run_is_not_a_phone(self):
        assert mask_text("流水号213812345678") == "流水号213812345678"


NON_DIGIT_TEXT = st.text(
    alphabet=st.sampled_from(
        list(
            "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"
        )
    )
    | st.sampled_from(list("，。；：、（）！？ ABCxyz-")),
    max_size=12,
)
MOBILES = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@given(before=NON_DIGIT_TEXT, number=MOBILES, after=NON_DIGIT_TEXT, full_width=st.booleans())
def test_masking_never_leaks_the_middle_digits(before, number, after, full_width):
    shown = number.translate(str.maketrans("0123456789", "０１２３４５６７８９")) if full_width else number
    masked = mask_text(before + shown + after)
    digits = re.sub(r"[^0-9]", "", masked.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    assert digits == number[:3] + number[-4:]


@given(st.text(max_size=80))
def test_masking_is_idempotent_on_any_text(text):
    once = mask_text(text)
    assert mask_text(once) == once


@given(
    parts=st.lists(
        st.one_of(
            MOBILES,
            st.from_regex(r"0(10|2[0-9]|[3-9][0-9]{2})-[1-9][0-9]{6,7}", fullmatch=True),
            st.from_regex(r"[1-9][0-9]{16}[0-9X]", fullmatch=True),
            st.emails(),
            NON_DIGIT_TEXT,
        ),
        max_size=6,
    )
)
def test_masking_is_idempotent_on_text_full_of_personal_data(parts):
    text = "，".join(parts)
    once = mask_text(text)
    assert mask_text(once) == once


# --- Every way people write a number (issue 12.10): separators, spacing, numerals -------------------

CHINESE_DIGITS = "〇一二三四五六七八九"
FINANCIAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
FULL_WIDTH_DIGITS = "０１２３４５６７８９"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话139.1234.5678", "电话139.****.5678"),
        ("电话139—1234—5678", "电话139—****—5678"),
        ("电话139_1234_5678", "电话139_****_5678"),
        ("电话139  1234  5678", "电话139  ****  5678"),
        ("电话1 3 9 1 2 3 4 5 6 7 8", "电话1 3 9 * * * * 5 6 7 8"),
        ("电话一三九一二三四五六七八", "电话一三九****五六七八"),
        ("电话幺三九幺二三四五六七八", "电话幺三九****五六七八"),
        ("电话壹叁玖壹贰叁肆伍陆柒捌", "电话壹叁玖****伍陆柒捌"),
        ("请拨13912345678一起商量", "请拨139****5678一起商量"),
        ("请拨一三九一二三四五六七八一起商量", "请拨一三九****五六七八一起商量"),
        ("电话139\u200b1234\u200b5678", "电话139\u200b****\u200b5678"),
        ("编号 7 139 1234 5678", "编号 7 139 **** 5678"),
        ("身份证 320412 19880101 1235", "身份证 320*** ******** *235"),
        ("身份证三二〇四一二一九八八〇一〇一一二三五", "身份证三二〇************二三五"),
        ("卡号 6222 0212 3456 7890 123", "卡号 622* **** **** **** 123"),
        ("卡号6222.0212.3456.7890", "卡号622*.****.****.*890"),
        ("座机 0519.8668.1234", "座机 0519.****.****"),
    ],
)
def test_numbers_written_any_way_are_masked(text, expected):
    assert mask_text(text) == expected


def digits_left(masked: str) -> str:
    """Every digit still readable in ``masked``, in order, as ASCII."""
    from minsheng.core.privacy import digit_value

    return "".join(digit_value(ch) or "" for ch in masked)


SEPARATOR_RUNS = st.sampled_from(
    [" ", "  ", "   ", ".", "-", "—", "–", "_", "/", "·", "．", "－", "\u3000", " - ", "\u200b"]
)


@st.composite
def written_numbers(draw, digits: str) -> str:
    """``digits`` as a person might write it: any numerals, grouped or spaced, any separator."""
    numerals = draw(st.sampled_from(["0123456789", CHINESE_DIGITS, FINANCIAL_DIGITS, FULL_WIDTH_DIGITS]))
    shown = [numerals[int(d)] if d.isdigit() else d for d in digits]
    layout = draw(st.sampled_from(["plain", "groups", "every digit", "random"]))
    separator = draw(SEPARATOR_RUNS)
    if layout == "plain":
        return "".join(shown)
    if layout == "every digit":
        return separator.join(shown)
    if layout == "groups":
        cuts = {3, 7} if len(digits) == 11 else set(range(4, len(digits), 4))
    else:
        cuts = set(draw(st.lists(st.integers(1, len(digits) - 1), max_size=6)))
    return "".join((separator if i in cuts else "") + ch for i, ch in enumerate(shown))


def id_numbers() -> st.SearchStrategy[str]:
    from minsheng.core.privacy import id_number_check_char

    def with_check(body: str) -> str:
        return body + id_number_check_char(body)

    body = st.tuples(
        st.from_regex(r"[1-6][0-9]{5}", fullmatch=True),
        st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2020, 12, 31)),
        st.from_regex(r"[0-9]{3}", fullmatch=True),
    ).map(lambda t: f"{t[0]}{t[1]:%Y%m%d}{t[2]}")
    return body.map(with_check)


PERSONAL_NUMBERS = st.one_of(
    MOBILES,
    id_numbers(),
    st.from_regex(r"(62|4[0-9]|5[1-5])[0-9]{14,17}", fullmatch=True),  # bank cards, 16-19 digits
)


@given(data=st.data(), before=NON_DIGIT_TEXT, after=NON_DIGIT_TEXT, number=PERSONAL_NUMBERS)
def test_generated_personal_numbers_never_survive_masking(data, before, after, number):
    written = data.draw(written_numbers(number))
    masked = mask_text(f"{before}{written}{after}")
    left = digits_left(masked)
    assert number.rstrip("X") not in left
    # At least four of the number's digits hidden (the context may hold numerals such as 一).
    assert len(left) - len(digits_left(before + after)) <= len(number.rstrip("X")) - 4
