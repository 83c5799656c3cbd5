"""Topics: proposal by members, departments or residents, set-up by staff, opening and closing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor, account_or_none
from minsheng.core.errors import (
    DomainError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.notifications import notify
from minsheng.core.privacy import mask_phone, mask_text
from minsheng.core.text import plain_text_checked
from minsheng.core.transitions import guard, transition_apply
from minsheng.core.verification import mobile_normalise
from minsheng.deliberation.models import (
    STATEMENT_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Audience,
    ModerationMode,
    ProposerKind,
    Statement,
    Topic,
)
from minsheng.deliberation.rules import STAFF_BODY_KINDS, memberships_of
from minsheng.deliberation.services.analysis import analysis_request
from minsheng.deliberation.services.common import (
    REASON_MAX_LENGTH,
    count_within_hour,
    phone_hash,
    refusal_unless_perm,
    require_perm,
)
from minsheng.deliberation.services.workflow import (
    SETUP_STATES,
    TOPIC_TRANSITIONS,
    S,
)
from minsheng.org.models import Body, Person, Role, Sector

SEEDS_MAX = 200
PROPOSALS_PER_PHONE_PER_HOUR = 3


def _proposer_kind(actor: Actor) -> str:
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
    actor: Actor,
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
        count_within_hour(f"deliberation-propose:{phone_hash(phone)[:32]}", PROPOSALS_PER_PHONE_PER_HOUR)
    with transaction.atomic():
        topic = Topic.objects.create(
            body=body,
            jurisdiction=body.jurisdiction,
            title=clean_title,
            question=clean_question,
            background=clean_background,
            proposer=account_or_none(actor),
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
        [Statement(topic=topic, text=mask_text(text), is_seed=True, status=S.PUBLISHED) for text in texts]
    )


def topic_accept(
    *,
    actor: Actor,
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


def topic_reject(*, actor: Actor, topic: Topic, reason: str, expected_state: str | None = None) -> Topic:
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


def _topic_step(action: str, *, actor: Actor, topic: Topic, expected_state: str | None = None) -> Topic:
    with transaction.atomic():
        return transition_apply(
            table=TOPIC_TRANSITIONS, obj=topic, action=action, actor=actor, expected_state=expected_state
        )


def topic_open(*, actor: Actor, topic: Topic, expected_state: str | None = None) -> Topic:
    if not Statement.objects.filter(topic=topic, status=S.PUBLISHED).exists():
        raise ValidationFailedError(
            _("Add at least one seed statement before opening the topic."), field="seeds"
        )
    return _topic_step("open", actor=actor, topic=topic, expected_state=expected_state)


def topic_close(*, actor: Actor, topic: Topic, expected_state: str | None = None) -> Topic:
    topic = _topic_step("close", actor=actor, topic=topic, expected_state=expected_state)
    # The last votes are in: make sure the map shows them all.
    analysis_request(topic_id=topic.pk, force=True)
    return topic


def topic_conclude(*, actor: Actor, topic: Topic, expected_state: str | None = None) -> Topic:
    return _topic_step("conclude", actor=actor, topic=topic, expected_state=expected_state)


@guard
def can_set_up(user: Actor, topic: Topic) -> DomainError | None:
    """Staff running the topic add seed statements or import a conversation while it is being set up
    or is open."""
    refusal = refusal_unless_perm(user, "deliberation.change_topic", topic)
    if refusal is None and topic.status not in SETUP_STATES:
        return InvalidTransitionError(action="set_up", state=topic.status)
    return refusal


def seeds_add(*, actor: Actor, topic: Topic, texts: Sequence[str]) -> list[Statement]:
    """Staff add seed statements while the topic is being set up or is open."""
    require_perm(actor, "deliberation.change_topic", topic)
    with transaction.atomic():
        locked = rows_locked(Topic).get(pk=topic.pk)
        can_set_up.check(actor, locked)
        cleaned = _seeds_clean(texts, locked.statement_max_length)
        if not cleaned:
            raise ValidationFailedError(_("Please write something here."), field="seeds")
        created = _seeds_create(locked, cleaned)
        event_record(actor=actor, verb="add_seeds", target=locked, payload={"count": len(created)})
    return created
