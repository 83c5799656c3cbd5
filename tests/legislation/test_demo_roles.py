"""The permission matrix over every demo role (issue 11.4): only the contact point's staff (lawstaff)
and the administrator run a consultation; any signed-in person comments while it is open; a visitor
without an account or verified phone does nothing; every refusal changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from minsheng.core.errors import DomainError
from minsheng.legislation.models import ConsultationTask
from minsheng.org.models import Body, BodyKind
from tests.demo_roles import DEMO_ROLES, demo_roles_seed, demo_user
from tests.legislation.helpers import (
    ACTIONS,
    PARTICIPANT_ALLOWED,
    STAFF_ALLOWED,
    STEPS,
    S,
    task_at,
    task_snapshot,
)

pytestmark = pytest.mark.django_db
RUN_TASKS = {"lawstaff", "admin"}


@pytest.fixture(scope="module", autouse=True)
def _demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        demo_roles_seed()
    yield


def _contact_point() -> Body:
    return Body.objects.filter(kind=BodyKind.LEGISLATIVE_CONTACT_POINT).order_by("id").first()  # type: ignore[return-value]


def _allowed(role: str) -> dict[str, set[str]]:
    if role in RUN_TASKS:
        # The administrator steps in for the contact point; the staff member comments like anyone.
        return STAFF_ALLOWED
    return {} if role == "anonymous" else PARTICIPANT_ALLOWED


@pytest.mark.parametrize("step", STEPS)
def test_every_demo_role_in_every_step(step: str) -> None:
    staff, resident = demo_user("lawstaff"), demo_user("jumin")
    task = task_at(
        step, staff=staff, contact_point=_contact_point(), commenter=resident, today=timezone.localdate()
    )
    for role in DEMO_ROLES:
        allowed = _allowed(role)
        for action, run in ACTIONS.items():
            expected = step in allowed.get(action, set())
            before = task_snapshot(task)
            with transaction.atomic():
                try:
                    run(demo_user(role), ConsultationTask.objects.get(pk=task.pk))
                except DomainError as refusal:
                    assert not expected, f"{role} should be able to {action} in {step}: {refusal.message}"
                    assert task_snapshot(task) == before, f"refused {action} by {role} changed something"
                else:
                    assert expected, f"{role} must not be able to {action} in {step}"
                transaction.set_rollback(True)


def test_only_the_contact_point_s_staff_open_the_management_pages() -> None:
    task = task_at(
        S.CONSULTING,
        staff=demo_user("lawstaff"),
        contact_point=_contact_point(),
        commenter=demo_user("jumin"),
        today=timezone.localdate(),
    )
    for role in DEMO_ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(demo_user(role))
        manage = client.get(f"/legislation/{task.pk}/manage/")
        # Not signed in: to the sign-in page; signed in but not the contact point's: not found.
        expected = 200 if role in RUN_TASKS else (302 if role == "anonymous" else 404)
        assert manage.status_code == expected, role
        new = client.get("/legislation/new/")
        assert (new.status_code == 200) is (role in RUN_TASKS), role
        page = client.get(f"/legislation/{task.pk}/").content.decode()
        assert "13961180002" not in page, role  # jumin's number: never on the public page
