"""Key projects and cooperation items: milestones planned against actual, delay as a query, progress."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from minsheng.core.attachments import attachments_for
from minsheng.core.errors import PermissionDeniedError, ValidationFailedError
from minsheng.org.selectors import today
from minsheng.oversight import services
from minsheng.oversight.models import Project, ProjectStatus
from minsheng.oversight.selectors import ProjectFilters, dashboard_for, milestone_timeline, projects_search
from tests.oversight.builders import World
from tests.oversight.files import png_bytes

pytestmark = pytest.mark.django_db


def plant(world: World, start: dt.date) -> Project:
    return services.project_create(
        actor=world["staff"],
        name="10GW TOPCon高效电池项目",
        owner="某光伏科技股份有限公司",
        investment_planned="560000",
        floor_area="118000",
        park="武进国家高新区",
        milestones=[
            services.MilestonePlan("start", "", start),
            services.MilestonePlan("structure", "", start + dt.timedelta(days=200)),
            services.MilestonePlan("equipment", "", start + dt.timedelta(days=300)),
            services.MilestonePlan("production", "", start + dt.timedelta(days=400)),
        ],
        supervisors=[world["deputy"].person],
    )


def test_a_milestone_slips_and_shows_as_delayed(world: World):
    start = today() - dt.timedelta(days=250)
    project = plant(world, start)
    owner = world.owner_contact(project)
    first, second = list(project.milestones.order_by("order"))[:2]
    services.milestone_reach(actor=owner, milestone=first, actual_date=start)
    # The structure was planned 50 days ago and is not finished: delayed, on the list and the dashboard.
    assert [p.pk for p in projects_search(world["staff"], ProjectFilters(delayed=True))] == [project.pk]
    assert dashboard_for(world["staff"]).projects_delayed == 1
    rows = {r["kind"]: r for r in milestone_timeline(project)}
    assert rows["structure"]["delayed"] and rows["structure"]["late_days"] == 50
    services.milestone_reach(actor=owner, milestone=second, actual_date=today())
    assert not projects_search(world["staff"], ProjectFilters(delayed=True)).exists()
    assert milestone_timeline(Project.objects.get(pk=project.pk))[1]["late_days"] == 50  # reached late


def test_delay_follows_the_calendar(world: World):
    project = plant(world, today() + dt.timedelta(days=10))
    assert not projects_search(world["staff"], ProjectFilters(delayed=True)).exists()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=12), tick=False):
        assert [p.pk for p in projects_search(world["staff"], ProjectFilters(delayed=True))] == [project.pk]


def test_owner_posts_progress_with_photos_and_the_investment_to_date(world: World):
    project = plant(world, today())
    owner = world.owner_contact(project)
    post = services.project_progress_post(
        actor=owner,
        project=project,
        text="主体结构已完工，设备安装已启动。",
        investment_completed="143000",
        photos=[SimpleUploadedFile("厂房.png", png_bytes())],
    )
    assert Project.objects.get(pk=project.pk).investment_completed == Decimal("143000.00")
    assert [a.original_name for a in attachments_for(post)] == ["厂房.png"]
    with pytest.raises(ValidationFailedError):
        services.project_progress_post(actor=owner, project=project, text="进展", investment_completed="-1")
    with pytest.raises(PermissionDeniedError):
        services.project_progress_post(actor=world["handler"], project=project, text="进展")
    with pytest.raises(ValidationFailedError):  # a reached date cannot be in the future
        services.milestone_reach(
            actor=owner, milestone=project.milestones.first(), actual_date=today() + dt.timedelta(days=1)
        )


def test_status_moves_through_the_transition_table(world: World):
    project = plant(world, today())
    for action, state in [
        ("start", "under_construction"),
        ("suspend", "suspended"),
        ("resume", "under_construction"),
    ]:
        project = services.project_transition(actor=world["staff"], project=project, action=action)
        assert project.status == state
    with pytest.raises(PermissionDeniedError):
        services.project_transition(actor=world.owner_contact(project), project=project, action="produce")
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.UNDER_CONSTRUCTION


def test_a_visit_finds_a_problem_that_becomes_an_item(world: World):
    project = plant(world, today())
    services.visit_record(
        actor=world["deputy"], project=project, date=today(), place="施工现场", notes="设备到货延迟"
    )
    found = services.problem_add_for_project(
        actor=world["staff"], project=project, text="进口设备清关周期长。"
    )
    (item,) = services.problem_assign(
        actor=world["staff"], problem=found, units=[world.unit("区商务局")], task="协调开辟通关绿色通道。"
    )
    assert item.problem.project_id == project.pk and item.body_id == world.standing_committee().pk
    with pytest.raises(PermissionDeniedError):  # supervisors visit; staff list problems
        services.problem_add_for_project(actor=world["deputy"], project=project, text="问题")


def test_cooperation_items_belong_to_a_platform_and_record_outcomes(world: World):
    platform = services.platform_create(actor=world["staff"], name="中德技术赋能平台", partners="德方研究所")
    item = services.project_create(
        actor=world["staff"],
        kind="cooperation",
        platform=platform,
        cooperation_kind="joint_research",
        name="数字孪生联合研发",
    )
    outcome = services.outcome_record(
        actor=world["staff"],
        project=item,
        kind="patent",
        title="一种建模方法",
        date=today(),
        reference="申请中",
    )
    assert outcome.project.platform == platform
    with pytest.raises(ValidationFailedError):
        services.project_create(actor=world["staff"], kind="cooperation", name="缺少合作形式")
    key = plant(world, today())
    with pytest.raises(ValidationFailedError):
        services.outcome_record(actor=world["staff"], project=key, kind="patent", title="专利", date=today())
