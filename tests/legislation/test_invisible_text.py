"""Issue 12.13: bidi controls and zero-width characters never reach a stored opinion."""

from __future__ import annotations

from typing import Any

from minsheng.legislation import services
from minsheng.legislation.models import TaskStatus

HIDDEN = "\u202e\u200b\u2066\ufeff"


def test_opinion_text(make_task: Any, resident: Any) -> None:
    task = make_task(status=TaskStatus.CONSULTING)
    opinion = services.opinion_submit(actor=resident, task=task, text=f"建议{HIDDEN}明确时限。")
    opinion.refresh_from_db()
    assert opinion.text == "建议明确时限。"
