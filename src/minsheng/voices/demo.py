"""Demo voices for 武进区: a few dozen messages in every state, written through the services.

Deterministic: the same texts, routes and tracking codes on every run (codes from a seeded generator,
so the demo can be followed with a known code, e.g. ``DEMO2345AB`` with phone 13900000001).
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from minsheng.core.search import search_index
from minsheng.org.models import Body, BodyKind, Membership, Role, Unit, User
from minsheng.voices import services
from minsheng.voices.models import (
    Rating,
    ReceptionDay,
    ReferralReason,
    ReplyRule,
    Voice,
    VoiceChannel,
    VoiceKind,
)
from minsheng.voices.rules import TrackingActor

DEMO_TRACKING_CODE = "DEMO2345AB"
# The demo resident's second message, adopted into a suggestion that was answered and published
# (the motions demo makes it): its tracking page follows it to the end.
DEMO_ADOPTED_TRACKING_CODE = "DEMO2345CD"
DEMO_PHONE = "13900000001"

# (text, kind, unit for forwarding or None)
TEXTS: list[tuple[str, str, str | None]] = [
    (
        "湖塘镇花园街与长虹路交叉口的红绿灯时间太短，老人带孩子过马路走不完，希望延长行人绿灯时间。",
        VoiceKind.SUGGESTION,
        "区交通运输局",
    ),
    (
        "我们小区门口的公交站去年撤了，现在最近的站要走一公里多，上班族和老人出行很不方便，能否恢复？",
        VoiceKind.SUGGESTION,
        "区交通运输局",
    ),
    (
        "常武路晚高峰大货车太多，电动车道被占用，存在安全隐患，建议限时段禁行。",
        VoiceKind.COMPLAINT,
        "区交通运输局",
    ),
    ("村里的道路坑洼多年没修，下雨天积水严重，孩子上学鞋子都湿透了。", VoiceKind.COMPLAINT, "区交通运输局"),
    (
        "小区楼下的烧烤店油烟和噪音一直到凌晨两点，多次反映无果，希望有关部门管一管。",
        VoiceKind.COMPLAINT,
        "区城市管理局",
    ),
    (
        "垃圾分类投放点离单元楼太远，而且定时投放的时间和上班时间冲突，建议增加一个傍晚时段。",
        VoiceKind.SUGGESTION,
        "区城市管理局",
    ),
    ("家里老人八十多岁，想问一下高龄津贴怎么申请，需要准备哪些材料？", VoiceKind.ENQUIRY, "区民政局"),
    ("社区养老服务中心的助餐点饭菜价格上涨了，希望能保持原来的补贴标准。", VoiceKind.SUGGESTION, "区民政局"),
    ("孩子今年上小学，户籍和房产不在同一个学区，想咨询入学政策。", VoiceKind.ENQUIRY, "区教育局"),
    ("学校门口上下学时段交通拥堵，希望增设护学岗和临时停车点。", VoiceKind.SUGGESTION, "区教育局"),
    (
        "河道里最近出现大量死鱼，水面发黑有异味，怀疑上游有企业偷排。",
        VoiceKind.COMPLAINT,
        "常州市武进生态环境局",
    ),
    ("工业园区附近夜间经常闻到刺鼻气味，周边居民晚上不敢开窗。", VoiceKind.COMPLAINT, "常州市武进生态环境局"),
    (
        "老旧小区加装电梯的补贴政策什么时候出台？我们楼的居民意见已经统一了。",
        VoiceKind.ENQUIRY,
        "区住房和城乡建设局",
    ),
    ("小区外墙瓷砖脱落砸坏了车，物业说是开发商的责任，开发商不理睬。", VoiceKind.HELP, "区住房和城乡建设局"),
    ("社区卫生服务中心的专家号太难挂，建议增加周末门诊。", VoiceKind.SUGGESTION, "区卫生健康委员会"),
    ("医保异地备案的手续太复杂，在外地工作的年轻人很难办下来。", VoiceKind.SUGGESTION, "区医疗保障局"),
    ("菜市场里有摊贩短斤少两，希望加强检查，设置公平秤。", VoiceKind.COMPLAINT, "区市场监督管理局"),
    ("农村承包地流转的租金拖欠了两年，村里说没有钱，希望帮忙协调。", VoiceKind.HELP, "区农业农村局"),
    (
        "灵活就业人员缴纳社保的政策想了解一下，网上办理总是提示信息不符。",
        VoiceKind.ENQUIRY,
        "区人力资源和社会保障局",
    ),
    ("公园里的健身器材坏了好几件，一直没有维修，担心有人受伤。", VoiceKind.COMPLAINT, "区城市管理局"),
    ("建议在滨湖公园增加夜间照明和公共厕所，晚上散步的人很多。", VoiceKind.SUGGESTION, "区城市管理局"),
    ("小区周边停车位严重不足，建议利用闲置地块建设公共停车场。", VoiceKind.SUGGESTION, "区住房和城乡建设局"),
    ("我和公司的劳动争议已经申请仲裁了，想请代表帮忙催一催。", VoiceKind.HELP, None),
    ("邻居家装修占用了公共楼道，多次沟通没有结果。", VoiceKind.COMPLAINT, None),
    ("希望在镇上开设更多的老年大学课程，比如智能手机使用。", VoiceKind.SUGGESTION, None),
    ("高铁站到市区的夜间公交班次太少，晚上十点以后基本打不到车。", VoiceKind.SUGGESTION, "区交通运输局"),
    ("湖塘镇花园街红绿灯太短，老人过马路很危险，请尽快调整。", VoiceKind.SUGGESTION, None),
    ("雨污分流工程施工后路面一直没有恢复，车辆通行颠簸。", VoiceKind.COMPLAINT, "区住房和城乡建设局"),
    ("建议在社区设立儿童托管点，解决双职工家庭放学后无人照看的问题。", VoiceKind.SUGGESTION, None),
    ("村口的路灯坏了一个多月，晚上骑车回家很危险。", VoiceKind.COMPLAINT, "区城市管理局"),
    ("周末菜场附近占道经营严重，救护车都开不进来。", VoiceKind.COMPLAINT, "区城市管理局"),
    ("我父亲的残疾证到期换证，需要到哪里办理？", VoiceKind.ENQUIRY, "区民政局"),
]

NAMES = ["王女士", "", "陈先生", "李阿姨", "", "周师傅", "张先生", "", "吴女士", "刘老师"]

REPLIES = {
    "区交通运输局": "经现场查勘，已会同交警部门调整信号配时，并将在下月完成路面修复。感谢您的监督。",
    "区城市管理局": "已安排执法队员现场处置，责令整改，并纳入日常巡查。",
}

REPORTS = [
    (
        "关于农村留守老人助餐服务覆盖不足的情况反映",
        "走访发现部分行政村的助餐点只覆盖村委会周边，偏远自然村的老人难以受益，建议推广送餐上门。",
        "委员走访",
    ),
    (
        "关于新就业形态劳动者休息场所的建议",
        "外卖骑手、快递员普遍反映缺少歇脚、充电、饮水的场所，建议依托社区党群服务中心设立爱心驿站。",
        "界别协商",
    ),
    (
        "关于中小微企业融资难的社情民意",
        "多家企业反映贷款审批周期长、抵押要求高，希望扩大政府性融资担保覆盖面。",
        "企业座谈",
    ),
]


def exists() -> bool:
    return Voice.objects.exists()


def _user(username: str) -> User:
    return User.objects.select_related("person").get(username=username)


def tracking_code_set(voice: Voice, code: str) -> Voice:
    # The demo uses predictable codes so that a reader can follow a voice; real codes are random.
    Voice.objects.filter(pk=voice.pk).update(tracking_code=code)
    voice.tracking_code = code
    search_index(voice, voice.text, voice.tracking_code, voice.name)
    return voice


def seed() -> None:
    rng = random.Random(2024)
    alphabet = services.TRACKING_ALPHABET
    deputy, station_user, staff, handler = (_user(n) for n in ("deputy", "station", "staff", "handler"))
    member, cppcc_staff = _user("member"), _user("cppcc_staff")
    deputy_seat = Membership.objects.get(person=deputy.person, role=Role.DEPUTY)
    home = Body.objects.get(memberships__person=station_user.person, memberships__role=Role.STATION_STAFF)
    stations = list(Body.objects.filter(kind=BodyKind.LIAISON_STATION).select_related("jurisdiction")[:6])
    units = {u.name: u for u in Unit.objects.all()}
    anonymous = AnonymousUser()

    with transaction.atomic():
        created: list[Voice] = []
        for index, (text, kind, _unit) in enumerate(TEXTS):
            to_deputy = index % 4 == 0
            station = home if to_deputy or index % 4 == 1 else stations[index % len(stations)]
            channel = [VoiceChannel.WEB, VoiceChannel.QR, VoiceChannel.RECEPTION][index % 3]
            actor = station_user if channel == VoiceChannel.RECEPTION and station == home else anonymous
            if actor is anonymous and channel == VoiceChannel.RECEPTION:
                channel = VoiceChannel.WEB
            voice = services.voice_create(
                actor=actor,
                channel=channel,
                kind=kind,
                text=text,
                phone=DEMO_PHONE if index == 0 else f"139{rng.randrange(10**7, 10**8)}",
                name=NAMES[index % len(NAMES)],
                addressed_to=deputy_seat if to_deputy else None,
                station=station,
            )
            code = DEMO_TRACKING_CODE if index == 0 else "".join(rng.choice(alphabet) for _ in range(10))
            created.append(tracking_code_set(voice, code))

        def triager(voice: Voice) -> User:
            if voice.addressed_to_id == deputy_seat.pk:
                return deputy
            return station_user if voice.station_id == home.pk else staff

        for index, voice in enumerate(created):
            _text, _kind, unit_name = TEXTS[index]
            step = index % 8
            actor = triager(voice)
            if index == 0:
                # The demo resident's voice to the deputy: forwarded, replied, rated 不满意, being re-handled.
                voice = services.voice_forward(actor=actor, voice=voice, unit=units["区交通运输局"])
                voice = services.voice_reply(actor=handler, voice=voice, text=REPLIES["区交通运输局"])
                services.voice_rate(
                    actor=TrackingActor(voice.pk),
                    voice=voice,
                    rating=Rating.DISSATISFIED,
                    comment="路面还没修。",
                )
                continue
            if index in (4, 8, 12):  # stay with the deputy / station, awaiting routing
                continue
            if unit_name is None:
                if index == 22:
                    services.voice_refer(
                        actor=actor,
                        voice=voice,
                        reason=ReferralReason.ARBITRATION,
                        note="请关注仲裁委的受理进度。",
                    )
                elif index == 26:
                    services.voice_merge(actor=actor, voice=voice, into=created[0])
                elif index == 28:
                    services.voice_adopt(
                        actor=actor, voice=voice, motion_label="关于增设社区儿童托管点的建议"
                    )
                elif step % 2:
                    services.voice_answer(
                        actor=actor, voice=voice, text="已与社区沟通，下周将组织协调会，届时请您参加。"
                    )
                continue
            unit = units[unit_name]
            rule = ReplyRule.ENQUIRY if TEXTS[index][1] == VoiceKind.ENQUIRY else ReplyRule.COMPLAINT
            voice = services.voice_forward(actor=actor, voice=voice, unit=unit, reply_rule=rule)
            if unit_name == "区交通运输局" and step in (1, 3, 5):
                voice = services.voice_reply(actor=handler, voice=voice, text=REPLIES[unit_name])
                if step == 1:
                    services.voice_rate(actor=TrackingActor(voice.pk), voice=voice, rating=Rating.SATISFIED)

        services.reception_day_publish(
            actor=station_user,
            station=home,
            date=timezone.localdate() + dt.timedelta(days=5),
            start_time=dt.time(9, 0),
            end_time=dt.time(11, 30),
            place=home.address or home.name,
            deputies=[deputy_seat],
            note="欢迎群众来访，反映意见建议。",
        )
        _held_day_seed(station_user, deputy, home, deputy_seat)
        reports = [
            services.social_report_create(actor=member, title=t, text=x, source_label=s)
            for t, x, s in REPORTS
        ]
        services.social_report_adopt(actor=cppcc_staff, report=reports[0], note="已编入《社情民意》专报。")


def _held_day_seed(station_user: User, deputy: User, home: Body, deputy_seat: Membership) -> None:
    """A reception day last week, with one visit, that the deputy recorded as held (it counts in the
    duty record). Announcements need three days' notice, so the day is announced ahead and then moved
    back a week in the table — the demo's stand-in for the week passing."""
    day = services.reception_day_publish(
        actor=station_user,
        station=home,
        date=timezone.localdate() + dt.timedelta(days=services.RECEPTION_NOTICE_DAYS),
        start_time=dt.time(14, 0),
        end_time=dt.time(16, 30),
        place=home.address or home.name,
        deputies=[deputy_seat],
        note="代表进站接待选民。",
    )
    ReceptionDay.objects.filter(pk=day.pk).update(date=timezone.localdate() - dt.timedelta(days=7))
    day.refresh_from_db()
    services.voice_create(
        actor=station_user,
        channel=VoiceChannel.RECEPTION,
        kind=VoiceKind.SUGGESTION,
        text="小区门口的人行道被占用，老人出行不便，希望代表帮忙协调。",
        phone="13900001111",
        name="周阿姨",
        station=home,
        reception_day=day,
    )
    services.reception_day_hold(actor=deputy, day=day)
