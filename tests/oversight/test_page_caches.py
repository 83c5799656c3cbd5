"""What the pages keep per process is exact: cached action fields and the cached dashboard never show
another object's or an older state's data, and a warm page reads fewer rows than a cold one."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minsheng.core.events import event_chain_version
from minsheng.core.widgets import form_fields_key
from minsheng.org.selectors import today
from minsheng.oversight import forms as f
from minsheng.oversight import services
from minsheng.oversight.models import Milestone, Project
from minsheng.oversight.selectors import dashboard_cached, dashboard_for
from tests.oversight.builders import TASK, World, activity, items, problem

pytestmark = pytest.mark.django_db


def project_with(world: World, name: str, milestones: list[tuple[str, dt.date]]) -> Project:
    return services.project_create(
        actor=world["staff"],
        name=name,
        investment_planned="1000",
        milestones=[services.MilestonePlan("other", label, day) for label, day in milestones],
    )


def staff_client(world: World) -> Client:
    client = Client()
    client.force_login(world["staff"])
    return client


def test_form_fields_key_follows_what_the_fields_render_from(world: World):
    first = project_with(world, "甲项目", [("甲节点", today())])
    second = project_with(world, "乙项目", [("乙节点", today())])

    def reach(project: Project) -> forms.Form:
        return f.MilestoneReachForm(milestones=Milestone.objects.filter(project=project), prefix="reach")

    # Forms that do not depend on the project share a key; choices, initial values and prefixes do not.
    assert form_fields_key(f.ProgressForm(prefix="p")) == form_fields_key(f.ProgressForm(prefix="p"))
    assert form_fields_key(f.ProgressForm(prefix="p")) != form_fields_key(f.ProgressForm(prefix="q"))
    assert form_fields_key(reach(first)) != form_fields_key(reach(second))
    assert form_fields_key(f.StateForm(initial={"state": "planned"})) != form_fields_key(
        f.StateForm(initial={"state": "suspended"})
    )
    with pytest.raises(ValueError):
        form_fields_key(f.ProgressForm({"text": "进展"}))


def test_a_project_page_never_shows_another_projects_cached_fields(world: World):
    first = project_with(world, "甲项目", [("甲节点", today() + dt.timedelta(days=30))])
    second = project_with(world, "乙项目", [("乙节点", today() + dt.timedelta(days=30))])
    client = staff_client(world)
    page = client.get(f"/oversight/projects/{first.pk}/").content.decode()
    assert "甲节点" in page
    page = client.get(f"/oversight/projects/{second.pk}/").content.decode()
    reach_form = page.split('data-testid="action-reach"', 1)[1].split("</details>", 1)[0]
    assert "乙节点" in reach_form and "甲节点" not in reach_form
    # Once reached, the milestone leaves the form at once (the fields' key follows the choices).
    milestone = second.milestones.get()
    services.milestone_reach(actor=world["staff"], milestone=milestone, actual_date=today())
    page = client.get(f"/oversight/projects/{second.pk}/").content.decode()
    assert 'data-testid="action-reach"' not in page
    assert 'data-testid="action-replan"' not in page


def test_a_warm_project_page_reads_fewer_rows_than_a_cold_one(world: World):
    first = project_with(world, "甲项目", [("节点", today())])
    second = project_with(world, "乙项目", [("节点", today())])
    client = staff_client(world)

    def count(project: Project) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/oversight/projects/{project.pk}/").status_code == 200
        return len(captured.captured_queries)

    cold = count(first)
    # Another project with the same form shapes renders from the first page's fragments.
    warm = count(second)
    assert warm <= cold
    html = client.get(f"/oversight/projects/{second.pk}/").content.decode()
    assert "乙项目" in html and "甲项目" not in html


def test_the_cached_dashboard_follows_every_change(world: World):
    staff = world["staff"]
    before = dashboard_cached(staff)
    assert before == dashboard_for(staff)
    version = event_chain_version()
    # A project created through the service records an Event: the version moves, the board follows.
    project_with(world, "新项目", [("开工", today() - dt.timedelta(days=3))])
    assert event_chain_version() != version
    after = dashboard_cached(world.fresh(staff))
    assert after.projects_total == before.projects_total + 1
    assert after.projects_delayed == before.projects_delayed + 1
    assert after == dashboard_for(world.fresh(staff))


def test_the_cached_dashboard_is_read_once_per_version(world: World):
    client = staff_client(world)

    def total() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/oversight/dashboard/")
        assert page.status_code == 200
        figure = page.content.decode().split('data-testid="projects-total">', 1)[1].split("<", 1)[0]
        return len(captured.captured_queries), figure

    (cold, figure), (warm, again) = total(), total()
    assert warm < cold and again == figure
    project_with(world, "新项目", [("开工", today())])
    _count, changed = total()
    assert int(changed) == int(figure) + 1


def test_each_reader_gets_their_own_dashboard(world: World):
    """The key holds the reader's bodies and places: one reader never gets another's board."""
    project_with(world, "新项目", [("开工", today())])
    staff_board = dashboard_cached(world["staff"])
    leader_board = dashboard_cached(world["leader"])
    assert staff_board == dashboard_for(world.fresh(world["staff"]))
    assert leader_board == dashboard_for(world.fresh(world["leader"]))


def test_the_activity_page_follows_every_change(world: World):
    act = activity(world)
    problem(world, act, "第一个问题：台账不全。")
    client = staff_client(world)
    page = client.get(f"/oversight/activities/{act.pk}/").content.decode()
    assert "第一个问题" in page and "第二个问题" not in page
    found = problem(world, act, "第二个问题：设施缺失。")
    services.problem_assign(
        actor=world["staff"], problem=found, units=[world.unit("区应急管理局")], task=TASK
    )
    page = client.get(f"/oversight/activities/{act.pk}/").content.decode()
    assert "第二个问题" in page and 'data-testid="item-row"' in page
    # The assign form's problem list follows too (its fields are cached under the same version).
    assign = page.split('data-testid="action-assign"', 1)[1].split("</details>", 1)[0]
    assert "第二个问题" in assign


def test_each_reader_gets_their_own_rows_of_the_activity_page(world: World):
    """Staff may open every item; a unit's handler only their unit's: the rows (links) are cached per
    reader, so the handler never gets the staff's links from the cache."""
    act = activity(world)
    rows = items(world, act, units=("区应急管理局", "区交通运输局"))
    mine = next(i for i in rows if i.unit.name == "区交通运输局")
    other = next(i for i in rows if i.unit.name == "区应急管理局")
    staff_page = staff_client(world).get(f"/oversight/activities/{act.pk}/").content.decode()
    assert f"/oversight/items/{other.pk}/" in staff_page
    handler = Client()
    handler.force_login(world.handler_of(world.unit("区交通运输局")))
    page = handler.get(f"/oversight/activities/{act.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/oversight/items/{mine.pk}/" in html and f"/oversight/items/{other.pk}/" not in html
