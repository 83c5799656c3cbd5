"""Helpers shared by the workflow tests: put a voice in any state, and act on it as any role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser

from minsheng.org.models import Unit
from minsheng.voices.models import Rating, ReferralReason, Voice, VoiceStatus, WorkOrder
from minsheng.voices.rules import TrackingActor
from minsheng.voices.services import (
    voice_adopt,
    voice_answer,
    voice_forward,
    voice_merge,
    voice_rate,
    voice_refer,
    voice_reply,
    work_order_extend,
    work_order_extension_refuse,
    work_order_extension_request,
    work_order_return,
)
from tests.demo_roles import DEMO_ROLES
from tests.voices.conftest import account

# Every demo role, and the resident proven by tracking code and phone.
ROLES = ("resident", *DEMO_ROLES)
ACTIONS = ("answer", "forward", "refer", "merge", "adopt", "reply", "rate", "return", "request_extension")
# Granting or refusing more time needs a pending request: their matrix is in test_work_orders.py; the
# random sequences take them too.
DECISIONS = ("extend", "refuse_extension")
STATES = tuple(VoiceStatus.values)
# The voice goes to the demo deputy at the demo station: the deputy, the station's staff, the staff of
# the congress's office (选联工委) and the administrator route it. Not the CPPCC's office
# (cppcc_staff), not the legislative contact point (lawstaff), not a resident with an account (jumin).
TRIAGERS = {"deputy", "staff", "station", "admin"}

# The expected rules, written independently of the transition table: action → (states, roles).
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "answer": ({"received"}, TRIAGERS),
    "forward": ({"received"}, TRIAGERS),
    "refer": ({"received"}, TRIAGERS),
    "merge": ({"received"}, TRIAGERS),
    "adopt": ({"received"}, TRIAGERS),
    "reply": ({"forwarded", "rehandling"}, {"handler"}),
    "rate": ({"replied"}, {"resident"}),
    # The unit's own acts on its work order: return it (before it ever replied), ask for more time.
    "return": ({"forwarded"}, {"handler"}),
    "request_extension": ({"forwarded", "rehandling"}, {"handler"}),
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
        "return": lambda: work_order_return(actor=actor, voice=voice, reason="不属于本单位职责。"),
        "request_extension": lambda: _request(actor, voice),
        "extend": lambda: _voice_of(work_order_extend(actor=actor, voice=voice, reason="同意延期。")),
        "refuse_extension": lambda: _voice_of(
            work_order_extension_refuse(actor=actor, voice=voice, reason="期限内可以办结。")
        ),
    }
    return calls[action]()


def _voice_of(work_order: WorkOrder) -> Voice:
    return Voice.objects.get(pk=work_order.voice_id)


def _request(actor: Any, voice: Voice) -> Voice:
    """Ask for one more day than the open work order's reply date (within its limit)."""
    order = WorkOrder.objects.filter(voice=voice, status="open").first()
    until = (order.due if order else dt.date.today()) + dt.timedelta(days=1)
    return _voice_of(work_order_extension_request(actor=actor, voice=voice, until=until, reason="需要协调。"))


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
