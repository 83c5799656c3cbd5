"""The near-duplicate index kept in the database: found, replaced, removed, scoped by record type."""

from __future__ import annotations

import pytest

from minsheng.core.models import SimilarityBand
from minsheng.core.similarity import similar_records, similar_to_record, similarity_index, similarity_remove
from minsheng.org.models import Jurisdiction, Unit

pytestmark = pytest.mark.django_db

A = "湖塘镇花园路的路灯坏了三个月，晚上一片漆黑，行人很不安全，请尽快修复。"
A_EDITED = "湖塘镇花园路的路灯坏了快三个月，晚上一片漆黑，行人很不安全，请相关部门尽快修复！"
B = "建议在南夏墅街道增设公交线路，方便群众出行，现在要走两公里才能坐上公交。"


@pytest.fixture
def units() -> list[Unit]:
    district = Jurisdiction.objects.create(level="district", name="相似区", code="999400")
    return [
        Unit.objects.create(jurisdiction=district, kind="government_department", name=f"相似{i}")
        for i in range(3)
    ]


def test_finds_near_duplicates_only(units):
    similarity_index(units[0], A)
    similarity_index(units[1], B)
    found = similar_records(Unit, A_EDITED)
    assert [pk for pk, _ in found] == [units[0].pk]
    assert 0.5 <= found[0][1] <= 1
    assert similar_records(Unit, "完全无关：学校食堂的饭菜价格太高了，希望物价部门管一管。") == []
    assert similar_records(Unit, "   ") == []


def test_replaced_text_and_removal_keep_the_index_right(units):
    similarity_index(units[0], A)
    similarity_index(units[0], A)  # unchanged text: nothing rewritten
    assert SimilarityBand.objects.count() == 32
    similarity_index(units[0], B)
    assert SimilarityBand.objects.count() == 32
    assert similar_records(Unit, A_EDITED) == []
    assert [pk for pk, _ in similar_records(Unit, B)] == [units[0].pk]
    similarity_remove(units[0])
    assert similar_records(Unit, B) == [] and SimilarityBand.objects.count() == 0


def test_similar_to_record_leaves_itself_out(units):
    similarity_index(units[0], A)
    similarity_index(units[1], A_EDITED)
    similarity_index(units[2], B)
    assert [pk for pk, _ in similar_to_record(units[0])] == [units[1].pk]
    assert similar_to_record(units[2]) == []
    assert similar_records(Unit, A, exclude_id=units[0].pk)[0][0] == units[1].pk
