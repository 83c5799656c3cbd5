"""Builders of motions in any state, through the services (so every Event is there)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from minsheng.motions import services
from minsheng.motions.models import Assignment, AssignmentRole, HandlingMode, Motion, MotionKind
from minsheng.org.models import Membership, Person, Role, Unit, User

TEXT = "建议在湖塘镇延政中路与花园街交叉口增设信号灯和人行横道，改善学生上下学安全。"


class Accounts:
    """The demo accounts plus extra users made for other seats (co-signers, a second clerk)."""

    def __init__(self) -> None:
        self._cache: dict[str, User] = {}

    def __getitem__(self, username: str) -> User:
        if username not in self._cache:
            self._cache[username] = User.objects.get(username=username)
        return self._cache[username]

    def fresh(self, username: str) -> User:
        """A new user object (no cached memberships)."""
        return User.objects.get(username=username)

    def for_person(self, person: Person) -> User:
        user = User.objects.filter(person=person).first()
        if user is None:
            user = User.objects.create_user(
                username=f"p{person.pk}", password="a-long-password", person=person
            )
        return user

    def deputies(self, n: int, *, exclude: Person | None = None) -> list[User]:
        seats = (
            Membership.objects.filter(role=Role.DEPUTY, body__kind="congress")
            .exclude(person__user__username__in=["leader", "deputy"])
            .exclude(person=exclude)
            .select_related("person")
            .order_by("id")[10 : 10 + n]
        )
        return [self.for_person(m.person) for m in seats]

    def members(self, n: int) -> list[User]:
        seats = (
            Membership.objects.filter(role=Role.CPPCC_MEMBER, body__kind="cppcc_committee")
            .exclude(person__user__username="member")
            .select_related("person")
            .order_by("id")[20 : 20 + n]
        )
        return [self.for_person(m.person) for m in seats]

    def second_handler(self) -> User:
        """Another clerk of 区交通运输局."""
        unit = self.unit("区交通运输局")
        person = Person.objects.create(name="钱办理", pinyin="qian ban li")
        Membership.objects.create(person=person, unit=unit, role=Role.HANDLER, start="2021-12-28")
        return self.for_person(person)

    def handler_of(self, unit: Unit) -> User:
        existing = Membership.objects.filter(unit=unit, role=Role.HANDLER).select_related("person").first()
        if existing:
            return self.for_person(existing.person)
        person = Person.objects.create(name=f"{unit.name[:4]}联络员", pinyin="lian luo yuan")
        Membership.objects.create(person=person, unit=unit, role=Role.HANDLER, start="2021-12-28")
        return self.for_person(person)

    @staticmethod
    def unit(name: str) -> Unit:
        return Unit.objects.get(name=name)


def draft(
    accounts: Accounts, *, kind: str = MotionKind.SUGGESTION, author: str = "", title: str = ""
) -> Motion:
    username = author or ("member" if kind == MotionKind.PROPOSAL else "deputy")
    return services.motion_create(
        actor=accounts[username], kind=kind, title=title or "关于增设学校路口信号灯的建议", text=TEXT
    )


def office(accounts: Accounts, motion: Motion) -> User:
    return accounts["cppcc_staff" if motion.kind == MotionKind.PROPOSAL else "staff"]


def submitted(accounts: Accounts, **kwargs: Any) -> Motion:
    motion = draft(accounts, **kwargs)
    return services.motion_submit(actor=accounts[kwargs.get("author") or _author(motion)], motion=motion)


def _author(motion: Motion) -> str:
    return "member" if motion.kind == MotionKind.PROPOSAL else "deputy"


def filed(accounts: Accounts, **kwargs: Any) -> Motion:
    motion = submitted(accounts, **kwargs)
    return services.motion_file(actor=office(accounts, motion), motion=motion)


def assigned(accounts: Accounts, *, with_co: bool = True, **kwargs: Any) -> Motion:
    motion = filed(accounts, **kwargs)
    co = [accounts.unit("区住房和城乡建设局")] if with_co else []
    return services.motion_assign(
        actor=office(accounts, motion),
        motion=motion,
        mode=HandlingMode.LEAD_CO,
        lead_unit=accounts.unit("区交通运输局"),
        co_units=co,
    )


def lead_assignment(motion: Motion) -> Assignment:
    return motion.assignments.exclude(status="returned").get(
        role__in=[AssignmentRole.LEAD, AssignmentRole.SEPARATE]
    )


def replied(accounts: Accounts, *, category: str = "A", **kwargs: Any) -> Motion:
    motion = assigned(accounts, **kwargs)
    services.assignment_reply(
        actor=accounts["handler"],
        assignment=lead_assignment(motion),
        category=category,
        text="经研究，我局已于近期完成该路口信号灯设计，计划年内建成投用。联系人：张工，电话13812345678。",
    )
    return Motion.objects.get(pk=motion.pk)


def leader_person() -> Person:
    return Person.objects.filter(Q(user__username="leader")).get()
