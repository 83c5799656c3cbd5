"""Hot issues: grouping by place and problem, heat, the place and title of an issue."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from minsheng.analysis.text.hot import (
    Message,
    average_linkage,
    heat_of,
    hot_issues,
    places_named,
    shared_phrase,
)

START = datetime(2024, 3, 1, 9, 0)


def _messages() -> list[Message]:
    rows = []
    noise = [
        ("A3区枫林路路灯不亮", "枫林路一段路灯晚上全部不亮，行人摔倒过好几次。"),
        ("A1区学校门口交通拥堵", "每天放学时段车辆乱停，孩子过马路很危险。"),
        ("咨询社保卡补办流程", "社保卡丢失了，想问一下在哪里可以补办，需要带什么材料。"),
        ("A6区菜市场卫生太差", "菜市场垃圾堆积，夏天气味很大，希望加强管理。"),
        ("建议增加公交班次", "早高峰公交车太挤，等车半小时，建议增加班次。"),
        ("A2区某小区电梯经常故障", "电梯一个月坏了三次，老人上下楼很困难。"),
    ]
    for i, (title, body) in enumerate(noise):
        rows.append(Message(id=f"n{i}", title=title, body=body, person=f"p{i}", at=START + timedelta(days=i)))
    mixer = [
        "A2区丽发新城附近搅拌站噪音扰民",
        "丽发新城小区旁边搅拌站夜间施工噪音大",
        "投诉A2区丽发新城搅拌站粉尘和噪音",
        "丽发新城搅拌站噪音严重影响休息",
    ]
    for i, title in enumerate(mixer):
        rows.append(
            Message(
                id=f"m{i}",
                title=title,
                body="丽发新城小区附近新建了一个搅拌站，日夜施工，噪音和粉尘严重影响居民生活。",
                person=f"r{i}",
                at=START + timedelta(days=2 * i),
                likes=5,
            )
        )
    parking = ["伊景园滨河苑捆绑销售车位", "投诉伊景园滨河苑强制捆绑车位", "伊景园滨河苑车位捆绑销售是否合法"]
    for i, title in enumerate(parking):
        rows.append(
            Message(
                id=f"c{i}",
                title=title,
                body="开发商要求购房必须同时购买车位，否则不予签约，这种捆绑销售侵害购房者权益。",
                person=f"s{i}",
                at=START + timedelta(days=i),
            )
        )
    return rows


def test_groups_by_place_and_problem_and_ranks_by_heat():
    issues = hot_issues(_messages(), top=5)
    assert len(issues) == 2
    first, second = issues
    assert set(first.message_ids) == {"m0", "m1", "m2", "m3"}
    assert set(second.message_ids) == {"c0", "c1", "c2"}
    assert first.heat > second.heat and [i.rank for i in issues] == [1, 2]
    assert "丽发新城" in first.place and first.place.startswith("A2区")
    assert "伊景园滨河苑" in second.place
    assert first.start == START.date() and first.end == (START + timedelta(days=6)).date()
    assert first.as_dict()["from"] == "2024-03-01" and set(first.as_dict()) == {
        "rank", "heat", "title", "place", "from", "to", "message_ids"
    }  # fmt: skip


def test_two_districts_are_never_one_issue():
    same = "小区门口的下水道堵塞，污水横流，气味难闻，请尽快疏通。"
    messages = [
        Message(id="a", title="A1区锦绣小区下水道堵塞", body=same, person="x"),
        Message(id="b", title="A3区锦绣小区下水道堵塞", body=same, person="y"),
    ]
    assert hot_issues(messages) == []


def test_known_places_are_recognised():
    assert places_named("湖塘镇花园路", ["湖塘镇", "牛塘镇"]) == {"湖塘镇": 1}
    assert places_named("A3区和A市") == {"A3区": 1, "A市": 1}
    assert places_named("小区门口") == {}  # 小区 is not a district


def test_average_linkage_does_not_chain():
    # 0–1 and 1–2 are alike, 0–2 not at all: average linkage keeps 2 out once 0–1 merged.
    groups = average_linkage(3, {(0, 1): 0.9, (1, 2): 0.5}, merge=0.3)
    assert sorted(map(sorted, groups)) == [[0, 1], [2]]
    assert sorted(map(sorted, average_linkage(3, {(0, 1): 0.9, (1, 2): 0.7, (0, 2): 0.6}, 0.3))) == [
        [0, 1, 2]
    ]
    assert average_linkage(2, {}, 0.1) == [[0], [1]]


def test_heat_counts_people_likes_and_bursts():
    assert heat_of(people=4, messages=4, likes=0, days=0) == pytest.approx(8.0)  # 4 × 1 × 2
    assert heat_of(people=4, messages=4, likes=0, days=365) < heat_of(people=4, messages=4, likes=0, days=3)
    assert heat_of(people=1, messages=20, likes=0, days=0) < heat_of(people=4, messages=4, likes=0, days=0)
    assert heat_of(people=2, messages=2, likes=100, days=0) > heat_of(people=2, messages=2, likes=0, days=0)


def test_shared_phrase_prefers_a_rare_name():
    titles = ["伊景园滨河苑捆绑销售车位", "投诉伊景园滨河苑", "伊景园滨河苑车位问题"]
    others = [f"某小区噪音扰民{i}" for i in range(200)]
    assert shared_phrase(titles, titles + others) == "伊景园滨河苑"
    assert shared_phrase(["噪音扰民", "噪音扰民严重"], ["噪音扰民"] * 300) == ""


def test_too_few_messages():
    assert hot_issues([]) == [] and hot_issues([Message(id="x", title="一条")]) == []
