"""Writes of the deliberation app.

Every status change goes through a transition table below and leaves an Event. The one exception is
the vote: ``vote_cast`` is the hot path (thousands per minute during a consultation), so it writes one
upserted ``Vote`` row with its time and no Event — the Event chain serialises every writer of the
platform, and a vote is a participant's opinion, not a change of a record's state. See
docs/benchmarks.md (deliberation section) for the measurement behind this choice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from minsheng.core.errors import (
    ConflictError,
    DomainError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import event_record
from minsheng.core.notifications import notify
from minsheng.core.privacy import mask_phone
from minsheng.core.text import plain_text_checked
from minsheng.core.throttle import throttle_count
from minsheng.core.transitions import Transition, TransitionTable, transition_apply
from minsheng.core.verification import mobile_normalise
from minsheng.deliberation.models import (
    STATEMENT_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Analysis,
    Attendance,
    AttendeeKind,
    Audience,
    ConversionKind,
    Meeting,
    MeetingStatus,
    ModerationMode,
    Outcome,
    OutcomeProgress,
    OutcomeStatus,
    Participant,
    ProposerKind,
    Statement,
    StatementStatus,
    Topic,
    TopicStatus,
    Vote,
    VoteValue,
)
from minsheng.deliberation.rules import STAFF_BODY_KINDS, memberships_of
from minsheng.org.models import Body, Person, Role, Sector, Unit

T = TopicStatus
S = StatementStatus

TOPIC_TRANSITIONS = TransitionTable(
    Transition("accept", sources={T.PROPOSED}, target=T.ACCEPTED, permission="deliberation.accept_topic"),
    Transition("reject", sources={T.PROPOSED}, target=T.REJECTED, permission="deliberation.reject_topic"),
    Transition("open", sources={T.ACCEPTED}, target=T.OPEN, permission="deliberation.open_topic"),
    Transition("close", sources={T.OPEN}, target=T.CLOSED, permission="deliberation.close_topic"),
    Transition("conclude", sources={T.CLOSED}, target=T.CONCLUDED, permission="deliberation.conclude_topic"),
)

STATEMENT_TRANSITIONS = TransitionTable(
    Transition(
        "publish", sources={S.PENDING}, target=S.PUBLISHED, permission="deliberation.moderate_statement"
    ),
    Transition(
        "moderate_out",
        sources={S.PENDING, S.PUBLISHED},
        target=S.REJECTED,
        permission="deliberation.moderate_statement",
    ),
    Transition(
        "restore", sources={S.REJECTED}, target=S.PUBLISHED, permission="deliberation.moderate_statement"
    ),
)

MEETING_TRANSITIONS = TransitionTable(
    Transition(
        "hold",
        sources={MeetingStatus.SCHEDULED},
        target=MeetingStatus.HELD,
        permission="deliberation.hold_meeting",
    ),
    Transition(
        "cancel",
        sources={MeetingStatus.SCHEDULED},
        target=MeetingStatus.CANCELLED,
        permission="deliberation.cancel_meeting",
    ),
)

OS = OutcomeStatus
OUTCOME_TRANSITIONS = TransitionTable(
    Transition(
        "progress",
        sources={OS.AGREED, OS.IN_PROGRESS},
        target=OS.IN_PROGRESS,
        permission="deliberation.progress_outcome",
    ),
    Transition(
        "complete",
        sources={OS.AGREED, OS.IN_PROGRESS},
        target=OS.DONE,
        permission="deliberation.complete_outcome",
    ),
)

# States in which a topic may still be set up, hold a meeting, take outcomes.
SETUP_STATES = {T.ACCEPTED, T.OPEN}
MEETING_STATES = {T.ACCEPTED, T.OPEN, T.CLOSED}
REASON_MAX_LENGTH = 300
SEEDS_MAX = 200
STATEMENTS_PER_PARTICIPANT_PER_HOUR = 10
PROPOSALS_PER_PHONE_PER_HOUR = 3
ANALYSIS_MIN_INTERVAL = dt.timedelta(seconds=3)
ANALYSES_KEPT = 20
INCREMENTAL_MARGIN = dt.timedelta(seconds=60)  # longer than any vote transaction may wait for its lock


class NotOpenError(InvalidTransitionError):
    """An action refused because of the topic's or meeting's state, said in plain words."""

    def __init__(self, message: str, *, action: str, state: str) -> None:
        DomainError.__init__(self, message)
        self.action = action
        self.state = str(state)


# Helpers ------------------------------------------------------------------------------------------


def phone_hash(phone: str) -> str:
    """The stored form of a participant's number: enough to recognise them again, never to call them."""
    return hashlib.sha256(f"minsheng-deliberation:{phone}".encode()).hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _count_within_hour(key: str, limit: int) -> None:
    throttle_count(
        key,
        limit=limit,
        seconds=3600,
        message=_("You have written a lot in a short time. Please try again later."),
    )


