"""Near-duplicate detection: exact Jaccard, MinHash estimates, the LSH index kept up to date."""

from __future__ import annotations

import numpy as np
import pytest

from minsheng.analysis.text.neardup import (
    MinHasher,
    NearDuplicateIndex,
    canonical,
    duplicate_groups,
    estimate,
    jaccard,
    shingles,
)

A = "湖塘镇花园路的路灯坏了三个月，晚上一片漆黑，行人很不安全，请尽快修复。"
A_EDITED = "湖塘镇花园路的路灯坏了快三个月，晚上一片漆黑，行人很不安全，请相关部门尽快修复！"
B = "建议在南夏墅街道增设公交线路，方便群众出行，现在要走两公里才能坐上公交。"


def test_shingles_and_jaccard_by_hand():
    assert shingles("abcd") == {"abc", "bcd"}
    assert shingles(" A b\tC ") == {"abc"}  # whitespace removed, case folded
    assert shingles("ab") == {"ab"} and shingles("") == set()
    # abcd → {abc, bcd}; bcde → {bcd, cde}: 1 common of 3.
    assert jaccard("abcd", "bcde") == pytest.approx(1 / 3)
    assert jaccard("", "") == 0.0
    assert canonical("ＡＢ　１２") == "ab12"  # full width folded


def test_signature_estimates_jaccard():
    hasher = MinHasher()
    exact = jaccard(A, A_EDITED)
    estimated = estimate(hasher.signature(A), hasher.signature(A_EDITED))
    assert exact > 0.6
    assert estimated == pytest.approx(exact, abs=0.15)
    assert estimate(hasher.signature(A), hasher.signature(B)) < 0.15
    assert np.array_equal(hasher.signature(A), MinHasher().signature(A))  # deterministic
    assert np.array_equal(hasher.signatures([A, B])[1], hasher.signature(B))


def test_index_finds_near_duplicates_and_not_unrelated_texts():
    index = NearDuplicateIndex()
    index.add(1, A)
    index.add(2, B)
    found = index.query(A_EDITED)
    assert [item for item, _ in found] == [1]
    assert index.query("完全无关的一句话，说的是学校食堂的饭菜价格。") == []


def test_index_remove_and_replace():
    index = NearDuplicateIndex()
    index.add(1, A)
    index.remove(1)
    assert index.query(A) == [] and 1 not in index and len(index) == 0
    index.add(1, B)  # the same id with new text
    index.add(1, A)
    assert [item for item, _ in index.query(A_EDITED)] == [1]
    assert index.query(B) == []
    index.compact()
    assert [item for item, _ in index.query(A_EDITED)] == [1] and len(index) == 1


def test_index_with_many_items_still_finds_the_pair():
    rng = np.random.default_rng(1)
    alphabet = list(
        "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研"
    )
    texts = ["".join(rng.choice(alphabet, size=60)) for _ in range(3000)]
    index = NearDuplicateIndex()
    index.add_many(enumerate(texts))
    target = 1234
    near = texts[target][:55] + "加了几个字"
    assert index.query(near, limit=3)[0][0] == target
    index.add(99_999, near)  # goes to the small run, found as well
    assert {item for item, _ in index.query(near, limit=3)} >= {target, 99_999}


def test_duplicate_groups_checks_pairs_exactly():
    texts = [A, B, A_EDITED, "", A]
    groups = duplicate_groups(texts, threshold=0.5)
    assert len(groups) == 1
    members = {i for pair in groups[0] for i in pair[:2]}
    assert members == {0, 2, 4}
    for i, j, score in groups[0]:
        assert score == pytest.approx(jaccard(texts[i], texts[j]), abs=1e-4) and score >= 0.5
    assert duplicate_groups([A, B], threshold=0.5) == []
    with pytest.raises(ValueError):
        duplicate_groups([A], threshold=0)
