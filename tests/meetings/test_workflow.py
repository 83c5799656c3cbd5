"""A meeting from draft to published: roster, leave, sign-in, quorum, a secret vote, the result."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from minsheng.core.errors import (
    DomainError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import events_for
from minsheng.core.models import BallotBox, Event, Notification
from minsheng.meetings import services
from minsheng.meetings.models import Attendee, MeetingKind, MeetingStatus, Poll, PollStatus, SignInMethod
from tests.meetings.conftest import World, fresh

pytestmark = pytest.mark.django_db


def zh(error: DomainError) -> str:
    with translation.override("zh-hans"):
        return error.message


def test_a_congress_session_from_draft_to_published(world: World) -> None:
    meeting = world.meeting()
    assert meeting.status == MeetingStatus.DRAFT and meeting.term == world.term
    meeting = services.meeting_notify(actor=world.staff, meeting=meeting)
    roster = Attendee.objects.filter(meeting=meeting)
    assert roster.count() == 9 and all(seat.voting for seat in roster)
    meeting = services.meeting_open(actor=world.staff, meeting=meeting)
    for user in world.deputies[:7]:
        services.attendee_sign_in(actor=user, meeting=meeting)
    counts = services.attendance_counts(meeting)
    assert (counts.entitled, counts.present, counts.absent) == (9, 7, 2)

    poll = world.decision(meeting)
    poll = services.poll_open(actor=world.chair, poll=poll)
    assert BallotBox.objects.filter(pk=poll.box_id, secret=True).exists()
    for user, value in zip(world.deputies[:7], ["yes"] * 5 + ["no", "abstain"], strict=True):
        services.ballot_submit(actor=user, poll_id=poll.pk, choice=value)
    poll = services.poll_close(actor=world.chair, poll=poll)
    assert poll.status == PollStatus.CLOSED
    assert (poll.entitled_count, poll.present_count, poll.cast_count) == (9, 7, 7)
    assert poll.result["yes"] == 5 and poll.result["no"] == 1 and poll.result["abstain"] == 1
    assert poll.result["needed"] == 5 and poll.passed is True  # more than half of all 9 members
    poll = services.poll_announce(actor=world.chair, poll=poll)
    meeting = services.meeting_close(actor=world.staff, meeting=meeting)
    meeting = services.meeting_publish(actor=world.staff, meeting=meeting)
    verbs = [e.verb for e in events_for(meeting)]
    assert verbs == ["create", "notify", "open", "add_item", "close", "publish"]
    assert [e.verb for e in events_for(poll)] == ["create", "open", "close", "announce"]


def test_attendees_are_notified_at_each_step(world: World, django_capture_on_commit_callbacks) -> None:
    meeting = world.meeting()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_notify(actor=world.staff, meeting=meeting)
    notice = Notification.objects.get(user=world.deputies[4])
    assert "区十八届人大三次会议" in notice.text and f"/meetings/{meeting.pk}/" == notice.link
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_open(actor=world.staff, meeting=meeting)
    assert Notification.objects.filter(user=world.deputies[4]).count() == 2


def test_the_roster_is_the_body_in_office_on_the_first_day(world: World) -> None:
    from minsheng.org.models import Membership

    gone = world.deputies[8].person.memberships.get(role="deputy")
    gone.end = dt.date(2026, 3, 1)
    gone.save()
    late = world.deputies[7].person.memberships.get(role="deputy")
    late.start = dt.date(2026, 3, 11)
    late.save()
    sc = world.meeting(kind=MeetingKind.STANDING_COMMITTEE, title="常委会第二十五次会议")
    sc = services.meeting_notify(actor=world.staff, meeting=sc)
    assert set(Attendee.objects.filter(meeting=sc).values_list("person_id", flat=True)) == {
        u.person_id for u in world.sc_members
    }
    congress = services.meeting_notify(actor=world.staff, meeting=world.meeting())
    assert Attendee.objects.filter(meeting=congress).count() == 7
    chairs = services.meeting_notify(
        actor=world.staff, meeting=world.meeting(kind=MeetingKind.CHAIRS_MEETING, title="主任会议")
    )
    assert Attendee.objects.filter(meeting=chairs).count() == 2
    assert Membership.objects.filter(person=world.deputies[0].person).count() == 2


def test_a_meeting_of_the_wrong_body_or_dates_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailedError) as wrong:
        services.meeting_create(
            actor=world.staff,
            body=world.standing,
            data=services.MeetingIn(
                kind=MeetingKind.CONGRESS_SESSION,
                title="x",
                starts_on=dt.date(2026, 1, 2),
                ends_on=dt.date(2026, 1, 2),
                venue="会堂",
            ),
        )
    assert zh(wrong.value) == "“人民代表大会会议”是人民代表大会的会议，不能由“测试区人大常委会”召开。"
    with pytest.raises(ValidationFailedError):
        services.meeting_create(
            actor=world.staff,
            body=world.congress,
            data=services.MeetingIn(
                kind=MeetingKind.CONGRESS_SESSION,
                title="x",
                starts_on=dt.date(2026, 1, 2),
                ends_on=dt.date(2026, 1, 1),
                venue="会堂",
            ),
        )
    with pytest.raises(PermissionDeniedError):
        services.meeting_create(
            actor=world.cppcc_staff,
            body=world.congress,
            data=services.MeetingIn(
                kind=MeetingKind.CONGRESS_SESSION,
                title="x",
                starts_on=dt.date(2026, 1, 2),
                ends_on=dt.date(2026, 1, 2),
                venue="会堂",
            ),
        )


def test_leave_is_asked_decided_and_keeps_the_member_from_signing_in(world: World) -> None:
    meeting = services.meeting_notify(actor=world.staff, meeting=world.meeting())
    member = world.deputies[5]
    with pytest.raises(ValidationFailedError):
        services.leave_request(actor=member, meeting=meeting, reason="  ")
    seat = services.leave_request(actor=member, meeting=meeting, reason="出差在外")
    assert seat.leave_status == "requested" and seat.leave_reason == "出差在外"
    with pytest.raises(PermissionDeniedError):
        services.leave_decide(actor=fresh(world.deputies[6]), attendee=seat, approve=True)
    with pytest.raises(ValidationFailedError):
        services.leave_decide(actor=world.staff, attendee=seat, approve=False, note="")
    seat = services.leave_decide(actor=world.staff, attendee=seat, approve=True)
    assert seat.leave_status == "approved"
    meeting = services.meeting_open(actor=world.staff, meeting=meeting)
    with pytest.raises(ValidationFailedError) as on_leave:
        services.attendee_sign_in(actor=member, meeting=meeting)
    assert "请假" in zh(on_leave.value)
    assert not Attendee.objects.get(pk=seat.pk).present
    assert services.attendance_counts(meeting).on_leave == 1
    services.leave_revoke(actor=world.staff, attendee=Attendee.objects.get(pk=seat.pk))
    assert services.attendee_sign_in(actor=member, meeting=meeting).present
    with pytest.raises(PermissionDeniedError):
        services.leave_request(actor=world.outsider, meeting=meeting, reason="不在名单")


def test_leave_cannot_be_approved_once_the_member_has_signed_in(world: World) -> None:
    """Found by the invariants test: ask leave, sign in while it waits, then staff approve it. The
    approval broke the table's rule (present and on leave) with a database error; now it is refused
    in words and changes nothing."""
    meeting = services.meeting_notify(actor=world.staff, meeting=world.meeting())
    member = world.deputies[4]
    seat = services.leave_request(actor=member, meeting=meeting, reason="外出")
    meeting = services.meeting_open(actor=world.staff, meeting=meeting)
    assert services.attendee_sign_in(actor=member, meeting=meeting).present
    events = Event.objects.count()
    with pytest.raises(ValidationFailedError) as refused:
        services.leave_decide(actor=world.staff, attendee=Attendee.objects.get(pk=seat.pk), approve=True)
    assert "已签到" in zh(refused.value)
    after = Attendee.objects.get(pk=seat.pk)
    assert after.present and after.leave_status == "requested" and Event.objects.count() == events
    # Refusing the request that waited is still possible.
    refused_seat = services.leave_decide(actor=world.staff, attendee=after, approve=False, note="已到会")
    assert refused_seat.leave_status == "refused"


def test_sign_in_three_ways_once_each(world: World) -> None:
    meeting = world.in_session(world.meeting())
    token = services.checkin_token(meeting)
    assert services.checkin_meeting_id(token) == meeting.pk
    seat = services.attendee_sign_in(actor=world.deputies[1], meeting=meeting, method=SignInMethod.QR)
    assert seat.signed_in_via == "qr"
    events = Event.objects.count()
    again = services.attendee_sign_in(actor=world.deputies[1], meeting=meeting, method=SignInMethod.PHONE)
    assert again.signed_in_via == "qr" and Event.objects.count() == events  # a second scan changes nothing
    clerk = services.attendee_sign_in(
        actor=world.staff, meeting=meeting, method=SignInMethod.CLERK, person=world.deputies[2].person
    )
    assert clerk.present and clerk.signed_in_via == "clerk"
    with pytest.raises(PermissionDeniedError):
        services.attendee_sign_in(
            actor=fresh(world.deputies[3]),
            meeting=meeting,
            method=SignInMethod.CLERK,
            person=world.deputies[4].person,
        )
    with pytest.raises(ValidationFailedError):
        services.checkin_meeting_id(token + "x")


def test_an_expired_door_code_is_refused(world: World, time_machine) -> None:
    meeting = world.in_session(world.meeting())
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC))
    token = services.checkin_token(meeting)
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, 5, tzinfo=dt.UTC))
    with pytest.raises(ValidationFailedError) as expired:
        services.checkin_meeting_id(token)
    assert "过期" in zh(expired.value)


def test_a_vote_cannot_open_below_the_quorum_and_nothing_changes(world: World) -> None:
    meeting = world.in_session(world.meeting(), present=world.deputies[:5])  # 5 of 9 < two thirds
    poll = world.decision(meeting)
    events = Event.objects.count()
    with pytest.raises(ValidationFailedError) as refused:
        services.poll_open(actor=world.chair, poll=poll)
    assert zh(refused.value) == "未达到法定人数：应到9人，实到5人，至少需要6人出席方可开始表决。"
    assert Poll.objects.get(pk=poll.pk).status == PollStatus.DRAFT
    assert not BallotBox.objects.exists() and Event.objects.count() == events
    services.attendee_sign_in(actor=world.deputies[5], meeting=meeting)
    assert services.poll_open(actor=world.chair, poll=poll).status == PollStatus.OPEN


def test_standing_committee_quorum_is_more_than_half(world: World) -> None:
    standing = world.meeting(kind=MeetingKind.STANDING_COMMITTEE, title="常委会会议")
    meeting = world.in_session(standing, present=world.sc_members[:2])
    poll = world.decision(meeting)
    with pytest.raises(ValidationFailedError):
        services.poll_open(actor=world.chair, poll=poll)  # 2 of 5 is not more than half
    services.attendee_sign_in(actor=world.sc_members[2], meeting=meeting)
    assert services.poll_open(actor=world.chair, poll=poll).status == PollStatus.OPEN


def test_only_one_vote_is_open_at_a_time_and_the_meeting_cannot_close_over_it(world: World) -> None:
    meeting = world.in_session(world.meeting(), present=world.deputies)
    first, second = world.decision(meeting, title="第一项"), world.decision(meeting, title="第二项")
    services.poll_open(actor=world.chair, poll=first)
    with pytest.raises(DomainError):
        services.poll_open(actor=world.chair, poll=second)
    with pytest.raises(ValidationFailedError):
        services.meeting_close(actor=world.staff, meeting=meeting)
    with pytest.raises(InvalidTransitionError):
        services.poll_announce(actor=world.chair, poll=first)


def test_documents_are_checked_by_content_and_versions_kept(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from minsheng.core.attachments import attachments_for
    from minsheng.meetings.models import Document, ItemKind
    from tests.meetings.test_api import _docx

    meeting = world.meeting()
    item = services.item_add(actor=world.staff, meeting=meeting, kind=ItemKind.REPORT, title="政府工作报告")
    for name, data in [
        ("报告.docx", b"MZ\x90\x00 not a document"),
        ("报告.pdf", b""),
        ("a.docx", b"x" * 11_000_000),
    ]:
        with pytest.raises(ValidationFailedError):
            services.document_add(
                actor=world.staff, item=item, title="报告", upload=SimpleUploadedFile(name, data)
            )
    assert not Document.objects.exists()
    with pytest.raises(ValidationFailedError):
        services.document_add(
            actor=world.staff,
            item=item,
            title="<script>x</script>",
            upload=SimpleUploadedFile("a.docx", _docx()),
        )
    document = services.document_add(
        actor=world.staff,
        item=item,
        title="政府工作报告",
        upload=SimpleUploadedFile("../../etc/报告.docx", _docx()),
    )
    services.document_version_add(
        actor=world.staff, document=document, upload=SimpleUploadedFile("v2.pdf", b"%PDF-1.4 x")
    )
    versions = list(attachments_for(document))
    assert [v.original_name for v in versions] == ["报告.docx", "v2.pdf"]
    with pytest.raises(PermissionDeniedError):
        services.document_add(
            actor=world.deputies[2], item=item, title="报告", upload=SimpleUploadedFile("a.docx", _docx())
        )
