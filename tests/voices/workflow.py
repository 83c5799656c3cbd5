"""Helpers shared by the workflow tests: put a voice in any state, and act on it as any role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser

from minsheng.org.models import Unit
from minsheng.voices.models import Rating, ReferralReason, Voice, VoiceStatus
from minsheng.voices.rules import TrackingActor
from minsheng.voices.services import (
    voice_adopt,
    voice_answer,
    voice_forward,
    voice_merge,
    voice_rate,
    voice_refer,
    voice_reply,
)
from tests.voices.conftest import account

ROLES = (
    "anonymous",
    "resident",
    "deputy",
    "leader",
    "member",
    "staff",
    "cppcc_staff",
    "station",
    "handler",
    "admin",
)
ACTIONS = ("answer", "forward", "refer", "merge", "adopt", "reply", "rate")
STATES = tuple(VoiceStatus.values)
TRIAGERS = {"deputy", "staff", "cppcc_staff", "station", "admin"}

# The expected rules, written independently of the transition table: action → (states, roles).
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "answer": ({"received"}, TRIAGERS),
    "forward": ({"received"}, TRIAGERS),
    "refer": ({"received"}, TRIAGERS),
    "merge": ({"received"}, TRIAGERS),
    "adopt": ({"received"}, TRIAGERS),
    "reply": ({"forwarded", "rehandling"}, {"handler"}),
    "rate": ({"replied"}, {"resident"}),
}


def actor_for(role: str, voice: Voice) -> Any:
    if role == "anonymous":
        return AnonymousUser()
    if role == "resident":
        return TrackingActor(voice.pk)
    return account(role)


def act(action: str, actor: Any, voice: Voice, *, unit: Unit, other: Voice) -> Voice:
    """Run one action through its service with valid input."""
    calls: dict[str, Callable[[], Voice]] = {
        "answer": lambda: voice_answer(actor=actor, voice=voice, text="已转告社区，请留意通知。"),
        "forward": lambda: voice_forward(actor=actor, voice=voice, unit=unit),
        "refer": lambda: voice_refer(actor=actor, voice=voice, reason=ReferralReason.LITIGATION),
        "merge": lambda: voice_merge(actor=actor, voice=voice, into=other),
        "adopt": lambda: voice_adopt(actor=actor, voice=voice, motion_label="关于路灯维护的建议"),
        "reply": lambda: voice_reply(actor=actor, voice=voice, text="已修复。"),
        "rate": lambda: voice_rate(actor=actor, voice=voice, rating=Rating.SATISFIED),
    }
    return calls[action]()


def voice_in_state(state: str, make_voice: Callable[..., Voice], unit: Unit) -> Voice:
    """A fresh voice brought into ``state`` through the services, as the administrator."""
    admin, handler = account("admin"), account("handler")
    voice = make_voice()
    if state == VoiceStatus.RECEIVED:
        return voice
    if state == VoiceStatus.REFERRED:
        return voice_refer(actor=admin, voice=voice, reason=ReferralReason.NOT_PUBLIC)
    if state == VoiceStatus.MERGED:
        return voice_merge(actor=admin, voice=voice, into=make_voice())
    if state == VoiceStatus.ADOPTED:
        return voice_adopt(actor=admin, voice=voice, motion_label="关于路灯维护的建议")
    voice = voice_forward(actor=admin, voice=voice, unit=unit)
    if state == VoiceStatus.FORWARDED:
        return voice
    voice = voice_reply(actor=handler, voice=voice, text="已处理。")
    if state == VoiceStatus.REPLIED:
        return voice
    rating = Rating.DISSATISFIED if state == VoiceStatus.REHANDLING else Rating.SATISFIED
    return voice_rate(actor=TrackingActor(voice.pk), voice=voice, rating=rating)
