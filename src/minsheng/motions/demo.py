"""Demo suggestions, proposals and bills in every state, made through the services (so every Event is
there), for the demo accounts deputy, member, staff, cppcc_staff, handler (区交通运输局) and leader.

Deterministic: the same items in the same order. Two items are moved back in time after assignment so
that the desks show an overdue item; that move is recorded as an Event saying why.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from minsheng.core.events import event_record
from minsheng.motions import services
from minsheng.motions.models import Assignment, HandlingMode, Motion, MotionKind
from minsheng.org.models import Membership, Person, Role, Unit, User
from minsheng.voices import demo as voices_demo
from minsheng.voices import services as voices_services
from minsheng.voices.models import Voice, VoiceChannel

MARK = "【演示】"

SUGGESTIONS = [
    (
        "关于在延政中路学校路口增设信号灯的建议",
        "湖塘镇延政中路与花园街交叉口紧邻两所小学，上下学高峰人车混行，存在安全隐患。建议增设信号灯和人行横道，并在高峰时段安排交通协管员。",
    ),
    (
        "关于加密湖塘至武进高新区公交班次的建议",
        "湖塘至武进高新区通勤需求大，现有公交班次间隔40分钟，早晚高峰拥挤。建议高峰时段班次间隔缩短至15分钟，并延长末班车时间。",
    ),
    (
        "关于改造老旧小区雨污分流管网的建议",
        "湖塘镇部分老旧小区雨污合流，雨季积水严重。建议将雨污分流改造列入年度城建计划，分批实施。",
    ),
    ("关于农村道路安装路灯的建议", "礼嘉镇部分村道夜间无照明，村民出行不便。建议统筹安排农村道路亮化工程。"),
    (
        "关于增设社区养老助餐点的建议",
        "西湖街道老年人口比例高，助餐需求大。建议依托社区服务中心增设助餐点，对高龄独居老人给予补贴。",
    ),
    (
        "关于规范电动自行车停放充电的建议",
        "居民小区电动自行车飞线充电现象突出。建议加快建设集中充电设施，加强消防安全检查。",
    ),
    ("关于优化学校周边停车管理的建议", "学校周边接送车辆乱停放，影响通行。建议设置临时停车泊位，错峰放学。"),
    (
        "关于完善公交站台候车设施的建议",
        "部分公交站台无遮阳挡雨设施，老人候车不便。建议增设候车亭和座椅，并在站台设置实时到站信息屏。",
    ),
]
PROPOSALS = [
    (
        "关于推进中小学课后服务提质增效的提案",
        "课后服务内容单一，建议引入科普、体育、艺术等社会资源，建立课后服务质量评价机制。",
    ),
    (
        "关于提升中小学课后服务质量的提案",
        "建议丰富课后服务内容，引入社会专业力量参与中小学课后服务，并建立评价机制。",
    ),
    (
        "关于支持中小企业数字化转型的提案",
        "中小制造企业数字化基础薄弱，建议设立专项资金，建设公共服务平台，培育一批示范企业。",
    ),
    (
        "关于加强农村生活污水治理的提案",
        "部分农村污水处理设施运行不稳定，建议建立长效运维机制，明确运维责任主体。",
    ),
    ("关于为本人子女解决入学问题的提案", "本人子女入学遇到困难，请求有关部门予以解决。"),
]
BILL = (
    "关于制定武进区农村人居环境整治条例的议案",
    "农村人居环境整治需要制度保障，建议由区人大常委会研究制定相关规范性文件，明确各方责任。",
)
REPLY_TEXT = {
    "A": (
        "经研究，我局已完成该路口交通组织优化，信号灯和人行横道已建成投用。联系人：王科长，电话13912345678。"
    ),
    "B": "该事项已列入我局年度工作计划，正在开展前期设计，预计明年上半年实施完成。",
}


def exists() -> bool:
    return Motion.objects.filter(text__startswith=MARK).exists()


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _person(user: User) -> Person:
    assert user.person is not None, "demo accounts are people"
    return user.person


def _extra_user(person: Person) -> User:
    user = User.objects.filter(person=person).first()
    if user is None:
        user = User(username=f"demo{person.pk}", first_name=person.name, person=person)
        user.set_unusable_password()
        user.save()
    return user


def _representatives(role: str, body_kind: str, n: int, skip: set[int]) -> list[User]:
    seats = (
        Membership.objects.filter(role=role, body__kind=body_kind)
        .exclude(person_id__in=skip)
        .order_by("id")
        .select_related("person")[40 : 40 + n]
    )
    return [_extra_user(m.person) for m in seats]


def _unit(name: str) -> Unit:
    return Unit.objects.get(name=name)


def _handler(unit: Unit) -> User:
    seat = Membership.objects.filter(unit=unit, role=Role.HANDLER).select_related("person").first()
    if seat is not None:
        return _extra_user(seat.person)
    person = Person.objects.create(name=f"{unit.short_name or unit.name}办理员", pinyin="ban li yuan")
    Membership.objects.create(person=person, unit=unit, role=Role.HANDLER, start=dt.date(2021, 12, 28))
    return _extra_user(person)


def _resident_voice(deputy: User) -> Voice:
    """The demo resident's message to a deputy (known tracking code and phone of the voices demo)."""
    seat = Membership.objects.filter(person=_person(deputy), role=Role.DEPUTY).first()
    voice = voices_services.voice_create(
        actor=AnonymousUser(),
        channel=VoiceChannel.WEB,
        text="我家门口的公交站没有候车亭，下雨天老人孩子只能淋雨等车，希望加装候车亭和座椅。",
        phone=voices_demo.DEMO_PHONE,
        name="王女士",
        addressed_to=seat,
    )
    return voices_demo.tracking_code_set(voice, voices_demo.DEMO_ADOPTED_TRACKING_CODE)


