"""The handling loop through the services, step by step, with its deadlines, Events and notices."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from minsheng.core.errors import (
    ConflictError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import events_for, events_verify
from minsheng.core.models import Notification
from minsheng.motions import services
from minsheng.motions.models import (
    AssignmentStatus,
    HandlingMode,
    Motion,
    MotionKind,
    MotionSettings,
    MotionStatus,
    SignatureStatus,
)
from minsheng.motions.rules import proposer_ids
from tests.motions.builders import (
    TEXT,
    assigned,
    draft,
    filed,
    lead_assignment,
    leader_person,
    replied,
    submitted,
)

pytestmark = pytest.mark.django_db

SHANGHAI_MORNING = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def verbs(motion: Motion) -> list[str]:
    return [e.verb for e in events_for(motion)]


@time_machine.travel(SHANGHAI_MORNING, tick=False)
def test_full_loop_with_cosigners_rehandling_and_closing(accounts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _full_loop(accounts)
    assert Notification.objects.filter(user=accounts["deputy"], text__contains="学校路口信号灯").count() >= 3


def _full_loop(accounts):
    motion = draft(accounts)
    cosigners = accounts.deputies(2)
    services.motion_invite(actor=accounts["deputy"], motion=motion, people=[u.person for u in cosigners])
    for user in cosigners:
        signature = motion.signatures.get(person=user.person)
        services.signature_respond(actor=user, signature=signature, accept=True)
    motion = services.motion_submit(actor=accounts["deputy"], motion=motion)
    assert motion.status == MotionStatus.SUBMITTED
    assert motion.assign_due == dt.date(2026, 3, 9)  # 5 working days after Monday 2 March
    motion = services.motion_file(actor=accounts["staff"], motion=motion)
    assert motion.number == "建议第1号"
    motion = services.motion_assign(
        actor=accounts["staff"],
        motion=motion,
        mode=HandlingMode.LEAD_CO,
        lead_unit=accounts.unit("区交通运输局"),
        co_units=[accounts.unit("区住房和城乡建设局")],
    )
    lead = lead_assignment(motion)
    co = motion.assignments.get(role="co")
    assert lead.due == dt.date(2026, 6, 2) and lead.max_due == dt.date(2026, 9, 2)
    assert co.due == dt.date(2026, 4, 2)
    co_clerk = accounts.handler_of(co.unit)
    services.assignment_send_views(actor=co_clerk, assignment=co, text="我局同意在该路口同步实施人行道改造。")
    services.assignment_reply(
        actor=accounts["handler"], assignment=lead, category="B", text="已列入年度计划。"
    )
    motion.refresh_from_db()
    assert motion.status == MotionStatus.REPLIED
    proposers = [accounts["deputy"], *cosigners]
    services.motion_rate(actor=proposers[1], motion=motion, overall="basically")
    services.motion_rate(actor=proposers[0], motion=motion, overall="dissatisfied", comment="进度太慢")
    with pytest.raises(InvalidTransitionError):  # one 不满意 sent it back at once
        services.motion_rate(actor=proposers[2], motion=motion, overall="satisfied", expected_state=None)
    motion.refresh_from_db()
    assert motion.status == MotionStatus.REHANDLING and motion.round == 2
    lead.refresh_from_db()
    assert lead.status == AssignmentStatus.PENDING and lead.due == dt.date(2026, 4, 2)
    services.assignment_reply(
        actor=accounts["handler"], assignment=lead, category="A", text="信号灯已建成投用。"
    )
    for user in proposers:
        services.motion_rate(actor=user, motion=motion, overall="satisfied")
    motion.refresh_from_db()
    assert motion.status == MotionStatus.CLOSED
    assert verbs(motion)[:3] == ["create", "invite", "cosign"]
    assert verbs(motion)[-1] == "close"
    assert events_verify() == []


def test_bill_without_enough_signatures_goes_in_only_as_a_suggestion(accounts):
    motion = draft(accounts, kind=MotionKind.BILL)
    with pytest.raises(ValidationFailedError) as error:
        services.motion_submit(actor=accounts["deputy"], motion=motion)
    with translation.override("zh-hans"):
        assert error.value.message.startswith("议案须有10名以上代表联名，目前只有1名。")
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.DRAFT
    motion = services.motion_submit(actor=accounts["deputy"], motion=motion, as_suggestion=True)
    assert motion.kind == MotionKind.SUGGESTION


def test_bill_threshold_is_a_setting(accounts):
    motion = draft(accounts, kind=MotionKind.BILL)
    MotionSettings.objects.create(jurisdiction=motion.jurisdiction, bill_min_signers=3)
    cosigners = accounts.deputies(2)
    services.motion_invite(actor=accounts["deputy"], motion=motion, people=[u.person for u in cosigners])
    for user in cosigners:
        services.signature_respond(
            actor=user, signature=motion.signatures.get(person=user.person), accept=True
        )
    motion = services.motion_submit(actor=accounts["deputy"], motion=motion)
    assert motion.kind == MotionKind.BILL and motion.status == MotionStatus.SUBMITTED
    motion = services.motion_convert(actor=accounts["staff"], motion=motion)
    assert motion.kind == MotionKind.SUGGESTION


def test_merge_answers_every_proposer(accounts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _merge(accounts)


def _merge(accounts):
    first = submitted(accounts, kind=MotionKind.PROPOSAL)
    other_member = accounts.members(1)[0]
    second = services.motion_create(
        actor=other_member, kind=MotionKind.PROPOSAL, title="关于学校路口交通安全的提案", text=TEXT
    )
    second = services.motion_submit(actor=other_member, motion=second)
    services.motion_merge(actor=accounts["cppcc_staff"], motion=second, into=first)
    assert proposer_ids(first) == {accounts["member"].person_id, other_member.person_id}
    first = services.motion_file(actor=accounts["cppcc_staff"], motion=first)
    first = services.motion_assign(
        actor=accounts["cppcc_staff"],
        motion=first,
        mode=HandlingMode.SEPARATE,
        units=[accounts.unit("区交通运输局")],
    )
    services.assignment_reply(
        actor=accounts["handler"], assignment=lead_assignment(first), category="A", text="已办理。"
    )
    services.motion_rate(actor=accounts["member"], motion=first, overall="satisfied")
    assert (
        Motion.objects.get(pk=first.pk).status == MotionStatus.REPLIED
    )  # waits for the merged item's proposer
    services.motion_rate(actor=other_member, motion=first, overall="satisfied")
    assert Motion.objects.get(pk=first.pk).status == MotionStatus.CLOSED


def test_decline_needs_a_reason_and_tells_the_proposer(accounts):
    motion = submitted(accounts, kind=MotionKind.PROPOSAL)
    with pytest.raises(ValidationFailedError):
        services.motion_decline(actor=accounts["cppcc_staff"], motion=motion, reason="  ")
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.SUBMITTED
    motion = services.motion_decline(
        actor=accounts["cppcc_staff"], motion=motion, reason="属于个人事务，不予立案。"
    )
    assert motion.status == MotionStatus.DECLINED and motion.decline_reason


def test_staff_of_the_other_office_cannot_review(accounts):
    motion = submitted(accounts, kind=MotionKind.PROPOSAL)
    with pytest.raises(PermissionDeniedError):
        services.motion_file(actor=accounts["staff"], motion=motion)
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.SUBMITTED


def test_stale_state_is_a_conflict(accounts):
    motion = filed(accounts)
    with pytest.raises(ConflictError):
        services.motion_decline(
            actor=accounts["staff"], motion=motion, reason="重复", expected_state="submitted"
        )


def test_return_reassign_and_extension(accounts):
    motion = assigned(accounts)
    lead = lead_assignment(motion)
    services.assignment_return(
        actor=accounts["handler"], assignment=lead, reason="该路口属镇管道路，非我局职责。"
    )
    new = services.motion_reassign(
        actor=accounts["staff"], assignment=lead, unit=accounts.unit("湖塘镇人民政府")
    )
    assert new.role == "lead" and lead_assignment(motion).pk == new.pk
    with pytest.raises(ValidationFailedError):
        services.assignment_extend(
            actor=accounts["staff"], assignment=new, until=new.max_due + dt.timedelta(days=1), reason="难度大"
        )
    extended = services.assignment_extend(
        actor=accounts["staff"], assignment=new, until=new.max_due, reason="涉及多部门，难度大"
    )
    assert extended.due == new.max_due
    event = list(events_for(extended))[-1]
    assert event.verb == "extend" and event.payload["due_to"] == str(new.max_due)


def test_reply_without_assignment_is_impossible(accounts):
    motion = filed(accounts)
    assert not motion.assignments.exists()
    with pytest.raises(PermissionDeniedError):
        services.motion_supervise(actor=accounts["handler"], motion=motion, leader=leader_person())


def test_review_category_and_disclose(accounts):
    motion = replied(accounts, category="B")
    reply = motion.replies.get()
    reply = services.reply_review(actor=accounts["staff"], reply=reply, category="A")
    assert reply.final_category == "A"
    with pytest.raises(PermissionDeniedError):
        services.reply_disclose(actor=accounts["handler"], reply=reply, disclosure="full")
    reply = services.reply_disclose(actor=accounts["staff"], reply=reply, disclosure="full")
    assert reply.disclosed_at is not None


def test_key_supervision(accounts):
    motion = assigned(accounts)
    supervision = services.motion_supervise(
        actor=accounts["staff"], motion=motion, leader=leader_person(), note="主任会议确定"
    )
    assert supervision.leader == leader_person()
    with pytest.raises(ValidationFailedError):
        services.motion_supervise(actor=accounts["staff"], motion=motion, leader=accounts["deputy"].person)


def test_invitation_answer_after_submission_is_refused(accounts):
    motion = draft(accounts)
    cosigner = accounts.deputies(1)[0]
    services.motion_invite(actor=accounts["deputy"], motion=motion, people=[cosigner.person])
    services.motion_submit(actor=accounts["deputy"], motion=motion)
    signature = motion.signatures.get(person=cosigner.person)
    with pytest.raises(InvalidTransitionError):
        services.signature_respond(actor=cosigner, signature=signature, accept=True)
    assert motion.signatures.get(person=cosigner.person).status == SignatureStatus.INVITED


def test_b_items_are_followed_until_a_final_reply(accounts):
    motion = replied(accounts, category="B", with_co=False)
    services.motion_rate(actor=accounts["deputy"], motion=motion, overall="satisfied")
    motion.refresh_from_db()
    assert motion.status == MotionStatus.FOLLOW_UP and motion.round == 2
    lead = lead_assignment(motion)
    assert lead.status == AssignmentStatus.PENDING and lead.due == lead.max_due
    services.assignment_reply(actor=accounts["handler"], assignment=lead, category="A", text="已全部建成。")
    motion.refresh_from_db()
    assert motion.status == MotionStatus.REPLIED
    services.motion_rate(actor=accounts["deputy"], motion=motion, overall="satisfied")
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.CLOSED


def test_group_proposals(accounts):
    from minsheng.org.models import Body, Membership, Role

    member = accounts["member"]
    seat = Membership.objects.get(person=member.person, role=Role.CPPCC_MEMBER, body__kind="cppcc_committee")
    by_sector = services.motion_create(
        actor=member, kind=MotionKind.PROPOSAL, title="界别提案", text=TEXT, proposer_kind="sector"
    )
    assert by_sector.proposer_sector_id == seat.sector_id
    committee = Body.objects.get(name="区政协提案委员会")
    with pytest.raises(ValidationFailedError):  # not a member of that committee
        services.motion_create(
            actor=member,
            kind=MotionKind.PROPOSAL,
            title="专委会提案",
            text=TEXT,
            proposer_kind="special_committee",
            proposer_body_id=committee.pk,
        )
    by_party = services.motion_create(
        actor=member,
        kind=MotionKind.PROPOSAL,
        title="党派提案",
        text=TEXT,
        proposer_kind="party_org",
        proposer_org="民盟武进区委",
    )
    assert by_party.proposer_org == "民盟武进区委"
    with pytest.raises(ValidationFailedError):  # suggestions come from deputies, not groups
        services.motion_create(
            actor=accounts["deputy"], kind=MotionKind.SUGGESTION, title="t", text=TEXT, proposer_kind="sector"
        )
    with pytest.raises(PermissionDeniedError):  # a deputy without a CPPCC seat cannot propose
        services.motion_create(actor=accounts["deputy"], kind=MotionKind.PROPOSAL, title="t", text=TEXT)


def test_unit_asks_for_more_time_and_the_office_approves(accounts, client):
    motion = assigned(accounts, with_co=False)
    lead = lead_assignment(motion)
    with pytest.raises(ValidationFailedError):
        services.assignment_extension_request(
            actor=accounts["handler"],
            assignment=lead,
            until=lead.max_due + dt.timedelta(days=1),
            reason="难度大",
        )
    with pytest.raises(PermissionDeniedError):
        services.assignment_extension_request(
            actor=accounts["staff"], assignment=lead, until=lead.max_due, reason="x"
        )
    services.assignment_extension_request(
        actor=accounts["handler"], assignment=lead, until=lead.max_due, reason="涉及征地，需协调多个部门。"
    )
    client.force_login(accounts["staff"])
    approval = reverse("motions:act", args=[motion.pk, "extend"]) + f"?target={lead.pk}"
    assert approval in client.get(f"/motions/{motion.pk}/").content.decode()
    page = client.get(approval, headers={"HX-Request": "true"}).content.decode()  # the action opened
    assert f'value="{lead.max_due.isoformat()}"' in page, "the approval form starts from the requested date"
    day = lead.max_due
    assert f"{day.year}年{day.month}月{day.day}日" in client.get("/me/").content.decode(), (
        "in the office's queue"
    )
    extended = services.assignment_extend(
        actor=accounts["staff"], assignment=lead, until=lead.max_due, reason="同意"
    )
    assert extended.due == lead.max_due and extended.extension_requested_to is None
