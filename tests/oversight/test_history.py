"""Every history entry of the supervision pages renders in words, whoever (or nothing) acted."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.test import Client

from minsheng.core.events import event_record
from minsheng.oversight import services
from minsheng.oversight.templatetags.oversight_tags import VERBS
from tests.oversight.builders import World, item
from tests.web.test_history import verbs_recorded_by

pytestmark = pytest.mark.django_db


def test_every_verb_the_app_records_has_words():
    assert verbs_recorded_by("oversight") - set(VERBS) == set()


def test_system_events_of_every_verb_render(world: World):
    target = item(world)
    project = services.project_create(actor=world["staff"], name="重点项目", investment_planned="1")
    with transaction.atomic():
        for obj in (target, target.problem.activity, project):
            for verb in sorted(VERBS):
                event_record(actor=None, verb=verb, target=obj, payload={})
    client = Client()
    client.force_login(world["staff"])
    for url in (
        f"/oversight/items/{target.pk}/",
        f"/oversight/activities/{target.problem.activity_id}/",
        f"/oversight/projects/{project.pk}/",
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, url
        timeline = re.search(r'data-testid="timeline">(.*?)</ol>', response.content.decode(), re.S).group(1)
        assert "系统" in timeline
        assert not re.search(r"· [a-z_]+(?: →|</li>)", timeline), "a verb shown raw"
