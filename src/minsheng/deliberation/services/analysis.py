"""The opinion map: flagging a topic's map stale, and computing it (incrementally when possible)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from minsheng.core.events import event_record
from minsheng.deliberation.models import (
    Analysis,
    Statement,
    Topic,
    Vote,
)
from minsheng.deliberation.services.workflow import (
    S,
)

ANALYSIS_MIN_INTERVAL = dt.timedelta(seconds=3)
ANALYSES_KEPT = 20
INCREMENTAL_MARGIN = dt.timedelta(seconds=60)  # longer than any vote transaction may wait for its lock


def analysis_flag(topic_id: int, *, force: bool = False) -> None:
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
        analysis_flag(topic_id, force=force)


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


def analysis_cache_clear() -> None:
    """Forget the engine results kept for incremental runs (the next run of every topic is a full one)."""
    _PREVIOUS.clear()


def analysis_compute(*, topic_id: int) -> Analysis | None:
    """Run the consensus engine on a topic's stored votes and store its JSON as a new Analysis.

    Incremental when this process ran the topic before with the same moderation: only the votes
    since that run are read and merged (``consensus.update``); otherwise a full ``analyze``.
    Returns None when there is nothing new or too little to analyse.
    """
    from minsheng.analysis import consensus

    # Clear the flag before reading: a vote committed from now on flags again (see analysis_flag).
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
