"""Participants: who may join a topic, and the tokens that stand for them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor, account_or_none
from minsheng.core.errors import (
    PermissionDeniedError,
)
from minsheng.core.events import event_record
from minsheng.core.privacy import mask_phone
from minsheng.core.verification import mobile_normalise
from minsheng.deliberation.models import (
    Audience,
    Participant,
    Topic,
)
from minsheng.deliberation.rules import memberships_of
from minsheng.deliberation.services.common import (
    phone_hash,
    token_hash,
)
from minsheng.deliberation.services.workflow import (
    NotOpenError,
    T,
)
from minsheng.org.models import ApiToken, Role, User


@dataclass(frozen=True)
class Joined:
    participant: Participant
    token: str
    """The participant's API token, shown once (only its hash is stored)."""


def _eligible_user(topic: Topic, user: User) -> bool:
    if topic.audience == Audience.PUBLIC:
        return True
    if topic.audience == Audience.NAMED:
        return user.person_id is not None and topic.audience_people.filter(pk=user.person_id).exists()
    return any(
        m.role == Role.CPPCC_MEMBER and m.sector_id == topic.audience_sector_id for m in memberships_of(user)
    )


def _new_participant(topic: Topic, api_token: ApiToken | None = None, **identity: Any) -> Joined:
    token = secrets.token_urlsafe(24)
    tie = {"api_token": api_token, "token_needs_api_token": api_token is not None}
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                topic=topic, token_hash=token_hash(token), **tie, **identity
            )
            event_record(
                actor=identity.get("user"), verb="join", target=topic, payload={"participant": participant.pk}
            )
    except IntegrityError:
        # Joined concurrently from another tab: the other request's row wins; hand out a fresh token.
        participant = Participant.objects.get(topic=topic, **identity)
        Participant.objects.filter(pk=participant.pk).update(token_hash=token_hash(token), **tie)
    return Joined(participant=participant, token=token)


def participant_join(
    *,
    topic: Topic,
    user: Actor | None = None,
    verified_phone: str | None = None,
    api_token: ApiToken | None = None,
) -> Joined:
    """Join a topic as a signed-in user or with a phone number verified in this session.

    Returns a fresh token each time (the previous one stops working): the browser keeps its
    participant in the session, API clients keep the token. A client that joined with ``api_token``
    gets a participant token that stops working when that API token is revoked.
    """
    if topic.status != T.OPEN:
        raise NotOpenError(_("This topic is not open for votes."), action="join", state=topic.status)
    account = account_or_none(user)
    if account is not None:
        if not _eligible_user(topic, account):
            raise PermissionDeniedError(_("This topic is open to invited participants only."))
        existing = Participant.objects.filter(topic=topic, user=account).first()
        if existing is None:
            return _new_participant(topic, api_token, user=account)
        return _token_renew(existing, api_token)
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


def _token_renew(participant: Participant, api_token: ApiToken | None = None) -> Joined:
    token = secrets.token_urlsafe(24)
    tie = {"api_token": api_token, "token_needs_api_token": api_token is not None}
    Participant.objects.filter(pk=participant.pk).update(token_hash=token_hash(token), **tie)
    participant.token_hash = token_hash(token)
    return Joined(participant=participant, token=token)


def participant_by_token(token: str) -> Participant | None:
    """The participant a token belongs to (only the fields a vote needs: one indexed lookup)."""
    if not token or len(token) > 100:
        return None
    table = Participant._meta.db_table
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            # A token tied to an API token dies with it (SET NULL on revocation).
            f"SELECT id, topic_id, user_id FROM {table} WHERE token_hash = %s"  # noqa: S608 - table name
            " AND (token_needs_api_token = %s OR api_token_id IS NOT NULL)",
            [token_hash(token), False],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    participant = Participant(pk=row[0], topic_id=row[1], user_id=row[2], token_hash=token_hash(token))
    participant._state.adding = False
    participant._state.db = "default"
    return participant