def _require_perm(actor: Any, permission: str, obj: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(permission, obj):
        raise PermissionDeniedError()


def _proposer_kind(actor: Any) -> str:
    roles = {m.role for m in memberships_of(actor)}
    if Role.STAFF in roles or Role.ADMIN in roles:
        return ProposerKind.STAFF
    if Role.CPPCC_MEMBER in roles:
        return ProposerKind.MEMBER
    if Role.HANDLER in roles:
        return ProposerKind.DEPARTMENT
    return ProposerKind.RESIDENT


# Topics -------------------------------------------------------------------------------------------


def topic_propose(
    *,
    actor: Any,
    body: Body,
    title: str,
    question: str,
    background: str = "",
    verified_phone: str | None = None,
) -> Topic:
    """A member, department or resident proposes a topic to a consultation body.

    A resident without an account proposes with a phone number verified in this session
    (``verified_phone``); it is stored hashed and masked, never in the clear.
    """
    signed_in = bool(getattr(actor, "is_authenticated", False))
    if not signed_in and not verified_phone:
        raise PermissionDeniedError(_("Verify your mobile number first."))
    if body.kind not in STAFF_BODY_KINDS:
        raise ValidationFailedError(
            _("Choose a CPPCC committee, consultation room or members' studio."), field="body"
        )
    clean_title = plain_text_checked(title, field="title", max_length=TITLE_MAX_LENGTH)
    clean_question = plain_text_checked(question, field="question", max_length=300)
    clean_background = plain_text_checked(
        background, field="background", max_length=TEXT_MAX_LENGTH, required=False
    )
    phone = ""
    if not signed_in:
        phone = mobile_normalise(verified_phone or "")
        _count_within_hour(f"deliberation-propose:{phone_hash(phone)[:32]}", PROPOSALS_PER_PHONE_PER_HOUR)
    with transaction.atomic():
        topic = Topic.objects.create(
            body=body,
            jurisdiction=body.jurisdiction,
            title=clean_title,
            question=clean_question,
            background=clean_background,
            proposer=actor if signed_in else None,
            proposer_kind=_proposer_kind(actor) if signed_in else ProposerKind.RESIDENT,
            proposer_phone_hash=phone_hash(phone) if phone else "",
            proposer_phone_masked=mask_phone(phone) if phone else "",
        )
        event_record(actor=actor, verb="propose", target=topic, to_state=topic.status)
    return topic


@dataclass(frozen=True)
class TopicSetup:
    audience: str = Audience.PUBLIC
    sector: Sector | None = None
    people: Sequence[Person] = ()
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None
    moderation: str = ModerationMode.POST
    statement_max_length: int = STATEMENT_MAX_LENGTH


def _setup_check(setup: TopicSetup) -> dict[str, Any]:
    if setup.audience not in Audience.values:
        raise ValidationFailedError(_("Choose who takes part."), field="audience")
    if setup.audience == Audience.SECTOR and setup.sector is None:
        raise ValidationFailedError(_("Choose the sector that takes part."), field="sector")
    if setup.audience == Audience.NAMED and not setup.people:
        raise ValidationFailedError(_("Name at least one participant."), field="people")
    if setup.moderation not in ModerationMode.values:
        raise ValidationFailedError(_("Choose how statements are moderated."), field="moderation")
    if setup.opens_on and setup.closes_on and setup.closes_on < setup.opens_on:
        raise ValidationFailedError(_("The topic cannot close before it opens."), field="closes_on")
    if not 10 <= setup.statement_max_length <= STATEMENT_MAX_LENGTH:
        raise ValidationFailedError(
            _("Statements may be between 10 and %(limit)s characters long.")
            % {"limit": STATEMENT_MAX_LENGTH},
            field="statement_max_length",
        )
    return {
        "audience": setup.audience,
        "audience_sector": setup.sector if setup.audience == Audience.SECTOR else None,
        "opens_on": setup.opens_on,
        "closes_on": setup.closes_on,
        "moderation": setup.moderation,
        "statement_max_length": setup.statement_max_length,
    }


def _seeds_clean(seeds: Sequence[str], max_length: int) -> list[str]:
    cleaned = [
        plain_text_checked(s, field="seeds", max_length=max_length) for s in seeds if (s or "").strip()
    ]
    if len(cleaned) > SEEDS_MAX:
        raise ValidationFailedError(
            _("At most %(limit)s seed statements.") % {"limit": SEEDS_MAX}, field="seeds"
        )
    return cleaned


def _seeds_create(topic: Topic, texts: Sequence[str]) -> list[Statement]:
    return Statement.objects.bulk_create(
        [Statement(topic=topic, text=text, is_seed=True, status=S.PUBLISHED) for text in texts]
    )


def topic_accept(
    *,
    actor: Any,
    topic: Topic,
    setup: TopicSetup,
    seeds: Sequence[str] = (),
    expected_state: str | None = None,
) -> Topic:
    """Staff take up a proposed topic: participants, dates, moderation and seed statements."""
    changes = _setup_check(setup)
    texts = _seeds_clean(seeds, setup.statement_max_length)
    with transaction.atomic():
        topic = transition_apply(
            table=TOPIC_TRANSITIONS,
            obj=topic,
            action="accept",
            actor=actor,
            expected_state=expected_state,
            changes=changes,
            payload={"audience": setup.audience, "seeds": len(texts)},
        )
        topic.audience_people.set(list(setup.people) if setup.audience == Audience.NAMED else [])
        _seeds_create(topic, texts)
    if topic.proposer is not None:
        transaction.on_commit(
            partial(
                notify,
                users=[topic.proposer],
                text=_("Your topic “%(title)s” was taken up for consultation.") % {"title": topic.title},
                link=f"/deliberation/{topic.pk}/",
            )
        )
    return topic


def topic_reject(*, actor: Any, topic: Topic, reason: str, expected_state: str | None = None) -> Topic:
    clean = plain_text_checked(reason, field="reason", max_length=REASON_MAX_LENGTH)
    with transaction.atomic():
        topic = transition_apply(
            table=TOPIC_TRANSITIONS,
            obj=topic,
            action="reject",
            actor=actor,
            expected_state=expected_state,
            payload={"reason": clean},
        )
    if topic.proposer is not None:
        text = _("Your topic “%(title)s” was not taken up: %(reason)s") % {
            "title": topic.title,
            "reason": clean,
        }
        transaction.on_commit(
            partial(notify, users=[topic.proposer], text=text, link=f"/deliberation/{topic.pk}/")
        )
    return topic


def _topic_step(action: str, *, actor: Any, topic: Topic, expected_state: str | None = None) -> Topic:
    with transaction.atomic():
        return transition_apply(
            table=TOPIC_TRANSITIONS, obj=topic, action=action, actor=actor, expected_state=expected_state
        )


def topic_open(*, actor: Any, topic: Topic, expected_state: str | None = None) -> Topic:
    if not Statement.objects.filter(topic=topic, status=S.PUBLISHED).exists():
        raise ValidationFailedError(
            _("Add at least one seed statement before opening the topic."), field="seeds"
        )
    return _topic_step("open", actor=actor, topic=topic, expected_state=expected_state)


def topic_close(*, actor: Any, topic: Topic, expected_state: str | None = None) -> Topic:
    topic = _topic_step("close", actor=actor, topic=topic, expected_state=expected_state)
    # The last votes are in: make sure the map shows them all.
    analysis_request(topic_id=topic.pk, force=True)
    return topic


def topic_conclude(*, actor: Any, topic: Topic, expected_state: str | None = None) -> Topic:
    return _topic_step("conclude", actor=actor, topic=topic, expected_state=expected_state)


def seeds_add(*, actor: Any, topic: Topic, texts: Sequence[str]) -> list[Statement]:
    """Staff add seed statements while the topic is being set up or is open."""
    _require_perm(actor, "deliberation.change_topic", topic)
    with transaction.atomic():
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        if locked.status not in SETUP_STATES:
            raise InvalidTransitionError(action="add_seeds", state=locked.status)
        cleaned = _seeds_clean(texts, locked.statement_max_length)
        if not cleaned:
            raise ValidationFailedError(_("Please write something here."), field="seeds")
        created = _seeds_create(locked, cleaned)
        event_record(actor=actor, verb="add_seeds", target=locked, payload={"count": len(created)})
    return created


# Participants -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Joined:
    participant: Participant
    token: str
    """The participant's API token, shown once (only its hash is stored)."""


def _eligible_user(topic: Topic, user: Any) -> bool:
    if topic.audience == Audience.PUBLIC:
        return True
    if topic.audience == Audience.NAMED:
        return user.person_id is not None and topic.audience_people.filter(pk=user.person_id).exists()
    return any(
        m.role == Role.CPPCC_MEMBER and m.sector_id == topic.audience_sector_id for m in memberships_of(user)
    )


def _new_participant(topic: Topic, **identity: Any) -> Joined:
    token = secrets.token_urlsafe(24)
    try:
        with transaction.atomic():
            participant = Participant.objects.create(topic=topic, token_hash=token_hash(token), **identity)
            event_record(
                actor=identity.get("user"), verb="join", target=topic, payload={"participant": participant.pk}
            )
    except IntegrityError:
        # Joined concurrently from another tab: the other request's row wins; hand out a fresh token.
        participant = Participant.objects.get(topic=topic, **identity)
        Participant.objects.filter(pk=participant.pk).update(token_hash=token_hash(token))
    return Joined(participant=participant, token=token)


def participant_join(*, topic: Topic, user: Any = None, verified_phone: str | None = None) -> Joined:
    """Join a topic as a signed-in user or with a phone number verified in this session.

    Returns a fresh token each time (the previous one stops working): the browser keeps its
    participant in the session, API clients keep the token.
    """
    if topic.status != T.OPEN:
        raise NotOpenError(_("This topic is not open for votes."), action="join", state=topic.status)
    if user is not None and getattr(user, "is_authenticated", False):
        if not _eligible_user(topic, user):
            raise PermissionDeniedError(_("This topic is open to invited participants only."))
        existing = Participant.objects.filter(topic=topic, user=user).first()
        if existing is None:
            return _new_participant(topic, user=user)
        return _token_renew(existing)
    if not verified_phone:
        raise PermissionDeniedError(_("Verify your mobile number first."))
    if topic.audience != Audience.PUBLIC:
        raise PermissionDeniedError(_("This topic is open to invited participants only."))
    phone = mobile_normalise(verified_phone)
    hashed = phone_hash(phone)
    existing = Participant.objects.filter(topic=topic, phone_hash=hashed).first()
    if existing is None:
        joined = _new_participant(topic, phone_hash=hashed)
        Participant.objects.filter(pk=joined.participant.pk).update(phone_masked=mask_phone(phone))
        return joined
    return _token_renew(existing)


def _token_renew(participant: Participant) -> Joined:
    token = secrets.token_urlsafe(24)
    Participant.objects.filter(pk=participant.pk).update(token_hash=token_hash(token))
    participant.token_hash = token_hash(token)
    return Joined(participant=participant, token=token)


def participant_by_token(token: str) -> Participant | None:
    """The participant a token belongs to (only the fields a vote needs: one indexed lookup)."""
    if not token or len(token) > 100:
        return None
    table = Participant._meta.db_table
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT id, topic_id, user_id FROM {table} WHERE token_hash = %s",  # noqa: S608 - table name
            [token_hash(token)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    participant = Participant(pk=row[0], topic_id=row[1], user_id=row[2], token_hash=token_hash(token))
    participant._state.adding = False
    participant._state.db = "default"
    return participant


# Votes --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _VoteSql:
    """The hot path's statements, in SQL that SQLite (≥ 3.24) and PostgreSQL both run.

    Written out rather than built by the ORM: compiling the queries cost about as much as running
    them (profiled; see docs/benchmarks.md), and these run for every vote.
    """

    upsert: str
    pending: str
    refusal: str


@cache
def _vote_sql() -> _VoteSql:
    statement, topic, vote = Statement._meta.db_table, Topic._meta.db_table, Vote._meta.db_table
    # One statement, so one implicit transaction: the state check and the write happen together,
    # and SQLite's write lock is held only while it runs (never across Python code, where another
    # thread of the process could take the interpreter while every other writer waits). A vote
    # stamped earlier than the stored one (two tabs racing) does not replace it: the latest counts.
    upsert = (
        f"INSERT INTO {vote} (topic_id, statement_id, participant_id, value, voted_at) "  # noqa: S608 - table names
        f"SELECT s.topic_id, s.id, %s, %s, %s FROM {statement} s JOIN {topic} t ON t.id = s.topic_id "
        "WHERE s.id = %s AND s.topic_id = %s AND s.status = %s AND t.status = %s "
        "AND (t.closes_on IS NULL OR t.closes_on >= %s) "
        "ON CONFLICT (statement_id, participant_id) DO UPDATE SET value = excluded.value, "
        f"voted_at = excluded.voted_at WHERE excluded.voted_at >= {vote}.voted_at"
    )
    pending = f"SELECT analysis_pending FROM {topic} WHERE id = %s"  # noqa: S608 - table name
    refusal = (
        f"SELECT s.status, t.status, t.closes_on FROM {statement} s "  # noqa: S608 - table names
        f"JOIN {topic} t ON t.id = s.topic_id WHERE s.id = %s AND s.topic_id = %s"
    )
    return _VoteSql(upsert=upsert, pending=pending, refusal=refusal)


def _vote_refusal(cursor: Any, sql: _VoteSql, *, statement_id: int, topic_id: int, today: str) -> None:
    """Why the upsert wrote nothing: raise the error the voter should see, or return when a vote of
    the same pair stamped later is already stored (this one is superseded, not refused)."""
    cursor.execute(sql.refusal, [statement_id, topic_id])
    found = cursor.fetchone()
    if found is None:
        raise NotFoundError(_("There is no such statement in this topic."))
    statement_status, topic_status, closes_on = found
    # Past its closing date a topic takes no votes, even before staff close it.
    if topic_status != T.OPEN or (closes_on is not None and str(closes_on) < today):
        raise NotOpenError(
            _("This topic is closed: it takes no more votes."), action="vote", state=topic_status
        )
    if statement_status != S.PUBLISHED:
        raise ConflictError(message=_("This statement is not open for votes."))


def vote_cast(*, participant: Participant, statement_id: int, value: int) -> Vote:
    """Record a participant's vote; voting again on the same statement replaces the earlier vote.

    One conditional upsert (the topic open and not past its closing date, the statement published),
    then the map's flag: when no update is pending, flag it and queue one. No Event (module docstring).
    """
    if value not in VoteValue.values:
        raise ValidationFailedError(_("A vote is agree (1), disagree (-1) or pass (0)."), field="vote")
    now = timezone.now()
    today = timezone.localdate(now)
    sql = _vote_sql()
    connection = transaction.get_connection()
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            sql.upsert,
            [
                participant.pk,
                value,
                ops.adapt_datetimefield_value(now),
                statement_id,
                participant.topic_id,
                S.PUBLISHED.value,
                T.OPEN.value,
                ops.adapt_datefield_value(today),
            ],
        )
        if cursor.rowcount != 1:
            _vote_refusal(
                cursor, sql, statement_id=statement_id, topic_id=participant.topic_id, today=today.isoformat()
            )
        # Read after the vote is stored: a pending update clears the flag before it reads the votes,
        # so if the flag is still set, that update will see this vote; if not, this vote flags it.
        cursor.execute(sql.pending, [participant.topic_id])
        flagged = cursor.fetchone()
    if flagged is not None and not flagged[0]:
        analysis_request(topic_id=participant.topic_id)
    return Vote(
        topic_id=participant.topic_id,
        statement_id=statement_id,
        participant=participant,
        value=value,
        voted_at=now,
    )


# Statements ---------------------------------------------------------------------------------------


def statement_submit(*, participant: Participant, text: str) -> Statement:
    """A participant writes a statement: published at once (post-moderation) or queued (pre)."""
    topic = participant.topic
    if topic.status != T.OPEN:
        raise NotOpenError(
            _("This topic is closed: it takes no more statements."), action="write", state=topic.status
        )
    clean = plain_text_checked(text, field="text", max_length=topic.statement_max_length)
    _count_within_hour(f"deliberation-statements:{participant.pk}", STATEMENTS_PER_PARTICIPANT_PER_HOUR)
    if Statement.objects.filter(topic=topic, text=clean).exclude(status=S.REJECTED).exists():
        raise ValidationFailedError(_("This statement is already there: vote on it instead."), field="text")
    status = S.PENDING if topic.moderation == ModerationMode.PRE else S.PUBLISHED
    with transaction.atomic():
        statement = Statement.objects.create(topic=topic, author=participant, text=clean, status=status)
        event_record(actor=participant.user, verb="write", target=statement, to_state=status)
    return statement


def _tell_author(statement: Statement, text: str) -> None:
    """Signed-in authors get a notice; residents see the decision on the topic page (no number is kept)."""
    author = statement.author
    if author is not None and author.user is not None:
        transaction.on_commit(
            partial(notify, users=[author.user], text=text, link=f"/deliberation/{statement.topic_id}/")
        )


def statement_moderate(
    *, actor: Any, statement: Statement, action: str, reason: str = "", expected_state: str | None = None
) -> Statement:
    """Publish, moderate out (with a reason the author is told) or restore a statement."""
    if action not in STATEMENT_TRANSITIONS.actions:
        raise ValidationFailedError(_("Unknown moderation decision."), field="action")
    clean = plain_text_checked(
        reason, field="reason", max_length=REASON_MAX_LENGTH, required=action == "moderate_out"
    )
    with transaction.atomic():
        statement = transition_apply(
            table=STATEMENT_TRANSITIONS,
            obj=statement,
            action=action,
            actor=actor,
            expected_state=expected_state,
            changes={"moderation_reason": clean},
            payload={"reason": clean},
        )
        if action == "moderate_out":
            message = _("Your statement “%(text)s” was not published: %(reason)s") % {
                "text": statement.text[:30],
                "reason": clean,
            }
        else:
            message = _("Your statement “%(text)s” is published.") % {"text": statement.text[:30]}
        _tell_author(statement, message)
        if Vote.objects.filter(statement=statement).exists():
            _analysis_flag(statement.topic_id, force=True)
    return statement


# Analysis requests ----------------------------------------------------------------------------------


def _analysis_flag(topic_id: int, *, force: bool = False) -> None:
    """Inside a write: mark the topic's map stale; the one writer that flips the flag enqueues the task.

    The task clears the flag before it reads the votes, so a vote arriving during a run flags again
    and is picked up by the next run: no vote is left out, and at most one run is pending per topic.
    """
    from minsheng.deliberation.tasks import analysis_enqueue

    flipped = Topic.objects.filter(pk=topic_id, analysis_pending=False).update(analysis_pending=True)
    if flipped or force:
        transaction.on_commit(partial(analysis_enqueue, topic_id))


def analysis_request(*, topic_id: int, force: bool = False) -> None:
    with transaction.atomic():
        _analysis_flag(topic_id, force=force)


def _votes_rows(topic_id: int, since: dt.datetime | None = None) -> tuple[list[Any], dt.datetime | None]:
    votes = Vote.objects.filter(topic_id=topic_id)
    if since is not None:
        votes = votes.filter(voted_at__gte=since)
    rows = list(votes.values_list("participant_id", "statement_id", "value", "voted_at"))
    latest = max((row[3] for row in rows), default=None)
    return rows, latest


def _engine_columns(rows: Sequence[Any]) -> tuple[list[int], list[int], list[int], list[float]]:
    return (
        [row[0] for row in rows],
        [row[1] for row in rows],
        [row[2] for row in rows],
        [row[3].timestamp() for row in rows],
    )


DIVISIVE_SHOWN = 5


def _divisive(result: Any) -> list[dict[str, Any]]:
    """The statements whose share of agreement differs most between groups (as the engine's report)."""
    import numpy as np

    if result.n_groups < 2:
        return []
    p_agree = result.group_stats.p_agree
    spread = p_agree.max(axis=0) - p_agree.min(axis=0)
    spread[result.votes.moderated_out_mask()] = -1
    ids = result.votes.statement_ids.tolist()
    order = [int(j) for j in np.argsort(-spread, kind="stable")[:DIVISIVE_SHOWN] if spread[j] >= 0]
    return [
        {"statement": int(ids[j]), "spread": float(spread[j]), "p_agree": [float(p) for p in p_agree[:, j]]}
        for j in order
    ]


@dataclass
class _Previous:
    result: Any
    moderated_out: frozenset[int]
    last_vote_at: dt.datetime


# The last engine result per topic, kept in the worker process so the next run is incremental.
_PREVIOUS: dict[int, _Previous] = {}
_PREVIOUS_MAX = 16


def analysis_compute(*, topic_id: int) -> Analysis | None:
    """Run the consensus engine on a topic's stored votes and store its JSON as a new Analysis.

    Incremental when this process ran the topic before with the same moderation: only the votes
    since that run are read and merged (``consensus.update``); otherwise a full ``analyze``.
    Returns None when there is nothing new or too little to analyse.
    """
    from minsheng.analysis import consensus

    # Clear the flag before reading: a vote committed from now on flags again (see _analysis_flag).
    Topic.objects.filter(pk=topic_id).update(analysis_pending=False)
    moderated_out = frozenset(
        Statement.objects.filter(topic_id=topic_id, status=S.REJECTED).values_list("pk", flat=True)
    )
    previous = _PREVIOUS.get(topic_id)
    incremental = previous is not None and previous.moderated_out == moderated_out
    try:
        if incremental and previous is not None:
            # A vote's time is taken before its transaction waits for the write lock, so a vote may
            # commit after a later-stamped one was analysed: re-read a margin (re-reading is harmless,
            # the same pair's vote just replaces itself).
            rows, latest = _votes_rows(topic_id, since=previous.last_vote_at - INCREMENTAL_MARGIN)
            if not rows:
                return None
            result = consensus.update(previous.result, *_engine_columns(rows))
            latest = max(latest or previous.last_vote_at, previous.last_vote_at)
        else:
            rows, latest = _votes_rows(topic_id)
            if not rows:
                return None
            participants, statements, values, times = _engine_columns(rows)
            votes = consensus.votes_from_records(
                participants, statements, values, times, moderated_out=moderated_out
            )
            result = consensus.analyze(votes)
    except consensus.ConsensusInputError:
        return None
    assert latest is not None
    if len(_PREVIOUS) >= _PREVIOUS_MAX and topic_id not in _PREVIOUS:
        _PREVIOUS.pop(next(iter(_PREVIOUS)))
    _PREVIOUS[topic_id] = _Previous(result=result, moderated_out=moderated_out, last_vote_at=latest)
    now = timezone.now()
    with transaction.atomic():
        analysis = Analysis.objects.create(
            topic_id=topic_id,
            result=consensus.to_json(result),
            computed_at=now,
            vote_count=result.votes.n_votes,
            last_vote_at=latest,
            incremental=incremental,
            divisive=_divisive(result),
        )
        Topic.objects.filter(pk=topic_id).update(analysed_at=now)
        # A busy topic is re-analysed every few seconds: keep the recent maps, not every one of them.
        stale = Analysis.objects.filter(topic_id=topic_id).order_by("-computed_at", "-id")[ANALYSES_KEPT:]
        Analysis.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
        payload = {"analysis": analysis.pk, "votes": analysis.vote_count, "incremental": incremental}
        event_record(actor=None, verb="analyse", target=analysis.topic, payload=payload)
    return analysis


# Import of a pol.is openData conversation ---------------------------------------------------------

IMPORT_MAX_VOTES = 500_000


def _id_order(external_id: str) -> tuple[int, int, str]:
    """Numeric ids in numeric order, so that participants keep the engine's id order."""
    return (0, int(external_id), "") if external_id.isdigit() else (1, 0, external_id)


def conversation_import(*, actor: Any, topic: Topic, votes_csv: str, comments_csv: str) -> dict[str, int]:
    """Staff load an external conversation (pol.is openData votes.csv and comments.csv) into a topic.

    For consultations held elsewhere or on paper: statements keep their ids as ``external_id``,
    voters become participants identified only by their external id, votes keep their times.
    """
    import csv
    import io

    _require_perm(actor, "deliberation.change_topic", topic)
    try:
        comment_rows = list(csv.DictReader(io.StringIO(comments_csv)))
        vote_rows = list(csv.DictReader(io.StringIO(votes_csv)))
        comments = [
            (
                row["comment-id"].strip(),
                (row.get("comment-body") or "").strip(),
                int(row.get("moderated") or 0),
            )
            for row in comment_rows
        ]
        votes = [
            (row["voter-id"].strip(), row["comment-id"].strip(), int(row["vote"]), int(row["timestamp"]))
            for row in vote_rows
        ]
    except (KeyError, ValueError, csv.Error) as error:
        raise ValidationFailedError(
            _("The files are not pol.is openData votes.csv and comments.csv (%(problem)s).")
            % {"problem": str(error)[:100]},
            field="votes",
        ) from None
    if not votes or len(votes) > IMPORT_MAX_VOTES:
        raise ValidationFailedError(
            _("The import must hold between 1 and %(limit)s votes.") % {"limit": IMPORT_MAX_VOTES},
            field="votes",
        )
    known = {cid for cid, _text, _mod in comments}
    if any(value not in (-1, 0, 1) for *_ids, value, _ts in votes) or any(
        cid not in known for _v, cid, _x, _t in votes
    ):
        raise ValidationFailedError(
            _("Some votes are not -1, 0 or 1, or name a statement not in comments.csv."), field="votes"
        )
    with transaction.atomic():
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        if locked.status not in SETUP_STATES:
            raise InvalidTransitionError(action="import", state=locked.status)
        statements = Statement.objects.bulk_create(
            [
                Statement(
                    topic=locked,
                    external_id=cid,
                    text=strip_tags(text)[:1000] or cid,
                    status=S.REJECTED if moderated == -1 else S.PUBLISHED,
                    moderation_reason=_("Moderated out in the imported conversation.")
                    if moderated == -1
                    else "",
                )
                for cid, text, moderated in sorted(comments, key=lambda c: _id_order(c[0]))
            ]
        )
        statement_pk = {s.external_id: s.pk for s in statements}
        voters = sorted({voter for voter, *_rest in votes}, key=_id_order)
        participants = Participant.objects.bulk_create(
            [
                Participant(topic=locked, external_id=voter, token_hash=token_hash(secrets.token_urlsafe(24)))
                for voter in voters
            ]
        )
        participant_pk = {p.external_id: p.pk for p in participants}
        latest: dict[tuple[int, int], Vote] = {}
        for voter, cid, value, timestamp in sorted(votes, key=lambda v: v[3]):
            at = dt.datetime.fromtimestamp(timestamp / 1000, tz=dt.UTC)
            key = (participant_pk[voter], statement_pk[cid])
            latest[key] = Vote(
                topic=locked, participant_id=key[0], statement_id=key[1], value=value, voted_at=at
            )
        Vote.objects.bulk_create(list(latest.values()), batch_size=2000)
        counts = {"statements": len(statements), "participants": len(participants), "votes": len(latest)}
        event_record(actor=actor, verb="import", target=locked, payload=counts)
        _analysis_flag(locked.pk, force=True)
    return counts


# Meetings -----------------------------------------------------------------------------------------


def meeting_schedule(*, actor: Any, topic: Topic, starts_at: dt.datetime, place: str) -> Meeting:
    _require_perm(actor, "deliberation.change_meeting", topic)
    clean_place = plain_text_checked(place, field="place", max_length=200)
    if timezone.is_naive(starts_at):
        raise ValidationFailedError(_("Give the meeting's time with its time zone."), field="starts_at")
    with transaction.atomic():
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        if locked.status not in MEETING_STATES:
            raise InvalidTransitionError(action="schedule_meeting", state=locked.status)
        meeting = Meeting.objects.create(topic=locked, starts_at=starts_at, place=clean_place)
        event_record(actor=actor, verb="schedule", target=meeting, to_state=meeting.status,
                     payload={"starts_at": starts_at.isoformat(), "place": clean_place})  # fmt: skip
    return meeting


@dataclass(frozen=True)
class AttendeeIn:
    name: str
    kind: str
    affiliation: str = ""
    present: bool = True


def meeting_hold(
    *,
    actor: Any,
    meeting: Meeting,
    minutes: str,
    attendees: Sequence[AttendeeIn],
    expected_state: str | None = None,
) -> Meeting:
    """Record that the meeting took place: who came in what capacity, and the minutes."""
    clean_minutes = plain_text_checked(minutes, field="minutes", max_length=20000)
    rows = []
    for attendee in attendees:
        if attendee.kind not in AttendeeKind.values:
            raise ValidationFailedError(
                _("Choose the capacity in which each person attended."), field="attendees"
            )
        rows.append(
            Attendance(
                name=plain_text_checked(attendee.name, field="attendees", max_length=64),
                kind=attendee.kind,
                affiliation=plain_text_checked(
                    attendee.affiliation, field="attendees", max_length=100, required=False
                ),
                present=attendee.present,
            )
        )
    if not any(row.present for row in rows):
        raise ValidationFailedError(_("Record at least one person who attended."), field="attendees")
    with transaction.atomic():
        meeting = transition_apply(
            table=MEETING_TRANSITIONS,
            obj=meeting,
            action="hold",
            actor=actor,
            expected_state=expected_state,
            changes={"minutes": clean_minutes},
            payload={"attendees": len(rows), "present": sum(row.present for row in rows)},
        )
        for row in rows:
            row.meeting = meeting
        Attendance.objects.bulk_create(rows)
    return meeting


def meeting_cancel(*, actor: Any, meeting: Meeting, reason: str) -> Meeting:
    clean = plain_text_checked(reason, field="reason", max_length=REASON_MAX_LENGTH)
    with transaction.atomic():
        return transition_apply(
            table=MEETING_TRANSITIONS, obj=meeting, action="cancel", actor=actor, payload={"reason": clean}
        )


# Outcomes -----------------------------------------------------------------------------------------


def outcome_add(*, actor: Any, meeting: Meeting, text: str, unit: Unit, due: dt.date) -> Outcome:
    """An agreed outcome of a held meeting, with the unit responsible and its deadline."""
    _require_perm(actor, "deliberation.add_outcome", meeting.topic)
    clean = plain_text_checked(text, field="text", max_length=1000)
    if due < timezone.localdate():
        raise ValidationFailedError(_("The deadline cannot be in the past."), field="due")
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().select_related("topic").get(pk=meeting.pk)
        if locked.status != MeetingStatus.HELD:
            raise NotOpenError(
                _("Record outcomes once the meeting has been held."),
                action="add_outcome",
                state=locked.status,
            )
        outcome = Outcome.objects.create(topic=locked.topic, meeting=locked, text=clean, unit=unit, due=due)
        event_record(actor=actor, verb="agree", target=outcome, to_state=outcome.status,
                     payload={"unit": unit.pk, "due": due.isoformat()})  # fmt: skip
    return outcome


def outcome_progress(*, actor: Any, outcome: Outcome, text: str) -> OutcomeProgress:
    clean = plain_text_checked(text, field="text", max_length=1000)
    with transaction.atomic():
        outcome = transition_apply(
            table=OUTCOME_TRANSITIONS, obj=outcome, action="progress", actor=actor, payload={"text": clean}
        )
        return OutcomeProgress.objects.create(outcome=outcome, text=clean, author=actor, at=timezone.now())


def outcome_complete(*, actor: Any, outcome: Outcome, text: str) -> Outcome:
    clean = plain_text_checked(text, field="text", max_length=1000)
    with transaction.atomic():
        outcome = transition_apply(
            table=OUTCOME_TRANSITIONS, obj=outcome, action="complete", actor=actor, payload={"text": clean}
        )
        OutcomeProgress.objects.create(outcome=outcome, text=clean, author=actor, at=timezone.now())
    return outcome


def outcome_convert(
    *,
    actor: Any,
    outcome: Outcome,
    kind: str,
    text: str = "",
    title: str = "",
    lead_signer: Person | None = None,
) -> Outcome:
    """Turn an outcome into a social-conditions report or a CPPCC proposal draft, linked both ways.

    A proposal needs a CPPCC member as lead signer: the actor when they are one, otherwise the member
    the staff hand it to. It starts as that member's draft, for them to co-sign and submit.
    """
    _require_perm(actor, "deliberation.convert_outcome", outcome)
    if kind not in ConversionKind.values:
        raise ValidationFailedError(_("Choose a proposal or a social-conditions report."), field="kind")
    body = plain_text_checked(text or outcome.text, field="text", max_length=5000)
    with transaction.atomic():
        locked = Outcome.objects.select_for_update().select_related("topic").get(pk=outcome.pk)
        if locked.converted_kind:
            raise ConflictError(message=_("This outcome has already been turned into another record."))
        if kind == ConversionKind.SOCIAL_REPORT:
            from minsheng.voices.services import social_report_create

            report = social_report_create(
                actor=actor, title=locked.topic.title[:100], text=body, source_label=_("Consultation outcome")
            )
            converted_id = report.pk
        else:
            converted_id = _proposal_draft(
                actor=actor, outcome=locked, title=title, text=body, lead_signer=lead_signer
            ).pk
        locked.converted_kind = kind
        locked.converted_id = converted_id
        locked.save(update_fields=["converted_kind", "converted_id", "updated_at"])
        event_record(actor=actor, verb="convert", target=locked,
                     payload={"kind": kind, "id": converted_id, "text": body})  # fmt: skip
    return locked


def _proposal_title(outcome: Outcome) -> str:
    """关于<topic>的提案, shortened to what the place allows for a proposal title (60 by default)."""
    from minsheng.motions.selectors import motion_settings_for

    limit = motion_settings_for(outcome.topic.jurisdiction).title_max_length
    title = _("Proposal on %(topic)s") % {"topic": outcome.topic.title}
    if len(title) <= limit:
        return title
    spare = len(title) - len(outcome.topic.title)
    return _("Proposal on %(topic)s") % {"topic": outcome.topic.title[: max(1, limit - spare - 1)] + "…"}


def _proposal_draft(
    *, actor: Any, outcome: Outcome, title: str, text: str, lead_signer: Person | None
) -> Any:
    from minsheng.motions import services as motions
    from minsheng.motions.models import MotionKind

    clean_title = title.strip() or _proposal_title(outcome)
    if lead_signer is None or lead_signer.pk == getattr(actor, "person_id", None):
        return motions.motion_create(actor=actor, kind=MotionKind.PROPOSAL, title=clean_title, text=text)
    source = {"outcome": outcome.pk, "topic": outcome.topic_id}
    return motions.motion_draft_for(
        actor=actor, lead_signer=lead_signer, kind=MotionKind.PROPOSAL, title=clean_title, text=text,
        source=source,
    )  # fmt: skip
