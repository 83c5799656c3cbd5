"""The whole analysis in one call, and an incremental update that reuses the previous result."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from . import bridging as bridging_model
from .clusters import BASE_K, MAX_GROUPS, GroupClustering, SilhouetteWeighting, cluster_participants
from .pca import PCAResult, fit_pca
from .repness import (
    PICK_MAX,
    ConsensusStatement,
    GroupStats,
    RepresentativeStatement,
    count_votes,
    group_aware_consensus,
    group_stats,
    priority,
    select_consensus,
    select_representative,
)
from .votes import ConsensusInputError, Votes, votes_from_records

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MIN_VOTES_IN_CONVERSATION = 7
GREEDY_CONVERSATION_SIZE = 15


@dataclass(frozen=True)
class AnalysisOptions:
    min_votes: int = MIN_VOTES_IN_CONVERSATION
    greedy_size: int = GREEDY_CONVERSATION_SIZE
    base_k: int = BASE_K
    max_groups: int = MAX_GROUPS
    force_groups: int | None = None
    silhouette_weighting: SilhouetteWeighting = "size"
    pick_max: int = PICK_MAX
    pca_tolerance: float = 1e-8
    pca_max_iterations: int = 300
    bridging: bool = True
    bridging_pass_value: float | None = None


@dataclass(frozen=True)
class Forcing:
    """Reference state to reproduce (as red-dwarf's tests do): who is in, k, and initial centres."""

    in_conversation: frozenset[Any] | None = None
    base_centers: FloatArray | None = None
    group_centers: FloatArray | None = None


@dataclass(frozen=True)
class ConsensusResult:
    votes: Votes
    pca: PCAResult
    in_conversation: npt.NDArray[np.bool_]
    clustering: GroupClustering
    participant_group: IntArray
    """Group per participant, -1 for participants not in the conversation."""
    group_stats: GroupStats
    representative: list[list[RepresentativeStatement]]
    consensus: dict[str, list[ConsensusStatement]]
    group_aware_consensus: FloatArray
    group_aware_consensus_disagree: FloatArray
    priority: FloatArray
    bridging: bridging_model.BridgingResult | None
    options: AnalysisOptions
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def n_groups(self) -> int:
        return int(self.participant_group.max()) + 1 if len(self.participant_group) else 0

    def group_sizes(self) -> list[int]:
        members = self.participant_group[self.participant_group >= 0]
        return np.bincount(members, minlength=self.n_groups).tolist()


class _Stopwatch:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started


def _reached_threshold_at_some_time(votes: Votes, min_votes: int) -> npt.NDArray[np.bool_]:
    """Whether each participant, at one of their votes, had min(7, statements voted on so far) votes.

    pol.is re-applies its rule on every update and never removes anyone, so a participant who
    voted early, while the conversation had only a few statements, stays in with few votes.
    """
    counts = np.bincount(votes.row, minlength=votes.n_participants)
    reached = counts >= min(min_votes, votes.n_statements)
    # Only participants below the final threshold can depend on history; they are usually few.
    pending = np.flatnonzero(~reached[votes.row])
    if len(pending) == 0:
        return reached
    first_vote_time = np.full(votes.n_statements, np.inf)
    np.minimum.at(first_vote_time, votes.col, votes.time)
    opened = np.sort(first_vote_time)
    rows, times = votes.row[pending], votes.time[pending]
    order = np.lexsort((times, rows))
    rows, times = rows[order], times[order]
    group_start = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
    run_length = np.diff(np.r_[group_start, len(rows)])
    votes_so_far = np.arange(len(rows)) - np.repeat(group_start, run_length) + 1
    statements_so_far = np.searchsorted(opened, times, side="right")
    met = votes_so_far >= np.minimum(min_votes, statements_so_far)
    reached[rows[met]] = True
    return reached


def _early_top_up(
    votes: Votes, min_votes: int, greedy_size: int, limit: int = 20_000
) -> npt.NDArray[np.bool_]:
    """Replay the first votes: while fewer than 15 are in, pol.is adds the most active voters."""
    earliest = (
        np.argpartition(votes.time, limit)[:limit] if votes.n_votes > limit else np.arange(votes.n_votes)
    )
    order = earliest[np.argsort(votes.time[earliest], kind="stable")]
    counts = np.zeros(votes.n_participants, dtype=np.int64)
    inside = np.zeros(votes.n_participants, dtype=bool)
    seen_statements: set[int] = set()
    for position in order:
        participant = int(votes.row[position])
        counts[participant] += 1
        seen_statements.add(int(votes.col[position]))
        if counts[participant] >= min(min_votes, len(seen_statements)):
            inside[participant] = True
        missing = greedy_size - int(inside.sum())
        if missing <= 0:
            break
        voted = np.flatnonzero((counts > 0) & ~inside)
        ranked = voted[np.argsort(-counts[voted], kind="stable")]
        inside[ranked[:missing]] = True
    return inside


def participants_in_conversation(
    votes: Votes, min_votes: int, greedy_size: int, already_in: npt.NDArray[np.bool_] | None = None
) -> npt.NDArray[np.bool_]:
    """pol.is's rule: at least min(7, statements) votes; once in, always in; top up to 15 by vote count.

    "Once in" is replayed from the vote times (see `_reached_threshold_at_some_time`).
    """
    counts = np.bincount(votes.row, minlength=votes.n_participants)
    inside = _reached_threshold_at_some_time(votes, min_votes) | _early_top_up(votes, min_votes, greedy_size)
    if already_in is not None:
        inside |= already_in
    missing = greedy_size - int(inside.sum())
    if missing > 0:
        outside = np.flatnonzero(~inside)
        # Most votes first; among equals, the earlier participant id.
        ranked = outside[np.argsort(-counts[outside], kind="stable")]
        inside[ranked[:missing]] = True
    return inside


def _aligned_components(previous: ConsensusResult | None, votes: Votes) -> FloatArray | None:
    """The previous components laid out on the new statement list (new statements start at 0)."""
    if previous is None:
        return None
    old_ids = previous.votes.statement_ids
    positions = np.searchsorted(old_ids, votes.statement_ids)
    positions = np.clip(positions, 0, max(len(old_ids) - 1, 0))
    found = old_ids[positions] == votes.statement_ids if len(old_ids) else np.zeros(votes.n_statements, bool)
    start = np.zeros((2, votes.n_statements))
    start[:, found] = previous.pca.components[:, positions[found]]
    return start if np.any(start) else None


def _previous_in_conversation(previous: ConsensusResult | None, votes: Votes) -> npt.NDArray[np.bool_] | None:
    if previous is None:
        return None
    old_ids = previous.votes.participant_ids[previous.in_conversation]
    return np.isin(votes.participant_ids, old_ids)


def _forced_in_conversation(forcing: Forcing | None, votes: Votes) -> npt.NDArray[np.bool_] | None:
    if forcing is None or forcing.in_conversation is None:
        return None
    return np.isin(votes.participant_ids, np.array(sorted(forcing.in_conversation)))


def analyze(
    votes: Votes,
    options: AnalysisOptions | None = None,
    *,
    previous: ConsensusResult | None = None,
    forcing: Forcing | None = None,
) -> ConsensusResult:
    """Run the pol.is pipeline (and the bridging model) on `votes`.

    With `previous`, start from its components, centres and members (an incremental update).
    """
    options = options or AnalysisOptions()
    if votes.n_votes == 0:
        raise ConsensusInputError("there are no votes to analyse")
    if votes.n_participants < 2:
        raise ConsensusInputError("at least two participants must have voted to find opinion groups")
    watch = _Stopwatch()
    with watch.stage("pca"):
        pca = fit_pca(
            votes,
            previous_components=_aligned_components(previous, votes),
            max_iterations=options.pca_max_iterations,
            tolerance=options.pca_tolerance,
        )
    with watch.stage("clusters"):
        forced_in = _forced_in_conversation(forcing, votes)
        in_conversation = (
            forced_in
            if forced_in is not None
            else participants_in_conversation(
                votes, options.min_votes, options.greedy_size, _previous_in_conversation(previous, votes)
            )
        )
        members = np.flatnonzero(in_conversation)
        base_init = forcing.base_centers if forcing is not None else None
        group_init: dict[int, FloatArray] | None = None
        if forcing is not None and forcing.group_centers is not None:
            group_init = {len(forcing.group_centers): forcing.group_centers}
        if previous is not None:
            base_init = previous.clustering.base.centers if base_init is None else base_init
            if group_init is None:
                group_init = {k: c.centers for k, c in previous.clustering.clusterings_by_k.items()}
        clustering = cluster_participants(
            pca.participant_projection[members],
            base_k=options.base_k,
            max_groups=options.max_groups,
            force_k=options.force_groups,
            base_initial_centers=base_init,
            group_initial_centers=group_init,
            silhouette_weighting=options.silhouette_weighting,
        )
        participant_group = np.full(votes.n_participants, -1, dtype=np.int64)
        participant_group[members] = clustering.participant_groups
    with watch.stage("repness"):
        n_groups = int(participant_group.max()) + 1 if len(members) else 0
        counts = count_votes(votes, participant_group, n_groups)
        stats = group_stats(counts)
        excluded = votes.moderated_out_mask()
        statement_ids = votes.statement_ids.tolist()
        representative = select_representative(stats, statement_ids, excluded, options.pick_max)
        everyone = count_votes(votes, np.zeros(votes.n_participants, dtype=np.int64), 1)
        consensus = select_consensus(everyone, statement_ids, excluded, options.pick_max)
        gac_agree, gac_disagree = group_aware_consensus(counts)
        priorities = priority(counts, pca.statement_extremity, votes.meta_mask())
    bridging_result = None
    if options.bridging:
        with watch.stage("bridging"):
            # Start from the previous fit's factors, else from the first principal component.
            initial = pca.components[0] * np.sqrt(votes.n_statements) / 4
            if previous is not None and previous.bridging is not None:
                initial = _aligned_vector(
                    previous.votes.statement_ids, previous.bridging.factor, votes.statement_ids
                )
            bridging_result = bridging_model.bridging_rank(
                votes, pass_value=options.bridging_pass_value, initial_item_factor=initial
            )
    return ConsensusResult(
        votes=votes,
        pca=pca,
        in_conversation=in_conversation,
        clustering=clustering,
        participant_group=participant_group,
        group_stats=stats,
        representative=representative,
        consensus=consensus,
        group_aware_consensus=gac_agree,
        group_aware_consensus_disagree=gac_disagree,
        priority=priorities,
        bridging=bridging_result,
        options=options,
        timings=watch.timings,
    )


def _aligned_vector(
    old_ids: npt.NDArray[Any], old_values: FloatArray, new_ids: npt.NDArray[Any]
) -> FloatArray:
    positions = np.clip(np.searchsorted(old_ids, new_ids), 0, max(len(old_ids) - 1, 0))
    found = old_ids[positions] == new_ids
    aligned = np.zeros(len(new_ids))
    aligned[found] = old_values[positions[found]]
    return aligned


def merge_votes(old: Votes, new: Votes) -> Votes:
    """Old votes plus new ones; a new vote on an already voted pair replaces the old one.

    Index spaces are merged with searchsorted, so the cost is linear in the old votes.
    """
    if old.participant_ids.dtype.kind != new.participant_ids.dtype.kind:
        raise ConsensusInputError("new votes use a different kind of participant id")
    participant_ids = np.union1d(old.participant_ids, new.participant_ids)
    statement_ids = np.union1d(old.statement_ids, new.statement_ids)
    old_row = np.searchsorted(participant_ids, old.participant_ids)[old.row]
    old_col = np.searchsorted(statement_ids, old.statement_ids)[old.col]
    new_row = np.searchsorted(participant_ids, new.participant_ids)[new.row]
    new_col = np.searchsorted(statement_ids, new.statement_ids)[new.col]
    n_cols = len(statement_ids)
    old_key = old_row * n_cols + old_col
    new_key = new_row * n_cols + new_col
    replaced = np.isin(old_key, new_key)
    row = np.concatenate([old_row[~replaced], new_row])
    col = np.concatenate([old_col[~replaced], new_col])
    key = np.concatenate([old_key[~replaced], new_key])
    order = np.argsort(key, kind="stable")
    merged = Votes(
        participant_ids=participant_ids,
        statement_ids=statement_ids,
        row=row[order],
        col=col[order],
        value=np.concatenate([old.value[~replaced], new.value])[order],
        time=np.concatenate([old.time[~replaced], new.time])[order],
        moderated_out=old.moderated_out | new.moderated_out,
        meta=old.meta | new.meta,
    )
    return merged


def update(
    previous: ConsensusResult,
    participants: Any,
    statements: Any,
    values: Any,
    times: Any = None,
) -> ConsensusResult:
    """Add new votes to a previous result and re-run, warm-started from it (not from scratch)."""
    started = time.perf_counter()
    new = votes_from_records(participants, statements, values, times)
    merged = merge_votes(previous.votes, new)
    merging = time.perf_counter() - started
    result = analyze(merged, previous.options, previous=previous)
    return replace(result, timings={"merge": merging, **result.timings})
