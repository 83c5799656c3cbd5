"""Every voice action × role × state: allowed exactly where expected; a denied action changes nothing."""

from __future__ import annotations

import pytest

from minsheng.core.errors import DomainError
from minsheng.core.events import events_for
from minsheng.core.models import Event
from minsheng.voices.models import VoiceReply, WorkOrder
from tests.voices.workflow import ACTIONS, EXPECTED, ROLES, STATES, act, actor_for, voice_in_state


def _snapshot(voice):
    fresh = type(voice).objects.get(pk=voice.pk)
    return (
        fresh.status,
        fresh.merged_into_id,
        fresh.referral_reason,
        Event.objects.count(),
        list(
            WorkOrder.objects.filter(voice=voice).values_list(
                "status", "due", "round", "extension_requested_to", "return_reason"
            )
        ),
        list(VoiceReply.objects.filter(voice=voice).values_list("id", "rating")),
    )


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_permission_matrix(db, make_voice, transport_unit, state, action):
    allowed_states, allowed_roles = EXPECTED[action]
    for role in ROLES:
        voice = voice_in_state(state, make_voice, transport_unit)
        other = make_voice(text="同一路段的路灯也不亮。")
        actor = actor_for(role, voice)
        before = _snapshot(voice)
        expected_ok = state in allowed_states and role in allowed_roles
        if expected_ok:
            after_voice = act(action, actor, voice, unit=transport_unit, other=other)
            if action == "request_extension":  # the work order's own Event; the voice stays as it was
                order = WorkOrder.objects.get(voice=voice, status="open")
                assert list(events_for(order))[-1].verb == action and after_voice.status == state
                continue
            last = list(events_for(after_voice))[-1]
            assert last.from_state == state and last.to_state == after_voice.status, (role, action, state)
        else:
            try:
                act(action, actor, voice, unit=transport_unit, other=other)
            except DomainError:
                pass
            else:
                pytest.fail(f"{role} may {action} in {state}")
            assert _snapshot(voice) == before, (role, action, state)
