"""Issue 12.13: bidi controls and zero-width characters never reach a stored voice (text and name)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from minsheng.voices.models import VoiceChannel
from minsheng.voices.services import voice_create
from tests.voices.conftest import RESIDENT_PHONE

HIDDEN = "\u202e\u200b\u2066\ufeff"


def test_voice_text_and_name(db):
    voice = voice_create(
        actor=AnonymousUser(),
        channel=VoiceChannel.WEB,
        text=f"路灯{HIDDEN}坏了gpj.exe{HIDDEN}",
        name=f"王{HIDDEN}先生",
        phone=RESIDENT_PHONE,
    )
    voice.refresh_from_db()
    assert voice.text == "路灯坏了gpj.exe" and voice.name == "王先生"
