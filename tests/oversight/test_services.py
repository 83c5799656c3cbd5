"""The supervision loop through the services: findings → items → reports → review → closed."""

from __future__ import annotations

import datetime as dt

import pytest

from minsheng.core.calendar import deadline_compute
from minsheng.core.errors import InvalidTransitionError, PermissionDeniedError, ValidationFailedError
from minsheng.core.events import events_for, events_verify
from minsheng.core.models import Notification
from minsheng.org.selectors import today
from minsheng.oversight import services
from minsheng.oversight.models import (
    ActivityKind,
    ActivityStatus,
    ItemStatus,
    ProblemSource,
    ProgressReport,
    RectificationItem,
    ReportStatus,
    TeamMember,
)
from minsheng.oversight.selectors import items_visible_to, overdue_condition
from tests.oversight.builders import TASK, World, activity, item, items, problem, team_user

pytestmark = pytest.mark.django_db


def test_two_findings_become_items_for_two_units_with_working_day_deadlines(
    world: World, django_capture_on_commit_callbacks
):
    act = activity(world)
    first = problem(world, act)
    second = problem(world, act, "部分道路运输企业动态监控平台运行不正常。")
    with django_capture_on_commit_callbacks(execute=True):
        made = [
            *services.problem_assign(
                actor=world["staff"], problem=first, units=[world.unit("区应急管理局")], task=TASK
            ),
            *services.problem_assign(
                actor=world["staff"],
                problem=second,
                units=[world.unit("区交通运输局")],
                task="督促企业恢复动态监控平台运行。",
                due_rule="oversight_rectify_short",
            ),
        ]
    assert [i.unit.name for i in made] == ["区应急管理局", "区交通运输局"]
    expected = deadline_compute(rule_name="oversight_rectify", start=today(), jurisdiction=act.jurisdiction)
    assert made[0].due == expected.due and made[0].due_rule == "oversight_rectify"
    assert made[1].due_rule == "oversight_rectify_short"
    assert all(i.status == ItemStatus.OPEN for i in made)
    handler = world["handler"]  # 区交通运输局
    assert Notification.objects.filter(user=handler, link=f"/oversight/items/{made[1].pk}/").exists()
    assert events_verify() == []


def test_report_sent_back_then_accepted_closes_only_on_a_final_report(world: World):
    target = item(world)
    handler, staff = world["handler"], world["staff"]
    services.item_report(actor=handler, item=target, text="已完成第一轮排查。", is_final=False)
    target = services.item_review(actor=staff, item=target, accept=True)
    assert target.status == ItemStatus.OPEN  # progress accepted: still open
    services.item_report(actor=handler, item=target, text="已全部整改完毕。", is_final=True)
    target = services.item_review(actor=staff, item=target, accept=False, reason="缺少整改前后照片。")
    assert target.status == ItemStatus.OPEN
    services.item_report(actor=handler, item=target, text="已补充整改照片。", is_final=True)
    target = services.item_review(actor=staff, item=target, accept=True)
    assert target.status == ItemStatus.CLOSED and target.closed_at is not None
    statuses = list(ProgressReport.objects.filter(item=target).values_list("status", flat=True))
    assert statuses == [ReportStatus.ACCEPTED, ReportStatus.SENT_BACK, ReportStatus.ACCEPTED]
    verbs = [e.verb for e in events_for(target)]
    assert verbs == ["assigned", "report", "accept_progress", "report", "send_back", "report", "close"]


def test_sending_back_needs_reasons_and_nothing_changes_without(world: World):
    target = item(world)
    services.item_report(actor=world["handler"], item=target, text="已完成。", is_final=True)
    with pytest.raises(ValidationFailedError):
        services.item_review(actor=world["staff"], item=target, accept=False, reason="  ")
    assert RectificationItem.objects.get(pk=target.pk).status == ItemStatus.UNDER_REVIEW


def test_team_member_may_review_and_a_stranger_may_not(world: World):
    act = activity(world)
    (target,) = items(world, act)
    services.item_report(actor=world["handler"], item=target, text="已完成。", is_final=True)
    with pytest.raises(PermissionDeniedError):
        services.item_review(actor=world["deputy"], item=target, accept=True)
    member = team_user(world, act)
    closed = services.item_review(actor=member, item=target, accept=True)
    assert closed.status == ItemStatus.CLOSED


