"""The page's map is the engine's output for the stored votes; an openData import reproduces the engine."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from minsheng.analysis import consensus
from minsheng.deliberation import services
from minsheng.deliberation.models import Analysis, Participant, Statement, StatementStatus, Vote
from minsheng.deliberation.selectors import map_chart_data
from tests.deliberation.conftest import open_topic

pytestmark = pytest.mark.django_db


def _engine_result_for_stored_votes(topic) -> dict:
    rows = list(
        Vote.objects.filter(topic=topic).values_list("participant_id", "statement_id", "value", "voted_at")
    )
    moderated = Statement.objects.filter(topic=topic, status=StatementStatus.REJECTED).values_list(
        "pk", flat=True
    )
    votes = consensus.votes_from_records(
        [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3].timestamp() for r in rows],
        moderated_out=list(moderated),
    )  # fmt: skip
    return consensus.to_json(consensus.analyze(votes))


def _same(a, b, tolerance: float = 1e-6) -> bool:
    """Equal structure and values; floats equal to within the engine's solver tolerance.

    The bridging fit stops when no parameter moves by more than 1e-7, so its last digits vary.
    """
    if isinstance(a, float) or isinstance(b, float):
        return (
            isinstance(a, int | float)
            and isinstance(b, int | float)
            and abs(a - b) <= tolerance * max(1, abs(b))
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], tolerance) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y, tolerance) for x, y in zip(a, b, strict=True))
    return a == b


def _vote_camps(topic, people, statements):
    for i, person in enumerate(people):
        for j, statement in enumerate(statements):
            camp_a = i % 2 == 0
            value = 1 if (j % 3 == 0) or (camp_a == (j % 2 == 0)) else -1
            services.vote_cast(participant=person, statement_id=statement.pk, value=value)


def test_the_page_shows_the_engines_map_for_the_stored_votes(world, django_capture_on_commit_callbacks):
    topic = open_topic(world, seeds=9)
    joined = [services.participant_join(topic=topic, verified_phone=f"1390000{n:04d}") for n in range(24)]
    statements = list(Statement.objects.filter(topic=topic).order_by("pk"))
    with django_capture_on_commit_callbacks(execute=True):
        services.analysis_cache_clear()
        _vote_camps(topic, [j.participant for j in joined], statements)
        services.analysis_cache_clear()  # the last run is a full one, to compare with a fresh analysis
        services.analysis_request(topic_id=topic.pk, force=True)
    expected = _engine_result_for_stored_votes(topic)
    stored = Analysis.objects.filter(topic=topic).latest("computed_at")
    expected.pop("timings")
    result = dict(stored.result)
    result.pop("timings")
    assert _same(result, expected)
    assert stored.vote_count == Vote.objects.filter(topic=topic).count() == 24 * 9

    client = Client()
    session = client.session
    session["deliberation_tokens"] = {str(topic.pk): joined[0].token}
    session.save()
    page = client.get(f"/deliberation/{topic.pk}/").content.decode()
    shown = json.loads(
        re.search(r'<script id="map-data" type="application/json">(.*?)</script>', page, re.S).group(1)
    )
    assert _same(shown, map_chart_data(expected, joined[0].participant.pk))
    my_group = next(p["group"] for p in expected["participants"] if p["id"] == joined[0].participant.pk)
    assert 'id="my-group"' in page and "ABCDE"[my_group] in page
    api = client.get(
        f"/api/deliberation/topics/{topic.pk}/analysis", HTTP_X_PARTICIPANT_TOKEN=joined[0].token
    ).json()
    assert api["my_group"] == my_group
    assert _same(api["result"]["groups"], expected["groups"])


def test_incremental_updates_follow_the_votes(world, django_capture_on_commit_callbacks):
    topic = open_topic(world, seeds=6)
    people = [
        services.participant_join(topic=topic, verified_phone=f"1390000{n:04d}").participant
        for n in range(16)
    ]
    statements = list(Statement.objects.filter(topic=topic).order_by("pk"))
    # Callbacks run when each block ends: one full run, then one incremental run with the new votes.
    with django_capture_on_commit_callbacks(execute=True):
        _vote_camps(topic, people[:8], statements)
    first = Analysis.objects.filter(topic=topic).latest("computed_at")
    assert not first.incremental
    with django_capture_on_commit_callbacks(execute=True):
        _vote_camps(topic, people[8:], statements)
    latest = Analysis.objects.filter(topic=topic).latest("computed_at")
    assert latest.incremental
    assert latest.vote_count == Vote.objects.filter(topic=topic).count()
    assert {p["id"] for p in latest.result["participants"]} == {p.pk for p in people}


def test_an_opendata_import_through_the_api_reproduces_the_engines_groups(
    world, shared_data, django_capture_on_commit_callbacks
):
    folder = shared_data / "polis" / "opendata" / "vtaiwan.uberx"
    topic = services.topic_propose(
        actor=world.member, body=world.committee, title="Uber", question="如何规范？"
    )
    topic = services.topic_accept(actor=world.staff, topic=topic, setup=services.TopicSetup())
    client = Client()
    client.force_login(world.staff)
    with (
        (folder / "votes.csv").open("rb") as votes,
        (folder / "comments.csv").open("rb") as comments,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            f"/api/deliberation/topics/{topic.pk}/import", {"votes": votes, "comments": comments}
        )
    assert response.status_code == 201, response.content
    counts = response.json()
    reference_votes = consensus.read_votes(folder / "votes.csv").with_moderation(
        consensus.read_statements(folder / "comments.csv")
    )
    assert counts["votes"] == reference_votes.n_votes
    assert counts["participants"] == reference_votes.n_participants
    reference = consensus.analyze(reference_votes)
    stored = Analysis.objects.filter(topic=topic).latest("computed_at").result
    external = dict(Participant.objects.filter(topic=topic).values_list("pk", "external_id"))
    ours = {int(external[p["id"]]): p["group"] for p in stored["participants"]}
    theirs = {
        int(pid): int(group)
        for pid, group in zip(
            reference.votes.participant_ids.tolist(), reference.participant_group.tolist(), strict=True
        )
    }
    assert len(stored["groups"]) == reference.n_groups
    # Same partition: each of our groups maps to exactly one of the engine's, and everyone agrees.
    pairs = {(ours[pid], theirs[pid]) for pid in theirs if theirs[pid] >= 0}
    assert len(pairs) == reference.n_groups
    assert all((ours[pid] is None) == (theirs[pid] < 0) for pid in theirs)


def test_an_import_with_bad_files_is_refused_and_leaves_nothing(world):
    topic = services.topic_propose(
        actor=world.member, body=world.committee, title="Uber", question="如何规范？"
    )
    topic = services.topic_accept(actor=world.staff, topic=topic, setup=services.TopicSetup())
    client = Client()
    client.force_login(world.staff)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("votes.csv", b"a,b\n1,2\n")
    comments = SimpleUploadedFile("comments.csv", b"comment-id,comment-body,moderated\n1,x,0\n")
    response = client.post(
        f"/api/deliberation/topics/{topic.pk}/import", {"votes": bad, "comments": comments}
    )
    assert response.status_code == 400
    assert not Statement.objects.filter(topic=topic).exists()
    client.force_login(world.resident)
    response = client.post(
        f"/api/deliberation/topics/{topic.pk}/import", {"votes": bad, "comments": comments}
    )
    assert response.status_code in (403, 404)


def test_only_the_recent_maps_are_kept(world, django_capture_on_commit_callbacks):
    topic = open_topic(world, seeds=3)
    people = [
        services.participant_join(topic=topic, verified_phone=f"1390000{n:04d}").participant for n in range(3)
    ]
    statements = list(Statement.objects.filter(topic=topic))
    for person in people:
        for statement in statements:
            services.vote_cast(participant=person, statement_id=statement.pk, value=1)
    for _run in range(services.ANALYSES_KEPT + 5):
        services.analysis_compute(topic_id=topic.pk)
    assert Analysis.objects.filter(topic=topic).count() == services.ANALYSES_KEPT
