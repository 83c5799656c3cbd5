"""Chinese full-text search: words inside longer words, phrases, Latin words, hostile queries."""

from __future__ import annotations

import pytest

from minsheng.core.search import (
    CappedPaginator,
    query_tokens,
    search_filter,
    search_index,
    search_match_count,
    search_remove,
    search_tokens,
)
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


def found(query: str, *, walk: bool = False) -> set[str]:
    units = Unit.objects.filter(jurisdiction__code="999100")  # only this test's records, whatever else exists
    return {unit.name.removeprefix("单位") for unit in search_filter(units, query, walk=walk)}


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
    # Row by row while walking an index (used for common words) finds exactly the same records.
    assert found(query, walk=True) == expected


@pytest.mark.parametrize("query", ['"', "' OR 1=1 --", "NEAR(", "*", '垃圾" OR "交通', "a" * 500])
def test_hostile_queries_do_not_break(records, query: str):
    found(query)  # must not raise
    found(query, walk=True)


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


def test_match_count_counts_up_to_the_cap(records):
    assert search_match_count(Unit, "建议", cap=10) == 2
    assert search_match_count(Unit, "建议", cap=1) == 1
    assert search_match_count(Unit, "火星", cap=10) == 0
    assert search_match_count(Unit, "，。", cap=10) == 0


@pytest.fixture
def twelve_units() -> list[Unit]:
    district = Jurisdiction.objects.create(level="district", name="分页区", code="999200")
    return [
        Unit.objects.create(jurisdiction=district, kind="government_department", name=f"分页{i:02d}")
        for i in range(12)
    ]


def _units():
    return Unit.objects.filter(jurisdiction__code="999200").order_by("name")


def test_capped_paginator_counts_a_few_pages_ahead_and_still_offers_the_next_page(twelve_units):
    paginator = CappedPaginator(_units(), 2, number=1, lookahead=2)
    page = paginator.get_page(1)
    assert [u.name for u in page] == ["分页00", "分页01"]
    assert paginator.more and paginator.count == 6  # "more than 6": counted 7 rows, not 12
    assert page.has_next() and page.next_page_number() == 2
    assert paginator.num_pages == 3


def test_capped_paginator_is_exact_near_the_end(twelve_units):
    paginator = CappedPaginator(_units(), 5, number="3", lookahead=2)
    page = paginator.get_page("3")
    assert not paginator.more and paginator.count == 12 and paginator.num_pages == 3
    assert [u.name for u in page] == ["分页10", "分页11"] and not page.has_next()


@pytest.mark.parametrize("number", ["x", "", None])
def test_capped_paginator_falls_back_to_the_first_page_for_bad_numbers(twelve_units, number):
    page = CappedPaginator(_units(), 5, number=number).get_page(number)
    assert page.number == 1 and [u.name for u in page][:1] == ["分页00"]


@pytest.mark.parametrize("number", ["-3", "0"])
def test_capped_paginator_answers_numbers_below_one_like_django(twelve_units, number):
    page = CappedPaginator(_units(), 5, number=number).get_page(number)
    assert page.number == 3  # Django's get_page gives the last page for an empty one


def test_capped_paginator_gives_the_last_page_for_a_number_past_the_end(twelve_units):
    paginator = CappedPaginator(_units(), 5, number="99")
    page = paginator.get_page("99")
    assert page.number == 3 and not paginator.more


def test_capped_paginator_with_rows_reads_ids_once_and_the_page_by_key(
    twelve_units, django_assert_num_queries
):
    loaded: list[list[int]] = []

    def rows(ids: list[int]) -> list[Unit]:
        loaded.append(ids)
        return list(Unit.objects.filter(pk__in=ids))  # any order: the page keeps the ids' order

    paginator = CappedPaginator(_units(), 5, number="2", lookahead=1, rows=rows)
    with django_assert_num_queries(2):  # the ids window (count included), then the page's rows
        page = paginator.get_page("2")
        names = [u.name for u in page]
    assert names == [f"分页{i:02d}" for i in range(5, 10)]
    assert not paginator.more and paginator.count == 12 and page.has_next()
    assert loaded == [[u.pk for u in twelve_units[5:10]]]
    past = CappedPaginator(_units(), 5, number="9", rows=rows)
    assert [u.name for u in past.get_page("9")] == ["分页10", "分页11"]  # the last page, read normally


