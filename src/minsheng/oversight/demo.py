"""Demo supervision for 武进区, made through the services (so every Event is there).

- this year's plan of the standing committee with two activities under way (a law-enforcement
  inspection with a team, a visit with a photo, findings handed to two units, one item reported and
  sent back, one overdue; and an inspection visit of key projects), one planned and one special
  inquiry closed with a commitment followed as an item, closed and rated;
- the 10 GW TOPCon photovoltaic cell plant of the seed as a key project with one delayed milestone
  (equipment installation), and two more key projects;
- last month's budget execution table with lines behind the time line and over budget;
- two enterprises' needs through the voices channel (the motor maker's third line), one routed;
- the Sino-German technology empowerment platform with two cooperation items.

Dates are counted from today so that the demo shows the same picture whenever it is seeded. Accounts:
``jiandu`` (staff of the standing committee's office) and ``qiye`` (the PV plant's contact).
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from openpyxl import Workbook

from minsheng.core.events import event_record
from minsheng.core.validators import CREDIT_CODE_ALPHABET, credit_code_check_character
from minsheng.org.demo import DEMO_PASSWORD, TERM_START, DemoAccount
from minsheng.org.models import Body, BodyKind, Jurisdiction, Membership, Person, Role, Unit, User
from minsheng.org.selectors import today
from minsheng.oversight import services
from minsheng.oversight.models import (
    ActivityKind,
    CooperationKind,
    MilestoneKind,
    ProjectKind,
    RectificationItem,
    SupervisionPlan,
)

DISTRICT_CODE = "320412"
ACCOUNTS = (
    DemoAccount(
        "jiandu", "staff", "区人大常委会办公室监督科：监督计划、执法检查、整改清单、预算执行、满意度测评"
    ),
    DemoAccount("qiye", "owner", "光伏电池项目业主联系人：报送项目进展、登记里程碑"),
)
PV_PLANT = "天合光能10GW TOPCon高效电池项目"


def exists() -> bool:
    return SupervisionPlan.objects.filter(body__jurisdiction__code=DISTRICT_CODE, year=today().year).exists()


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small solid-colour PNG (a stand-in for a site photo)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def credit_code(prefix17: str) -> str:
    """A code with its right check character (GB 32100), for demo enterprises."""
    assert len(prefix17) == 17 and all(ch in CREDIT_CODE_ALPHABET for ch in prefix17)
    return prefix17 + credit_code_check_character(prefix17)


def _account(username: str, person: Person) -> User:
    user = User.objects.filter(username=username).first() or User(username=username)
    user.person, user.first_name = person, person.name
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _staff_account() -> User:
    office = Body.objects.get(jurisdiction__code=DISTRICT_CODE, name="区人大常委会办公室")
    person = Person.objects.create(
        name="钱监督", pinyin="qian jian du", pinyin_initials="qjd", occupation="区人大常委会办公室监督科"
    )
    Membership.objects.create(
        person=person, body=office, role=Role.STAFF, title="监督科科员", start=TERM_START
    )
    return _account("jiandu", person)


def accounts_seed() -> list[User]:
    """This demo's ``ACCOUNTS`` without its records (tests that act as every demo account): the
    supervision clerk, and the owner's contact before any project names them."""
    staff = User.objects.filter(username="jiandu").first() or _staff_account()
    owner = User.objects.filter(username="qiye").first() or _account(
        "qiye", Person.objects.create(name="周建国", pinyin="zhou jian guo", pinyin_initials="zjg")
    )
    return [staff, owner]


def _user_of(person: Person) -> User:
    user = User.objects.filter(person=person).first()
    if user is None:
        user = User(username=f"demo{person.pk}", first_name=person.name, person=person)
        user.set_unusable_password()
        user.save()
    return user


def _deputies(n: int, offset: int) -> list[Person]:
    seats = Membership.objects.filter(role=Role.DEPUTY, body__kind=BodyKind.CONGRESS).select_related("person")
    return [m.person for m in seats.order_by("id")[offset : offset + n]]


def _sc_members(n: int) -> list[User]:
    seats = Membership.objects.filter(role=Role.SC_MEMBER).select_related("person").order_by("id")[:n]
    return [_user_of(m.person) for m in seats]


