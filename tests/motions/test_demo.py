"""The demo items: every state present, for the demo accounts, and seeding twice is refused by exists()."""

from __future__ import annotations

import pytest

from minsheng.core.events import events_verify
from minsheng.motions import demo
from minsheng.motions.models import Motion, MotionStatus
from minsheng.motions.selectors import awaiting_rating, public_replies
from minsheng.org.models import User

pytestmark = pytest.mark.django_db


def test_demo_seeds_every_state_for_the_demo_accounts():
    assert not demo.exists()
    demo.seed()
    assert demo.exists()
    states = set(Motion.objects.values_list("status", flat=True))
    for state in ("draft", "submitted", "filed", "assigned", "replied", "closed", "declined"):
        assert state in states
    assert awaiting_rating(User.objects.get(username="deputy"))
    assert public_replies().exists()
    assert Motion.objects.filter(key_supervision__leader__user__username="leader").exists()
    assert (
        Motion.objects.filter(assignments__unit__name="区交通运输局", status=MotionStatus.ASSIGNED).count()
        >= 2
    )
    assert events_verify() == []
