"""Routing models on the platform: trained from confirmed assignments, versioned, replaced only when
at least as good, suggested beside the forward form, never sent by themselves."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minsheng.core.errors import PermissionDeniedError, ValidationFailedError
from minsheng.core.models import Event
from minsheng.insight import services
from minsheng.insight.models import RoutingModelVersion, RoutingSource
from minsheng.insight.selectors import routing_advice, routing_model_active, routing_version_active
from minsheng.org.models import Unit

from .conftest import TOPICS, account

pytestmark = pytest.mark.django_db


def test_first_model_is_trained_from_confirmed_assignments_and_suggests_units(confirmed, staff):
    confirmed(2)
    version = services.routing_model_train(actor=staff, source=RoutingSource.PLATFORM)
    assert version.accepted and version.number >= 1 and version.n_train >= 36
    assert version.n_heldout == round(version.n_train * services.HELDOUT_SHARE)
    assert set(version.quality) >= {"accuracy", "macro_f1", "top2_accuracy", "ece", "accuracy_at_80_coverage"}
    assert (services.models_dir() / version.file_name).exists()
    assert Event.objects.filter(verb="train", target_id=str(version.pk)).exists()
    advice = routing_advice("小区门口的烧烤摊油烟太大，晚上吵得睡不着")
    assert advice is not None and len(advice.suggestions) == 2
    best = advice.suggestions[0]
    assert best.name == "区城市管理局" and [u.name for u in best.units] == ["区城市管理局"]
    assert best.confidence > advice.suggestions[1].confidence
    # The org model's place and unit names are the segmenter's words: 湖塘镇 stays one word.
    segmenter = routing_model_active()[1].segmenter
    assert "湖塘镇" in services.org_dictionary() and "湖塘镇" in segmenter.extra_words
    assert "湖塘镇" in segmenter.words("湖塘镇花园路的路灯坏了")


def test_prefill_only_above_the_setting_and_only_units_the_form_offers(confirmed, staff, settings):
    confirmed(2)
    services.routing_model_train(actor=staff, source=RoutingSource.PLATFORM)
    text = "公交线路太少，早高峰等车太久，红绿灯时间太短"
    settings.MINSHENG = {**settings.MINSHENG, "ROUTING_PREFILL_CONFIDENCE": 0.0}
    advice = routing_advice(text)
    assert advice is not None and advice.prefill_unit is not None
    assert advice.prefill_unit.name == advice.suggestions[0].name
    only_other = Unit.objects.filter(name="区教育局")
    advice = routing_advice(text, allowed_units=only_other)
    assert (advice is not None and advice.prefill_unit is None) or advice.prefill_unit.name == "区教育局"
    settings.MINSHENG = {**settings.MINSHENG, "ROUTING_PREFILL_CONFIDENCE": 1.01}
    assert routing_advice(text).prefill_unit is None


def test_a_worse_model_does_not_replace_the_active_one(confirmed, staff):
    confirmed(2)
    good = services.routing_model_train(actor=staff, source=RoutingSource.PLATFORM)
    # The older four fifths labelled with another topic's unit, the held-back newest fifth right: the
    # new model learned the wrong units and must do worse than the active one on that slice.
    examples = services.routing_examples_platform()
    kinds = sorted(set(examples.labels))
    wrong = dict(zip(kinds, kinds[1:] + kinds[:1], strict=True))
    train, _held = services.split_examples(examples)
    older = set(train)
    shuffled = [wrong[label] if i in older else label for i, label in enumerate(examples.labels)]
    worse = services.routing_model_train(
        actor=staff,
        source=RoutingSource.PLATFORM,
        examples=services.Examples(examples.texts, shuffled, examples.times),
    )
    assert not worse.accepted and worse.baseline["accuracy"] > worse.quality["accuracy"]
    assert routing_version_active() == good
    assert RoutingModelVersion.objects.filter(accepted=False).count() == 1


def test_too_few_examples_and_no_permission_leave_nothing(make_voice, staff):
    before = RoutingModelVersion.objects.count()
    with pytest.raises(ValidationFailedError):
        services.routing_model_train(actor=staff, source=RoutingSource.PLATFORM)
    with pytest.raises(PermissionDeniedError):
        services.routing_model_train(actor=account("deputy"), source=RoutingSource.PLATFORM)
    assert RoutingModelVersion.objects.count() == before


def test_an_altered_model_file_is_not_loaded(confirmed, staff):
    confirmed(2)
    version = services.routing_model_train(actor=staff, source=RoutingSource.PLATFORM)
    path = services.models_dir() / version.file_name
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    from minsheng.insight import selectors

    selectors._loaded.clear()
    assert routing_model_active() is None and routing_advice("路灯坏了") is None


def _labelled_csv(path: Path) -> Path:
    categories = {
        "交通运输": TOPICS["区交通运输局"],
        "城乡建设": TOPICS["区城市管理局"],
        "教育文体": TOPICS["区教育局"],
    }
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "留言分词", "一级分类"])
        row = 0
        for repeat in range(3):
            for label, texts in categories.items():
                for text in texts:
                    row += 1
                    writer.writerow([row, f"{text} 第{repeat}次", label])
    return path


def test_cold_start_from_a_labelled_file_with_categories_mapped_to_units(tmp_path, staff):
    call_command("text_train", csv=_labelled_csv(tmp_path / "labelled.csv"))
    version = routing_version_active()
    assert version is not None and version.source == RoutingSource.CSV
    assert set(version.labels) == {"交通运输", "城乡建设", "教育文体"}
    advice = routing_advice("公交线路太少，等车太久")
    assert advice.suggestions[0].name == "交通运输" and advice.suggestions[0].units == []
    services.routing_category_save(
        actor=staff, name="交通运输", units=[Unit.objects.get(name="区交通运输局")]
    )
    advice = routing_advice("公交线路太少，等车太久")
    assert [u.name for u in advice.suggestions[0].units] == ["区交通运输局"]


def test_text_train_command_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("row,text\n1,公交\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing column"):
        call_command("text_train", csv=bad)
    with pytest.raises(CommandError, match="至少需要"):  # the user's language
        call_command("text_train")
