"""Builders of supervision records in any state, through the services (so every Event is there)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minsheng.org.models import Body, BodyKind, Membership, Person, Role, Unit, User
from minsheng.org.selectors import today
from minsheng.oversight import services
from minsheng.oversight.models import Activity, ActivityKind, Problem, Project, RectificationItem

FINDING = "部分企业危险化学品储存场所未按规定设置防泄漏设施，安全隐患排查台账不完整。"
TASK = "组织开展危险化学品储存场所专项排查，限期完成防泄漏设施整改，建立隐患排查台账。"


class World:
    """The demo accounts plus users made on demand for other seats (a second unit's clerk, owners)."""

    def __init__(self) -> None:
        self._cache: dict[str, User] = {}

    def __getitem__(self, username: str) -> User:
        if username not in self._cache:
            self._cache[username] = User.objects.get(username=username)
        return self._cache[username]

    def fresh(self, user: User) -> User:
        """The same account without cached roles (permissions computed again from the database)."""
        return User.objects.get(pk=user.pk)

    @staticmethod
    def unit(name: str) -> Unit:
        return Unit.objects.get(name=name)

    @staticmethod
    def standing_committee() -> Body:
        return Body.objects.get(kind=BodyKind.STANDING_COMMITTEE, jurisdiction__code="320412")

    @staticmethod
    def cppcc() -> Body:
        return Body.objects.get(kind=BodyKind.CPPCC_COMMITTEE, jurisdiction__code="320412")

    def for_person(self, person: Person, username: str = "") -> User:
        user = User.objects.filter(person=person).first()
        if user is None:
            user = User.objects.create_user(
                username=username or f"p{person.pk}", password="a-long-password", person=person
            )
        return user

    def handler_of(self, unit: Unit) -> User:
        existing = Membership.objects.filter(unit=unit, role=Role.HANDLER).select_related("person").first()
        if existing:
            return self.for_person(existing.person)
        person = Person.objects.create(name=f"{unit.name[:4]}联络员", pinyin="lian luo yuan")
        Membership.objects.create(person=person, unit=unit, role=Role.HANDLER, start="2021-12-28")
        return self.for_person(person)

    def deputies(self, n: int, offset: int = 40) -> list[User]:
        seats = (
            Membership.objects.filter(role=Role.DEPUTY, body__kind=BodyKind.CONGRESS)
            .exclude(person__user__username__in=["leader", "deputy"])
            .select_related("person")
            .order_by("id")[offset : offset + n]
        )
        return [self.for_person(m.person) for m in seats]

    def sc_members(self, n: int) -> list[User]:
        seats = Membership.objects.filter(role=Role.SC_MEMBER).select_related("person").order_by("id")[:n]
        return [self.for_person(m.person) for m in seats]

    def owner_contact(self, project: Project) -> User:
        person = Person.objects.create(name="周业主", pinyin="zhou ye zhu")
        project.owner_contacts.add(person)
        return self.for_person(person)


def activity(
    world: World,
    *,
    kind: str = ActivityKind.LAW_INSPECTION,
    start: bool = True,
    team: int = 2,
    units: tuple[str, ...] = ("区应急管理局", "区交通运输局"),
) -> Activity:
    staff = world["staff"]
    day = today()
    created = services.activity_create(
        actor=staff,
        body=world.standing_committee(),
        kind=kind,
        title="《安全生产法》执法检查",
        description="检查全区贯彻实施安全生产法律法规情况。",
        start_date=day - dt.timedelta(days=10),
        end_date=day + dt.timedelta(days=30),
        units=[world.unit(name) for name in units],
    )
    if team:
        people = [u.person for u in world.deputies(team)]
        services.activity_team_add(actor=staff, activity=created, people=people, leader=people[0])
    if start:
        created = services.activity_start(actor=staff, activity=created)
    return created


def team_user(world: World, activity: Activity, *, leader: bool = False) -> User:
    member = activity.team.order_by("role" if leader else "-role", "id").first()
    assert member is not None
    return world.for_person(member.person)


def problem(world: World, act: Activity, text: str = FINDING) -> Problem:
    return services.problem_add(actor=world["staff"], activity=act, text=text)


def items(
    world: World, act: Activity | None = None, units: tuple[str, ...] = ("区交通运输局",)
) -> list[RectificationItem]:
    act = act or activity(world)
    found = problem(world, act)
    return services.problem_assign(
        actor=world["staff"], problem=found, units=[world.unit(u) for u in units], task=TASK
    )


def item(world: World, **kwargs: Any) -> RectificationItem:
    return items(world, **kwargs)[0]
