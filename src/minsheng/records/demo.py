"""Demo data of the records app: points rules for the district congress and CPPCC committee, a reading
group with notes, the record built from the other apps' demo Events, and two published annual reports
(the demo deputy's and the demo member's)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction

from minsheng.core.events import event_record
from minsheng.org.models import Body, BodyKind, Membership, Role, User
from minsheng.records import services
from minsheng.records.models import Book, PointRule, PointsScheme, ReadingGroup
from minsheng.records.selectors import this_year

GROUP_NAME = "书香政协·武进读书会"
BOOKS = (("乡土中国", "费孝通"), ("中华人民共和国宪法", ""), ("人民政协制度概论", ""))
NOTES = (
    "读《乡土中国》“差序格局”一章，想到村里议事会的座次和发言顺序，基层协商要让后排的人也说得上话。",
    "打卡：宪法第二章，公民的基本权利和义务。",
)
# kind → (points per act, cap, bonus outcomes, bonus points, outcomes that do not count)
CONGRESS_RULES = {
    "suggestion_led": ("3", 10, "satisfied", "1", "withdrawn,declined"),
    "suggestion_cosigned": ("1", 10, "", "0", "withdrawn,declined"),
    "bill_led": ("5", None, "", "0", "withdrawn"),
    "voice_handled": ("1", 30, "", "0", ""),
    "reception_day": ("2", 12, "", "0", "cancelled,removed"),
    "legislative_opinion": ("1", 20, "", "0", ""),
}
CPPCC_RULES = {
    "proposal_led": ("3", 10, "satisfied", "1", "withdrawn,declined"),
    "proposal_cosigned": ("1", 10, "", "0", "withdrawn,declined"),
    "social_report": ("2", 20, "adopted", "3", ""),
    "deliberation_statement": ("0.5", 20, "", "0", ""),
    "reading_note": ("0.5", 12, "", "0", ""),
}
REPORT_TEXTS = {
    "deputy": "一年来，我坚持每月到代表之家接待选民，围绕学校路口交通安全、老旧小区加装电梯等问题提出建议，"
    "并跟踪办理进展。明年将继续把群众的急难愁盼带到人代会上。",
    "member": "一年来，我围绕养老助餐、基层协商等课题开展调研，提交提案和社情民意信息，参加读书会交流。"
    "明年将继续深入界别群众，提高建言质量。",
}


def exists() -> bool:
    return ReadingGroup.objects.filter(name=GROUP_NAME).exists()


def _scheme(body: Body, year: int, rules: Mapping[str, tuple[str, int | None, str, str, str]]) -> None:
    admin = User.objects.filter(username="admin").first()
    scheme, created = PointsScheme.objects.get_or_create(
        body=body, year=year, defaults={"note": "示例积分规则（演示数据）"}
    )
    if not created:
        return
    for kind, (points, cap, bonus, bonus_points, excluded) in rules.items():
        PointRule.objects.create(
            scheme=scheme, kind=kind, points=Decimal(points), cap=cap, bonus_outcomes=bonus,
            bonus_points=Decimal(bonus_points), excluded_outcomes=excluded,
        )  # fmt: skip
    event_record(actor=admin, verb="admin_created", target=scheme, payload={"rules": sorted(rules)})
    if admin is not None:
        services.points_version_record(actor=admin, scheme=scheme)


def _reading_group(cppcc: Body) -> None:
    group = ReadingGroup.objects.create(
        body=cppcc, name=GROUP_NAME, description="每月共读一本书，线上写读书笔记、打卡，线下交流。"
    )
    for order, (title, author) in enumerate(BOOKS):
        Book.objects.create(group=group, title=title, author=author, order=order)
    members = Membership.objects.filter(body=cppcc, role=Role.CPPCC_MEMBER).values_list(
        "person_id", flat=True
    )
    demo_member = User.objects.get(username="member")
    assert demo_member.person_id is not None
    group.members.set({demo_member.person_id, *list(members[:12])})
    first = group.books.first()
    assert first is not None
    for text in NOTES:
        services.reading_note_add(actor=demo_member, book=first, text=text)


def _published_report(username: str, staff_username: str, body: Body, year: int) -> None:
    person_user = User.objects.get(username=username)
    assert person_user.person is not None
    report = services.annual_report_start(actor=person_user, person=person_user.person, body=body, year=year)
    services.annual_report_edit(actor=person_user, report=report, text=REPORT_TEXTS[username])
    services.annual_report_submit(actor=person_user, report=report)
    services.annual_report_approve(actor=User.objects.get(username=staff_username), report=report)


def seed() -> None:
    year = this_year()
    deputy = User.objects.get(username="deputy")
    member = User.objects.get(username="member")
    assert deputy.person_id is not None and member.person_id is not None
    congress = Membership.objects.filter(
        person_id=deputy.person_id, role=Role.DEPUTY, body__kind=BodyKind.CONGRESS
    )
    cppcc = Membership.objects.filter(
        person_id=member.person_id, role=Role.CPPCC_MEMBER, body__kind=BodyKind.CPPCC_COMMITTEE
    )
    congress_body = congress.select_related("body").first()
    cppcc_body = cppcc.select_related("body").first()
    assert congress_body is not None and congress_body.body is not None
    assert cppcc_body is not None and cppcc_body.body is not None
    with transaction.atomic():
        _scheme(congress_body.body, year, CONGRESS_RULES)
        _scheme(cppcc_body.body, year, CPPCC_RULES)
        _reading_group(cppcc_body.body)
    services.record_update()
    _published_report("deputy", "staff", congress_body.body, year)
    _published_report("member", "cppcc_staff", cppcc_body.body, year)
