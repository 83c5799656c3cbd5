"""Fixtures of the voices tests: the 武进区 demo district (seeded once), its accounts, and voice builders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache

from minsheng.core.messaging import outbox_clear
from minsheng.org.demo import demo_exists, demo_seed
from minsheng.org.models import Body, Membership, Role, Unit, User
from minsheng.voices.models import Voice, VoiceChannel
from minsheng.voices.services import voice_create
from tests.demo_roles import demo_roles_seed

ACCOUNTS = ("admin", "leader", "staff", "cppcc_staff", "deputy", "member", "handler", "station")
RESIDENT_PHONE = "13912345678"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        if not demo_exists():
            demo_seed()
        demo_roles_seed()  # lawstaff and jumin too: the permission matrix covers every demo role
    yield


@pytest.fixture(autouse=True)
def _fresh_cache_and_outbox() -> Iterator[None]:
    cache.clear()
    outbox_clear()
    yield
    cache.clear()


def account(username: str) -> User:
    """A fresh user object (its cached memberships start empty)."""
    return User.objects.select_related("person").get(username=username)


@pytest.fixture
def users(db: None) -> dict[str, User]:
    return {name: account(name) for name in ACCOUNTS}


@pytest.fixture
def deputy_seat(db: None) -> Membership:
    return Membership.objects.select_related("body__jurisdiction").get(
        person__user__username="deputy", role=Role.DEPUTY
    )


@pytest.fixture
def home_station(db: None) -> Body:
    return Body.objects.get(
        memberships__person__user__username="station", memberships__role=Role.STATION_STAFF
    )


@pytest.fixture
def transport_unit(db: None) -> Unit:
    return Unit.objects.get(name="区交通运输局")


@pytest.fixture
def other_unit(db: None) -> Unit:
    return Unit.objects.exclude(name="区交通运输局").filter(jurisdiction__level="district").first()


@pytest.fixture
def make_voice(db: None, deputy_seat: Membership, home_station: Body) -> Callable[..., Voice]:
    """A voice from an anonymous resident to the demo deputy at the demo station."""
    from django.contrib.auth.models import AnonymousUser

    def make(text: str = "小区门口路灯坏了一个月，晚上出行很不方便。", **overrides: Any) -> Voice:
        arguments: dict[str, Any] = {
            "actor": AnonymousUser(),
            "channel": VoiceChannel.WEB,
            "text": text,
            "phone": RESIDENT_PHONE,
            "addressed_to": deputy_seat,
            "station": home_station,
        }
        arguments.update(overrides)
        return voice_create(**arguments)

    return make
