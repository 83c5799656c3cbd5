"""What the pages keep per process is exact (the cached dashboard and activity rows never show another
reader's or an older state's data), and an action's fields load only when it is opened, each with its
own object's choices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minsheng.core.events import event_chain_version
from minsheng.core.models import Event
from minsheng.org.selectors import today
from minsheng.oversight import services
from minsheng.oversight.models import Project
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


def fields_of(client: Client, url: str) -> str:
    """An action's fields as the page loads them when the reader opens the action (htmx)."""
    answer = client.get(url, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    return answer.content.decode()


def test_a_page_lists_its_actions_and_builds_no_form(world: World):
    first = project_with(world, "甲项目", [("甲节点", today() + dt.timedelta(days=30))])
    page = staff_client(world).get(f"/oversight/projects/{first.pk}/").content.decode()
    reach = page.split('data-testid="action-reach"', 1)[1].split("</details>", 1)[0]
    assert f'hx-get="/oversight/projects/{first.pk}/act/reach/"' in reach
    assert "甲节点" not in reach and 'name="reach-milestone"' not in reach


def test_an_opened_action_shows_its_own_objects_fields(world: World):
    first = project_with(world, "甲项目", [("甲节点", today() + dt.timedelta(days=30))])
    second = project_with(world, "乙项目", [("乙节点", today() + dt.timedelta(days=30))])
    client = staff_client(world)
    assert "甲节点" in fields_of(client, f"/oversight/projects/{first.pk}/act/reach/")
    reach = fields_of(client, f"/oversight/projects/{second.pk}/act/reach/")
    assert "乙节点" in reach and "甲节点" not in reach and "<html" not in reach
    # Once reached, the milestone's action leaves the page, and its fields answer 404.
    milestone = second.milestones.get()
    services.milestone_reach(actor=world["staff"], milestone=milestone, actual_date=today())
    page = client.get(f"/oversight/projects/{second.pk}/").content.decode()
    assert 'data-testid="action-reach"' not in page
    assert 'data-testid="action-replan"' not in page
    answer = client.get(f"/oversight/projects/{second.pk}/act/reach/", headers={"HX-Request": "true"})
    assert answer.status_code == 404


def test_without_javascript_an_action_opens_on_a_page_of_its_own(world: World):
    first = project_with(world, "甲项目", [("甲节点", today() + dt.timedelta(days=30))])
    client = staff_client(world)
    events = Event.objects.count()
    page = client.get(f"/oversight/projects/{first.pk}/act/reach/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<html" in html and "甲节点" in html and 'data-testid="action-form"' in html
    assert f'href="/oversight/projects/{first.pk}/"' in html
    assert Event.objects.count() == events  # opening a form changes nothing


def test_an_action_the_reader_may_not_take_opens_for_nobody(world: World):
    first = project_with(world, "甲项目", [("甲节点", today() + dt.timedelta(days=30))])
    outsider = Client()
    outsider.force_login(world.handler_of(world.unit("区交通运输局")))
    for url in (f"/oversight/projects/{first.pk}/act/reach/", f"/oversight/projects/{first.pk}/act/nothing/"):
        assert outsider.get(url, headers={"HX-Request": "true"}).status_code == 404
    assert staff_client(world).get(f"/oversight/projects/{first.pk}/act/nothing/").status_code == 404


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
    # The assign form's problem list, loaded when opened, follows too.
    assert "第二个问题" in fields_of(client, f"/oversight/activities/{act.pk}/act/assign/")


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
