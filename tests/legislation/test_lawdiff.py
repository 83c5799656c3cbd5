"""Matching articles across draft versions and the article-by-article diff."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.analysis.text.lawdiff import articles_diff, articles_match
from minsheng.analysis.text.lawparse import article_label

OLD = [
    ("第一条", "为了规范住宅小区电动自行车停放充电管理，制定本条例。"),
    ("第二条", "本条例适用于本区行政区域内住宅小区。"),
    ("第三条", "物业服务企业应当设置集中充电设施。"),
    ("第四条", "禁止在楼道、疏散通道内停放电动自行车或者为其充电。"),
]


def test_renumbered_article_keeps_its_opinions() -> None:
    new = [OLD[0], ("第二条", "物业服务企业应当设置集中充电设施和消防器材。"), ("第三条", OLD[3][1])]
    mapping = articles_match(OLD, new)
    assert mapping == {"第一条": "第一条", "第二条": None, "第三条": "第二条", "第四条": "第三条"}
    kinds = [(row.kind, row.old_label, row.new_label) for row in articles_diff(OLD, new)]
    assert kinds == [
        ("same", "第一条", "第一条"),
        ("removed", "第二条", None),
        ("changed", "第三条", "第二条"),
        ("changed", "第四条", "第三条"),
    ]


def test_rewritten_article_stays_in_place_and_new_ones_are_added() -> None:
    new = [*OLD[:3], ("第四条", "完全不同的新内容。"), ("第五条", "本条例自公布之日起施行。")]
    assert articles_match(OLD, new)["第四条"] == "第四条"
    rows = articles_diff(OLD, new)
    assert rows[-1].kind == "added" and rows[-1].new_label == "第五条"
    changed = rows[3]
    assert ("insert", "完全不同的新内容。") in changed.segments or changed.kind == "changed"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=12))
def test_deleting_articles_maps_the_rest(keep: list[bool]) -> None:
    old = [(article_label(i + 1), f"第{i}号独特的条文内容甲乙丙丁{i * 7919}") for i in range(len(keep))]
    kept = [text for (label, text), k in zip(old, keep, strict=True) if k]
    new = [(article_label(i + 1), text) for i, text in enumerate(kept)]
    mapping = articles_match(old, new)
    new_text = dict(new)
    for (label, text), k in zip(old, keep, strict=True):
        target = mapping[label]
        if k:
            assert target is not None and new_text[target] == text
    targets = [t for t in mapping.values() if t]
    assert len(targets) == len(set(targets))
