"""PII masking in fields and in free Chinese text; resident ID check digits."""

from __future__ import annotations

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
