"""Demo sessions for 武进区, written through the services (so every Event and ballot box is real):

- the congress's next session, notified: reports, the budget decision (with its document) and the
  election of one vice-chair of the standing committee with two candidates (差额);
- a standing-committee meeting, held and published: three appointments voted person by person on one
  ballot, with their records and certificates;
- the CPPCC plenary, held and published: the political resolution, by show of hands.

The standing committee's members vote in the demo with accounts of their own (no usable password:
they exist so that their ballots are cast as themselves). Deterministic: the same votes on every run.
"""

from __future__ import annotations

import datetime as dt
import io

import docx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from minsheng.meetings import services
from minsheng.meetings.models import ItemKind, Meeting, MeetingKind, PollKind
from minsheng.org.demo import DISTRICT_CODE
from minsheng.org.models import Body, BodyKind, Membership, User

CONGRESS_TITLE = "武进区第十七届人民代表大会第六次会议"
STANDING_TITLE = "武进区第十七届人大常委会第三十次会议"
PLENARY_TITLE = "政协常州市武进区第十五届委员会第五次会议"
APPOINTMENTS = [
    ("王建国", "区财政局局长", "区人民政府区长提请"),
    ("陈晓燕", "区教育局局长", "区人民政府区长提请"),
    ("刘志强", "区人民法院审判员", "区人民法院院长提请"),
]
CANDIDATES = [("周海燕", "区人大常委会副主任"), ("吴国平", "区人大常委会副主任")]


def exists() -> bool:
    return Meeting.objects.filter(body__jurisdiction__code=DISTRICT_CODE, title=CONGRESS_TITLE).exists()


def _body(kind: str) -> Body:
    return Body.objects.get(jurisdiction__code=DISTRICT_CODE, kind=kind)


def _docx(title: str, paragraphs: list[str]) -> SimpleUploadedFile:
    document = docx.Document()
    document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(f"{title}.docx", buffer.getvalue())


def _voter(membership: Membership) -> User:
    """The member's account (made without a usable password when the district has none for them)."""
    user = User.objects.filter(person_id=membership.person_id).first()
    if user is None:
        user = User(username=f"sc{membership.person_id}", person_id=membership.person_id)
        user.first_name = membership.person.name
        user.set_unusable_password()
        user.save()
    return user


def _congress_session(staff: User, today: dt.date) -> Meeting:
    meeting = services.meeting_create(
        actor=staff,
        body=_body(BodyKind.CONGRESS),
        data=services.MeetingIn(
            kind=MeetingKind.CONGRESS_SESSION,
            title=CONGRESS_TITLE,
            starts_on=today + dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=32),
            venue="武进区人民会堂",
            description="会期三天。请各位代表按时出席；因故不能出席的，请在会前请假。",
        ),
    )
    for title in ("听取和审议区人民政府工作报告", "听取和审议区人大常委会工作报告"):
        services.item_add(actor=staff, meeting=meeting, kind=ItemKind.REPORT, title=title)
    budget = services.item_add(
        actor=staff,
        meeting=meeting,
        kind=ItemKind.DECISION,
        title="审查和批准2027年区级预算",
        description="审查区人民政府关于2026年区级预算执行情况和2027年区级预算草案的报告，表决批准2027年区级预算。",
    )
    services.document_add(
        actor=staff,
        item=budget,
        title="关于2026年区级预算执行情况和2027年区级预算草案的报告",
        upload=_docx(
            "关于2026年区级预算执行情况和2027年区级预算草案的报告",
            ["2026年全区一般公共预算收入预计完成年度预算。", "2027年区级预算安排坚持以收定支、量入为出。"],
        ),
    )
    services.poll_create(
        actor=staff,
        item=budget,
        data=services.PollIn(title="关于2027年区级预算的决议", kind=PollKind.DECISION),
    )
    election = services.item_add(
        actor=staff, meeting=meeting, kind=ItemKind.ELECTION, title="选举武进区人大常委会副主任"
    )
    services.poll_create(
        actor=staff,
        item=election,
        data=services.PollIn(
            title="选举武进区人大常委会副主任（差额）",
            kind=PollKind.ELECTION,
            seats=1,
            nominees=[
                services.NomineeIn(name=name, office=office, nominated_by="大会主席团提名")
                for name, office in CANDIDATES
            ],
        ),
    )
    services.item_add(
        actor=staff, meeting=meeting, kind=ItemKind.OTHER, title="听取和审议区人民法院、区人民检察院工作报告"
    )
    return services.meeting_notify(actor=staff, meeting=meeting)


