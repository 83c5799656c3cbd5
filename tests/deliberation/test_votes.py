"""Votes: idempotent per participant and statement, never cast for someone else, refused when closed."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.core.errors import InvalidTransitionError, NotFoundError, ValidationFailedError
from minsheng.core.models import Event
from minsheng.deliberation import services
from minsheng.deliberation.models import Analysis, Statement, StatementStatus, Vote
from tests.deliberation.conftest import open_topic

pytestmark = pytest.mark.django_db


def _join(topic, n):
    return services.participant_join(topic=topic, verified_phone=f"1390000{n:04d}")


def _post_vote(client, topic, token, statement, vote, **extra):
    return client.post(
        f"/api/deliberation/topics/{topic.pk}/votes",
        data=json.dumps({"statement": statement, "vote": vote, **extra}),
        content_type="application/json",
        HTTP_X_PARTICIPANT_TOKEN=token,
    )


def test_voting_again_replaces_the_vote_and_keeps_its_time(topic):
    joined = _join(topic, 1)
    statement = Statement.objects.filter(topic=topic).first()
    first = services.vote_cast(participant=joined.participant, statement_id=statement.pk, value=1)
    second = services.vote_cast(participant=joined.participant, statement_id=statement.pk, value=-1)
    services.vote_cast(participant=joined.participant, statement_id=statement.pk, value=-1)
    stored = Vote.objects.get(participant=joined.participant, statement=statement)
    assert Vote.objects.filter(participant=joined.participant).count() == 1
    assert stored.value == -1
    assert stored.voted_at >= second.voted_at >= first.voted_at


def test_a_vote_stamped_before_the_stored_one_does_not_replace_it(topic, time_machine):
    """Two requests of one participant may arrive out of order: the vote cast last counts."""
    import datetime as dt

    from django.utils import timezone

    joined = _join(topic, 1)
    statement = Statement.objects.filter(topic=topic).first()
    later = timezone.now()
    time_machine.move_to(later, tick=False)
    services.vote_cast(participant=joined.participant, statement_id=statement.pk, value=1)
    time_machine.move_to(later - dt.timedelta(seconds=2), tick=False)
    stale = services.vote_cast(participant=joined.participant, statement_id=statement.pk, value=-1)
    assert stale.value == -1  # accepted, not refused: it was a valid vote, just not the latest
    stored = Vote.objects.get(participant=joined.participant, statement=statement)
    assert (stored.value, stored.voted_at) == (1, later)
    time_machine.move_to(later + dt.timedelta(seconds=1), tick=False)
    services.vote_cast(participant=joined.participant, statement_id=statement.pk, value=0)
    assert Vote.objects.get(participant=joined.participant, statement=statement).value == 0


def test_a_vote_flags_the_map_once_while_an_update_is_pending(topic, django_capture_on_commit_callbacks):
    joined = _join(topic, 1)
    statements = list(Statement.objects.filter(topic=topic).order_by("pk"))
    with django_capture_on_commit_callbacks() as queued:
        services.vote_cast(participant=joined.participant, statement_id=statements[0].pk, value=1)
    assert len(queued) == 1
    topic.refresh_from_db()
    assert topic.analysis_pending
    with django_capture_on_commit_callbacks() as queued:
        services.vote_cast(participant=joined.participant, statement_id=statements[1].pk, value=1)
        services.vote_cast(participant=joined.participant, statement_id=statements[0].pk, value=-1)
    assert queued == []


def test_a_refused_vote_does_not_flag_the_map(world, topic, django_capture_on_commit_callbacks):
    joined = _join(topic, 1)
    statement = Statement.objects.filter(topic=topic).first()
    services.topic_close(actor=world.staff, topic=topic)
    type(topic).objects.filter(pk=topic.pk).update(analysis_pending=False)
    with django_capture_on_commit_callbacks() as queued, pytest.raises(InvalidTransitionError):
        services.vote_cast(participant=joined.participant, statement_id=statement.pk, value=1)
    assert queued == []
    assert not Vote.objects.exists()


def test_a_vote_writes_no_event(topic):
    joined = _join(topic, 1)
    statement = Statement.objects.filter(topic=topic).first()
    before = Event.objects.count()
    services.vote_cast(participant=joined.participant, statement_id=statement.pk, value=1)
    assert Event.objects.count() == before


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3), st.sampled_from([-1, 0, 1])), max_size=30))
def test_the_latest_vote_of_each_pair_counts(world, sequence):
    topic = open_topic(world, seeds=4)
    people = [_join(topic, n).participant for n in range(3)]
    statements = list(Statement.objects.filter(topic=topic).order_by("pk"))
    expected = {}
    for who, which, value in sequence:
        services.vote_cast(participant=people[who], statement_id=statements[which].pk, value=value)
        expected[(people[who].pk, statements[which].pk)] = value
    stored = {(v.participant_id, v.statement_id): v.value for v in Vote.objects.filter(topic=topic)}
    assert stored == expected


def test_the_api_takes_no_participant_in_the_body(topic):
    alice, bob = _join(topic, 1), _join(topic, 2)
    statement = Statement.objects.filter(topic=topic).first()
    client = Client()
    response = _post_vote(client, topic, alice.token, statement.pk, 1, participant=bob.participant.pk)
    assert response.status_code == 400
    assert not Vote.objects.exists()
    response = _post_vote(client, topic, alice.token, statement.pk, 1)
    assert response.status_code == 200
    assert list(Vote.objects.values_list("participant_id", flat=True)) == [alice.participant.pk]


def test_a_token_votes_only_in_its_own_topic_and_a_forged_token_not_at_all(world, topic):
    other = open_topic(world, seeds=2)
    joined = _join(other, 1)
    statement = Statement.objects.filter(topic=topic).first()
    client = Client()
    assert _post_vote(client, topic, joined.token, statement.pk, 1).status_code == 403
    assert _post_vote(client, topic, "forged-token", statement.pk, 1).status_code == 403
    assert (
        Client()
        .post(
            f"/api/deliberation/topics/{topic.pk}/votes",
            data=json.dumps({"statement": statement.pk, "vote": 1}),
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert not Vote.objects.exists()


def test_a_renewed_token_voids_the_old_one(topic):
    first = _join(topic, 1)
    second = _join(topic, 1)
    assert first.participant.pk == second.participant.pk
    statement = Statement.objects.filter(topic=topic).first()
    assert _post_vote(Client(), topic, first.token, statement.pk, 1).status_code == 403
    assert _post_vote(Client(), topic, second.token, statement.pk, 1).status_code == 200


def test_a_closed_topic_takes_no_votes(world, topic):
    joined = _join(topic, 1)
    statement = Statement.objects.filter(topic=topic).first()
    services.vote_cast(participant=joined.participant, statement_id=statement.pk, value=1)
    services.topic_close(actor=world.staff, topic=topic)
    with pytest.raises(InvalidTransitionError):
        services.vote_cast(participant=joined.participant, statement_id=statement.pk, value=-1)
    response = _post_vote(Client(), topic, joined.token, statement.pk, -1)
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert Vote.objects.get().value == 1


@pytest.mark.parametrize("value", [2, -2, "yes", None])
def test_bad_vote_values_are_refused(topic, value):
    joined = _join(topic, 1)
    statement = Statement.objects.filter(topic=topic).first()
    response = _post_vote(Client(), topic, joined.token, statement.pk, value)
    assert response.status_code == 400
    assert not Vote.objects.exists()
    with pytest.raises(ValidationFailedError):
        services.vote_cast(participant=joined.participant, statement_id=statement.pk, value=5)


def test_votes_on_unknown_pending_or_foreign_statements_are_refused(world, topic):
    joined = _join(topic, 1)
    other = open_topic(world, seeds=1)
    foreign = Statement.objects.filter(topic=other).first()
    with pytest.raises(NotFoundError):
        services.vote_cast(participant=joined.participant, statement_id=foreign.pk, value=1)
    assert _post_vote(Client(), topic, joined.token, 99999999, 1).status_code == 404
    pending = Statement.objects.create(topic=topic, text="待审观点", status=StatementStatus.PENDING)
    assert _post_vote(Client(), topic, joined.token, pending.pk, 1).status_code == 409
    assert not Vote.objects.exists()


def test_moderated_out_statements_leave_the_analysis(world, topic, django_capture_on_commit_callbacks):
    people = [_join(topic, n).participant for n in range(12)]
    statements = list(Statement.objects.filter(topic=topic).order_by("pk"))
    with django_capture_on_commit_callbacks(execute=True):
        for i, person in enumerate(people):
            for j, statement in enumerate(statements):
                services.vote_cast(
                    participant=person, statement_id=statement.pk, value=1 if (i < 6) == (j % 2 == 0) else -1
                )
    before = Analysis.objects.latest("computed_at")
    target = statements[0]
    assert str(target.pk) in before.result["group_aware_consensus"]
    with django_capture_on_commit_callbacks(execute=True):
        services.statement_moderate(actor=world.staff, statement=target, action="moderate_out", reason="重复")
    after = Analysis.objects.latest("computed_at")
    assert after.pk != before.pk and not after.incremental
    result = after.result
    mentioned = {int(s) for s in result["group_aware_consensus"]} | {int(s) for s in result["bridging"]}
    mentioned |= {int(s) for d in ("agree", "disagree") for s in result["consensus"][d]}
    mentioned |= {item["statement"] for g in result["groups"] for item in g["representative"]}
    mentioned |= {item["statement"] for item in after.divisive}
    assert target.pk not in mentioned
    joined = _join(topic, 0)
    with pytest.raises(Exception):  # noqa: B017 - a moderated-out statement takes no votes
        services.vote_cast(participant=joined.participant, statement_id=target.pk, value=1)


def test_a_topic_past_its_closing_date_takes_no_votes(world, time_machine):
    import datetime as dt

    from django.utils import timezone

    topic = open_topic(world, closes_on=timezone.localdate() + dt.timedelta(days=2))
    joined = _join(topic, 1)
    statement = Statement.objects.filter(topic=topic).first()
    services.vote_cast(participant=joined.participant, statement_id=statement.pk, value=1)
    time_machine.move_to(timezone.now() + dt.timedelta(days=3))
    with pytest.raises(InvalidTransitionError):
        services.vote_cast(participant=joined.participant, statement_id=statement.pk, value=-1)
    assert Vote.objects.get().value == 1
