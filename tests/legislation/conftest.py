"""Fixtures of the legislation tests: a contact point, its staff, other people, tasks on the sample draft."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils import timezone

from minsheng.core.messaging import outbox_clear
from minsheng.legislation import services
from minsheng.legislation.models import ConsultationTask, TaskStatus
from minsheng.legislation.sample import SAMPLE_DRAFT, SAMPLE_ISSUER, SAMPLE_QUESTIONS, SAMPLE_TITLE
from minsheng.org.models import BodyKind, JurisdictionLevel, Role
from tests.factories import BodyFactory, JurisdictionFactory, MembershipFactory, PersonFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache_and_outbox() -> Any:
    cache.clear()
    outbox_clear()
    yield
    cache.clear()


@pytest.fixture
def district(db: Any) -> Any:
    return JurisdictionFactory(level=JurisdictionLevel.DISTRICT, name="测试区")


@pytest.fixture
def contact_point(district: Any) -> Any:
    return BodyFactory(
        jurisdiction=district, kind=BodyKind.LEGISLATIVE_CONTACT_POINT, name="测试区基层立法联系点"
    )


def _user_with_role(body: Any, role: str, username: str) -> Any:
    person = PersonFactory()
    MembershipFactory(person=person, body=body, role=role, start=dt.date(2020, 1, 1))
    user = UserFactory(username=username, person=person, first_name=person.name)
    return user


@pytest.fixture
def staff(contact_point: Any) -> Any:
    return _user_with_role(contact_point, Role.STAFF, "cp_staff")  # not the demo's lawstaff


@pytest.fixture
def other_staff(district: Any) -> Any:
    """Staff of another working body: not of the contact point."""
    working_body = BodyFactory(jurisdiction=district, kind=BodyKind.WORKING_BODY, name="测试区选联工委")
    return _user_with_role(working_body, Role.STAFF, "otherstaff")


@pytest.fixture
def resident(db: Any) -> Any:
    return UserFactory(username="resident", first_name="王居民")


@pytest.fixture
def anonymous() -> Any:
    return AnonymousUser()


@pytest.fixture
def make_task(staff: Any, contact_point: Any) -> Callable[..., ConsultationTask]:
    def make(status: str = TaskStatus.ACCEPTED, text: str = SAMPLE_DRAFT, **extra: Any) -> ConsultationTask:
        draft = services.draft_read(text=text)
        today = timezone.localdate()
        task = services.task_create(
            actor=staff,
            contact_point=contact_point,
            title=SAMPLE_TITLE,
            issuing_body=SAMPLE_ISSUER,
            received_on=extra.pop("received_on", today),
            draft=draft,
            key_questions=SAMPLE_QUESTIONS,
            **extra,
        )
        path = ["study", "open", "close", "draft_report", "review", "submit", "give_feedback"]
        for action in path:
            if task.status == status:
                break
            if action == "draft_report":
                ConsultationTask.objects.filter(pk=task.pk).update(status=TaskStatus.REPORTING)
                task.refresh_from_db()
            elif action == "give_feedback":
                task = services.feedback_give(actor=staff, task=task)
            else:
                task = services.task_advance(actor=staff, task=task, action=action)
        assert task.status == status
        return task

    return make


def article_of(task: ConsultationTask, label: str) -> Any:
    return task.versions.order_by("-number").first().articles.get(label=label)  # type: ignore[union-attr]
