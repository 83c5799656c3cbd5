"""Statements: written by participants, moderated by staff."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor
from minsheng.core.errors import (
    ValidationFailedError,
)
from minsheng.core.events import event_record
from minsheng.core.notifications import notify
from minsheng.core.privacy import mask_text
from minsheng.core.receipts import receipt_code_new, receipt_lookup, receipt_number
from minsheng.core.text import plain_text_checked
from minsheng.core.transitions import transition_apply
from minsheng.deliberation.models import (
    ModerationMode,
    Participant,
    Statement,
    Vote,
)
from minsheng.deliberation.services.analysis import analysis_flag
from minsheng.deliberation.services.common import (
    REASON_MAX_LENGTH,
    count_within_hour,
    phone_hash,
)
from minsheng.deliberation.services.workflow import (
    STATEMENT_TRANSITIONS,
    NotOpenError,
    S,
    T,
)

STATEMENTS_PER_PARTICIPANT_PER_HOUR = 10


def statement_submit(*, participant: Participant, text: str) -> Statement:
    """A participant writes a statement: published at once (post-moderation) or queued (pre)."""
    topic = participant.topic
    if topic.status != T.OPEN:
        raise NotOpenError(
            _("This topic is closed: it takes no more statements."), action="write", state=topic.status
        )
    # Statements are public by design: personal data is masked before it is stored, so that no
    # surface (page, API, comments.csv, map, report) can show it.
    clean = mask_text(plain_text_checked(text, field="text", max_length=topic.statement_max_length))
    count_within_hour(f"deliberation-statements:{participant.pk}", STATEMENTS_PER_PARTICIPANT_PER_HOUR)
    if Statement.objects.filter(topic=topic, text=clean).exclude(status=S.REJECTED).exists():
        raise ValidationFailedError(_("This statement is already there: vote on it instead."), field="text")
    status = S.PENDING if topic.moderation == ModerationMode.PRE else S.PUBLISHED
    with transaction.atomic():
        statement = Statement.objects.create(
            topic=topic, author=participant, text=clean, status=status, receipt_code=receipt_code_new()
        )
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
    *, actor: Actor, statement: Statement, action: str, reason: str = "", expected_state: str | None = None
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
            analysis_flag(statement.topic_id, force=True)
    return statement


def statement_lookup(*, client: str, code: str, phone: str) -> Statement:
    """The statement a receipt code and the participant's mobile number open (compared by hash: the
    number itself is not kept); failures are counted per client (``core.receipts``)."""
    from minsheng.deliberation.selectors import statement_for_receipt  # selectors import services

    number = receipt_number(phone)
    hashed = phone_hash(number) if number else ""
    return receipt_lookup(
        scope="deliberation:receipt",
        client=client,
        find=lambda: statement_for_receipt(code=code, phone_hash=hashed),
        not_found=_("No statement matches this receipt code and mobile number."),
    )