@pytest.mark.django_db
def test_an_absurd_page_number_shows_the_last_page_instead_of_failing():
    from minsheng.core.search import CappedPaginator
    from minsheng.org.models import Jurisdiction

    rows = Jurisdiction.objects.order_by("pk")
    for number in ("1000000000000000000", "99999999999999999999999", "-5", "abc"):
        page = CappedPaginator(rows, 5, number).get_page(number)
        assert page.number >= 1


# --- Substring semantics: the search finds exactly what a scan of the texts finds -----------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from minsheng.core.search import highlight_parts, search_ids, search_text  # noqa: E402

ALPHABET = "垃圾分类湖塘镇公交路灯的区5Gg新a，。 ＡＢ１"


@pytest.fixture
def random_units() -> list[tuple[Unit, str]]:
    import random

    rng = random.Random(16)
    district = Jurisdiction.objects.create(level="district", name="子串区", code="999300")
    made = []
    for i in range(60):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30)))
        unit = Unit.objects.create(jurisdiction=district, kind="government_department", name=f"子串{i:02d}")
        search_index(unit, text)
        made.append((unit, text))
    return made


def _scan(made: list[tuple[Unit, str]], query: str) -> set[int]:
    terms = search_text(query).split()
    return {unit.pk for unit, text in made if all(term in search_text(text) for term in terms)}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=st.text(alphabet=ALPHABET, min_size=1, max_size=4))
def test_search_returns_what_a_substring_scan_returns(random_units, query: str):
    units = Unit.objects.filter(jurisdiction__code="999300")
    expected = _scan(random_units, query)
    if not search_text(query):
        assert set(search_filter(units, query).values_list("pk", flat=True)) in (
            set(),
            {u.pk for u, _ in random_units},
        )
        return
    assert set(search_filter(units, query).values_list("pk", flat=True)) == expected
    assert set(search_filter(units, query, walk=True).values_list("pk", flat=True)) == expected
    ids, more = search_ids(Unit, query, limit=5)
    assert ids == sorted(expected, reverse=True)[:5] and more == (len(expected) > 5)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("5", {"d"}),
        ("区", {"d"}),
        ("镇", {"a"}),
        ("ＮＥＴ", {"d"}),
        ("g n", {"d"}),
        ("类工", {"a"}),
        ("类，工", {"a"}),
    ],
)
def test_substrings_of_every_kind(records, query, expected):
    assert found(query) == expected


@given(text=st.text(alphabet=ALPHABET, max_size=40), query=st.text(alphabet=ALPHABET, max_size=8))
def test_highlight_parts_mark_exactly_the_characters_inside_an_occurrence(text: str, query: str):
    from itertools import pairwise

    from minsheng.analysis.text.normalize import fold_width
    from minsheng.core.search import query_terms

    parts = highlight_parts(text, query)
    assert "".join(piece for piece, _hit in parts) == text
    assert all(piece for piece, _hit in parts), "no empty piece"
    assert all(a[1] != b[1] for a, b in pairwise(parts)), "neighbours differ"
    folded = fold_width(text).lower()
    inside = [False] * len(text)
    for term in query_terms(query) if len(folded) == len(text) else []:
        for start in range(len(folded) - len(term) + 1):
            if folded.startswith(term, start):
                inside[start : start + len(term)] = [True] * len(term)
    marked = [hit for piece, hit in parts for _char in piece]
    assert marked == inside


def test_highlight_parts_marks_every_occurrence_in_the_original_text():
    assert highlight_parts("垃圾分类，垃圾", "垃圾") == [("垃圾", True), ("分类，", False), ("垃圾", True)]
    assert highlight_parts("ＡＢ路", "ab") == [("ＡＢ", True), ("路", False)]
    assert highlight_parts("无关", "垃圾") == [("无关", False)]
    assert highlight_parts("", "垃圾") == [] and highlight_parts("文字", "") == [("文字", False)]
