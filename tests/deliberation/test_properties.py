"""Random sequences of actions by random people keep the workflow's invariants."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.core.errors import DomainError
from minsheng.core.events import events_for
from minsheng.deliberation import services
from minsheng.deliberation.models import Topic, TopicStatus
from minsheng.deliberation.services import TOPIC_TRANSITIONS

pytestmark = pytest.mark.django_db

ACTORS = ["staff", "member", "resident", "other_staff", "admin"]
ACTIONS = ["accept", "reject", "open", "close", "conclude"]


def _run(action, actor, topic):
    if action == "accept":
        return services.topic_accept(actor=actor, topic=topic, setup=services.TopicSetup(), seeds=["甲"])
    if action == "reject":
        return services.topic_reject(actor=actor, topic=topic, reason="理由")
    return getattr(services, f"topic_{action}")(actor=actor, topic=topic)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(ACTORS), st.sampled_from(ACTIONS)), max_size=12))
def test_every_state_change_follows_the_table_and_leaves_one_event(world, steps):
    topic = services.topic_propose(actor=world.member, body=world.committee, title="题", question="问？")
    expected_state = TopicStatus.PROPOSED
    changes = 0
    for actor_name, action in steps:
        actor = getattr(world, actor_name)
        transition = TOPIC_TRANSITIONS.lookup(action)
        allowed = actor_name in ("staff", "admin") and transition.starts_from(expected_state)
        try:
            _run(action, actor, Topic.objects.get(pk=topic.pk))
        except DomainError:
            assert not allowed, (actor_name, action, expected_state)
        else:
            assert allowed, (actor_name, action, expected_state)
            expected_state = transition.target
            changes += 1
        assert Topic.objects.get(pk=topic.pk).status == expected_state
    verbs = [e.verb for e in events_for(topic)]
    assert verbs[0] == "propose"
    assert len([v for v in verbs if v in ACTIONS]) == changes
