"""Fixtures of the meetings tests: a small district with a congress, its standing committee, a CPPCC
committee, their staff and members, made fresh for each test (factories)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from minsheng.meetings import services
from minsheng.meetings.models import ItemKind, Meeting, MeetingKind, Poll, PollKind
from minsheng.org.models import Body, BodyKind, JurisdictionLevel, Person, Role, Term
from tests.factories import (
    BodyFactory,
    JurisdictionFactory,
    MembershipFactory,
    PersonFactory,
    TermFactory,
    UserFactory,
)

START = dt.date(2021, 12, 28)
MEETING_DAY = dt.date(2026, 3, 10)


def user_with(role: str | None = None, person: Person | None = None, **where: Any) -> Any:
    person = person or PersonFactory()
    if role is not None:
        MembershipFactory(person=person, role=role, start=START, **where)
    return UserFactory(person=person)


@dataclass
class World:
    congress: Body
    standing: Body
    office: Body
    cppcc: Body
    cppcc_committee: Body
    term: Term
    deputies: list[Any]
    """Users of the congress's deputies (entitled in a congress session)."""
    chair: Any
    """The standing committee's chair (presides)."""
    sc_members: list[Any]
    """Users of the standing committee's members (chair and vice-chair first)."""
    staff: Any
    cppcc_staff: Any
    cppcc_members: list[Any]
    admin: Any
    outsider: Any
    guest: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def meeting(
        self,
        *,
        kind: str = MeetingKind.CONGRESS_SESSION,
        title: str = "区十八届人大三次会议",
        body: Body | None = None,
        starts_on: dt.date = MEETING_DAY,
    ) -> Meeting:
        body = (
            body
            or {
                MeetingKind.CONGRESS_SESSION: self.congress,
                MeetingKind.STANDING_COMMITTEE: self.standing,
                MeetingKind.CHAIRS_MEETING: self.standing,
                MeetingKind.CPPCC_PLENARY: self.cppcc,
                MeetingKind.CPPCC_STANDING: self.cppcc,
            }[kind]
        )
        staff = self.cppcc_staff if body == self.cppcc else self.staff
        return services.meeting_create(
            actor=staff,
            body=body,
            data=services.MeetingIn(
                kind=kind,
                title=title,
                starts_on=starts_on,
                ends_on=starts_on + dt.timedelta(days=2),
                venue="区人民会堂",
            ),
        )

    def in_session(self, meeting: Meeting, *, present: list[Any] | None = None) -> Meeting:
        staff = self.cppcc_staff if meeting.body == self.cppcc else self.staff
        meeting = services.meeting_notify(actor=staff, meeting=meeting)
        meeting = services.meeting_open(actor=staff, meeting=meeting)
        for user in present or []:
            services.attendee_sign_in(actor=user, meeting=meeting)
        return Meeting.objects.get(pk=meeting.pk)

    def decision(self, meeting: Meeting, *, title: str = "关于2026年预算的决议", **options: Any) -> Poll:
        item = services.item_add(actor=self.staff, meeting=meeting, kind=ItemKind.DECISION, title=title)
        return services.poll_create(
            actor=self.staff, item=item, data=services.PollIn(title=title, kind=PollKind.DECISION, **options)
        )


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def build_world() -> World:
    """The small district every meetings test uses (callable inside a thread's own database too)."""
    district = JurisdictionFactory(level=JurisdictionLevel.DISTRICT, name="测试区")
    congress = BodyFactory(jurisdiction=district, kind=BodyKind.CONGRESS, name="测试区人民代表大会")
    standing = BodyFactory(
        jurisdiction=district, kind=BodyKind.STANDING_COMMITTEE, name="测试区人大常委会", parent=congress
    )
    office = BodyFactory(
        jurisdiction=district, kind=BodyKind.WORKING_BODY, name="测试区人大常委会办公室", parent=standing
    )
    cppcc = BodyFactory(jurisdiction=district, kind=BodyKind.CPPCC_COMMITTEE, name="政协测试区委员会")
    cppcc_committee = BodyFactory(
        jurisdiction=district,
        kind=BodyKind.CPPCC_SPECIAL_COMMITTEE,
        name="测试区政协提案委员会",
        parent=cppcc,
    )
    term = TermFactory(body=congress, number=18, start=START)
    TermFactory(body=cppcc, number=15, start=START)
    deputies = [user_with(Role.DEPUTY, body=congress, term=term) for _ in range(9)]
    chair = deputies[0]
    MembershipFactory(person=chair.person, role=Role.SC_CHAIR, body=standing, start=START, title="主任")
    MembershipFactory(
        person=deputies[1].person, role=Role.SC_VICE_CHAIR, body=standing, start=START, title="副主任"
    )
    for user in deputies[2:5]:
        MembershipFactory(person=user.person, role=Role.SC_MEMBER, body=standing, start=START, title="委员")
    cppcc_members = [user_with(Role.CPPCC_MEMBER, body=cppcc) for _ in range(5)]
    return World(
        congress=congress,
        standing=standing,
        office=office,
        cppcc=cppcc,
        cppcc_committee=cppcc_committee,
        term=term,
        deputies=deputies,
        chair=chair,
        sc_members=deputies[:5],
        staff=user_with(Role.STAFF, body=office),
        cppcc_staff=user_with(Role.STAFF, body=cppcc_committee),
        cppcc_members=cppcc_members,
        admin=UserFactory(is_superuser=True, is_staff=True),
        outsider=user_with(None),
    )


def fresh(user: Any) -> Any:
    """A new user object: permissions computed from the database, not from a warm cache."""
    return type(user).objects.get(pk=user.pk)
