"""Fixtures of the insight tests: the 武进区 demo district (seeded once) and helpers that make
voices forwarded to units (the confirmed assignments routing learns from)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from minsheng.org.demo import demo_exists, demo_seed
from minsheng.org.models import Unit, User
from minsheng.voices import services as voice_services
from minsheng.voices.models import Voice, VoiceChannel

TOPICS = {
    "区交通运输局": [
        "公交线路太少，早高峰等车太久", "红绿灯时间太短，老人过马路来不及", "公交站台撤了出行不便",
        "农村公路坑洼不平需要维修", "夜间公交班次太少打不到车", "路口车辆拥堵需要疏导",
    ],
    "区城市管理局": [
        "烧烤摊油烟扰民到凌晨", "垃圾桶满了没人清运", "路灯坏了很久没人修", "人行道被摊贩占道经营",
        "公园厕所太脏缺少保洁", "违章搭建占用绿化带",
    ],
    "区教育局": [
        "孩子上小学学区划分不合理", "幼儿园学位紧张报不上名", "学校食堂饭菜质量差", "课后服务收费不透明",
        "校门口放学时段拥堵", "学校操场周末不开放",
    ],
}  # fmt: skip


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        if not demo_exists():
            demo_seed()
    yield


def account(username: str) -> User:
    return User.objects.select_related("person").get(username=username)


@pytest.fixture
def staff(db: None) -> User:
    return account("staff")


@pytest.fixture
def make_voice(db: None) -> Callable[..., Voice]:
    counter = iter(range(10**6))

    def make(text: str, **overrides: Any) -> Voice:
        arguments: dict[str, Any] = {
            "actor": AnonymousUser(),
            "channel": VoiceChannel.WEB,
            "text": text,
            "phone": f"139{next(counter):08d}",
        }
        arguments.update(overrides)
        return voice_services.voice_create(**arguments)

    return make


@pytest.fixture
def confirmed(db: None, make_voice: Callable[..., Voice], staff: User) -> Callable[[int], list[Voice]]:
    """``rounds`` × 18 voices forwarded by staff to the unit their topic belongs to."""

    def make(rounds: int = 2) -> list[Voice]:
        made = []
        units = {u.name: u for u in Unit.objects.filter(name__in=TOPICS)}
        for round_number in range(rounds):
            for name, texts in TOPICS.items():
                for text in texts:
                    voice = make_voice(f"{text}（第{round_number + 1}次反映）")
                    made.append(voice_services.voice_forward(actor=staff, voice=voice, unit=units[name]))
        return made

    return make