def _handler(unit: Unit) -> User:
    seat = Membership.objects.filter(unit=unit, role=Role.HANDLER).select_related("person").first()
    if seat is not None:
        return _user_of(seat.person)
    person = Person.objects.create(name=f"{unit.short_name or unit.name}联络员", pinyin="lian luo yuan")
    Membership.objects.create(person=person, unit=unit, role=Role.HANDLER, start=TERM_START)
    return _user_of(person)


def _unit(name: str) -> Unit:
    return Unit.objects.get(name=name)


def _docx(text: str) -> bytes:
    from docx import Document

    document = Document()
    for paragraph in text.split("\n"):
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _backdate(item: RectificationItem, days: int) -> None:
    """Move a demo item's deadline into the past so that it shows as overdue (recorded as an Event)."""
    old = item.due
    item.assigned_on -= dt.timedelta(days=days)
    item.due -= dt.timedelta(days=days)
    item.save(update_fields=["assigned_on", "due"])
    event_record(
        actor=None,
        verb="demo_backdate",
        target=item,
        from_state=item.status,
        to_state=item.status,
        payload={"due_from": old, "due_to": item.due, "reason": "demo data: shown as overdue"},
    )


def seed() -> None:
    with transaction.atomic():
        staff = _staff_account()
        district = Jurisdiction.objects.get(code=DISTRICT_CODE)
        standing = Body.objects.get(jurisdiction=district, kind=BodyKind.STANDING_COMMITTEE)
        day = today()
        year_start = dt.date(day.year, 1, 1)
        plan = services.plan_create(
            actor=staff, body=standing, year=day.year, title=f"武进区人大常委会{day.year}年度监督工作计划"
        )
        services.plan_publish(actor=staff, plan=plan)
        _inspection(staff, plan, max(year_start, day - dt.timedelta(days=40)))
        _project_visit(staff, plan, max(year_start, day - dt.timedelta(days=10)))
        _inquiry(staff, plan, max(year_start, day - dt.timedelta(days=200)))
        services.activity_create(
            actor=staff,
            plan=plan,
            kind=ActivityKind.REPORT_REVIEW,
            title="听取和审议区政府关于生态环境保护工作情况的报告",
            start_date=min(day + dt.timedelta(days=20), dt.date(day.year, 12, 31)),
            end_date=min(day + dt.timedelta(days=21), dt.date(day.year, 12, 31)),
            units=[_unit("常州市武进生态环境局")],
        )
        _projects(staff, district)
        _budget(staff, day)
        _enterprise_needs()
        _cooperation(staff)


def _inspection(staff: User, plan: SupervisionPlan, start: dt.date) -> None:
    """The law-enforcement inspection under way: team, visit with a photo, findings, items."""
    activity = services.activity_create(
        actor=staff,
        plan=plan,
        kind=ActivityKind.LAW_INSPECTION,
        title="《中华人民共和国安全生产法》执法检查",
        description="检查全区贯彻实施安全生产法律法规情况，重点检查危险化学品企业和道路运输企业。",
        start_date=start,
        end_date=start + dt.timedelta(days=60),
        units=[_unit("区应急管理局"), _unit("区交通运输局")],
    )
    team = _deputies(5, 60)
    services.activity_team_add(actor=staff, activity=activity, people=team, leader=team[0])
    activity = services.activity_start(actor=staff, activity=activity)
    leader = _user_of(team[0])
    services.visit_record(
        actor=leader,
        activity=activity,
        date=min(start + dt.timedelta(days=3), today()),
        place="武进国家高新区某化工企业储罐区",
        notes="现场查看危险化学品储存情况，听取企业安全生产主体责任落实情况汇报。",
        photos=[SimpleUploadedFile("储罐区现场.png", _png(160, 120, (120, 140, 160)))],
    )
    first = services.problem_add(
        actor=staff,
        activity=activity,
        text="部分企业危险化学品储存场所防泄漏设施不完善，隐患排查台账不健全。",
    )
    second = services.problem_add(
        actor=staff,
        activity=activity,
        text="道路运输企业动态监控平台运行不稳定，超速疲劳驾驶预警处置不及时。",
    )
    (safety,) = services.problem_assign(
        actor=staff,
        problem=first,
        units=[_unit("区应急管理局")],
        task="开展危险化学品储存场所专项排查，限期完成防泄漏设施整改，建立健全隐患排查台账。",
    )
    (transport,) = services.problem_assign(
        actor=staff,
        problem=second,
        units=[_unit("区交通运输局")],
        task="督促道路运输企业恢复动态监控平台正常运行，建立预警信息闭环处置机制。",
        due_rule="oversight_rectify_short",
    )
    handler = _handler(_unit("区应急管理局"))
    services.item_report(
        actor=handler, item=safety, text="已完成首轮排查，发现隐患12处，已整改8处。", is_final=False
    )
    safety = services.item_review(actor=staff, item=safety, accept=True)
    services.item_report(actor=handler, item=safety, text="隐患已全部整改完毕。", is_final=True)
    services.item_review(
        actor=staff, item=safety, accept=False, reason="缺少整改前后对比照片和验收记录，请补充。"
    )
    _backdate(RectificationItem.objects.get(pk=transport.pk), 20)


