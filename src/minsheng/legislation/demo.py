"""Demo data of legislative consultation, on top of the 武进区 district (deterministic).

- ``lawstaff``: staff of the provincial legislative contact point in 武进区;
- ``jumin``: a resident with an account (no role), who comments on drafts;
- one consultation open for comment on a fictional draft (sample.py), with opinions online and from a
  meeting; one closed consultation with its report and adoption results, feedback given.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from minsheng.legislation import services
from minsheng.legislation.models import ConsultationTask, Opinion, Outcome
from minsheng.legislation.sample import (
    CLOSED_DRAFT,
    CLOSED_TITLE,
    SAMPLE_DRAFT,
    SAMPLE_ISSUER,
    SAMPLE_QUESTIONS,
    SAMPLE_TITLE,
)
from minsheng.org.demo import DEMO_PASSWORD, TERM_START, DemoAccount
from minsheng.org.models import Body, BodyKind, Membership, Person, Role, User

STAFF_USERNAME = "lawstaff"
RESIDENT_USERNAME = "jumin"
ACCOUNTS = (
    DemoAccount(STAFF_USERNAME, "staff", "基层立法联系点工作人员：征求意见任务、意见整理、报告与采纳反馈"),
    DemoAccount(RESIDENT_USERNAME, "", "有账号的居民：对法规草案逐条提意见，查看“我的意见”和感谢信"),
)


def exists() -> bool:
    return ConsultationTask.objects.filter(title=SAMPLE_TITLE).exists()


def _user(username: str, name: str, phone: str, *, body: Body | None = None) -> User:
    person = Person.objects.create(name=name, pinyin=username, phone=phone)
    if body is not None:
        Membership.objects.create(
            person=person, body=body, role=Role.STAFF, title="联系点工作人员", start=TERM_START
        )
    user = User(username=username, first_name=name, person=person, phone=phone)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _article(task: ConsultationTask, label: str) -> int:
    return task.versions.get().articles.get(label=label).pk


def _open_consultation(staff: User, resident: User, contact_point: Body, today: dt.date) -> None:
    task = services.task_create(
        actor=staff,
        contact_point=contact_point,
        title=SAMPLE_TITLE,
        issuing_body=SAMPLE_ISSUER,
        received_on=today - dt.timedelta(days=5),
        draft=services.draft_read(text=SAMPLE_DRAFT),
        key_questions=SAMPLE_QUESTIONS,
    )
    services.task_advance(actor=staff, task=task, action="study")
    task = services.task_advance(actor=staff, task=task, action="open")
    services.opinion_submit(
        actor=resident,
        task=task,
        article_id=_article(task, "第七条"),
        text="老旧小区业主共有资金有限，建议明确政府补助的比例和申请程序。",
    )
    services.opinion_submit(
        actor=AnonymousUser(),
        task=task,
        verified_phone="13961190001",
        author_name="湖塘镇居民",
        article_id=_article(task, "第十一条"),
        item=4,
        text="第（四）项“在住宅内充电”难以发现和执法，建议增加社区宣传和举报渠道。",
    )
    services.meeting_record(
        actor=staff,
        task=task,
        kind="meeting",
        held_on=today - dt.timedelta(days=2),
        place="湖塘镇人大代表之家",
        participants="人大代表、物业服务企业、业主委员会和居民代表",
        attendance=18,
        opinions=[
            services.MeetingOpinion(
                text="建议充电设施统一安装定时断电装置，由供电企业参与验收。",
                speaker="物业企业代表",
                article_id=_article(task, "第八条"),
            ),
            services.MeetingOpinion(
                text="罚款幅度偏低，建议对多次违规的提高罚款。",
                speaker="居民代表",
                article_id=_article(task, "第十三条"),
            ),
        ],
    )


def _closed_consultation(staff: User, resident: User, contact_point: Body, today: dt.date) -> None:
    task = services.task_create(
        actor=staff,
        contact_point=contact_point,
        title=CLOSED_TITLE,
        issuing_body=SAMPLE_ISSUER,
        received_on=today - dt.timedelta(days=40),
        comment_deadline=today,
        draft=services.draft_read(text=CLOSED_DRAFT),
        key_questions="罚款数额是否适当？\n农村地区如何推进分类？",
    )
    task = services.task_advance(actor=staff, task=task, action="open")
    first = services.opinion_submit(
        actor=resident,
        task=task,
        article_id=_article(task, "第四条"),
        item=3,
        text="厨余垃圾去除包装物对老年人不方便，建议小区设置破袋设施。",
    )
    second = services.opinion_submit(
        actor=AnonymousUser(),
        task=task,
        verified_phone="13961190002",
        article_id=_article(task, "第六条"),
        text="建议先教育后处罚，首次违规以批评教育为主。",
    )
    third = services.opinion_submit(
        actor=AnonymousUser(),
        task=task,
        verified_phone="13961190003",
        article_id=_article(task, "第五条"),
        text="农村地区可以推广“桶长制”，由村民小组长负责。",
    )
    task = services.task_advance(actor=staff, task=task, action="close")
    adopted = services.entry_create(
        actor=staff,
        task=task,
        opinion_ids=[first.pk],
        summary="建议在第四条第（三）项增加小区设置破袋设施的规定。",
    )
    partly = services.entry_create(
        actor=staff, task=task, opinion_ids=[second.pk], summary="建议对首次违规的个人以教育为主。"
    )
    declined = services.entry_create(
        actor=staff, task=task, opinion_ids=[third.pk], summary="建议在农村地区推行“桶长制”。"
    )
    services.report_generate(actor=staff, task=task)
    task = services.task_advance(actor=staff, task=task, action="review")
    task = services.task_advance(actor=staff, task=task, action="submit")
    services.adoption_record(
        actor=staff, entry=adopted, outcome=Outcome.ADOPTED, final_article="第四条第二款"
    )
    services.adoption_record(actor=staff, entry=partly, outcome=Outcome.PARTLY, final_article="第二十六条")
    services.adoption_record(
        actor=staff, entry=declined, outcome=Outcome.NOT_ADOPTED, note="属于工作措施，已转有关部门参考。"
    )
    services.feedback_give(actor=staff, task=task)


def _contact_point() -> Body | None:
    return Body.objects.filter(kind=BodyKind.LEGISLATIVE_CONTACT_POINT).order_by("id").first()


def accounts_seed(contact_point: Body | None = None) -> list[User]:
    """This demo's ``ACCOUNTS`` (the contact point's staff member and a resident), made when missing;
    none before the district demo has made the contact point."""
    contact_point = contact_point or _contact_point()
    if contact_point is None:
        return []
    staff = User.objects.filter(username=STAFF_USERNAME).first() or _user(
        STAFF_USERNAME, "周立法", "13961180001", body=contact_point
    )
    resident = User.objects.filter(username=RESIDENT_USERNAME).first() or _user(
        RESIDENT_USERNAME, "王居民", "13961180002"
    )
    return [staff, resident]


def seed() -> None:
    contact_point = _contact_point()
    if contact_point is None:
        return
    today = timezone.localdate()
    with transaction.atomic():
        staff, resident = accounts_seed(contact_point)
        _closed_consultation(staff, resident, contact_point, today)
        _open_consultation(staff, resident, contact_point, today)
    assert Opinion.objects.filter(task__title=SAMPLE_TITLE).count() == 4
