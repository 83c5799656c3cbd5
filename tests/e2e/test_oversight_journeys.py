"""Supervision journeys in Chromium, on a phone and a desktop, with screenshots.

(1) a team member records a visit with a photo; staff turn two findings into items for two units; a
    unit reports progress, is sent back, reports again and is accepted; members rate the unit; the
    public page shows the closed item and the ballot result;
(2) a key project's milestone slips and shows as delayed on the dashboard.
"""

from __future__ import annotations

import datetime as dt

import pytest

from minsheng.org.models import Body, Membership, Person, Role, Unit, User
from minsheng.org.selectors import today
from minsheng.oversight import services
from minsheng.oversight.models import (
    ActivityKind,
    BallotStatus,
    ItemStatus,
    ProgressReport,
    RectificationItem,
    SatisfactionBallot,
    Visit,
)
from tests.conftest import demo_seed_once
from tests.e2e.conftest import screenshot
from tests.e2e.test_motions_journeys import sign_in as sign_in_on
from tests.e2e.test_motions_journeys import user_with_password
from tests.oversight.files import png_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FINDINGS = [
    "部分企业危险化学品储存场所防泄漏设施不完善，隐患排查台账不健全。",
    "道路运输企业动态监控平台运行不稳定，预警处置不及时。",
]


def sign_in(page, base: str, username: str) -> None:
    """Leave the page first: a photo still loading after the cookies are cleared would be answered
    without a session, with a fresh CSRF cookie that races the sign-in form's."""
    page.goto("about:blank")
    sign_in_on(page, base, username)


def open_action(page, testid: str):
    box = page.get_by_test_id(testid).first
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    return box


def submit(page, box) -> None:
    with page.expect_navigation():
        box.locator("button[type=submit]").click()


def handler_of(unit: Unit, username: str) -> User:
    seat = Membership.objects.filter(unit=unit, role=Role.HANDLER).select_related("person").first()
    if seat is None:
        person = Person.objects.create(name=f"{unit.name[:4]}联络员", pinyin="lian luo yuan")
        seat = Membership.objects.create(person=person, unit=unit, role=Role.HANDLER, start="2021-12-28")
    return user_with_password(seat.person, username)