def _project_visit(staff: User, plan: SupervisionPlan, start: dt.date) -> None:
    activity = services.activity_create(
        actor=staff,
        plan=plan,
        kind=ActivityKind.INSPECTION_VISIT,
        title="全区重点项目建设情况视察",
        description="视察重点产业项目推进情况，了解项目建设中遇到的困难和问题。",
        start_date=start,
        end_date=start + dt.timedelta(days=30),
        units=[_unit("区发展和改革局"), _unit("区工业和信息化局")],
    )
    team = _deputies(4, 70)
    services.activity_team_add(actor=staff, activity=activity, people=team, leader=team[0])
    services.activity_start(actor=staff, activity=activity)


def _inquiry(staff: User, plan: SupervisionPlan, start: dt.date) -> None:
    """A special inquiry: a commitment followed as an item, closed, the unit rated, the record public."""
    activity = services.activity_create(
        actor=staff,
        plan=plan,
        kind=ActivityKind.SPECIAL_INQUIRY,
        title="农村公路管理养护工作专题询问",
        start_date=start,
        end_date=start + dt.timedelta(days=1),
        units=[_unit("区交通运输局")],
    )
    askers = [u.person for u in _sc_members(2) if u.person is not None]
    services.activity_team_add(actor=staff, activity=activity, people=askers, leader=askers[0])
    activity = services.activity_start(actor=staff, activity=activity)
    question = services.inquiry_question_add(
        actor=staff,
        activity=activity,
        asker=askers[0],
        unit=_unit("区交通运输局"),
        official="区交通运输局局长",
        question="部分农村公路破损后修复不及时，养护资金如何保障？",
    )
    services.inquiry_answer_record(
        actor=staff,
        question=question,
        answer="将农村公路养护资金纳入财政预算，建立“路长制”巡查机制。",
        commitment="三个月内完成全区农村公路病害排查，年内完成重点路段修复。",
    )
    item = RectificationItem.objects.get(problem__question=question)
    handler = _handler(_unit("区交通运输局"))
    services.item_report(
        actor=handler, item=item, text="病害排查和重点路段修复均已完成，附验收资料。", is_final=True
    )
    services.item_review(actor=staff, item=item, accept=True)
    activity = services.activity_report(
        actor=staff,
        activity=activity,
        report=SimpleUploadedFile("专题询问报告.docx", _docx("农村公路管理养护工作专题询问情况报告")),
        summary="常委会组成人员围绕农村公路养护资金、巡查机制等提出询问，区交通运输局作出承诺并已整改落实。",
    )
    ballot = services.ballot_open(actor=staff, activity=activity, unit=_unit("区交通运输局"))
    for voter, choice in zip(
        _sc_members(12), ["satisfied"] * 8 + ["basically"] * 3 + ["dissatisfied"], strict=True
    ):
        services.ballot_vote(actor=voter, ballot=ballot, choice=choice)
    services.ballot_close(actor=staff, ballot=ballot)
    services.activity_close(actor=staff, activity=activity)
    services.activity_publish(actor=staff, activity=activity)


