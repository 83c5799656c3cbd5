"""Reply-quality flags, one rule at a time, on hand-written replies."""

from __future__ import annotations

from datetime import date, datetime

from minsheng.analysis.text.reply_quality import places_in, reply_flags, working_days_between

TITLE = "A2区丽发新城小区附近搅拌站噪音扰民"
TEXT = "丽发新城小区旁边的搅拌站日夜施工，噪音和粉尘严重影响居民休息。"
GOOD = (
    "您好！您反映的A2区丽发新城小区附近搅拌站噪音扰民问题已收悉。经区生态环境局现场核查，该搅拌站"
    "未取得夜间施工许可，我局已责令其立即停止夜间作业，并将于2024年5月20日前完成降噪设施安装，"
    "届时组织复查。如有疑问，请联系区生态环境局，联系电话0519-86301234。"
)


def codes(**kwargs) -> list[str]:
    arguments = {"message_title": TITLE, "message_text": TEXT, "reply": GOOD, **kwargs}
    return [flag.code for flag in reply_flags(**arguments)]


def test_a_good_reply_raises_no_flag():
    assert codes(asked_at=datetime(2024, 5, 6, 9), replied_at=datetime(2024, 5, 10, 17)) == []


def test_too_short_counts_content_without_greetings():
    assert "too_short" in codes(reply="您好！感谢您对我们工作的支持。已转交相关部门处理。")
    assert "too_short" not in codes()


def test_no_action_and_no_date():
    vague = "您好！您的留言已收悉。关于您反映的丽发新城搅拌站噪音问题，我们高度重视，" * 2
    assert "no_action" in codes(reply=vague)
    assert "no_action" not in codes(reply=vague + "已安排执法人员处理。")
    assert "no_action" not in codes(reply=vague + "预计6月底前完成。")


def test_place_and_problem_missing():
    elsewhere = "您好！已责令施工单位整改，联系电话12345。该工地将于5月20日前完成整改并接受复查。" * 2
    flags = codes(reply=elsewhere)
    assert "place_missing" in flags and "problem_missing" in flags
    detail = next(f.detail for f in reply_flags(message_title=TITLE, message_text=TEXT, reply=elsewhere))
    assert "丽发新城" in detail or "A2区" in detail


def test_no_contact():
    assert "no_contact" in codes(reply=GOOD.replace("，联系电话0519-86301234", ""))
    assert "no_contact" not in codes(reply=GOOD.replace("0519-86301234", "13912345678"))


def test_late_counts_working_days():
    # 2024-09-30 (Mon) → 2024-10-09 (Wed): 09-30 itself does not count, 10-01..10-07 is the National
    # Day holiday, 10-08 and 10-09 are working days: 2.
    assert working_days_between(date(2024, 9, 30), date(2024, 10, 9)) == 2
    assert "late" in codes(asked_at=date(2024, 5, 6), replied_at=date(2024, 6, 28))
    assert "late" not in codes(asked_at=date(2024, 5, 6), replied_at=date(2024, 5, 24))
    assert "late" in codes(asked_at=date(2024, 5, 6), replied_at=date(2024, 5, 24), late_after=5)
    assert "late" not in codes()  # no dates, no judgement


def test_places_in_keeps_names_not_the_words_before_them():
    assert places_in("反映湖塘镇花园路路灯坏了", ["湖塘镇"]) == ["湖塘镇", "花园路"]
    assert "丽发新城" in places_in(TITLE)
    assert places_in("该地块位于常凝大道") == ["常凝大道"]
