"""Chinese full-text search: words inside longer words, phrases, Latin words, hostile queries."""

from __future__ import annotations

import pytest

from minsheng.core.search import query_tokens, search_filter, search_index, search_remove, search_tokens
from minsheng.org.models import Jurisdiction, Unit

pytestmark = pytest.mark.django_db

TEXTS = {
    "a": "关于加快推进湖塘镇垃圾分类工作的建议",
    "b": "建议在南夏墅街道增设公交线路，方便群众出行",
    "c": "关于加强校园周边交通安全管理的提案",
    "d": "Improve the 5G network coverage in 武进高新区",
}


@pytest.fixture
def records() -> dict[str, Unit]:
    district = Jurisdiction.objects.create(level="district", name="检索区", code="999100")
    made = {}
    for key, text in TEXTS.items():
        unit = Unit.objects.create(jurisdiction=district, kind="government_department", name=f"单位{key}")
        search_index(unit, text)
        made[key] = unit
    return made


def found(query: str) -> set[str]:
    units = Unit.objects.filter(jurisdiction__code="999100")  # only this test's records, whatever else exists
    return {unit.name.removeprefix("单位") for unit in search_filter(units, query)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("垃圾", {"a"}),  # a two-character word inside 垃圾分类
        ("垃圾分类", {"a"}),
        ("分类工作", {"a"}),
        ("交通", {"c"}),
        ("公交", {"b"}),
        ("建议", {"a", "b"}),
        ("湖塘 垃圾", {"a"}),
        ("垃圾 公交", set()),  # every token must match
        ("5g", {"d"}),
        ("network", {"d"}),
        ("镇", {"a"}),  # one character
        ("高新区", {"d"}),
        ("火星", set()),
    ],
)
def test_queries(records, query: str, expected: set[str]):
    assert found(query) == expected


@pytest.mark.parametrize("query", ['"', "' OR 1=1 --", "NEAR(", "*", '垃圾" OR "交通', "a" * 500])
def test_hostile_queries_do_not_break(records, query: str):
    found(query)  # must not raise


def test_empty_query_returns_everything_and_punctuation_nothing(records):
    assert found("") == set(TEXTS)
    assert found("，。！") == set()


def test_reindex_replaces_and_remove_forgets(records):
    search_index(records["a"], "关于公园绿化的建议")
    assert found("垃圾") == set()
    assert "a" in found("绿化")
    search_remove(records["a"])
    assert "a" not in found("绿化")


def test_tokens_include_words_and_bigrams():
    tokens = search_tokens("垃圾分类")
    assert {"垃圾", "分类", "圾分"} <= set(tokens)
    assert query_tokens("垃圾分类") == ["垃圾", "圾分", "分类"]
