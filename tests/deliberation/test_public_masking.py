"""Issue 12.10 / 11.5: a statement with a phone number is published masked on every public surface:
the statements API, comments.csv, the topic page, the report; outcomes too."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from minsheng.deliberation import services
from minsheng.deliberation.models import Statement

PHONE_FORMS = ["139.1234.5678", "139—1234—5678", "139_1234_5678", "139  1234  5678", "一三九一二三四五六七八"]
ID_NUMBER = "3204 1219 8801 0112 35"


@pytest.fixture
def written(world: Any, topic: Any) -> list[Statement]:
    joined = services.participant_join(topic=topic, user=world.resident)
    return [
        services.statement_submit(
            participant=joined.participant, text=f"第{n}条：有事打我电话 {phone}，身份证 {ID_NUMBER}"
        )
        for n, phone in enumerate(PHONE_FORMS)
    ]


def assert_nothing_leaks(text: str) -> None:
    for phone in PHONE_FORMS:
        assert phone not in text, phone
    assert ID_NUMBER not in text and "1219 8801" not in text


def test_statements_api(written: list[Statement], topic: Any) -> None:
    statements = Client().get(f"/api/deliberation/topics/{topic.pk}/statements").json()
    mine = [s["text"] for s in statements if s["text"].startswith("第")]
    assert len(mine) == len(PHONE_FORMS)
    assert_nothing_leaks(" ".join(mine))


def test_comments_csv(written: list[Statement], topic: Any) -> None:
    response = Client().get(f"/deliberation/{topic.pk}/comments.csv")
    assert response.status_code == 200
    text = response.content.decode()
    assert "有事打我电话" in text
    assert_nothing_leaks(text)


def test_topic_page_and_report(written: list[Statement], topic: Any) -> None:
    for url in (f"/deliberation/{topic.pk}/", f"/deliberation/{topic.pk}/report/"):
        response = Client().get(url)
        assert response.status_code == 200
        assert_nothing_leaks(response.content.decode())


def test_outcomes_are_masked_too(world: Any, topic: Any) -> None:
    topic = services.topic_close(actor=world.staff, topic=topic)
    meeting = services.meeting_schedule(
        actor=world.staff, topic=topic, starts_at=timezone.now() + dt.timedelta(days=1), place="议事室"
    )
    meeting = services.meeting_hold(
        actor=world.staff,
        meeting=meeting,
        minutes="议定事项",
        attendees=[services.AttendeeIn(name="张三", kind="resident")],
    )
    services.outcome_add(
        actor=world.staff,
        meeting=meeting,
        text="联系居民 139.1234.5678 落实",
        unit=world.unit,
        due=timezone.localdate() + dt.timedelta(days=30),
    )
    outcomes = Client().get(f"/api/deliberation/topics/{topic.pk}/outcomes").json()
    assert outcomes and "139.1234.5678" not in str(outcomes) and "139.****.5678" in str(outcomes)
