"""Segmentation and the routing recipe on small data: shapes, calibration, saving and loading."""

from __future__ import annotations

import random

import numpy as np
import pytest

from minsheng.analysis.text.routing import (
    RoutingError,
    model_load,
    model_save,
    quality_of,
    routing_train,
)
from minsheng.analysis.text.segment import Segmenter, looks_segmented


def test_segmented_and_raw_text_give_the_same_kind_of_words():
    segmenter = Segmenter()
    assert looks_segmented("A1 区 自来水 霉味 小区 高层 二次 供水")
    assert not looks_segmented("湖塘镇花园路的路灯坏了三个月")
    assert segmenter.words("A1 区 自来水 霉味 的 小区") == ["a1", "区", "自来水", "霉味", "小区"]
    raw = segmenter.words("湖塘镇花园路的路灯坏了，请尽快修复！")
    assert "路灯" in raw and "的" not in raw and "，" not in raw


def test_extra_words_stay_whole_and_do_not_leak():
    plain = Segmenter().words("武进区牛塘镇卢家巷社区")
    local = Segmenter(["牛塘镇", "卢家巷社区"]).words("武进区牛塘镇卢家巷社区")
    assert "卢家巷社区" in local and "卢家巷社区" not in plain
    assert "卢家巷社区" not in Segmenter().words("武进区牛塘镇卢家巷社区")


LABELS = {
    "交通运输": "公交 地铁 线路 班次 站点 红绿灯 拥堵 出租车 车辆 通行 停车".split(),  # noqa: SIM905
    "教育文体": "学校 学生 老师 课程 入学 学位 幼儿园 家长 体育馆 图书馆 考试".split(),  # noqa: SIM905
    "环境保护": "噪音 污水 排放 河道 污染 气味 粉尘 焚烧 空气 环评 扰民".split(),  # noqa: SIM905
}


def _corpus(n: int, seed: int, noise: float = 0.0) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, labels = [], []
    every = [w for words in LABELS.values() for w in words]
    for i in range(n):
        label = list(LABELS)[i % 3]
        words = [rng.choice(LABELS[label]) for _ in range(8)] + [
            rng.choice(every) for _ in range(int(8 * noise))
        ]
        texts.append(" ".join(words))
        labels.append(label)
    return texts, labels


def test_routing_learns_suggests_and_is_calibrated():
    texts, labels = _corpus(90, 1, noise=1.0)
    model = routing_train(texts, labels)
    assert model.labels == tuple(sorted(LABELS)) and model.n_train == 90
    suggestions = model.suggest("地铁站出口附近公交线路太少，红绿灯时间太短")  # raw text, not segmented
    assert suggestions[0].label == "交通运输" and len(suggestions) == 2
    assert 0 <= suggestions[1].confidence < suggestions[0].confidence <= 1
    assert model.suggest("   ") == []
    probabilities = model.probabilities(texts[:5])
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert 0.01 < model.temperature < 10


def test_quality_of_counts_unknown_labels_as_errors():
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    quality = quality_of(["a", "b", "c"], probabilities, ["a", "b"])
    assert quality["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert quality["per_class"] == {"a": pytest.approx(0.6667, abs=1e-4), "b": 1.0, "c": 0.0}
    assert quality["top2_accuracy"] == pytest.approx(2 / 3, abs=1e-4)


def test_two_labels_work():
    texts, labels = _corpus(40, 2)
    keep = [i for i, label in enumerate(labels) if label != "教育文体"]
    model = routing_train([texts[i] for i in keep], [labels[i] for i in keep])
    assert model.suggest("噪音 污水 粉尘")[0].label == "环境保护"


@pytest.mark.parametrize(
    ("texts", "labels", "message"),
    [
        (["公交", "地铁"], ["交通", "交通"], "two categories"),
        (["公交", "学校", "地铁"], ["交通", "教育", "交通"], "at least 2 examples"),
        (["公交"], ["交通", "教育"], "one label per text"),
        (["，。", "！", "？", "、"], ["a", "a", "b", "b"], "no words"),
    ],
)
def test_bad_training_data_is_refused(texts, labels, message):
    with pytest.raises(RoutingError, match=message):
        routing_train(texts, labels)


def test_saved_model_loads_only_with_its_digest(tmp_path):
    texts, labels = _corpus(30, 3)
    model = routing_train(texts, labels)
    path = tmp_path / "models" / "routing-1.pickle"
    digest = model_save(model, path)
    loaded = model_load(path, digest)
    assert loaded.suggest("学校 老师")[0] == model.suggest("学校 老师")[0]
    path.write_bytes(path.read_bytes() + b"tampered")
    with pytest.raises(RoutingError, match="digest"):
        model_load(path, digest)


def test_fast_feature_rows_equal_scikit_learns():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from minsheng.analysis.text.routing import TfidfView, char_ngrams

    corpus = ["湖塘镇花园路路灯坏了", "公交 线路  太少", "ABC公交站", "路灯 路灯 路灯 修"]
    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True).fit(corpus)
    view = TfidfView.of(chars, 5)
    for text in [*corpus, "新的 路灯  问题 ABC", "完全没见过"]:
        expected = chars.transform([text]).toarray()[0]
        columns, values = view.row(char_ngrams(text, 1, 3))
        got = np.zeros(len(expected))
        got[columns - 5] = values
        assert np.allclose(got, expected)
    words = TfidfVectorizer(analyzer=lambda ws: ws, sublinear_tf=True).fit([t.split() for t in corpus])
    columns, values = TfidfView.of(words, 0).row(["路灯", "路灯", "修", "未知"])
    expected = words.transform([["路灯", "路灯", "修", "未知"]]).toarray()[0]
    got = np.zeros(len(expected))
    got[columns] = values
    assert np.allclose(got, expected)


def test_the_lead_words_have_a_view_of_their_own_weighted_as_the_recipe_says():
    from minsheng.analysis.text.routing import Recipe

    texts, labels = _corpus(60, 4, noise=1.0)
    model = routing_train(texts, labels)
    assert model.lead_view is not None and model.recipe.lead_words == 10
    start = model.lead_view.offset
    assert start == len(model.words_view.vocabulary) + len(model.chars_view.vocabulary)
    columns, values = model.feature_row("公交 地铁 班次 " + "学校 老师 " * 10)
    lead = columns >= start
    assert lead.any() and not lead.all()
    assert model.lead_chars_view is not None
    lead_chars = columns >= model.lead_chars_view.offset
    assert lead_chars.any() and model.lead_chars_view.offset > start
    assert np.linalg.norm(values[lead & ~lead_chars]) == pytest.approx(model.recipe.lead_weight)
    assert np.linalg.norm(values[lead_chars]) == pytest.approx(model.recipe.lead_char_weight)
    assert np.linalg.norm(values[~lead]) == pytest.approx(np.sqrt(2))  # words and characters: 1 each
    assert model.weights.shape[0] == model.lead_chars_view.offset + len(model.lead_chars_view.vocabulary)
    without = routing_train(texts, labels, recipe=Recipe(lead_words=0))
    assert without.lead_view is None and without.lead_chars_view is None
    assert without.suggest("地铁站出口附近公交线路太少")[0].label == "交通运输"
