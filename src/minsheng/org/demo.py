"""Deterministic demo data: 武进区 (Changzhou, Jiangsu) with its real institutions and fictional people.

The same seed always gives the same data. Institutions and places are real; every person is generated.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from pypinyin import Style, lazy_pinyin

from minsheng.org.models import (
    Body,
    BodyKind,
    Constituency,
    Gender,
    Jurisdiction,
    JurisdictionLevel,
    Membership,
    Person,
    Role,
    Sector,
    Term,
    Unit,
    UnitKind,
    User,
)

DEMO_PASSWORD = "minsheng-demo"  # noqa: S105 - published demo credential, printed by `minsheng demo`
DISTRICT_CODE = "320412"
CONGRESS_DEPUTIES = 415
CPPCC_MEMBERS = 350
TERM_START = dt.date(2021, 12, 28)

# Towns (镇) and streets (街道) of Wujin, with a weight used to share out the 415 seats.
TOWNSHIPS: list[tuple[str, int]] = [
    ("湖塘镇", 46),
    ("牛塘镇", 22),
    ("洛阳镇", 24),
    ("遥观镇", 30),
    ("横林镇", 30),
    ("横山桥镇", 26),
    ("雪堰镇", 28),
    ("前黄镇", 26),
    ("礼嘉镇", 24),
    ("嘉泽镇", 20),
    ("湟里镇", 22),
    ("南夏墅街道", 22),
    ("西湖街道", 20),
    ("丁堰街道", 16),
    ("潞城街道", 18),
    ("戚墅堰街道", 18),
]

DEPARTMENTS = [
    "区发展和改革局",
    "区工业和信息化局",
    "区科学技术局",
    "区教育局",
    "区民政局",
    "区司法局",
    "区财政局",
    "区人力资源和社会保障局",
    "区住房和城乡建设局",
    "区交通运输局",
    "区水利局",
    "区农业农村局",
    "区商务局",
    "区文化广电和旅游局",
    "区卫生健康委员会",
    "区退役军人事务局",
    "区应急管理局",
    "区审计局",
    "区市场监督管理局",
    "区城市管理局",
    "区医疗保障局",
    "区数据局",
    "常州市武进生态环境局",
    "常州市自然资源和规划局武进分局",
    "常州市公安局武进分局",
]
JUDICIAL_UNITS = [
    ("区人民法院", UnitKind.COURT),
    ("区人民检察院", UnitKind.PROCURATORATE),
    ("区监察委员会", UnitKind.SUPERVISORY_COMMISSION),
]
WORKING_BODIES = [
    "区人大常委会办公室",
    "区人大常委会选举联络人事任免工作委员会",
    "区人大常委会法制工作委员会",
    "区人大常委会预算工作委员会",
    "区人大常委会社会建设工作委员会",
]
SPECIAL_COMMITTEES = [
    "区人大法制委员会",
    "区人大财政经济委员会",
    "区人大教育科学文化卫生委员会",
    "区人大城乡建设环境保护委员会",
    "区人大农业与农村委员会",
]
CPPCC_SPECIAL_COMMITTEES = [
    "区政协提案委员会",
    "区政协经济委员会",
    "区政协人口资源环境委员会",
    "区政协文化文史和学习委员会",
    "区政协社会和法制委员会",
    "区政协农业农村委员会",
    "区政协科教卫体委员会",
]
SECTORS = [
    "中国共产党",
    "中国国民党革命委员会",
    "中国民主同盟",
    "中国民主建国会",
    "中国民主促进会",
    "中国农工民主党",
    "九三学社",
    "无党派人士",
    "中国共产主义青年团",
    "总工会",
    "妇女联合会",
    "工商业联合会",
    "科学技术协会",
    "归国华侨联合会",
    "文化艺术界",
    "教育界",
    "医药卫生界",
    "经济界",
    "农业界",
    "社会福利和社会保障界",
    "特邀人士",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_MALE = "伟强军磊洋勇杰涛明超斌亮建华国平志刚辉鹏飞宇浩俊峰东林文博海波晨鑫振宏庆金才忠"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲婷雪琳慧颖洁萍红英梅兰云倩晶莉瑶佳月琴凤秀珍"
OCCUPATIONS = [
    "{town}{village}村党委书记",
    "{town}人民政府副镇长",
    "常州{brand}科技有限公司总经理",
    "{town}中心小学教师",
    "武进人民医院主治医师",
    "{town}社区卫生服务中心医生",
    "江苏{brand}机械有限公司工程师",
    "{town}{village}村村民",
    "常州{brand}动力部件有限公司车间主任",
    "{town}社区居委会主任",
    "武进区律师协会执业律师",
    "常州{brand}光伏科技有限公司技术员",
    "{town}农业合作社负责人",
    "武进高级中学教师",
]
VILLAGES = [
    "东方",
    "南庄",
    "西湖",
    "北港",
    "新安",
    "长安",
    "永安",
    "塘桥",
    "湖滨",
    "太平",
    "前进",
    "红星",
    "和平",
    "花园",
    "大同",
    "兴隆",
]
BRANDS = ["恒立", "天合", "星宇", "亚邦", "常发", "东方", "中天", "创新", "远东", "华威", "新能", "瑞声"]
PARTIES = ["中共党员"] * 7 + ["群众"] * 2 + ["民盟盟员", "民建会员", "九三学社社员", "无党派人士"]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    description: str


# The sign-in accounts of the demo and what each can try: `minsheng demo` prints them, the README lists
# them, the site-wide tests walk every one. An app whose demo adds accounts lists them in its demo
# module's ACCOUNTS and makes them, without its demo records, in accounts_seed() (see minsheng.cli).
ACCOUNTS = (
    DemoAccount("admin", "administrator", "系统管理员：后台配置机构、单位、届次、人员、任职与节假日安排"),
    DemoAccount("leader", "sc_chair", "区人大常委会主任：统计看板、超期件、重点督办"),
    DemoAccount("staff", "staff", "选联工委工作人员：民声分办、建议立案审查与交办、答复审核与公开"),
    DemoAccount("cppcc_staff", "staff", "政协提案委员会工作人员：提案立案、并案、交办，协商议题与成果"),
    DemoAccount("deputy", "deputy", "湖塘镇选出的区人大代表：处理群众留言、领衔建议、评价答复"),
    DemoAccount("member", "cppcc_member", "区政协委员：提案、社情民意信息、协商议事"),
    DemoAccount("handler", "handler", "区交通运输局办理联络员：交办件、答复、退回、申请延期"),
    DemoAccount("station", "station_staff", "湖塘镇人大代表之家联络员：接待日、代录留言、二维码"),
)


@dataclass
class NameMaker:
    """Unique fictional Chinese names from a seeded generator."""

    rng: random.Random
    used: set[str]

    def make(self) -> tuple[str, str]:
        for _attempt in range(1000):
            gender = self.rng.choice([Gender.MALE, Gender.FEMALE])
            pool = GIVEN_MALE if gender == Gender.MALE else GIVEN_FEMALE
            given = "".join(self.rng.choice(pool) for _ in range(self.rng.choice([1, 2, 2])))
            name = self.rng.choice(SURNAMES) + given
            if name not in self.used:
                self.used.add(name)
                return name, gender
        raise RuntimeError("name pool exhausted")


Progress = Callable[[str, int, int], None]


def _silent(stage: str, done: int, total: int) -> None:
    return None


def demo_exists() -> bool:
    return Jurisdiction.objects.filter(code=DISTRICT_CODE).exists()


def _person(rng: random.Random, names: NameMaker, town: str) -> Person:
    name, gender = names.make()
    occupation = rng.choice(OCCUPATIONS).format(
        town=town, village=rng.choice(VILLAGES), brand=rng.choice(BRANDS)
    )
    return Person(
        name=name,
        pinyin=" ".join(lazy_pinyin(name)),
        pinyin_initials="".join(lazy_pinyin(name, style=Style.FIRST_LETTER)),
        gender=gender,
        birth_year=rng.randint(1962, 1992),
        ethnicity="汉族" if rng.random() > 0.03 else "回族",
        party=rng.choice(PARTIES),
        occupation=occupation,
        phone=f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
    )


def _share(total: int, weights: Iterable[int]) -> list[int]:
    """Split ``total`` seats by weight, largest remainders first, so the sum is exact."""
    weights = list(weights)
    raw = [total * w / sum(weights) for w in weights]
    seats = [int(r) for r in raw]
    for index in sorted(range(len(raw)), key=lambda i: raw[i] - seats[i], reverse=True)[: total - sum(seats)]:
        seats[index] += 1
    return seats


def _jurisdictions() -> tuple[Jurisdiction, list[Jurisdiction]]:
    province = Jurisdiction.objects.create(level=JurisdictionLevel.PROVINCE, name="江苏省", code="320000")
    city = Jurisdiction.objects.create(
        parent=province, level=JurisdictionLevel.CITY, name="常州市", code="320400"
    )
    district = Jurisdiction.objects.create(
        parent=city, level=JurisdictionLevel.DISTRICT, name="武进区", code=DISTRICT_CODE
    )
    towns = [
        Jurisdiction.objects.create(
            parent=district, level=JurisdictionLevel.TOWNSHIP, name=name, code=f"{DISTRICT_CODE}{100 + i:03d}"
        )
        for i, (name, _weight) in enumerate(TOWNSHIPS)
    ]
    return district, towns


def _bodies(district: Jurisdiction, towns: list[Jurisdiction]) -> dict[str, Body]:
    def body(
        name: str, kind: str, parent: Body | None = None, place: Jurisdiction = district, **extra: str
    ) -> Body:
        return Body.objects.create(jurisdiction=place, kind=kind, name=name, parent=parent, **extra)

    congress = body("武进区人民代表大会", BodyKind.CONGRESS)
    standing = body("武进区人大常委会", BodyKind.STANDING_COMMITTEE, congress, address="武进区人民中路1号")
    cppcc = body("政协常州市武进区委员会", BodyKind.CPPCC_COMMITTEE, address="武进区延政中大道")
    bodies = {"congress": congress, "standing": standing, "cppcc": cppcc}
    for name in WORKING_BODIES:
        bodies[name] = body(name, BodyKind.WORKING_BODY, standing)
    for name in SPECIAL_COMMITTEES:
        bodies[name] = body(name, BodyKind.SPECIAL_COMMITTEE, congress)
    for name in CPPCC_SPECIAL_COMMITTEES:
        bodies[name] = body(name, BodyKind.CPPCC_SPECIAL_COMMITTEE, cppcc)
    bodies["contact_point"] = body(
        "江苏省人大常委会武进区基层立法联系点",
        BodyKind.LEGISLATIVE_CONTACT_POINT,
        standing,
        description="省人大常委会法制工作委员会设立的基层立法联系点，下设5个信息采集点。",
    )
    weekdays = "一二三四五"
    for index, town in enumerate(towns):
        short = town.name
        bodies[f"home:{short}"] = body(
            f"{short}人大代表之家",
            BodyKind.DEPUTIES_HOME,
            standing,
            place=town,
            address=f"{short}人民政府便民服务中心二楼",
            office_phone=f"0519-8{index + 300:03d}1234",
            reception_schedule=f"每月第一个星期{weekdays[index % 5]} 9:00–11:30",
        )
        for station_no in (1, 2):
            bodies[f"station:{short}:{station_no}"] = body(
                f"{short}{VILLAGES[(index + station_no) % len(VILLAGES)]}代表联络站",
                BodyKind.LIAISON_STATION,
                standing,
                place=town,
                address=f"{short}{VILLAGES[(index + station_no) % len(VILLAGES)]}党群服务中心",
                reception_schedule=f"每月{10 + station_no * 5}日 14:00–16:30",
            )
        bodies[f"studio:{short}"] = body(
            f"{short}政协委员工作室",
            BodyKind.MEMBERS_STUDIO,
            cppcc,
            place=town,
            address=f"{short}文化活动中心",
            reception_schedule=f"每月第三个星期{weekdays[(index + 2) % 5]} 9:00–11:00",
        )
        bodies[f"room:{short}"] = body(
            f"{short}“有事好商量”协商议事室",
            BodyKind.CONSULTATION_ROOM,
            cppcc,
            place=town,
            address=f"{short}为民服务中心",
        )
    return bodies


def _units(district: Jurisdiction, towns: list[Jurisdiction]) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for name in DEPARTMENTS:
        units[name] = Unit.objects.create(
            jurisdiction=district,
            kind=UnitKind.GOVERNMENT_DEPARTMENT,
            name=name,
            short_name=name.removeprefix("区"),
        )
    for name, kind in JUDICIAL_UNITS:
        units[name] = Unit.objects.create(jurisdiction=district, kind=kind, name=name)
    for town in towns:
        suffix = "办事处" if town.name.endswith("街道") else "人民政府"
        units[town.name] = Unit.objects.create(
            jurisdiction=town, kind=UnitKind.TOWNSHIP_GOVERNMENT, name=f"{town.name}{suffix}"
        )
    return units


def _membership(person: Person, role: str, start: dt.date = TERM_START, **where: object) -> Membership:
    return Membership(person=person, role=role, start=start, **where)


def demo_seed(*, seed: int = 17, progress: Progress = _silent) -> list[DemoAccount]:
    """Create the demo district once. Returns the demo accounts (all with DEMO_PASSWORD)."""
    rng = random.Random(seed)
    names = NameMaker(rng=rng, used=set())
    with transaction.atomic():
        progress("places", 0, 6)
        district, towns = _jurisdictions()
        bodies = _bodies(district, towns)
        units = _units(district, towns)
        congress_term = Term.objects.create(body=bodies["congress"], number=17, start=TERM_START)
        cppcc_term = Term.objects.create(body=bodies["cppcc"], number=15, start=TERM_START)
        sectors = [
            Sector.objects.create(committee=bodies["cppcc"], name=n, order=i) for i, n in enumerate(SECTORS)
        ]
        progress("deputies", 1, 6)
        deputies = _seed_deputies(rng, names, towns, bodies, congress_term)
        progress("members", 2, 6)
        members = _seed_members(rng, names, towns, bodies, cppcc_term, sectors)
        progress("staff", 3, 6)
        accounts = _seed_accounts(rng, names, district, towns, bodies, units, deputies, members)
        progress("done", 6, 6)
    return accounts


def _seed_deputies(
    rng: random.Random, names: NameMaker, towns: list[Jurisdiction], bodies: dict[str, Body], term: Term
) -> list[Person]:
    people: list[Person] = []
    seats: list[tuple[Person, Constituency]] = []
    for town, town_seats in zip(towns, _share(CONGRESS_DEPUTIES, (w for _n, w in TOWNSHIPS)), strict=True):
        constituency_sizes = []
        remaining = town_seats
        while remaining > 0:
            size = min(remaining, rng.choice([2, 3, 3, 4]))
            constituency_sizes.append(size)
            remaining -= size
        for number, size in enumerate(constituency_sizes, start=1):
            constituency = Constituency.objects.create(term=term, name=f"{town.name}第{number}选区")
            constituency.places.add(town)
            for _ in range(size):
                person = _person(rng, names, town.name)
                people.append(person)
                seats.append((person, constituency))
    Person.objects.bulk_create(people)
    congress = bodies["congress"]
    memberships = [
        _membership(person, Role.DEPUTY, body=congress, term=term, constituency=constituency)
        for person, constituency in seats
    ]
    leaders = [("sc_chair", "主任")] + [("sc_vice_chair", "副主任")] * 4
    standing = bodies["standing"]
    for (role, title), person in zip(leaders, people[:5], strict=False):
        memberships.append(_membership(person, role, body=standing, term=term, title=title))
    for person in people[5:33]:
        memberships.append(_membership(person, Role.SC_MEMBER, body=standing, term=term, title="委员"))
    Membership.objects.bulk_create(memberships)
    return people


def _seed_members(
    rng: random.Random,
    names: NameMaker,
    towns: list[Jurisdiction],
    bodies: dict[str, Body],
    term: Term,
    sectors: list[Sector],
) -> list[Person]:
    people = [_person(rng, names, rng.choice(towns).name) for _ in range(CPPCC_MEMBERS)]
    Person.objects.bulk_create(people)
    cppcc = bodies["cppcc"]
    memberships = [
        _membership(person, Role.CPPCC_MEMBER, body=cppcc, term=term, sector=sectors[i % len(sectors)])
        for i, person in enumerate(people)
    ]
    memberships.append(_membership(people[0], Role.CPPCC_CHAIR, body=cppcc, term=term, title="主席"))
    for person in people[1:6]:
        memberships.append(_membership(person, Role.CPPCC_VICE_CHAIR, body=cppcc, term=term, title="副主席"))
    # Each studio is staffed by a handful of members who receive the public there.
    for index, town in enumerate(towns):
        for person in people[6 + index * 3 : 9 + index * 3]:
            memberships.append(
                _membership(person, Role.CPPCC_MEMBER, body=bodies[f"studio:{town.name}"], term=term)
            )
    Membership.objects.bulk_create(memberships)
    return people


def _account(username: str, person: Person | None, *, staff: bool = False, superuser: bool = False) -> User:
    user = User(
        username=username,
        person=person,
        first_name=person.name if person else username,
        phone=person.phone if person else None,
        is_staff=staff or superuser,
        is_superuser=superuser,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _seed_accounts(
    rng: random.Random,
    names: NameMaker,
    district: Jurisdiction,
    towns: list[Jurisdiction],
    bodies: dict[str, Body],
    units: dict[str, Unit],
    deputies: list[Person],
    members: list[Person],
) -> list[DemoAccount]:
    def staff_person(town: str, role: str, **where: object) -> Person:
        person = _person(rng, names, town)
        person.save()
        Membership.objects.create(person=person, role=role, start=TERM_START, **where)
        return person

    hutang_deputy = Membership.objects.filter(role=Role.DEPUTY, constituency__places=towns[0]).first()
    assert hutang_deputy is not None
    admin_person = staff_person("武进区", Role.ADMIN, body=bodies["standing"], title="系统管理员")
    _account("admin", admin_person, superuser=True)
    _account("leader", deputies[0], staff=True)
    xl = staff_person(
        "武进区", Role.STAFF, body=bodies["区人大常委会选举联络人事任免工作委员会"], title="科员"
    )
    _account("staff", xl, staff=True)
    ta = staff_person("武进区", Role.STAFF, body=bodies["区政协提案委员会"], title="科员")
    _account("cppcc_staff", ta, staff=True)
    _account("deputy", hutang_deputy.person)
    _account("member", members[10])
    handler = staff_person("武进区", Role.HANDLER, unit=units["区交通运输局"], title="建议提案办理联络员")
    _account("handler", handler)
    station = staff_person(
        towns[0].name, Role.STATION_STAFF, body=bodies[f"home:{towns[0].name}"], title="联络员"
    )
    _account("station", station)
    return [
        DemoAccount("admin", "administrator", "系统管理员：后台配置行政区划、机构、单位、届次、人员与任职"),
        DemoAccount("leader", "sc_chair", "区人大常委会主任：领导看板"),
        DemoAccount("staff", "staff", "区人大常委会选联工委工作人员"),
        DemoAccount("cppcc_staff", "staff", "区政协提案委员会工作人员"),
        DemoAccount("deputy", "deputy", f"区人大代表（{hutang_deputy.constituency}）"),
        DemoAccount("member", "cppcc_member", "区政协委员"),
        DemoAccount("handler", "handler", "区交通运输局办理联络员"),
        DemoAccount("station", "station_staff", "湖塘镇人大代表之家联络员"),
    ]