def test_another_unit_cannot_report_on_an_item(world: World):
    target = item(world)
    other = world.handler_of(world.unit("区应急管理局"))
    with pytest.raises(PermissionDeniedError):
        services.item_report(actor=other, item=target, text="已完成。")


def test_activity_closes_only_when_every_item_is_closed(world: World):
    act = activity(world)
    (target,) = items(world, act)
    report = world.unit  # noqa: F841 - keep the builder import used
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.oversight.files import docx_bytes

    act = services.activity_report(
        actor=world["staff"],
        activity=act,
        report=SimpleUploadedFile("执法检查报告.docx", docx_bytes("执法检查报告")),
        summary="检查发现问题2个，已交办整改。",
    )
    assert act.status == ActivityStatus.REPORTED
    with pytest.raises(ValidationFailedError):
        services.activity_close(actor=world["staff"], activity=act)
    services.item_report(actor=world["handler"], item=target, text="已完成。", is_final=True)
    services.item_review(actor=world["staff"], item=target, accept=True)
    assert services.activity_close(actor=world["staff"], activity=act).status == ActivityStatus.CLOSED


def test_overdue_is_a_query(world: World):
    target = item(world)
    assert not items_visible_to(world["staff"]).filter(overdue_condition(target.due)).exists()
    later = target.due + dt.timedelta(days=1)
    assert items_visible_to(world["staff"]).filter(overdue_condition(later), pk=target.pk).exists()


def test_extend_moves_the_deadline_with_a_reason(world: World):
    target = item(world)
    until = target.due + dt.timedelta(days=20)
    with pytest.raises(ValidationFailedError):
        services.item_extend(actor=world["staff"], item=target, until=target.due, reason="需要更多时间")
    extended = services.item_extend(actor=world["staff"], item=target, until=until, reason="涉及多部门协调")
    assert extended.due == until and extended.due_rule == "extended"
    event = list(events_for(extended))[-1]
    assert (
        event.payload["due_from"] == target.due.isoformat() and event.payload["due_to"] == until.isoformat()
    )


def test_team_is_told_and_attendance_recorded(world: World, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        act = activity(world, team=3)
    people = list(act.team.values_list("person_id", flat=True))
    told = Notification.objects.filter(user__person_id__in=people, link=f"/oversight/activities/{act.pk}/")
    assert set(told.values_list("user__person_id", flat=True)) == set(people)
    services.activity_attendance_record(actor=world["staff"], activity=act, present=people[:2])
    assert set(
        TeamMember.objects.filter(activity=act, took_part=True).values_list("person_id", flat=True)
    ) == set(people[:2])
    with pytest.raises(ValidationFailedError):
        services.activity_attendance_record(
            actor=world["staff"], activity=act, present=[world["deputy"].person_id]
        )


def test_special_inquiry_commitment_becomes_an_item(world: World):
    act = activity(world, kind=ActivityKind.SPECIAL_INQUIRY)
    asker = team_user(world, act).person
    question = services.inquiry_question_add(
        actor=world["staff"],
        activity=act,
        asker=asker,
        unit=world.unit("区交通运输局"),
        official="王某某 区交通运输局局长",
        question="农村公路养护资金不足的问题如何解决？",
    )
    services.inquiry_answer_record(
        actor=world["staff"],
        question=question,
        answer="我局将积极争取上级补助，统筹安排养护资金。",
        commitment="年底前完成全区农村公路养护资金统筹方案。",
    )
    made = RectificationItem.objects.get(problem__question=question)
    assert made.problem.source == ProblemSource.INQUIRY_COMMITMENT
    assert made.task == "年底前完成全区农村公路养护资金统筹方案。"
    assert made.unit.name == "区交通运输局"


def test_cancelled_activity_takes_no_findings(world: World):
    act = activity(world, start=False)
    services.activity_cancel(actor=world["staff"], activity=act, reason="计划调整")
    with pytest.raises(InvalidTransitionError):
        services.problem_add(actor=world["staff"], activity=act, text="问题")
