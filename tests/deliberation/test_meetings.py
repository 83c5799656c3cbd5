"""Meetings, outcomes followed until done, conversion into other records, and the exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from django.test import Client
from django.utils import timezone

from minsheng.core.errors import (
    ConflictError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import events_for
from minsheng.core.notifications import notifications_unread
from minsheng.deliberation import exports, services
from minsheng.deliberation.models import Outcome, OutcomeStatus, Statement, TopicStatus
from minsheng.voices.models import SocialReport
from tests.deliberation.conftest import open_topic

pytestmark = pytest.mark.django_db


def _held_meeting(world, topic):
    meeting = services.meeting_schedule(
        actor=world.staff, topic=topic, starts_at=timezone.now() + dt.timedelta(days=2), place="社区议事厅"
    )
    return services.meeting_hold(
        actor=world.staff,
        meeting=meeting,
        minutes="与会各方一致同意分摊方案。",
        attendees=[
            services.AttendeeIn(name="张三", kind="resident"),
            services.AttendeeIn(name="李委员", kind="member"),
            services.AttendeeIn(name="住建局王科长", kind="department", affiliation="住建局"),
            services.AttendeeIn(name="赵教授", kind="expert", present=False),
        ],
    )


def test_meeting_outcomes_are_followed_until_done(world, topic):
    meeting = _held_meeting(world, topic)
    assert meeting.attendances.filter(present=True).count() == 3
    due = timezone.localdate() + dt.timedelta(days=60)
    outcome = services.outcome_add(
        actor=world.staff, meeting=meeting, text="制定加装电梯补偿标准", unit=world.unit, due=due
    )
    with pytest.raises(PermissionDeniedError):
        services.outcome_progress(actor=world.resident, outcome=outcome, text="我来报告")
    services.outcome_progress(actor=world.handler, outcome=outcome, text="已起草征求意见稿")
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.IN_PROGRESS
    with pytest.raises(PermissionDeniedError):
        services.outcome_complete(actor=world.handler, outcome=outcome, text="完成")
    services.outcome_complete(actor=world.staff, outcome=outcome, text="补偿标准已印发")
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.DONE
    assert [p.text for p in outcome.progress.all()] == ["已起草征求意见稿", "补偿标准已印发"]
    assert [e.verb for e in events_for(outcome)] == ["agree", "progress", "complete"]
    with pytest.raises(InvalidTransitionError):
        services.outcome_progress(actor=world.staff, outcome=outcome, text="再次更新")


def test_outcomes_need_a_held_meeting_and_a_future_deadline(world, topic):
    meeting = services.meeting_schedule(
        actor=world.staff, topic=topic, starts_at=timezone.now() + dt.timedelta(days=2), place="议事厅"
    )
    due = timezone.localdate() + dt.timedelta(days=30)
    with pytest.raises(InvalidTransitionError):
        services.outcome_add(actor=world.staff, meeting=meeting, text="成果", unit=world.unit, due=due)
    meeting = services.meeting_hold(
        actor=world.staff,
        meeting=meeting,
        minutes="纪要",
        attendees=[services.AttendeeIn(name="张三", kind="resident")],
    )
    with pytest.raises(ValidationFailedError):
        services.outcome_add(
            actor=world.staff,
            meeting=meeting,
            text="成果",
            unit=world.unit,
            due=timezone.localdate() - dt.timedelta(days=1),
        )
    with pytest.raises(ValidationFailedError):
        services.outcome_add(actor=world.staff, meeting=meeting, text="  ", unit=world.unit, due=due)
    with pytest.raises(PermissionDeniedError):
        services.outcome_add(actor=world.other_staff, meeting=meeting, text="成果", unit=world.unit, due=due)
    assert not Outcome.objects.exists()


def test_an_outcome_becomes_a_social_report_or_a_proposal_draft(
    world, topic, django_capture_on_commit_callbacks
):
    from minsheng.motions.models import Motion

    meeting = _held_meeting(world, topic)
    due = timezone.localdate() + dt.timedelta(days=60)
    first = services.outcome_add(
        actor=world.staff, meeting=meeting, text="建议设立加装电梯基金", unit=world.unit, due=due
    )
    second = services.outcome_add(
        actor=world.staff, meeting=meeting, text="反映低层住户诉求", unit=world.unit, due=due
    )
    third = services.outcome_add(
        actor=world.staff, meeting=meeting, text="建议统一电梯维保标准", unit=world.unit, due=due
    )
    report_outcome = services.outcome_convert(actor=world.staff, outcome=second, kind="social_report")
    report = SocialReport.objects.get(pk=report_outcome.converted_id)
    assert report.text == "反映低层住户诉求"

    # Staff hold no CPPCC seat: without a member to hand it to, nothing is created.
    with pytest.raises(PermissionDeniedError):
        services.outcome_convert(actor=world.staff, outcome=first, kind="proposal")
    assert not Motion.objects.exists() and not Outcome.objects.get(pk=first.pk).converted_kind

    member = world.member.person
    with django_capture_on_commit_callbacks(execute=True):
        converted = services.outcome_convert(
            actor=world.staff,
            outcome=first,
            kind="proposal",
            text="关于设立基金的提案正文",
            lead_signer=member,
        )
    proposal = Motion.objects.get(pk=converted.converted_id)
    assert converted.converted_kind == "proposal"
    assert proposal.kind == "proposal" and proposal.status == "draft"
    assert proposal.lead_signer == member and proposal.text == "关于设立基金的提案正文"
    assert proposal.title == "关于老旧小区加装电梯的提案"
    hand_over = list(events_for(proposal))[-1]
    assert hand_over.verb == "hand_over" and hand_over.actor_id == world.staff.pk
    assert hand_over.payload["outcome"] == first.pk
    assert any("提案" in n.text for n in notifications_unread(world.member))
    event = list(events_for(first))[-1]
    assert event.verb == "convert" and event.payload["id"] == proposal.pk
    with pytest.raises(ConflictError):
        services.outcome_convert(actor=world.staff, outcome=first, kind="social_report")

    # Only a CPPCC member with an account can take the draft over; nothing is left behind.
    from tests.factories import PersonFactory

    with pytest.raises(ValidationFailedError):
        services.outcome_convert(
            actor=world.staff, outcome=third, kind="proposal", lead_signer=PersonFactory()
        )
    with pytest.raises(PermissionDeniedError):
        services.outcome_convert(
            actor=world.staff, outcome=third, kind="proposal", lead_signer=world.resident.person
        )
    assert Motion.objects.count() == 1 and not Outcome.objects.get(pk=third.pk).converted_kind


def test_moderation_tells_the_author_and_needs_a_reason(world, django_capture_on_commit_callbacks):
    topic = open_topic(world, moderation="pre")
    joined = services.participant_join(topic=topic, user=world.resident)
    with pytest.raises(ValidationFailedError):
        services.statement_submit(participant=joined.participant, text="<b>应当</b>由政府全额出资")
    assert not Statement.objects.filter(topic=topic, author=joined.participant).exists()
    statement = services.statement_submit(participant=joined.participant, text="应当由政府全额出资")
    assert statement.status == "pending" and statement.text == "应当由政府全额出资"
    with pytest.raises(ValidationFailedError):
        services.statement_moderate(actor=world.staff, statement=statement, action="moderate_out", reason="")
    with pytest.raises(PermissionDeniedError):
        services.statement_moderate(
            actor=world.member, statement=statement, action="moderate_out", reason="x"
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.statement_moderate(
            actor=world.staff, statement=statement, action="moderate_out", reason="与议题无关"
        )
    notice = notifications_unread(world.resident).first()
    assert notice is not None and "与议题无关" in notice.text
    statement.refresh_from_db()
    assert statement.status == "rejected" and statement.moderation_reason == "与议题无关"


def test_statements_are_checked(world, topic):
    joined = services.participant_join(topic=topic, verified_phone="13900001111")
    with pytest.raises(ValidationFailedError):
        services.statement_submit(participant=joined.participant, text="   ")
    with pytest.raises(ValidationFailedError):
        services.statement_submit(participant=joined.participant, text="长" * 141)
    with pytest.raises(ValidationFailedError):
        services.statement_submit(participant=joined.participant, text=Statement.objects.first().text)
    services.statement_submit(participant=joined.participant, text="电梯维护费按楼层分摊")
    services.topic_close(actor=world.staff, topic=topic)
    joined.participant.topic.refresh_from_db()
    with pytest.raises(InvalidTransitionError):
        services.statement_submit(participant=joined.participant, text="关闭后的观点")


def test_residents_propose_with_a_verified_phone_kept_only_hashed(world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDeniedError):
        services.topic_propose(actor=AnonymousUser(), body=world.committee, title="路灯", question="修路灯？")
    topic = services.topic_propose(
        actor=AnonymousUser(),
        body=world.committee,
        title="路灯",
        question="修路灯？",
        verified_phone="13912345678",
    )
    assert topic.proposer_kind == "resident"
    assert "13912345678" not in topic.proposer_phone_hash and topic.proposer_phone_masked != "13912345678"
    with pytest.raises(ValidationFailedError):
        services.topic_propose(actor=world.member, body=_congress(world), title="x", question="y")


def _congress(world):
    from tests.factories import BodyFactory

    return BodyFactory(jurisdiction=world.district)


def test_exports_follow_opendata_and_the_report_opens(world, topic, django_capture_on_commit_callbacks):
    people = [
        services.participant_join(topic=topic, verified_phone=f"1390000{n:04d}").participant for n in range(6)
    ]
    statements = list(Statement.objects.filter(topic=topic).order_by("pk"))
    with django_capture_on_commit_callbacks(execute=True):
        for i, person in enumerate(people):
            for j, statement in enumerate(statements):
                services.vote_cast(
                    participant=person, statement_id=statement.pk, value=1 if (i + j) % 2 else -1
                )
    rows = list(csv.reader(io.StringIO(exports.votes_csv(topic))))
    assert rows[0] == ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
    assert len(rows) == 1 + 6 * len(statements)
    comments = list(csv.DictReader(io.StringIO(exports.comments_csv(topic))))
    assert {c["comment-id"] for c in comments} == {str(s.pk) for s in statements}
    # Anyone can rerun the engine on the exports.
    from minsheng.analysis import consensus

    with_files = consensus.votes_from_records(
        [int(r[3]) for r in rows[1:]], [int(r[2]) for r in rows[1:]], [int(r[4]) for r in rows[1:]]
    )
    assert with_files.n_votes == 6 * len(statements)
    meeting = _held_meeting(world, topic)
    services.outcome_add(
        actor=world.staff,
        meeting=meeting,
        text="制定补偿标准",
        unit=world.unit,
        due=timezone.localdate() + dt.timedelta(days=9),
    )
    content = exports.report_docx(topic)
    with zipfile.ZipFile(io.BytesIO(content)) as docx:
        xml = docx.read("word/document.xml").decode()
        assert any(name.startswith("word/media/") and name.endswith(".png") for name in docx.namelist())
    assert topic.title in xml and "制定补偿标准" in xml and "与会各方一致同意分摊方案" in xml
    png = exports.map_png(
        {"participants": [{"x": 1.0, "y": -1.0, "group": 0}, {"x": -1.0, "y": 1.0, "group": 1}]}
    )
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    client = Client()
    assert client.get(f"/deliberation/{topic.pk}/votes.csv").status_code == 200
    assert client.get(f"/deliberation/{topic.pk}/report.docx").status_code == 200
    assert client.get(f"/deliberation/{topic.pk}/map.png").content.startswith(b"\x89PNG")


def test_the_api_runs_a_meeting_and_its_outcomes(world, topic):
    client = Client()
    client.force_login(world.staff)
    starts = (timezone.now() + dt.timedelta(days=1)).isoformat()
    meeting = client.post(
        f"/api/deliberation/topics/{topic.pk}/meetings",
        data=json.dumps({"starts_at": starts, "place": "议事厅"}),
        content_type="application/json",
    ).json()
    held = client.post(
        f"/api/deliberation/meetings/{meeting['id']}/hold",
        data=json.dumps({"minutes": "纪要", "attendees": [{"name": "张三", "kind": "resident"}]}),
        content_type="application/json",
    )
    assert held.json()["status"] == "held"
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    outcome = client.post(
        f"/api/deliberation/meetings/{meeting['id']}/outcomes",
        data=json.dumps({"text": "成果一", "unit": world.unit.pk, "due": due}),
        content_type="application/json",
    )
    assert outcome.status_code == 201
    progress = client.post(
        f"/api/deliberation/outcomes/{outcome.json()['id']}/progress",
        data=json.dumps({"text": "进展"}),
        content_type="application/json",
    )
    assert progress.json()["status"] == "in_progress"
    closed = client.post(f"/api/deliberation/topics/{topic.pk}/close")
    assert closed.json()["status"] == TopicStatus.CLOSED
    denied = Client()
    denied.force_login(world.resident)
    assert denied.post(f"/api/deliberation/topics/{topic.pk}/conclude").status_code == 403
    assert client.post(f"/api/deliberation/topics/{topic.pk}/conclude").json()["status"] == "concluded"


def test_the_api_and_the_manage_page_hand_an_outcome_to_a_member(world, topic):
    from minsheng.motions.models import Motion

    meeting = _held_meeting(world, topic)
    due = timezone.localdate() + dt.timedelta(days=30)
    first = services.outcome_add(actor=world.staff, meeting=meeting, text="成果一", unit=world.unit, due=due)
    second = services.outcome_add(actor=world.staff, meeting=meeting, text="成果二", unit=world.unit, due=due)
    client = Client()
    client.force_login(world.staff)
    url = f"/api/deliberation/outcomes/{first.pk}/convert"

    def convert(body: dict):
        return client.post(url, data=json.dumps(body), content_type="application/json")

    refused = convert({"kind": "proposal", "lead_signer_id": world.resident.person_id})
    assert refused.status_code == 400 and "政协委员" in refused.json()["detail"]
    done = convert(
        {"kind": "proposal", "lead_signer_id": world.member.person_id, "title": "关于成果一的提案"}
    )
    assert done.status_code == 200, done.content
    proposal = Motion.objects.get(pk=done.json()["converted_id"])
    assert proposal.title == "关于成果一的提案" and proposal.lead_signer_id == world.member.person_id

    page = client.get(f"/deliberation/{topic.pk}/manage/")
    assert world.member.person.name in page.content.decode()
    assert f"#{proposal.pk}" in page.content.decode()  # the draft is the member's: staff see its number
    # A lead who is not a CPPCC member in office is refused with a message; nothing changes.
    refused = client.post(
        f"/deliberation/{topic.pk}/manage/convert/",
        {"outcome": second.pk, "kind": "proposal", "lead_signer": world.resident.person_id},
        follow=True,
    )
    assert "选择" in refused.content.decode()
    assert not Outcome.objects.get(pk=second.pk).converted_kind and Motion.objects.count() == 1
    client.post(
        f"/deliberation/{topic.pk}/manage/convert/",
        {"outcome": second.pk, "kind": "proposal", "lead_signer": world.member.person_id},
    )
    assert Outcome.objects.get(pk=second.pk).converted_kind == "proposal"
    assert Motion.objects.filter(lead_signer=world.member.person).count() == 2


def test_a_long_topic_gives_a_proposal_title_within_the_limit_in_any_language(world, topic):
    from django.utils import translation

    from minsheng.motions.models import Motion

    topic.title = "关于" + "老旧小区加装电梯资金分摊和后期维护管理" * 3
    topic.save(update_fields=["title"])
    meeting = _held_meeting(world, topic)
    due = timezone.localdate() + dt.timedelta(days=30)
    for language in ("en", "zh-hans"):
        outcome = services.outcome_add(
            actor=world.staff, meeting=meeting, text="成果", unit=world.unit, due=due
        )
        with translation.override(language):
            converted = services.outcome_convert(
                actor=world.staff, outcome=outcome, kind="proposal", lead_signer=world.member.person
            )
        title = Motion.objects.get(pk=converted.converted_id).title
        assert len(title) <= 60 and title.endswith(("…的提案", "…")), title