def test_visit_findings_rectification_ballot_and_public_record(live_server, page, tmp_path):
    demo_seed_once()
    base = live_server.url
    staff = User.objects.get(username="staff")
    safety, transport = Unit.objects.get(name="区应急管理局"), Unit.objects.get(name="区交通运输局")
    deputies = Membership.objects.filter(role=Role.DEPUTY, body__kind="congress").order_by("id")[60:62]
    team = [user_with_password(seat.person, f"team{i}") for i, seat in enumerate(deputies)]
    for i, seat in enumerate(Membership.objects.filter(role=Role.SC_MEMBER).order_by("id")[:3]):
        user_with_password(seat.person, f"voter{i}")
    handler_of(safety, "safety")
    activity = services.activity_create(
        actor=staff,
        body=Body.objects.get(kind="standing_committee"),
        kind=ActivityKind.LAW_INSPECTION,
        title="《安全生产法》执法检查",
        start_date=today() - dt.timedelta(days=3),
        end_date=today() + dt.timedelta(days=30),
        units=[safety, transport],
    )
    services.activity_team_add(
        actor=staff, activity=activity, people=[u.person for u in team], leader=team[0].person
    )
    activity = services.activity_start(actor=staff, activity=activity)

    # (1) a team member records a visit with a photo, from the phone or the desk
    sign_in(page, base, "team0")
    page.goto(f"{base}/oversight/activities/{activity.pk}/")
    box = open_action(page, "action-visit")
    box.locator("input[name='visit-place']").fill("武进国家高新区某化工企业储罐区")
    box.locator("textarea[name='visit-notes']").fill("现场查看危险化学品储存情况。")
    photo = tmp_path / "储罐区.png"
    photo.write_bytes(png_bytes())
    box.locator("input[name='visit-photos']").set_input_files(str(photo))
    submit(page, box)
    assert Visit.objects.filter(activity=activity).count() == 1
    assert page.get_by_test_id("visit-photo").first.is_visible()
    screenshot(page, "oversight-1-01-visit")

    # (2) staff turn two findings into items for two units
    sign_in(page, base, "staff")
    page.goto(f"{base}/oversight/activities/{activity.pk}/")
    for text in FINDINGS:
        box = open_action(page, "action-finding")
        box.locator("textarea").fill(text)
        submit(page, box)
    for text, unit in zip(FINDINGS, (safety, transport), strict=True):
        box = open_action(page, "action-assign")
        box.locator("select[name='assign-problem']").select_option(label=text[:60])
        box.locator("select[name='assign-units']").select_option(label=unit.name)
        box.locator("textarea[name='assign-task']").fill(f"针对“{text[:12]}”限期整改到位。")
        submit(page, box)
    items = RectificationItem.objects.filter(problem__activity=activity)
    assert sorted(items.values_list("unit__name", flat=True)) == sorted([safety.name, transport.name])
    assert page.get_by_test_id("item-row").count() == 2
    screenshot(page, "oversight-1-02-items")
    item = items.get(unit=transport)

    # (3) the unit reports, is sent back, reports again, is accepted
    sign_in(page, base, "handler")
    page.goto(f"{base}/oversight/items/{item.pk}/")
    box = open_action(page, "action-report")
    box.locator("textarea[name='report-text']").fill("已督促企业恢复监控平台运行。")
    box.locator("input[name='report-is_final']").check()
    box.locator("input[name='report-evidence']").set_input_files(str(photo))
    submit(page, box)
    sign_in(page, base, "staff")
    page.goto(f"{base}/oversight/items/{item.pk}/")
    box = open_action(page, "action-review")
    box.locator("input[name='review-accept'][value='0']").check()
    box.locator("textarea[name='review-reason']").fill("缺少平台运行记录，请补充。")
    submit(page, box)
    assert RectificationItem.objects.get(pk=item.pk).status == ItemStatus.OPEN
    sign_in(page, base, "handler")
    page.goto(f"{base}/oversight/items/{item.pk}/")
    assert page.get_by_test_id("review-reason").first.inner_text() == "缺少平台运行记录，请补充。"
    screenshot(page, "oversight-1-03-sent-back")
    box = open_action(page, "action-report")
    box.locator("textarea[name='report-text']").fill("已补充近一个月平台运行记录。")
    box.locator("input[name='report-is_final']").check()
    submit(page, box)
    sign_in(page, base, "team1")  # the team reviews too
    page.goto(f"{base}/oversight/items/{item.pk}/")
    box = open_action(page, "action-review")
    box.locator("input[name='review-accept'][value='1']").check()
    submit(page, box)
    assert RectificationItem.objects.get(pk=item.pk).status == ItemStatus.CLOSED
    assert list(ProgressReport.objects.filter(item=item).values_list("status", flat=True)) == [
        "sent_back",
        "accepted",
    ]
    screenshot(page, "oversight-1-04-closed")

    # (4) members rate the unit, anonymously
    sign_in(page, base, "staff")
    page.goto(f"{base}/oversight/activities/{activity.pk}/")
    box = open_action(page, "action-ballot")
    box.locator("select").select_option(label=transport.name)
    submit(page, box)
    ballot = SatisfactionBallot.objects.get(activity=activity)
    for voter, choice in zip(
        ("voter0", "voter1", "voter2"), ("satisfied", "basically", "satisfied"), strict=True
    ):
        sign_in(page, base, voter)
        assert page.get_by_test_id("oversight-desk-ballots").is_visible()
        page.goto(f"{base}/oversight/ballots/{ballot.pk}/")
        form = page.get_by_test_id("vote-form")
        form.locator(f"input[value='{choice}']").check()
        submit(page, form)
    screenshot(page, "oversight-1-05-voted")
    sign_in(page, base, "staff")
    page.goto(f"{base}/oversight/ballots/{ballot.pk}/")
    assert "3" in page.get_by_test_id("turnout").inner_text()
    with page.expect_navigation():
        page.get_by_test_id("close-ballot").click()
    assert SatisfactionBallot.objects.get(pk=ballot.pk).status == BallotStatus.CLOSED
    page.goto(f"{base}/oversight/activities/{activity.pk}/")
    box = open_action(page, "action-publish")
    box.locator("select").select_option("1")
    submit(page, box)

    # (5) the public page shows the closed item and the ballot result
    page.context.clear_cookies()
    page.goto(f"{base}/oversight/public/")
    with page.expect_navigation():
        page.get_by_test_id("public-activities").get_by_text(activity.title).click()
    states = page.get_by_test_id("item-state").all_inner_texts()
    assert "已办结" in states and len(states) == 2
    result = page.get_by_test_id("ballot-result").inner_text()
    assert transport.name in result and "通过" in result and "满意2票" in result
    screenshot(page, "oversight-1-06-public")


def test_a_slipping_milestone_shows_as_delayed_on_the_dashboard(live_server, page):
    demo_seed_once()
    base = live_server.url
    staff = User.objects.get(username="staff")
    day = today()
    project = services.project_create(
        actor=staff,
        name="10GW TOPCon高效电池项目",
        owner="某光伏科技股份有限公司",
        investment_planned="560000",
        park="武进国家高新区",
        milestones=[
            services.MilestonePlan("start", "开工建设", day - dt.timedelta(days=300)),
            services.MilestonePlan("equipment", "设备安装调试", day + dt.timedelta(days=5)),
            services.MilestonePlan("production", "投产", day + dt.timedelta(days=90)),
        ],
    )
    services.milestone_reach(
        actor=staff, milestone=project.milestones.get(kind="start"), actual_date=day - dt.timedelta(days=298)
    )
    sign_in(page, base, "staff")
    page.goto(f"{base}/oversight/dashboard/")
    assert page.get_by_test_id("projects-delayed").inner_text() == "0"
    # The equipment installation slips: its planned date moves into the past without an actual date.
    services.milestone_replan(
        actor=staff,
        milestone=project.milestones.get(kind="equipment"),
        planned_date=day - dt.timedelta(days=10),
        reason="按原计划日期核对：设备应于10天前完成安装",
    )
    page.goto(f"{base}/oversight/dashboard/")
    assert page.get_by_test_id("projects-delayed").inner_text() == "1"
    assert page.get_by_test_id("delayed-projects").get_by_text(project.name).is_visible()
    page.wait_for_function("document.querySelector('#chart-parks canvas') !== null")
    screenshot(page, "oversight-2-01-dashboard")
    with page.expect_navigation():
        page.get_by_test_id("delayed-projects").get_by_text(project.name).click()
    assert page.get_by_test_id("project-delayed").is_visible()
    assert page.get_by_test_id("milestone-delayed").inner_text() == "滞后10天"
    page.wait_for_function("document.querySelector('#chart-timeline canvas') !== null")
    screenshot(page, "oversight-2-02-project")
