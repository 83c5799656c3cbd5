"""Run as ``python -m tests.core.serve_world`` (production settings, a fresh data folder): a deliberation
topic with votes, whose map refresh is left queued in the database for `minsheng serve`'s worker.

Prints ``{"topic": <id>, "queued": <count>}``.
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings.prod")


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)

    from django_tasks_db.models import DBTaskResult

    from minsheng.deliberation import services
    from minsheng.deliberation.models import Statement
    from minsheng.deliberation.tasks import analysis_refresh
    from minsheng.org.models import BodyKind, JurisdictionLevel, Role, Sector
    from tests.factories import (
        BodyFactory,
        JurisdictionFactory,
        MembershipFactory,
        PersonFactory,
        TermFactory,
        UserFactory,
    )

    district = JurisdictionFactory(level=JurisdictionLevel.DISTRICT, name="测试区")
    committee = BodyFactory(jurisdiction=district, kind=BodyKind.CPPCC_COMMITTEE, name="测试区政协")
    sector = Sector.objects.create(committee=committee, name="经济界")
    staff = UserFactory(person=PersonFactory())
    MembershipFactory(person=staff.person, body=committee, role=Role.STAFF)
    member = UserFactory(person=PersonFactory())
    term = TermFactory(body=committee)
    MembershipFactory(person=member.person, body=committee, role=Role.CPPCC_MEMBER, sector=sector, term=term)

    topic = services.topic_propose(
        actor=member, body=committee, title="老旧小区加装电梯", question="费用如何分摊？"
    )
    seeds = [f"种子观点{i}：一楼住户应当得到补偿" for i in range(6)]
    topic = services.topic_accept(actor=staff, topic=topic, setup=services.TopicSetup(), seeds=seeds)
    topic = services.topic_open(actor=staff, topic=topic)
    statements = list(Statement.objects.filter(topic=topic).order_by("pk"))
    for n in range(12):
        person = services.participant_join(topic=topic, verified_phone=f"1390000{n:04d}").participant
        for j, statement in enumerate(statements):
            value = 1 if (j % 3 == 0) or ((n % 2 == 0) == (j % 2 == 0)) else -1
            services.vote_cast(participant=person, statement_id=statement.pk, value=value)
    queued = DBTaskResult.objects.filter(task_path=analysis_refresh.module_path, status="READY").count()
    print(json.dumps({"topic": topic.pk, "queued": queued}))


if __name__ == "__main__":
    main()
