"""The shared transition helper: permission matrix, refusals that change nothing, concurrency."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.core.errors import ConflictError, InvalidTransitionError, PermissionDeniedError
from minsheng.core.events import events_for, events_verify
from minsheng.core.models import Event
from minsheng.core.transitions import Transition, TransitionTable, transition_apply

from .thread_database import threads_with_own_connections
from .ticket_workflow import TICKET_TRANSITIONS, Ticket, TicketStatus


@pytest.fixture(scope="module")
def ticket_table(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            editor.create_model(Ticket)
        yield
        with connection.schema_editor() as editor:
            editor.delete_model(Ticket)


@pytest.fixture(autouse=True)
def fresh_content_types():
    """The test model has no migrated ContentType row: each test creates it in a transaction that is
    rolled back afterwards, so the process-wide ContentType cache must not keep the vanished id."""
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


@pytest.fixture
def people(db, ticket_table):
    User = get_user_model()
    return {
        "author": User.objects.create_user(username="author", password="a-long-password"),
        "reviewer": User.objects.create_user(username="reviewer", password="a-long-password", is_staff=True),
        "stranger": User.objects.create_user(username="stranger", password="a-long-password"),
    }


def ticket_in(state: str, author) -> Ticket:
    return Ticket.objects.create(title="路灯不亮", status=state, author=author)


# The expected behaviour, written independently of the table: action → (sources, target, roles allowed).
EXPECTED = {
    "submit": ({"draft"}, "submitted", {"author"}),
    "accept": ({"submitted"}, "accepted", {"reviewer"}),
    "reject": ({"submitted"}, "draft", {"reviewer"}),
    "archive": ({"draft", "accepted"}, "archived", {"author", "reviewer"}),
}
STATES = [s.value for s in TicketStatus]
ROLES = ["author", "reviewer", "stranger"]


@pytest.mark.parametrize(
    ("state", "role", "action"), list(itertools.product(STATES, ROLES, [*EXPECTED, "unknown"]))
)
def test_permission_matrix(people, state, role, action):
    ticket = ticket_in(state, people["author"])
    before = Ticket.objects.values().get(pk=ticket.pk)
    events_before = Event.objects.count()
    sources, target, allowed_roles = EXPECTED.get(action, (set(), "", set()))

    if state not in sources:
        with pytest.raises(InvalidTransitionError) as raised:
            transition_apply(table=TICKET_TRANSITIONS, obj=ticket, action=action, actor=people[role])
        assert raised.value.code == "invalid_transition"
    elif role not in allowed_roles:
        with pytest.raises(PermissionDeniedError):
            transition_apply(table=TICKET_TRANSITIONS, obj=ticket, action=action, actor=people[role])
    else:
        fresh = transition_apply(
            table=TICKET_TRANSITIONS, obj=ticket, action=action, actor=people[role], payload={"why": "测试"}
        )
        assert fresh.status == target
        assert Ticket.objects.get(pk=ticket.pk).status == target
        (event,) = events_for(ticket)
        assert (event.verb, event.from_state, event.to_state) == (action, state, target)
        assert event.actor == people[role]
        assert event.payload == {"why": "测试"}
        return

    assert Ticket.objects.values().get(pk=ticket.pk) == before, "a refused action must change nothing"
    assert Event.objects.count() == events_before, "a refused action must leave no Event"


def test_allowed_actions_follow_state_and_permission(people):
    ticket = ticket_in("draft", people["author"])

    assert TICKET_TRANSITIONS.allowed_actions(ticket, people["author"]) == ["submit", "archive"]
    assert TICKET_TRANSITIONS.allowed_actions(ticket, people["reviewer"]) == ["archive"]
    assert TICKET_TRANSITIONS.allowed_actions(ticket, people["stranger"]) == []


def test_changes_are_written_with_the_state_and_updated_at_moves(people):
    ticket = ticket_in("submitted", people["author"])
    old_updated_at = ticket.updated_at

    fresh = transition_apply(
        table=TICKET_TRANSITIONS,
        obj=ticket,
        action="accept",
        actor=people["reviewer"],
        changes={"note": "已受理"},
    )

    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.status, stored.note) == ("accepted", "已受理")
    assert stored.updated_at > old_updated_at
    assert fresh.note == "已受理"


def test_a_stale_expected_state_is_a_conflict_and_changes_nothing(people):
    ticket = ticket_in("draft", people["author"])
    Ticket.objects.filter(pk=ticket.pk).update(status="submitted")  # someone else moved it on

    with pytest.raises(ConflictError) as raised:
        transition_apply(
            table=TICKET_TRANSITIONS,
            obj=ticket,
            action="archive",
            actor=people["author"],
            expected_state="draft",
        )

    assert "submitted" in raised.value.message
    assert Ticket.objects.get(pk=ticket.pk).status == "submitted"
    assert Event.objects.count() == 0


def test_the_state_field_name_is_configurable(people):
    table = TransitionTable(
        Transition("retitle", {"路灯不亮"}, "路灯已修", "core_tests.submit_ticket"), state_field="title"
    )
    ticket = ticket_in("draft", people["author"])

    fresh = transition_apply(table=table, obj=ticket, action="retitle", actor=people["author"])

    assert fresh.title == "路灯已修"
    assert fresh.status == "draft"


def test_duplicate_actions_are_rejected_when_the_table_is_built():
    with pytest.raises(ValueError, match="Duplicate"):
        TransitionTable(Transition("a", {"x"}, "y", "p"), Transition("a", {"y"}, "z", "p"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(ROLES), st.sampled_from(sorted(EXPECTED))), max_size=12))
def test_random_action_sequences_keep_the_invariants(people, steps):
    """Whatever is tried: the state is always the last Event's to_state, one Event per success."""
    ticket = ticket_in("draft", people["author"])
    successes = 0
    for role, action in steps:
        try:
            transition_apply(table=TICKET_TRANSITIONS, obj=ticket, action=action, actor=people[role])
            successes += 1
        except (InvalidTransitionError, PermissionDeniedError):
            pass
    timeline = list(events_for(ticket))
    state = Ticket.objects.get(pk=ticket.pk).status

    assert len(timeline) == successes
    assert state == (timeline[-1].to_state if timeline else "draft")
    assert all(a.to_state == b.from_state for a, b in itertools.pairwise(timeline))
    assert events_verify() == []


