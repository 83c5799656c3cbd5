from __future__ import annotations

from minsheng.core.events import events_for
from minsheng.voices.models import Rating, VoiceStatus
from minsheng.voices.rules import TrackingActor
from minsheng.voices.services import voice_forward, voice_rate, voice_reply


def test_full_loop(make_voice, users, transport_unit):
    voice = make_voice()
    assert voice.status == VoiceStatus.RECEIVED
    voice = voice_forward(actor=users["deputy"], voice=voice, unit=transport_unit)
    voice = voice_reply(actor=users["handler"], voice=voice, text="已修复。")
    voice = voice_rate(actor=TrackingActor(voice.pk), voice=voice, rating=Rating.DISSATISFIED)
    assert voice.status == VoiceStatus.REHANDLING
    voice = voice_reply(actor=users["handler"], voice=voice, text="已再次检修。")
    voice = voice_rate(actor=TrackingActor(voice.pk), voice=voice, rating=Rating.SATISFIED)
    assert voice.status == VoiceStatus.CLOSED
    assert [e.verb for e in events_for(voice)] == ["create", "forward", "reply", "rehandle", "reply", "close"]