def _backdate(motion: Motion, days: int) -> None:
    """Move a demo item's assignment into the past so that it shows as overdue (recorded as an Event)."""
    for assignment in Assignment.objects.filter(motion=motion):
        old_due = assignment.due
        assignment.assigned_on -= dt.timedelta(days=days)
        assignment.due -= dt.timedelta(days=days)
        assignment.max_due -= dt.timedelta(days=days)
        assignment.return_by -= dt.timedelta(days=days)
        assignment.save(update_fields=["assigned_on", "due", "max_due", "return_by"])
        event_record(
            actor=None,
            verb="demo_backdate",
            target=assignment,
            from_state=assignment.status,
            to_state=assignment.status,
            payload={"due_from": old_due, "due_to": assignment.due, "reason": "demo data: shown as overdue"},
        )


def seed() -> None:
    deputy, member, staff, cppcc_staff, handler, leader = (
        _user(n) for n in ("deputy", "member", "staff", "cppcc_staff", "handler", "leader")
    )
    with transaction.atomic():
        skip = {u.person_id for u in (deputy, member, leader) if u.person_id}
        deputies = _representatives(Role.DEPUTY, "congress", 10, skip)
        members = _representatives(Role.CPPCC_MEMBER, "cppcc_committee", 3, skip)
        transport, housing, edu = _unit("区交通运输局"), _unit("区住房和城乡建设局"), _unit("区教育局")
        water = _unit("常州市武进生态环境局")

        def suggestion(index: int, author: User = deputy, cosigners: tuple[User, ...] = ()) -> Motion:
            title, text = SUGGESTIONS[index]
            motion = services.motion_create(
                actor=author, kind=MotionKind.SUGGESTION, title=title, text=MARK + text, session=5
            )
            if cosigners:
                services.motion_invite(actor=author, motion=motion, people=[_person(u) for u in cosigners])
                for user in cosigners:
                    services.signature_respond(
                        actor=user, signature=motion.signatures.get(person=user.person), accept=True
                    )
            return motion

        def through_assignment(motion: Motion, office: User, lead: Unit, co: tuple[Unit, ...] = ()) -> Motion:
            motion = services.motion_submit(actor=User.objects.get(person=motion.lead_signer), motion=motion)
            motion = services.motion_file(actor=office, motion=motion)
            return services.motion_assign(
                actor=office, motion=motion, mode=HandlingMode.LEAD_CO, lead_unit=lead, co_units=list(co)
            )

        def reply(motion: Motion, category: str, unit_user: User = handler) -> None:
            lead = motion.assignments.get(role="lead")
            services.assignment_reply(
                actor=unit_user, assignment=lead, category=category, text=REPLY_TEXT[category]
            )

        # 1 draft, co-signing invitation open (the deputy can invite more or submit)
        draft = suggestion(6)
        services.motion_invite(actor=deputy, motion=draft, people=[_person(deputies[5])])
        # 2 an invitation waiting for the demo deputy's answer
        invited = services.motion_create(
            actor=deputies[6],
            kind=MotionKind.SUGGESTION,
            title=SUGGESTIONS[5][0],
            text=MARK + SUGGESTIONS[5][1],
        )
        services.motion_invite(actor=deputies[6], motion=invited, people=[_person(deputy)])
        # 3 awaiting filing review (staff), 4 filed awaiting assignment
        services.motion_submit(actor=deputy, motion=suggestion(3))
        filed = services.motion_submit(actor=deputy, motion=suggestion(4))
        services.motion_file(actor=staff, motion=filed)
        # 5 assigned to 区交通运输局 with a co-unit, key supervision by the leader
        key = through_assignment(
            suggestion(0, cosigners=(deputies[0], deputies[1])), staff, transport, (housing,)
        )
        services.motion_supervise(
            actor=staff, motion=key, leader=_person(leader), note="主任会议确定的重点督办建议"
        )
        # 6 overdue at 区交通运输局
        late = through_assignment(suggestion(1, author=deputies[2]), staff, transport)
        _backdate(late, 120)
        # 7 replied (B), awaiting the deputy's rating
        awaiting = through_assignment(suggestion(2, cosigners=(deputies[3],)), staff, transport)
        reply(awaiting, "B")
        # 8 grown out of a resident's message, closed with A, rated satisfied, published (public page,
        # phone masked); the resident follows it with the demo tracking code and rates the outcome
        from_voice = services.motion_create_from_voice(
            actor=deputies[4],
            voice=_resident_voice(deputies[4]),
            kind=MotionKind.SUGGESTION,
            title=SUGGESTIONS[7][0],
            text=MARK + SUGGESTIONS[7][1],
        )
        closed = through_assignment(from_voice, staff, transport)
        reply(closed, "A")
        services.motion_rate(
            actor=deputies[4], motion=closed, overall="satisfied", process="satisfied", result="satisfied"
        )
        services.reply_disclose(actor=staff, reply=closed.replies.get(), disclosure="full")
        # 9 a bill without enough signatures converted into a suggestion
        bill = services.motion_create(
            actor=deputy, kind=MotionKind.BILL, title=BILL[0], text=MARK + BILL[1], session=5
        )
        services.motion_submit(actor=deputy, motion=bill, as_suggestion=True)

        # Proposals: two similar ones (merge candidate), one filed and assigned to 区教育局, one declined
        first = services.motion_create(
            actor=member,
            kind=MotionKind.PROPOSAL,
            title=PROPOSALS[0][0],
            text=MARK + PROPOSALS[0][1],
            session=4,
        )
        services.motion_submit(actor=member, motion=first)
        second = services.motion_create(
            actor=members[0],
            kind=MotionKind.PROPOSAL,
            title=PROPOSALS[1][0],
            text=MARK + PROPOSALS[1][1],
            session=4,
        )
        services.motion_submit(actor=members[0], motion=second)
        digital = services.motion_create(
            actor=member,
            kind=MotionKind.PROPOSAL,
            title=PROPOSALS[2][0],
            text=MARK + PROPOSALS[2][1],
            session=4,
        )
        services.motion_submit(actor=member, motion=digital)
        services.motion_file(actor=cppcc_staff, motion=digital)
        services.motion_assign(
            actor=cppcc_staff,
            motion=digital,
            mode=HandlingMode.SEPARATE,
            units=[_unit("区工业和信息化局"), edu],
        )
        sewage = services.motion_create(
            actor=members[1],
            kind=MotionKind.PROPOSAL,
            title=PROPOSALS[3][0],
            text=MARK + PROPOSALS[3][1],
            session=4,
        )
        services.motion_submit(actor=members[1], motion=sewage)
        services.motion_file(actor=cppcc_staff, motion=sewage)
        services.motion_assign(
            actor=cppcc_staff, motion=sewage, mode=HandlingMode.LEAD_CO, lead_unit=water, co_units=[transport]
        )
        personal = services.motion_create(
            actor=members[2],
            kind=MotionKind.PROPOSAL,
            title=PROPOSALS[4][0],
            text=MARK + PROPOSALS[4][1],
            session=4,
        )
        services.motion_submit(actor=members[2], motion=personal)
        services.motion_decline(
            actor=cppcc_staff, motion=personal, reason="属于个人事务，不符合提案立案条件。"
        )
