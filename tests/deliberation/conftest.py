"""Fixtures of the deliberation tests: a district with a CPPCC committee, its staff, a unit, people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache

from minsheng.core.messaging import outbox_clear
from minsheng.deliberation import services
from minsheng.deliberation.models import Topic
from minsheng.org.models import Body, BodyKind, Jurisdiction, JurisdictionLevel, Role, Sector, Unit, UnitKind
from tests.factories import (
    BodyFactory,
    JurisdictionFactory,
    MembershipFactory,
    PersonFactory,
    TermFactory,
    UserFactory,
)

START = dt.date(2021, 12, 28)


@dataclass
class World:
    district: Jurisdiction
    town: Jurisdiction
    committee: Body
    room: Body
    other_committee: Body
    unit: Unit
    sector: Sector
    staff: Any
    room_staff: Any
    other_staff: Any
    admin: Any
    member: Any
    handler: Any
    resident: Any


def _user_with(role: str | None, **where: Any) -> Any:
    person = PersonFactory()
    if role is not None:
        MembershipFactory(person=person, role=role, start=START, **where)
    user = UserFactory(person=person)
    return user


@pytest.fixture(autouse=True)
def _fresh_cache_and_outbox() -> Any:
    cache.clear()
    outbox_clear()
    services.analysis_cache_clear()
    yield
    cache.clear()


@pytest.fixture
def world(db: Any) -> World:
    district = JurisdictionFactory(level=JurisdictionLevel.DISTRICT, name="测试区")
    town = JurisdictionFactory(parent=district, name="测试镇")
    other = JurisdictionFactory(level=JurisdictionLevel.DISTRICT, name="别区")
    committee = BodyFactory(jurisdiction=district, kind=BodyKind.CPPCC_COMMITTEE, name="测试区政协")
    room = BodyFactory(jurisdiction=town, kind=BodyKind.CONSULTATION_ROOM, name="测试镇协商议事室")
    other_committee = BodyFactory(jurisdiction=other, kind=BodyKind.CPPCC_COMMITTEE, name="别区政协")
    unit = Unit.objects.create(
        jurisdiction=district, kind=UnitKind.GOVERNMENT_DEPARTMENT, name="测试区住建局"
    )
    sector = Sector.objects.create(committee=committee, name="经济界")
    return World(
        district=district,
        town=town,
        committee=committee,
        room=room,
        other_committee=other_committee,
        unit=unit,
        sector=sector,
        staff=_user_with(Role.STAFF, body=committee),
        room_staff=_user_with(Role.STAFF, body=room),
        other_staff=_user_with(Role.STAFF, body=other_committee),
        admin=_user_with(Role.ADMIN, body=committee),
        member=_user_with(Role.CPPCC_MEMBER, body=committee, sector=sector, term=TermFactory(body=committee)),
        handler=_user_with(Role.HANDLER, body=None, unit=unit),
        resident=_user_with(None),
    )


def open_topic(world: World, seeds: int = 5, **setup: Any) -> Topic:
    topic = services.topic_propose(
        actor=world.member, body=world.committee, title="老旧小区加装电梯", question="加装电梯费用如何分摊？"
    )
    texts = [f"种子观点{i}：一楼住户应当得到补偿" for i in range(seeds)]
    topic = services.topic_accept(
        actor=world.staff, topic=topic, setup=services.TopicSetup(**setup), seeds=texts
    )
    return services.topic_open(actor=world.staff, topic=topic)


@pytest.fixture
def topic(world: World) -> Topic:
    return open_topic(world)
