"""The vote endpoint is the hot path: a fixed, small number of queries per vote."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from minsheng.deliberation import services
from minsheng.deliberation.models import Statement

pytestmark = pytest.mark.django_db


def test_a_vote_through_the_api_takes_a_handful_of_queries(topic, django_assert_max_num_queries):
    joined = services.participant_join(topic=topic, verified_phone="13900000001")
    statements = list(Statement.objects.filter(topic=topic))
    client = Client()
    services.vote_cast(
        participant=joined.participant, statement_id=statements[0].pk, value=1
    )  # flag already set
    # The participant by its token, the conditional upsert, the map's flag: three statements, no
    # explicit transaction (the upsert is one statement, so SQLite's write lock is held only while it runs).
    with django_assert_max_num_queries(3):
        response = client.post(
            f"/api/deliberation/topics/{topic.pk}/votes",
            data=json.dumps({"statement": statements[1].pk, "vote": 1}),
            content_type="application/json",
            HTTP_X_PARTICIPANT_TOKEN=joined.token,
        )
    assert response.status_code == 200
