"""The demo: one open topic with votes and a map, one concluded topic with a meeting and two outcomes."""

from __future__ import annotations

import pytest
from django.test import Client

from minsheng.deliberation import demo
from minsheng.deliberation.models import Analysis, Outcome, Topic, TopicStatus, Vote
from minsheng.org.demo import DEMO_PASSWORD
from tests.conftest import demo_seed_once

pytestmark = pytest.mark.django_db


def test_demo_seeds_both_topics_and_staff_can_run_them(django_capture_on_commit_callbacks):
    demo_seed_once()
    assert not demo.exists()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    assert demo.exists()
    open_topic = Topic.objects.get(title=demo.OPEN_TITLE)
    closed = Topic.objects.get(title=demo.CLOSED_TITLE)
    assert open_topic.status == TopicStatus.OPEN and closed.status == TopicStatus.CONCLUDED
    assert Vote.objects.filter(topic=open_topic).count() > 300
    assert Analysis.objects.filter(topic=open_topic).exists()
    assert Outcome.objects.filter(topic=closed).count() == 2
    client = Client()
    assert client.login(username="cppcc_staff", password=DEMO_PASSWORD)
    assert client.get(f"/deliberation/{open_topic.pk}/manage/").status_code == 200
    assert demo.CLOSED_TITLE in Client().get(f"/deliberation/{closed.pk}/report/").content.decode()
