"""Issue 12.13: bidi controls and zero-width characters never reach a stored topic or statement."""

from __future__ import annotations

from typing import Any

from minsheng.deliberation import services

HIDDEN = "\u202e\u200b\u2066\ufeff"


def test_topic_title_question_and_statement(world: Any, topic: Any) -> None:
    proposed = services.topic_propose(
        actor=world.member, body=world.committee, title=f"公园{HIDDEN}改造", question=f"怎么{HIDDEN}改？"
    )
    proposed.refresh_from_db()
    assert (proposed.title, proposed.question) == ("公园改造", "怎么改？")
    joined = services.participant_join(topic=topic, user=world.resident)
    statement = services.statement_submit(participant=joined.participant, text=f"多种{HIDDEN}树")
    statement.refresh_from_db()
    assert statement.text == "多种树"