def _projects(staff: User, district: Jurisdiction) -> None:
    day = today()
    supervisors = _deputies(3, 80)
    owner_person = Person.objects.create(
        name="周建国", pinyin="zhou jian guo", pinyin_initials="zjg", occupation="项目建设部经理"
    )
    qiye = _account("qiye", owner_person)
    town = Jurisdiction.objects.get(parent=district, name="湖塘镇")
    pv = services.project_create(
        actor=staff,
        name=PV_PLANT,
        owner="天合光能股份有限公司",
        investment_planned=Decimal("560000"),
        floor_area=Decimal("118000"),
        park="武进国家高新技术产业开发区",
        location="武进国家高新区",
        place=town,
        description="建设10GW TOPCon高效电池生产线，新建厂房约11.8万平方米。",
        milestones=[
            services.MilestonePlan(MilestoneKind.START, "开工建设", day - dt.timedelta(days=420)),
            services.MilestonePlan(MilestoneKind.STRUCTURE, "主体结构封顶", day - dt.timedelta(days=150)),
            services.MilestonePlan(MilestoneKind.EQUIPMENT, "设备安装调试", day - dt.timedelta(days=30)),
            services.MilestonePlan(MilestoneKind.PRODUCTION, "投产", day + dt.timedelta(days=100)),
        ],
        supervisors=supervisors,
        owner_contacts=[owner_person],
    )
    services.project_transition(actor=staff, project=pv, action="start")
    start, structure = list(pv.milestones.order_by("order"))[:2]
    services.milestone_reach(actor=qiye, milestone=start, actual_date=day - dt.timedelta(days=415))
    services.milestone_reach(actor=qiye, milestone=structure, actual_date=day - dt.timedelta(days=140))
    services.project_progress_post(
        actor=qiye,
        project=pv,
        text="主体结构已完工，设备安装已启动，部分进口设备到货延迟，预计下季度投产。",
        investment_completed=Decimal("143000"),
        photos=[SimpleUploadedFile("厂房.png", _png(160, 120, (90, 110, 130)))],
    )
    visitor = _user_of(supervisors[0])
    services.visit_record(
        actor=visitor,
        project=pv,
        date=day - dt.timedelta(days=7),
        place="TOPCon电池项目施工现场",
        notes="了解设备安装进度，企业反映进口设备清关周期长。",
    )
    problem = services.problem_add_for_project(
        actor=staff, project=pv, text="进口设备清关周期长，影响设备安装进度，需协调海关和商务部门。"
    )
    services.problem_assign(
        actor=staff,
        problem=problem,
        units=[_unit("区商务局")],
        task="协调海关开辟进口设备通关绿色通道，跟踪设备到货情况。",
        due_rule="oversight_rectify_short",
    )
    services.project_publish(actor=staff, project=pv)
    motors = services.project_create(
        actor=staff,
        name="叁零陆动力部件第三条扁线电机生产线",
        owner="常州叁零陆动力部件有限公司",
        investment_planned=Decimal("12000"),
        park="武进经济开发区",
        milestones=[
            services.MilestonePlan(MilestoneKind.START, "开工建设", day - dt.timedelta(days=60)),
            services.MilestonePlan(MilestoneKind.PRODUCTION, "投产", day + dt.timedelta(days=120)),
        ],
        supervisors=supervisors[1:],
    )
    services.project_transition(actor=staff, project=motors, action="start")
    services.milestone_reach(
        actor=staff, milestone=motors.milestones.get(kind="start"), actual_date=day - dt.timedelta(days=58)
    )
    services.project_progress_post(
        actor=staff, project=motors, text="厂房改造完成，设备采购中。", investment_completed=Decimal("3600")
    )
    services.project_create(
        actor=staff,
        name="西太湖科技产业园智能制造产业园二期",
        owner="武进西太湖科技产业园管委会",
        investment_planned=Decimal("85000"),
        park="西太湖科技产业园",
        milestones=[services.MilestonePlan(MilestoneKind.START, "开工建设", day + dt.timedelta(days=45))],
    )


