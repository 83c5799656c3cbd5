"""Issue 12.13: bidi controls and zero-width characters never reach a stored motion (title, text, reply)."""

from __future__ import annotations

import pytest

from minsheng.motions import services
from minsheng.motions.models import Motion, MotionKind
from tests.motions.builders import Accounts, assigned, lead_assignment

pytestmark = pytest.mark.django_db
HIDDEN = "\u202e\u200b\u2066\ufeff"


def test_motion_title_text_and_reply(accounts: Accounts) -> None:
    motion = services.motion_create(
        actor=accounts["deputy"],
        kind=MotionKind.SUGGESTION,
        title=f"关于{HIDDEN}路灯的建议",
        text=f"建议{HIDDEN}修复路灯。",
    )
    motion.refresh_from_db()
    assert (motion.title, motion.text) == ("关于路灯的建议", "建议修复路灯。")
    handled = assigned(accounts)
    reply = services.assignment_reply(
        actor=accounts["handler"], assignment=lead_assignment(handled), category="A", text=f"已{HIDDEN}修复。"
    )
    assert Motion.objects.get(pk=handled.pk).replies.get().text == "已修复。", reply
