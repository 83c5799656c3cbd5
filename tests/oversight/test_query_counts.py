"""Pages read a fixed number of rows' worth of queries, whatever the number of items, visits or posts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minsheng.org.selectors import today
from minsheng.oversight import services
from minsheng.oversight.models import Activity, Project
from tests.oversight.builders import TASK, World, activity, problem
from tests.oversight.files import png_bytes

pytestmark = pytest.mark.django_db

UNITS = ("区交通运输局", "区应急管理局", "区教育局", "区民政局", "区水利局", "区商务局")


def queries(client: Client, url: str) -> int:
    caches["fragments"].clear()  # count a cold page: cached form fragments skip their queries
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def grow_activity(world: World, act: Activity, n: int) -> None:
    for i in range(n):
        found = problem(world, act, f"问题{i}：发现的问题。")
        services.problem_assign(
            actor=world["staff"], problem=found, units=[world.unit(u) for u in UNITS[:2]], task=TASK
        )
        services.visit_record(
            actor=world["staff"],
            activity=act,
            date=today(),
            place=f"现场{i}",
            photos=[SimpleUploadedFile("p.png", png_bytes())],
        )


def grow_project(world: World, project: Project, n: int) -> None:
    for i in range(n):
        services.milestone_add(
            actor=world["staff"], project=project, kind="other", name=f"节点{i}", planned_date=today()
        )
        services.project_progress_post(
            actor=world["staff"],
            project=project,
            text=f"进展{i}",
            photos=[SimpleUploadedFile("p.png", png_bytes())],
        )
        services.visit_record(actor=world["staff"], project=project, date=today(), place=f"现场{i}")


def same_count(measure: Callable[[], int], grow: Callable[[], None], budget: int) -> None:
    small = measure()
    grow()
    large = measure()
    assert small == large, f"{small} queries with few rows, {large} with more"
    assert large <= budget


def test_activity_page_and_lists(world: World):
    act = activity(world)
    staff = Client()
    staff.force_login(world["staff"])
    grow_activity(world, act, 1)
    same_count(
        lambda: queries(staff, f"/oversight/activities/{act.pk}/"), lambda: grow_activity(world, act, 4), 60
    )
    same_count(lambda: queries(staff, "/oversight/items/"), lambda: grow_activity(world, act, 3), 25)
    unit = world.unit("区交通运输局").pk
    same_count(
        lambda: queries(staff, f"/oversight/items/?unit={unit}&status=open"),
        lambda: grow_activity(world, act, 3),
        25,
    )
    same_count(lambda: queries(staff, "/oversight/dashboard/"), lambda: grow_activity(world, act, 3), 25)
    services.activity_publish(actor=world["staff"], activity=act)
    anonymous = Client()
    same_count(
        lambda: queries(anonymous, f"/oversight/public/activities/{act.pk}/"),
        lambda: grow_activity(world, act, 3),
        20,
    )


def test_project_page(world: World):
    project = services.project_create(actor=world["staff"], name="重点项目", investment_planned="100")
    staff = Client()
    staff.force_login(world["staff"])
    grow_project(world, project, 1)
    same_count(
        lambda: queries(staff, f"/oversight/projects/{project.pk}/"),
        lambda: grow_project(world, project, 4),
        50,
    )
    same_count(
        lambda: queries(staff, "/oversight/projects/"),
        lambda: (
            [
                services.project_create(actor=world["staff"], name=f"项目{i}", investment_planned="1")
                for i in range(5)
            ]
            and None
        ),
        20,
    )