def _budget(staff: User, day: dt.date) -> None:
    """Last month's execution table: some lines behind the time line, one over budget."""
    month_end = day.replace(day=1) - dt.timedelta(days=1)
    rows = [
        ["部门", "项目", "预算数", "执行数"],
        ["区交通运输局", "农村公路养护", 8600, 2100],
        ["区交通运输局", "公交运营补贴", 12000, 11400],
        ["区教育局", "义务教育学校校舍维修", 6500, 5900],
        ["区卫生健康委员会", "基层医疗机构设备更新", 4200, 900],
        ["区民政局", "居家养老服务补贴", 3800, 3500],
        ["区应急管理局", "安全生产专项整治", 1500, 1620],
        ["区农业农村局", "高标准农田建设", 9800, 8700],
        ["常州市武进生态环境局", "河道水环境综合治理", 15000, 6100],
        ["区工业和信息化局", "中小企业数字化转型奖补", 5000, 4650],
        ["合计", "", 66400, 44970],
    ]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([f"武进区{month_end.year}年1-{month_end.month}月部门预算执行情况表（单位：万元）"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile(f"预算执行{month_end:%Y%m}.xlsx", buffer.getvalue())
    services.budget_import(actor=staff, upload=upload, year=month_end.year, month=month_end.month)


def _enterprise_needs() -> None:
    from django.contrib.auth.models import AnonymousUser

    from minsheng.voices import services as voices
    from minsheng.voices.models import VoiceChannel, VoiceKind

    motor = voices.voice_create(
        actor=AnonymousUser(),
        channel=VoiceChannel.WEB,
        kind=VoiceKind.HELP,
        text="我公司订单同比增长20%至30%，正在筹备第三条扁线电机生产线，年产能将达10万套。"
        "希望协调解决新增用电负荷扩容和技术工人招聘问题。",
        phone="13861100306",
        name="吴经理",
        enterprise_name="常州叁零陆动力部件有限公司",
        credit_code=credit_code("91320412MA1NX0306"),
    )
    staff = User.objects.get(username="staff")
    voices.voice_forward(
        actor=staff,
        voice=motor,
        unit=_unit("区工业和信息化局"),
        instructions="请会同供电部门研究用电扩容方案，并联系区人社局组织专场招聘。",
    )
    voices.voice_create(
        actor=AnonymousUser(),
        channel=VoiceChannel.WEB,
        kind=VoiceKind.SUGGESTION,
        text="建议在武进国家高新区增设公交线路，方便企业员工通勤。",
        phone="13961100412",
        enterprise_name="常州星宇精密机械有限公司",
        credit_code=credit_code("91320412MA1PY2024"),
    )


def _cooperation(staff: User) -> None:
    day = today()
    platform = services.platform_create(
        actor=staff,
        name="中德技术赋能平台",
        partners="德国弗劳恩霍夫协会相关研究所、武进国家高新区",
        description="开展联合研发、技术转移和知识产权共享，建设跨区域智能制造协同平台。",
    )
    joint = services.project_create(
        actor=staff,
        kind=ProjectKind.COOPERATION,
        platform=platform,
        cooperation_kind=CooperationKind.JOINT_RESEARCH,
        name="智能制造产线数字孪生联合研发",
        partners="德方研究所、常州某装备制造企业",
        investment_planned=Decimal("1800"),
        milestones=[
            services.MilestonePlan(MilestoneKind.OTHER, "联合实验室揭牌", day - dt.timedelta(days=90)),
            services.MilestonePlan(MilestoneKind.OTHER, "样机验证", day + dt.timedelta(days=60)),
        ],
    )
    opening = joint.milestones.order_by("order")[0]
    services.milestone_reach(actor=staff, milestone=opening, actual_date=day - dt.timedelta(days=90))
    services.project_transition(actor=staff, project=joint, action="start")
    services.outcome_record(
        actor=staff,
        project=joint,
        kind="patent",
        title="一种产线数字孪生建模方法（发明专利申请）",
        reference="申请中",
        date=day - dt.timedelta(days=20),
    )
    services.project_create(
        actor=staff,
        kind=ProjectKind.COOPERATION,
        platform=platform,
        cooperation_kind=CooperationKind.TECHNOLOGY_TRANSFER,
        name="精密减速器热处理工艺技术转移",
        partners="德方技术转移中心、武进某传动企业",
        investment_planned=Decimal("650"),
        milestones=[
            services.MilestonePlan(MilestoneKind.OTHER, "技术许可协议签订", day + dt.timedelta(days=30))
        ],
    )