@pytest.fixture
def thread_database(tmp_path, ticket_table):
    def create_ticket_table() -> None:
        with connection.schema_editor() as editor:
            editor.create_model(Ticket)

    with threads_with_own_connections(tmp_path, prepare=create_ticket_table) as database:
        yield database


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_one_wins_the_other_gets_a_conflict(thread_database):
    def arrange() -> tuple[int, int]:
        User = get_user_model()
        author = User.objects.create_user(username="author", password="a-long-password")
        reviewer = User.objects.create_user(username="reviewer", password="a-long-password", is_staff=True)
        return ticket_in("submitted", author).pk, reviewer.pk

    ticket_pk, reviewer_pk = thread_database.run(arrange)
    both_have_read = threading.Barrier(2, timeout=10)

    def attempt(action: str) -> Callable[[], str]:
        def act() -> str:
            stale = Ticket.objects.get(pk=ticket_pk)  # both read "submitted" before either writes
            reviewer = get_user_model().objects.get(pk=reviewer_pk)
            both_have_read.wait()
            transition_apply(
                table=TICKET_TRANSITIONS, obj=stale, action=action, actor=reviewer, expected_state="submitted"
            )
            return action

        return act

    started = [thread_database.start(attempt(action)) for action in ("accept", "reject")]
    for thread, _outcome in started:
        thread.join(timeout=60)
    outcomes = [outcome for _thread, outcome in started]

    winners = [outcome["value"] for outcome in outcomes if "value" in outcome]
    errors = [outcome["error"] for outcome in outcomes if "error" in outcome]
    assert len(winners) == 1, outcomes
    assert len(errors) == 1 and isinstance(errors[0], ConflictError), outcomes

    def observe() -> tuple[str, list[tuple[str, str, str]], list[str]]:
        ticket = Ticket.objects.get(pk=ticket_pk)
        timeline = [(e.verb, e.from_state, e.to_state) for e in events_for(ticket)]
        problems = events_verify()
        Ticket.objects.all().delete()  # not an installed app: the flush after the test does not see it
        return ticket.status, timeline, problems

    status, timeline, problems = thread_database.run(observe)
    target = EXPECTED[winners[0]][1]
    assert status == target
    assert timeline == [(winners[0], "submitted", target)], "exactly the winner's Event, nothing lost"
    assert problems == []


def test_changes_may_not_set_the_state_behind_the_tables_back(people):
    ticket = ticket_in("draft", people["author"])
    with pytest.raises(ValueError, match="target"):
        transition_apply(
            table=TICKET_TRANSITIONS,
            obj=ticket,
            action="submit",
            actor=people["author"],
            changes={"status": "accepted"},
        )
    assert Ticket.objects.get(pk=ticket.pk).status == "draft"
