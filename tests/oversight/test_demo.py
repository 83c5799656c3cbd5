"""The demo data: this year's plan with two activities under way, the delayed PV plant, a budget table
with flagged lines, enterprise needs and a cooperation platform with two items."""

from __future__ import annotations

import pytest
from django.test import Client

from minsheng.core.events import events_verify
from minsheng.org.models import User
from minsheng.oversight import demo
from minsheng.oversight.models import (
    ActivityStatus,
    BudgetTable,
    CooperationPlatform,
    Project,
    SupervisionPlan,
)
from minsheng.oversight.selectors import budget_table_rows, dashboard_for, with_delay_marks
from minsheng.voices.models import Voice

pytestmark = pytest.mark.django_db


def test_demo_seeds_the_supervision_picture():
    assert not demo.exists()
    demo.seed()
    assert demo.exists()
    staff = User.objects.get(username="jiandu")
    plan = SupervisionPlan.objects.get()
    assert plan.activities.filter(status=ActivityStatus.UNDER_WAY).count() == 2
    pv = with_delay_marks(Project.objects.filter(name=demo.PV_PLANT)).get()
    assert pv.delayed  # type: ignore[attr-defined]
    assert [
        m.kind for m in pv.milestones.filter(actual_date__isnull=True, planned_date__lt=pv.created_at.date())
    ] == ["equipment"]
    board = dashboard_for(staff)
    assert board.projects_delayed == 1 and board.items_overdue >= 1
    rows = budget_table_rows(BudgetTable.objects.get())
    assert sum(r.flags.behind for r in rows) >= 2 and sum(r.flags.over for r in rows) == 1
    assert Voice.objects.exclude(credit_code="").count() == 2
    assert CooperationPlatform.objects.get().items.count() == 2
    assert events_verify() == []
    client = Client()
    client.force_login(staff)
    for url in [
        "/oversight/",
        "/oversight/dashboard/",
        "/oversight/items/",
        "/oversight/enterprise/",
        "/me/",
    ]:
        assert client.get(url).status_code == 200, url
    assert Client().get(f"/oversight/public/projects/{pv.pk}/").status_code == 200