def _standing_committee(staff: User, chair: User, today: dt.date) -> Meeting:
    meeting = services.meeting_create(
        actor=staff,
        body=_body(BodyKind.STANDING_COMMITTEE),
        data=services.MeetingIn(
            kind=MeetingKind.STANDING_COMMITTEE,
            title=STANDING_TITLE,
            starts_on=today - dt.timedelta(days=20),
            ends_on=today - dt.timedelta(days=20),
            venue="区人大常委会第一会议室",
        ),
    )
    item = services.item_add(actor=staff, meeting=meeting, kind=ItemKind.APPOINTMENT, title="人事任免事项")
    poll = services.poll_create(
        actor=staff,
        item=item,
        data=services.PollIn(
            title="人事任免（逐人表决）",
            kind=PollKind.APPOINTMENT,
            nominees=[
                services.NomineeIn(
                    name=name,
                    office=office,
                    nominated_by=by,
                    profile="男，汉族，1975年生，中共党员，研究生学历。",
                    reasons="工作需要。",
                )
                for name, office, by in APPOINTMENTS
            ],
        ),
    )
    meeting = services.meeting_notify(actor=staff, meeting=meeting)
    meeting = services.meeting_open(actor=staff, meeting=meeting)
    seats = list(
        Membership.objects.filter(body=meeting.body, role__in=services.KIND_ROLES[meeting.kind])
        .select_related("person")
        .order_by("id")
    )
    voters = [_voter(seat) for seat in seats[:30]]  # 30 of 33 come; 3 are absent
    for voter in voters:
        services.attendee_sign_in(actor=voter, meeting=meeting)
    poll = services.poll_open(actor=chair, poll=poll)
    nominees = [str(pk) for pk in poll.nominees.order_by("position").values_list("id", flat=True)]
    for number, voter in enumerate(voters):
        rows = {nominees[0]: "yes", nominees[1]: "yes" if number % 10 else "abstain", nominees[2]: "yes"}
        if number % 7 == 3:
            rows[nominees[2]] = "no"
        services.ballot_submit(
            actor=voter, poll_id=poll.pk, choice={"rows": rows}, client_key=f"demo-{number}"
        )
    poll = services.poll_close(actor=chair, poll=poll)
    services.poll_announce(actor=chair, poll=poll)
    meeting = services.meeting_close(actor=staff, meeting=meeting)
    return services.meeting_publish(actor=staff, meeting=meeting)


def _cppcc_plenary(staff: User, today: dt.date) -> Meeting:
    meeting = services.meeting_create(
        actor=staff,
        body=_body(BodyKind.CPPCC_COMMITTEE),
        data=services.MeetingIn(
            kind=MeetingKind.CPPCC_PLENARY,
            title=PLENARY_TITLE,
            starts_on=today - dt.timedelta(days=40),
            ends_on=today - dt.timedelta(days=38),
            venue="武进区人民会堂",
        ),
    )
    services.item_add(
        actor=staff, meeting=meeting, kind=ItemKind.REPORT, title="听取和审议政协常委会工作报告"
    )
    services.item_add(actor=staff, meeting=meeting, kind=ItemKind.REPORT, title="听取和审议提案工作情况报告")
    resolution = services.item_add(
        actor=staff, meeting=meeting, kind=ItemKind.DECISION, title="通过大会政治决议"
    )
    poll = services.poll_create(
        actor=staff, item=resolution, data=services.PollIn(title="政协第十五届委员会第五次会议政治决议")
    )
    meeting = services.meeting_notify(actor=staff, meeting=meeting)
    meeting = services.meeting_open(actor=staff, meeting=meeting)
    seats = list(meeting.attendees.filter(voting=True).select_related("person").order_by("id"))
    for seat in seats[: len(seats) - 18]:  # 18 members absent
        services.attendee_sign_in(actor=staff, meeting=meeting, method="clerk", person=seat.person)
    present = services.attendance_counts(meeting).present
    services.show_of_hands_record(actor=staff, poll=poll, yes=present - 3, no=0, abstain=3)
    meeting = services.meeting_close(actor=staff, meeting=meeting)
    return services.meeting_publish(actor=staff, meeting=meeting)


def seed() -> None:
    """Create the three demo meetings once."""
    today = timezone.localdate()
    staff = User.objects.get(username="staff")
    cppcc_staff = User.objects.get(username="cppcc_staff")
    chair = User.objects.get(username="leader")
    with transaction.atomic():
        _congress_session(staff, today)
        _standing_committee(staff, chair, today)
        _cppcc_plenary(cppcc_staff, today)
