"""The permission matrix over every demo role (issue 11.4): only the CPPCC committee's consultation
staff (cppcc_staff, after the deliberation demo gives them that seat) and the administrator run a
topic of the district; congress staff, legislation staff, station staff, deputies, members, handlers
and residents do not; every refusal changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from minsheng.core.errors import DomainError
from minsheng.deliberation import services
from minsheng.deliberation.models import Topic, TopicStatus
from minsheng.org.models import Body, BodyKind
from tests.deliberation.test_permissions import ACTIONS, _snapshot
from tests.demo_roles import DEMO_ROLES, demo_roles_seed, demo_user

pytestmark = pytest.mark.django_db
T = TopicStatus
RUNS_TOPICS = {"cppcc_staff", "admin"}


@pytest.fixture(scope="module", autouse=True)
def _demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        demo_roles_seed()
    yield


def _topic_in(state: str) -> Topic:
    committee = Body.objects.get(kind=BodyKind.CPPCC_COMMITTEE, jurisdiction__level="district")
    staff = demo_user("cppcc_staff")
    topic = services.topic_propose(
        actor=demo_user("member"), body=committee, title="停车难", question="如何缓解停车难？"
    )
    if state == T.PROPOSED:
        return topic
    if state == T.REJECTED:
        return services.topic_reject(actor=staff, topic=topic, reason="重复")
    topic = services.topic_accept(actor=staff, topic=topic, setup=services.TopicSetup(), seeds=["种子"])
    for step in ("open", "close", "conclude"):
        if topic.status == state:
            break
        topic = getattr(services, f"topic_{step}")(actor=staff, topic=topic)
    assert topic.status == state
    return topic


@pytest.mark.parametrize("state", [s.value for s in T])
def test_every_demo_role_in_every_state(state: str) -> None:
    for role in DEMO_ROLES:
        for action, (sources, run) in ACTIONS.items():
            topic = _topic_in(state)
            before = _snapshot(topic)
            if role in RUNS_TOPICS and state in sources:
                run(demo_user(role), topic)
                assert _snapshot(topic) != before, (action, role)
            else:
                with pytest.raises(DomainError):
                    run(demo_user(role), topic)
                assert _snapshot(topic) == before, (action, role, state)


def test_the_management_page_opens_for_those_who_run_the_topic_only() -> None:
    topic = _topic_in(T.OPEN)
    for role in DEMO_ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(demo_user(role))
        response = client.get(f"/deliberation/{topic.pk}/manage/")
        assert response.status_code == (200 if role in RUNS_TOPICS else 403), role
