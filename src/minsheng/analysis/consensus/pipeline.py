"""The whole analysis in one call, and an incremental update that reuses the previous result."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from . import bridging as bridging_model
from .clusters import BASE_K, MAX_GROUPS, GroupClustering, SilhouetteWeighting, cluster_participants
from .incremental import (
    IncrementalState,
    MergeInfo,
    first_vote_times,
    merge_with_info,
    rows_of,
    update_centred,
    update_counts,
)
from .pca import CentredVotes, PCAResult, centre_votes, fit_pca
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
    warm_base_tolerance: float = 0.01
    """Warm-started base k-means (an update) stops once no centre moves by this much, as pol.is's
    updates do (`same-clustering?`, 0.01); 0 iterates to a fixed point like a cold run."""
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
    state: IncrementalState | None = field(default=None, repr=False, compare=False)
    """Sums `update` applies new votes to (see `incremental.py`); None on results built by hand."""

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


def _replay_reached(rows: IntArray, times: FloatArray, opened: FloatArray, min_votes: int) -> IntArray:
    """Participants (of `rows`) who, at one of the given votes, had min(7, statements opened) votes.

    `rows` and `times` are all the votes of the participants concerned; `opened` is the sorted
    first-vote time of every statement.
    """
    order = np.lexsort((times, rows))
    rows, times = rows[order], times[order]
    group_start = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
    run_length = np.diff(np.r_[group_start, len(rows)])
    votes_so_far = np.arange(len(rows)) - np.repeat(group_start, run_length) + 1
    statements_so_far = np.searchsorted(opened, times, side="right")
    met = votes_so_far >= np.minimum(min_votes, statements_so_far)
    return np.asarray(np.unique(rows[met]))


def _reached_threshold_at_some_time(
    votes: Votes, min_votes: int, first_vote_time: FloatArray | None = None
) -> npt.NDArray[np.bool_]:
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
    if first_vote_time is None:
        first_vote_time = first_vote_times(votes)
    reached[_replay_reached(votes.row[pending], votes.time[pending], np.sort(first_vote_time), min_votes)] = (
        True
    )
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
    votes: Votes,
    min_votes: int,
    greedy_size: int,
    already_in: npt.NDArray[np.bool_] | None = None,
    first_vote_time: FloatArray | None = None,
) -> npt.NDArray[np.bool_]:
    """pol.is's rule: at least min(7, statements) votes; once in, always in; top up to 15 by vote count.

    "Once in" is replayed from the vote times (see `_reached_threshold_at_some_time`).
    """
    inside = _reached_threshold_at_some_time(votes, min_votes, first_vote_time) | _early_top_up(
        votes, min_votes, greedy_size
    )
    if already_in is not None:
        inside |= already_in
    return _top_up(votes, inside, greedy_size)


def _top_up(votes: Votes, inside: npt.NDArray[np.bool_], greedy_size: int) -> npt.NDArray[np.bool_]:
    missing = greedy_size - int(inside.sum())
    if missing > 0:
        counts = np.bincount(votes.row, minlength=votes.n_participants)
        outside = np.flatnonzero(~inside)
        # Most votes first; among equals, the earlier participant id.
        ranked = outside[np.argsort(-counts[outside], kind="stable")]
        inside[ranked[:missing]] = True
    return inside


def _aligned_components(previous: ConsensusResult | None, votes: Votes) -> FloatArray | None:
    """The previous components laid out on the new statement list (new statements start at 0)."""
    if previous is None:
        return None
    start = _aligned_columns(previous.votes.statement_ids, previous.pca.components, votes.statement_ids)
    return start if np.any(start) else None


def _aligned_block(previous: ConsensusResult | None, votes: Votes) -> FloatArray | None:
    """The previous final Ritz block (statements x block) laid out on the new statement list."""
    if previous is None or previous.pca.block is None or previous.pca.block.shape[1] == 0:
        return None
    block = _aligned_columns(previous.votes.statement_ids, previous.pca.block.T, votes.statement_ids).T
    return block if np.any(block) else None


def _aligned_columns(old_ids: npt.NDArray[Any], old: FloatArray, new_ids: npt.NDArray[Any]) -> FloatArray:
    """Columns of `old` (one per old statement id) moved to the new ids; new statements get 0."""
    if len(old_ids) == len(new_ids) and np.array_equal(old_ids, new_ids):
        return np.array(old, dtype=np.float64)  # the usual update: no new statement
    positions = np.clip(np.searchsorted(old_ids, new_ids), 0, max(len(old_ids) - 1, 0))
    found = old_ids[positions] == new_ids if len(old_ids) else np.zeros(len(new_ids), bool)
    aligned = np.zeros((old.shape[0], len(new_ids)))
    aligned[:, found] = old[:, positions[found]]
    return aligned


def _previous_base_labels(previous: ConsensusResult, votes: Votes, members: IntArray) -> IntArray | None:
    """Each member's base cluster in the previous result (-1 for new members): a guess that lets
    the warm-started base k-means skip the first assignment of points that provably stay."""
    old_members = np.flatnonzero(previous.in_conversation)
    old_labels = previous.clustering.base.labels
    if len(old_members) != len(old_labels) or len(old_labels) == 0 or votes.n_participants == 0:
        return None
    old_ids = previous.votes.participant_ids[old_members]
    position = np.minimum(np.searchsorted(votes.participant_ids, old_ids), votes.n_participants - 1)
    found = votes.participant_ids[position] == old_ids
    labels = np.full(votes.n_participants, -1, dtype=np.int64)
    labels[position[found]] = old_labels[found]
    return np.asarray(labels[members])


def _previous_in_conversation(previous: ConsensusResult | None, votes: Votes) -> npt.NDArray[np.bool_] | None:
    if previous is None:
        return None
    old_ids = previous.votes.participant_ids[previous.in_conversation]
    return np.isin(votes.participant_ids, old_ids)


def _forced_in_conversation(forcing: Forcing | None, votes: Votes) -> npt.NDArray[np.bool_] | None:
    if forcing is None or forcing.in_conversation is None:
        return None
    return np.isin(votes.participant_ids, np.array(sorted(forcing.in_conversation)))


def _row_major(votes: Votes) -> Votes:
    """The same votes sorted by (participant, statement), the order the stored CSR relies on."""
    if votes.n_votes < 2:
        return votes
    key = votes.row * np.int64(max(votes.n_statements, 1)) + votes.col
    if np.all(key[1:] > key[:-1]):
        return votes
    order = np.argsort(key, kind="stable")
    return replace(
        votes, row=votes.row[order], col=votes.col[order], value=votes.value[order], time=votes.time[order]
    )


@dataclass(frozen=True)
class _Prepared:
    """What the incremental path computes differently from a full run; the rest is shared."""

    centred: CentredVotes
    column_sums: FloatArray
    column_counts: IntArray
    first_vote_time: FloatArray
    in_conversation: npt.NDArray[np.bool_] | None
    merge: MergeInfo | None = None


def analyze(
    votes: Votes,
    options: AnalysisOptions | None = None,
    *,
    previous: ConsensusResult | None = None,
    forcing: Forcing | None = None,
) -> ConsensusResult:
    """Run the pol.is pipeline (and the bridging model) on `votes`.

    With `previous`, start from its components (the whole Ritz block), base and group centres and
    members: this is exactly what `update` computes, by difference, from the previous result.
    """
    options = options or AnalysisOptions()
    if votes.n_votes == 0:
        raise ConsensusInputError("there are no votes to analyse")
    if votes.n_participants < 2:
        raise ConsensusInputError("at least two participants must have voted to find opinion groups")
    watch = _Stopwatch()
    with watch.stage("pca"):
        votes = _row_major(votes)
        centred = centre_votes(votes)
        kept = ~centred.moderated_out[votes.col]
        column_sums = np.asarray(
            np.bincount(votes.col[kept], weights=votes.value[kept], minlength=votes.n_statements),
            dtype=np.float64,
        )
        column_counts = np.bincount(votes.col[kept], minlength=votes.n_statements).astype(np.int64)
    with watch.stage("clusters"):
        first_times = first_vote_times(votes)
    prepared = _Prepared(centred, column_sums, column_counts, first_times, None)
    return _run(votes, options, previous, forcing, prepared, watch)


def _run(
    votes: Votes,
    options: AnalysisOptions,
    previous: ConsensusResult | None,
    forcing: Forcing | None,
    prepared: _Prepared,
    watch: _Stopwatch,
) -> ConsensusResult:
    # The bridging model needs only the votes: it runs on the other core beside the whole pol.is
    # pipeline (scipy's sparse products, its bulk, release the GIL).
    bridging_future = _start_bridging(votes, options, previous, watch)
    with watch.stage("pca"):
        pca = fit_pca(
            votes,
            previous_components=_aligned_components(previous, votes),
            previous_block=_aligned_block(previous, votes),
            max_iterations=options.pca_max_iterations,
            tolerance=options.pca_tolerance,
            centred=prepared.centred,
        )
    with watch.stage("clusters"):
        forced_in = _forced_in_conversation(forcing, votes)
        if forced_in is not None:
            in_conversation = forced_in
        elif prepared.in_conversation is not None:
            in_conversation = prepared.in_conversation
        else:
            in_conversation = participants_in_conversation(
                votes,
                options.min_votes,
                options.greedy_size,
                _previous_in_conversation(previous, votes),
                prepared.first_vote_time,
            )
        members = np.flatnonzero(in_conversation)
        base_init = forcing.base_centers if forcing is not None else None
        group_init: dict[int, FloatArray] | None = None
        if forcing is not None and forcing.group_centers is not None:
            group_init = {len(forcing.group_centers): forcing.group_centers}
        base_tolerance = 0.0
        base_labels = None
        if previous is not None:
            if base_init is None:
                base_init = previous.clustering.base.centers
                base_tolerance = options.warm_base_tolerance
                base_labels = _previous_base_labels(previous, votes, members)
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
            base_tolerance=base_tolerance,
            base_initial_labels=base_labels,
        )
        participant_group = np.full(votes.n_participants, -1, dtype=np.int64)
        participant_group[members] = clustering.participant_groups
    with watch.stage("repness"):
        n_groups = int(participant_group.max()) + 1 if len(members) else 0
        merge = prepared.merge
        if merge is not None and previous is not None and previous.state is not None:
            old_indptr = previous.state.centred.matrix.indptr
            indptr = prepared.centred.matrix.indptr
            counts = update_counts(
                previous.group_stats.counts,
                previous.votes,
                old_indptr,
                previous.participant_group,
                votes,
                indptr,
                participant_group,
                n_groups,
                merge,
            )
            everyone = update_counts(
                previous.state.everyone,
                previous.votes,
                old_indptr,
                np.zeros(previous.votes.n_participants, dtype=np.int64),
                votes,
                indptr,
                np.zeros(votes.n_participants, dtype=np.int64),
                1,
                merge,
            )
        else:
            counts = count_votes(votes, participant_group, n_groups)
            everyone = count_votes(votes, np.zeros(votes.n_participants, dtype=np.int64), 1)
        stats = group_stats(counts)
        excluded = prepared.centred.moderated_out
        statement_ids = votes.statement_ids.tolist()
        representative = select_representative(stats, statement_ids, excluded, options.pick_max)
        consensus = select_consensus(everyone, statement_ids, excluded, options.pick_max)
        gac_agree, gac_disagree = group_aware_consensus(counts)
        priorities = priority(counts, pca.statement_extremity, votes.meta_mask())
    bridging_result = bridging_future.result() if bridging_future is not None else None
    state = IncrementalState(
        centred=prepared.centred,
        column_sums=prepared.column_sums,
        column_counts=prepared.column_counts,
        first_vote_time=prepared.first_vote_time,
        everyone=everyone,
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
        state=state,
    )


def _start_bridging(
    votes: Votes,
    options: AnalysisOptions,
    previous: ConsensusResult | None,
    watch: _Stopwatch,
) -> Future[bridging_model.BridgingResult] | None:
    """The bridging fit, started in a thread; None when the options leave it out.

    It starts from the previous fit's factors, else from the model's seeded random start (on the
    pol.is conversations and the 1 M-vote synthetic one it reaches the same fit as a start from
    the first principal component, to 1e-6, and it need not wait for the PCA).
    """
    if not options.bridging:
        return None
    initial = None
    if previous is not None and previous.bridging is not None:
        initial = _aligned_vector(previous.votes.statement_ids, previous.bridging.factor, votes.statement_ids)

    def fit() -> bridging_model.BridgingResult:
        with watch.stage("bridging"):
            return bridging_model.bridging_rank(
                votes, pass_value=options.bridging_pass_value, initial_item_factor=initial
            )

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bridging")
    future = executor.submit(fit)
    executor.shutdown(wait=False)  # the thread ends with its one task
    return future


def _aligned_vector(
    old_ids: npt.NDArray[Any], old_values: FloatArray, new_ids: npt.NDArray[Any]
) -> FloatArray:
    return np.asarray(_aligned_columns(old_ids, old_values[None, :], new_ids)[0])


def merge_votes(old: Votes, new: Votes) -> Votes:
    """Old votes plus new ones; a new vote on an already voted pair replaces the old one.

    Both tables are kept sorted by (participant, statement), so the new votes are placed by binary
    search and inserted: no re-sort of the old votes.
    """
    merged, _ = merge_with_info(old, new)
    return merged


def _in_conversation_after(
    previous: ConsensusResult, votes: Votes, merge: MergeInfo, indptr: IntArray, first_time: FloatArray
) -> npt.NDArray[np.bool_] | None:
    """pol.is's rule applied to the participants the new votes touched; None if a full pass is needed.

    Everyone previously in stays in. A participant without new votes keeps the status they had
    (their votes, and the statements open when they cast them, are unchanged), so only touched
    participants are checked, by count or, below the threshold, by replaying their votes.
    """
    options = previous.options
    inside = np.zeros(votes.n_participants, dtype=bool)
    inside[merge.participant_map[previous.in_conversation]] = True
    if int(inside.sum()) < options.greedy_size or previous.votes.n_statements < options.min_votes:
        return None  # the top-up or a growing threshold can still change: use the full rule
    threshold = min(options.min_votes, votes.n_statements)
    touched = np.unique(merge.new_row)
    touched = touched[~inside[touched]]
    votes_cast = indptr[touched + 1] - indptr[touched]
    inside[touched[votes_cast >= threshold]] = True
    pending = touched[votes_cast < threshold]
    if len(pending):
        positions = rows_of(indptr, pending)
        inside[
            _replay_reached(
                votes.row[positions], votes.time[positions], np.sort(first_time), options.min_votes
            )
        ] = True
    return inside


def update(
    previous: ConsensusResult,
    participants: Any,
    statements: Any,
    values: Any,
    times: Any = None,
) -> ConsensusResult:
    """Add new votes to a previous result, applying them as a difference (not from scratch).

    The result equals `analyze(merge_votes(previous.votes, new), previous.options,
    previous=previous)`, the full run warm-started from the same previous state (to the PCA
    tolerance); see docs/consensus.md for when that equals a cold full run.
    """
    started = time.perf_counter()
    new = votes_from_records(participants, statements, values, times)
    if times is None:
        # Without times, new votes come after every old one.
        latest = float(previous.votes.time.max()) if previous.votes.n_votes else 0.0
        new = replace(new, time=new.time + latest + 1.0)
    if previous.state is None:
        merged = merge_votes(previous.votes, new)
        merging = time.perf_counter() - started
        result = analyze(merged, previous.options, previous=previous)
        return replace(result, timings={"merge": merging, **result.timings})
    merged, merge = merge_with_info(
        previous.votes, new, old_is_sorted=True, old_indptr=previous.state.centred.matrix.indptr
    )
    merging = time.perf_counter() - started
    watch = _Stopwatch()
    with watch.stage("pca"):
        centred, sums, counts = update_centred(previous.state, previous.votes, merged, merge)
    with watch.stage("clusters"):
        first_time = np.full(merged.n_statements, np.inf)
        first_time[merge.statement_map] = previous.state.first_vote_time
        np.minimum.at(first_time, merge.new_col, merge.new_time)
        in_conversation = _in_conversation_after(previous, merged, merge, centred.matrix.indptr, first_time)
    prepared = _Prepared(centred, sums, counts, first_time, in_conversation, merge)
    result = _run(merged, previous.options, previous, None, prepared, watch)
    return replace(result, timings={"merge": merging, **result.timings})
