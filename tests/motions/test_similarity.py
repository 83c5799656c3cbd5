"""The baseline similarity (pure function) and its use for the drafter and the reviewer."""

from __future__ import annotations

from minsheng.analysis.text.similarity import pairwise_similar, similar_texts

CORPUS = [
    "关于推进中小学课后服务提质增效的提案",
    "关于支持中小企业数字化转型的提案",
    "关于加强农村生活污水治理的提案",
    "关于在学校路口增设信号灯的建议",
]


def test_the_closest_text_comes_first():
    ranked = similar_texts("关于提升中小学课后服务质量的提案", CORPUS)
    assert ranked and ranked[0][0] == 0
    assert all(0 <= score <= 1 for _i, score in ranked)


def test_unrelated_and_empty_queries_find_nothing():
    assert similar_texts("", CORPUS) == []
    assert similar_texts("天气", []) == []
    assert similar_texts("ABC", CORPUS, min_score=0.5) == []


def test_words_inside_longer_words_match():
    ranked = similar_texts("信号灯", CORPUS)
    assert ranked[0][0] == 3


def test_pairs_above_a_threshold():
    pairs = pairwise_similar([*CORPUS, "关于提升中小学课后服务质量的提案"], min_score=0.4)
    assert (0, 4) in [(i, j) for i, j, _s in pairs]
