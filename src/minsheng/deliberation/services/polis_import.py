"""Import of a pol.is openData conversation (votes.csv and comments.csv) into a topic."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor
from minsheng.core.errors import (
    ValidationFailedError,
)
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.privacy import mask_text
from minsheng.deliberation.models import (
    Participant,
    Statement,
    Topic,
    Vote,
)
from minsheng.deliberation.services.analysis import analysis_flag
from minsheng.deliberation.services.common import (
    require_perm,
    token_hash,
)
from minsheng.deliberation.services.topics import can_set_up
from minsheng.deliberation.services.workflow import (
    S,
)

IMPORT_MAX_VOTES = 500_000


def _id_order(external_id: str) -> tuple[int, int, str]:
    """Numeric ids in numeric order, so that participants keep the engine's id order."""
    return (0, int(external_id), "") if external_id.isdigit() else (1, 0, external_id)


def conversation_import(*, actor: Actor, topic: Topic, votes_csv: str, comments_csv: str) -> dict[str, int]:
    """Staff load an external conversation (pol.is openData votes.csv and comments.csv) into a topic.

    For consultations held elsewhere or on paper: statements keep their ids as ``external_id``,
    voters become participants identified only by their external id, votes keep their times.
    """
    import csv
    import io

    require_perm(actor, "deliberation.change_topic", topic)
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
        locked = rows_locked(Topic).get(pk=topic.pk)
        can_set_up.check(actor, locked)
        statements = Statement.objects.bulk_create(
            [
                Statement(
                    topic=locked,
                    external_id=cid,
                    text=mask_text(strip_tags(text)[:1000]) or cid,
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
        analysis_flag(locked.pk, force=True)
    return counts
