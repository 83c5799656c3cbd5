"""Demo deliberation for 武进区: one open topic with votes, one concluded topic with a meeting and outcomes.

Deterministic: the same texts and votes on every run, written through the services. The demo account
``cppcc_staff`` (staff of the committee's proposals committee) is given a staff seat in the CPPCC
committee itself, so that it runs consultations.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from minsheng.deliberation import services
from minsheng.deliberation.models import Statement, Topic
from minsheng.org.demo import TERM_START
from minsheng.org.models import Body, BodyKind, Membership, Role, Unit, User

OPEN_TITLE = "老旧小区加装电梯费用如何分摊"
CLOSED_TITLE = "湖塘镇农贸市场周边停车难怎么解决"
OPEN_SEEDS = [
    "加装电梯的费用应按楼层高低分摊，楼层越高出资越多",
    "一楼住户不用电梯，不应承担建设费用",
    "政府应提供不少于一半的建设补贴",
    "电梯的日常维护费用应由使用的住户共同承担",
    "只要三分之二以上住户同意就可以开工",
    "低层住户因采光和噪音受到的影响应当得到补偿",
    "应当允许提取住房公积金支付加装费用",
    "街道应安排专人协调住户之间的分歧",
    "加装电梯后房价上涨，受益住户应多出资",
    "电梯应优先照顾老年人和行动不便的住户",
    "施工期间应保障居民出行安全",
    "应公开每一部电梯的费用明细",
]
CLOSED_SEEDS = [
    "在市场周边划定限时停车位",
    "开放附近单位的停车场供错时停车",
    "增加公交班次，减少自驾",
    "严查占道经营，腾出通道",
    "建设立体停车库",
    "对长时间停车收取更高费用",
]


def exists() -> bool:
    return Topic.objects.filter(title__in=[OPEN_TITLE, CLOSED_TITLE]).exists()


def accounts_seed() -> User:
    """``cppcc_staff`` also runs consultations: a staff seat in the CPPCC committee (idempotent)."""
    user = User.objects.select_related("person").get(username="cppcc_staff")
    committee = Body.objects.get(kind=BodyKind.CPPCC_COMMITTEE, name="政协常州市武进区委员会")
    assert user.person_id is not None  # the org demo gives every account a person
    if not Membership.objects.filter(person_id=user.person_id, body=committee, role=Role.STAFF).exists():
        Membership.objects.create(
            person_id=user.person_id,
            body=committee,
            role=Role.STAFF,
            start=TERM_START,
            title="协商议事工作人员",
        )
    return User.objects.select_related("person").get(pk=user.pk)  # fresh: no cached memberships


def _vote_as_camps(topic: Topic, people: int, rng: random.Random) -> None:
    """Two camps (higher and lower floors) that agree on a few statements: a map worth looking at."""
    statements = list(Statement.objects.filter(topic=topic).order_by("pk"))
    for n in range(people):
        joined = services.participant_join(topic=topic, verified_phone=f"1370000{n:04d}")
        upper = n % 3 != 0
        for index, statement in enumerate(statements):
            if rng.random() < 0.2:
                continue
            shared = index in (3, 7, 10, 11)
            leaning = 1 if shared or (upper == (index % 2 == 0)) else -1
            value = leaning if rng.random() < 0.85 else rng.choice([-1, 0, 1])
            services.vote_cast(participant=joined.participant, statement_id=statement.pk, value=value)


def seed() -> None:
    rng = random.Random(6)
    staff = accounts_seed()
    member = User.objects.get(username="member")
    cppcc = Body.objects.get(kind=BodyKind.CPPCC_COMMITTEE, name="政协常州市武进区委员会")
    room = (
        Body.objects.filter(kind=BodyKind.CONSULTATION_ROOM).order_by("jurisdiction__code").first() or cppcc
    )
    with transaction.atomic():
        topic = services.topic_propose(
            actor=member,
            body=cppcc,
            title=OPEN_TITLE,
            question="老旧小区加装电梯，建设和维护费用应当如何在住户之间分摊？",
            background="全区有两千余幢无电梯的多层住宅，加装电梯意愿强烈，但高低层住户对费用分摊分歧较大。",
        )
        setup = services.TopicSetup(closes_on=timezone.localdate() + dt.timedelta(days=30))
        topic = services.topic_accept(actor=staff, topic=topic, setup=setup, seeds=OPEN_SEEDS)
        topic = services.topic_open(actor=staff, topic=topic)
        _vote_as_camps(topic, 40, rng)

        closed = services.topic_propose(
            actor=AnonymousUser(),
            body=room,
            title=CLOSED_TITLE,
            question="农贸市场周边早高峰停车难、通行难，怎样改善？",
            verified_phone="13700009999",
        )
        closed = services.topic_accept(
            actor=staff, topic=closed, setup=services.TopicSetup(moderation="pre"), seeds=CLOSED_SEEDS
        )
        closed = services.topic_open(actor=staff, topic=closed)
        _vote_as_camps(closed, 24, rng)
        meeting = services.meeting_schedule(
            actor=staff,
            topic=closed,
            starts_at=timezone.now() - dt.timedelta(days=7),
            place=room.address or room.name,
        )
        meeting = services.meeting_hold(
            actor=staff,
            meeting=meeting,
            minutes="居民代表、政协委员、交通和城管部门负责同志及专家围绕停车难问题协商，"
            "一致同意先划定限时停车位、开放周边单位停车场错时停车，并研究建设立体停车库。",
            attendees=[
                services.AttendeeIn(name="居民代表 陈阿姨", kind="resident"),
                services.AttendeeIn(name="区政协委员 周先生", kind="member"),
                services.AttendeeIn(name="区交通运输局 科长", kind="department", affiliation="区交通运输局"),
                services.AttendeeIn(name="城市规划专家 吴教授", kind="expert"),
            ],
        )
        transport = Unit.objects.filter(name="区交通运输局").first() or Unit.objects.order_by("pk").first()
        assert transport is not None
        first = services.outcome_add(
            actor=staff, meeting=meeting, text="在市场周边划定60个限时停车位", unit=transport,
            due=timezone.localdate() + dt.timedelta(days=30),
        )  # fmt: skip
        services.outcome_progress(actor=staff, outcome=first, text="已完成选址，标线施工中")
        second = services.outcome_add(
            actor=staff, meeting=meeting, text="协调周边三家单位开放停车场错时停车", unit=transport,
            due=timezone.localdate() + dt.timedelta(days=60),
        )  # fmt: skip
        services.outcome_complete(actor=staff, outcome=second, text="三家单位已签订错时共享协议")
        services.topic_close(actor=staff, topic=closed)
        services.topic_conclude(actor=staff, topic=Topic.objects.get(pk=closed.pk))
    # The maps, computed now (no worker needs to be running for the demo to show them).
    services.analysis_compute(topic_id=topic.pk)
    services.analysis_compute(topic_id=closed.pk)
