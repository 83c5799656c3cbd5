from __future__ import annotations

from collections import Counter

from minsheng.core.events import events_verify
from minsheng.org.models import Unit
from minsheng.voices import demo
from minsheng.voices.models import Voice, VoiceStatus, WorkOrder
from minsheng.voices.selectors import voices_addressed_to_user, work_orders_for_handler
from tests.voices.conftest import account


def test_demo_seeds_voices_in_many_states(db):
    assert not demo.exists()
    demo.seed()
    assert demo.exists()
    states = Counter(Voice.objects.values_list("status", flat=True))
    assert sum(states.values()) >= 30
    for status in (
        VoiceStatus.RECEIVED,
        VoiceStatus.FORWARDED,
        VoiceStatus.REPLIED,
        VoiceStatus.CLOSED,
        VoiceStatus.REHANDLING,
        VoiceStatus.REFERRED,
        VoiceStatus.MERGED,
        VoiceStatus.ADOPTED,
    ):
        assert states[status] >= 1, status
    assert voices_addressed_to_user(account("deputy")).exists()
    transport = Unit.objects.get(name="区交通运输局")
    assert WorkOrder.objects.filter(unit=transport, status="open").exists()
    assert work_orders_for_handler(account("handler")).exists()
    assert Voice.objects.filter(tracking_code=demo.DEMO_TRACKING_CODE, phone=demo.DEMO_PHONE).exists()
    assert events_verify() == []
