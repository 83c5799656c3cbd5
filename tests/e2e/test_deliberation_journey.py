"""Journey: a resident opens a topic on a phone, verifies their number, votes on 10 statements card by
card, writes one and sees the map with their group; staff moderate it, hold the meeting, record two
outcomes, and the public report shows them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from minsheng.core.messaging import outbox
from minsheng.deliberation import services
from minsheng.deliberation.models import Meeting, Outcome, Participant, Statement, Vote
from minsheng.org.models import BodyKind, JurisdictionLevel, Role, Unit, UnitKind
from tests.e2e.conftest import screenshot
from tests.factories import BodyFactory, JurisdictionFactory, MembershipFactory, PersonFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
SEEDS = [
    "加装电梯的费用应按楼层高低分摊",
    "一楼住户不应承担建设费用",
    "政府应提供一半以上的建设补贴",
    "维护费用应由使用电梯的住户承担",
    "三分之二住户同意即可开工",
    "低层住户应得到采光补偿",
    "应允许提取公积金支付费用",
    "街道应安排专人协调分歧",
    "受益多的住户应多出资",
    "电梯应优先照顾老年人",
    "施工期间应保障出行安全",
    "应公开每部电梯的费用明细",
]


def _setup() -> tuple[object, object, object]:
    district = JurisdictionFactory(level=JurisdictionLevel.DISTRICT, name="测试区")
    committee = BodyFactory(jurisdiction=district, kind=BodyKind.CPPCC_COMMITTEE, name="测试区政协")
    unit = Unit.objects.create(
        jurisdiction=district, kind=UnitKind.GOVERNMENT_DEPARTMENT, name="测试区住建局"
    )
    Unit.objects.create(jurisdiction=district, kind=UnitKind.GOVERNMENT_DEPARTMENT, name="测试区民政局")
    staff_person = PersonFactory(name="协商工作人员")
    MembershipFactory(person=staff_person, body=committee, role=Role.STAFF)
    staff = UserFactory(username="consult-staff", person=staff_person)
    member_person = PersonFactory()
    MembershipFactory(person=member_person, body=committee, role=Role.CPPCC_MEMBER)
    member = UserFactory(person=member_person)
    topic = services.topic_propose(
        actor=member, body=committee, title="老旧小区加装电梯", question="加装电梯的费用如何分摊？"
    )
    topic = services.topic_accept(
        actor=staff, topic=topic, setup=services.TopicSetup(moderation="pre"), seeds=SEEDS
    )
    topic = services.topic_open(actor=staff, topic=topic)
    # Twenty neighbours voted already, in two camps: the map has groups to place the resident in.
    statements = list(Statement.objects.filter(topic=topic).order_by("pk"))
    for n in range(20):
        joined = services.participant_join(topic=topic, verified_phone=f"1370000{n:04d}")
        for index, statement in enumerate(statements):
            value = 1 if index in (3, 9) or ((n % 2 == 0) == (index % 2 == 0)) else -1
            services.vote_cast(participant=joined.participant, statement_id=statement.pk, value=value)
    return topic, staff, unit


def test_resident_votes_writes_and_staff_record_outcomes(live_server, page):
    topic, _staff, unit = _setup()
    url = f"{live_server.url}/deliberation/{topic.pk}/"

    # The resident opens the topic and verifies their mobile number.
    page.goto(live_server.url + "/deliberation/")
    page.get_by_role("link", name="老旧小区加装电梯").click()
    page.wait_for_url(url)
    screenshot(page, "deliberation-01-topic")
    # One form (core.phone_flow): the number, "send code", the code, "take part".
    join = page.get_by_test_id("join-form")
    join.locator("input[name=phone]").fill("13912345678")
    join.locator("button[value=send_code]").click()
    page.wait_for_load_state()
    code = re.search(r"\d{6}", outbox[-1].body).group(0)
    join = page.get_by_test_id("join-form")
    assert join.locator("input[name=phone]").input_value() == "13912345678"
    join.locator("input[name=code]").fill(code)
    join.locator("#join").click()
    page.wait_for_url(f"{url}#vote")
    participant = Participant.objects.get(topic=topic, phone_hash__gt="", phone_masked__contains="5678")

    # Ten statements, one card at a time (htmx swaps the card).
    for number in range(10):
        card = page.locator("#card")
        statement_text = card.locator(".statement").inner_text()
        button = ("button.agree", "button.disagree", "button.pass")[number % 3]
        card.locator(button).click()
        page.wait_for_function(
            "text => !document.querySelector('#card .statement') "
            "|| document.querySelector('#card .statement').innerText !== text",
            arg=statement_text,
        )
        if number == 1:
            screenshot(page, "deliberation-02-card")
    assert Vote.objects.filter(participant=participant).count() == 10

    page.fill("#id_text", "电梯加装后应当成立住户自管小组")
    page.get_by_role("button", name=re.compile("提交观点|Submit statement")).click()
    page.wait_for_url("**/deliberation/receipt/")
    written = Statement.objects.get(topic=topic, author=participant)
    assert written.status == "pending"
    # The receipt is where the person is looking, with a code to read the statement again.
    receipt = page.get_by_test_id("receipt")
    assert receipt.is_visible() and written.receipt_code in receipt.inner_text()
    assert receipt.bounding_box()["y"] < page.viewport_size["height"]
    screenshot(page, "deliberation-02b-receipt")

    page.goto(url)
    page.locator("#my-group").wait_for()
    page.locator("#map-chart canvas").first.wait_for()
    assert page.locator("#own-statements").inner_text().count("电梯加装后应当成立住户自管小组") == 1
    screenshot(page, "deliberation-03-map")

    # Staff sign in, publish the statement, hold the meeting and record two outcomes.
    staff_page = page.context.new_page()
    staff_page.viewport_name = page.viewport_name
    staff_page.goto(live_server.url + f"/accounts/login/?next=/deliberation/{topic.pk}/manage/")
    staff_page.fill("#id_login", "consult-staff")
    staff_page.fill("#id_password", PASSWORD)
    staff_page.locator("form button[type=submit]").last.click()
    staff_page.wait_for_url(f"**/deliberation/{topic.pk}/manage/")
    row = staff_page.locator(f"#queue-{written.pk}")
    row.locator("button[value=publish]").click()
    staff_page.wait_for_load_state()
    written.refresh_from_db()
    assert written.status == "published"

    staff_page.locator("#act-close").click()
    staff_page.wait_for_load_state()
    starts = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    staff_page.fill("#id_starts_at", starts)
    staff_page.fill("#id_place", "社区议事厅")
    staff_page.locator("#schedule").click()
    staff_page.wait_for_load_state()
    meeting = Meeting.objects.get(topic=topic)
    staff_page.fill("#id_minutes", "住户代表、委员、住建局参加，同意按楼层分摊并申请补贴。")
    staff_page.fill("#id_attendees", "陈阿姨,居民\n周委员,委员,区政协\n王科长,部门,住建局")
    staff_page.locator(f"#hold-{meeting.pk}").click()
    staff_page.wait_for_load_state()
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    for text in ("制定按楼层分摊的指导标准", "设立加装电梯补贴专项"):
        staff_page.fill("#id_text", text)
        staff_page.select_option("#id_unit", label=unit.name)
        staff_page.fill("#id_due", due)
        staff_page.locator(f"#outcome-add-{meeting.pk}").click()
        staff_page.wait_for_load_state()
    assert Outcome.objects.filter(topic=topic).count() == 2
    screenshot(staff_page, "deliberation-04-manage")
    staff_page.locator("#act-conclude").click()
    staff_page.wait_for_load_state()

    # The public report shows the outcomes, with their unit and deadline.
    page.goto(f"{url}report/")
    report = page.locator("main").inner_text()
    assert "制定按楼层分摊的指导标准" in report and "设立加装电梯补贴专项" in report and unit.name in report
    assert "13912345678" not in page.content()
    screenshot(page, "deliberation-05-report")
