"""Permission matrix: topic states × roles × actions. A refused action changes nothing and leaves no Event."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from minsheng.core.errors import DomainError
from minsheng.core.models import Event
from minsheng.deliberation import services
from minsheng.deliberation.models import Meeting, Statement, Topic, TopicStatus

pytestmark = pytest.mark.django_db

T = TopicStatus
ROLES = ["anonymous", "resident", "member", "handler", "staff", "room_staff", "other_staff", "admin"]
RUNS_TOPICS = {"staff", "admin"}
ACTIONS = {
    "accept": ({T.PROPOSED}, lambda actor, topic: services.topic_accept(
        actor=actor, topic=topic, setup=services.TopicSetup(), seeds=["新的种子观点"])),
    "reject": ({T.PROPOSED}, lambda actor, topic: services.topic_reject(
        actor=actor, topic=topic, reason="不属于协商范围")),
    "open": ({T.ACCEPTED}, lambda actor, topic: services.topic_open(actor=actor, topic=topic)),
    "close": ({T.OPEN}, lambda actor, topic: services.topic_close(actor=actor, topic=topic)),
    "conclude": ({T.CLOSED}, lambda actor, topic: services.topic_conclude(actor=actor, topic=topic)),
    "seeds": ({T.ACCEPTED, T.OPEN}, lambda actor, topic: services.seeds_add(
        actor=actor, topic=topic, texts=["补充观点"])),
    "meeting": ({T.ACCEPTED, T.OPEN, T.CLOSED}, lambda actor, topic: services.meeting_schedule(
        actor=actor, topic=topic, starts_at=timezone.now() + dt.timedelta(days=3), place="社区议事厅")),
}  # fmt: skip


def _topic_in(world, state: str) -> Topic:
    topic = services.topic_propose(
        actor=world.member, body=world.committee, title="停车难", question="如何缓解停车难？"
    )
    if state == T.PROPOSED:
        return topic
    if state == T.REJECTED:
        return services.topic_reject(actor=world.staff, topic=topic, reason="重复")
    topic = services.topic_accept(actor=world.staff, topic=topic, setup=services.TopicSetup(), seeds=["种子"])
    for step, reached in (("open", T.OPEN), ("close", T.CLOSED), ("conclude", T.CONCLUDED)):
        if topic.status == state:
            break
        topic = getattr(services, f"topic_{step}")(actor=world.staff, topic=topic)
        assert topic.status == reached
    return topic


def _snapshot(topic: Topic) -> tuple:
    return (
        Topic.objects.get(pk=topic.pk).status,
        Statement.objects.filter(topic=topic).count(),
        Meeting.objects.filter(topic=topic).count(),
        Event.objects.count(),
    )


@pytest.mark.parametrize("state", [s.value for s in T])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, state, role):
    actor = AnonymousUser() if role == "anonymous" else getattr(world, role)
    for action, (sources, run) in ACTIONS.items():
        topic = _topic_in(world, state)
        before = _snapshot(topic)
        allowed = role in RUNS_TOPICS and state in sources
        if allowed:
            run(actor, topic)
            assert _snapshot(topic) != before, action
        else:
            with pytest.raises(DomainError):
                run(actor, topic)
            assert _snapshot(topic) == before, (action, role, state)


@pytest.mark.parametrize("state", [s.value for s in T])
def test_who_sees_a_topic(world, state):
    topic = _topic_in(world, state)
    public = state in (T.OPEN, T.CLOSED, T.CONCLUDED)
    assert AnonymousUser().has_perm("deliberation.view_topic", topic) is public
    assert world.resident.has_perm("deliberation.view_topic", topic) is public
    assert world.member.has_perm("deliberation.view_topic", topic)  # the proposer
    assert world.staff.has_perm("deliberation.view_topic", topic)
    assert world.other_staff.has_perm("deliberation.view_topic", topic) is public


def test_staff_of_a_consultation_room_run_topics_of_their_town(world):
    topic = services.topic_propose(
        actor=world.resident, body=world.room, title="菜场改造", question="怎么改？"
    )
    assert topic.jurisdiction == world.town
    topic = services.topic_accept(
        actor=world.room_staff, topic=topic, setup=services.TopicSetup(), seeds=["种子"]
    )
    assert topic.status == T.ACCEPTED
    # The district committee's staff cover the town too.
    assert services.topic_open(actor=world.staff, topic=topic).status == T.OPEN
