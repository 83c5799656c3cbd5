"""What an incremental update carries from one result to the next, and how it applies a delta.

A full run keeps, next to its result, the sums it would otherwise recount: the centred CSR
matrix and each statement's vote sum and count, each participant's votes cast, each statement's
first vote time, and the vote counts over everyone. `update` then costs, for 1 % new votes,
O(new votes + votes of the participants touched or regrouped) for the counts and one pass over
the stored votes to refresh the matrix values (the centre of every touched statement moves),
instead of sorting and counting everything again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .pca import CentredVotes, centre_from_sums, centre_votes, csr_from_votes
from .repness import VoteCounts
from .votes import ConsensusInputError, Votes

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class IncrementalState:
    """Sums kept with a result so that `update` can apply new votes as a difference."""

    centred: CentredVotes
    column_sums: FloatArray
    """Sum of the kept (not moderated-out) vote values per statement."""
    column_counts: IntArray
    """Kept votes per statement."""
    first_vote_time: FloatArray
    """Time of each statement's first vote (for the in-conversation replay)."""
    everyone: VoteCounts
    """Agree / disagree / seen counts over all participants, shape (1, statements)."""


@dataclass(frozen=True)
class MergeInfo:
    """How the old table maps into the merged one, and which votes are new."""

    participant_map: IntArray
    """Old participant index -> merged index."""
    statement_map: IntArray
    """Old statement index -> merged index."""
    new_row: IntArray
    new_col: IntArray
    new_value: npt.NDArray[np.int8]
    new_time: FloatArray
    replaced: npt.NDArray[np.bool_]
    """Per new vote: it replaced an old vote on the same pair."""
    replaced_old_value: npt.NDArray[np.int8]
    """The replaced old votes' values (same order as the new votes with `replaced`)."""
    indptr: IntArray | None = None
    """Row pointers of the merged table (participant i's votes are indptr[i]:indptr[i + 1])."""


def _sorted_keys(row: IntArray, col: IntArray, n_cols: int) -> IntArray:
    return np.asarray(row * np.int64(max(n_cols, 1)) + col)


def _is_strictly_increasing(keys: IntArray) -> bool:
    return bool(len(keys) < 2 or np.all(keys[1:] > keys[:-1]))


def _id_union(
    old_ids: npt.NDArray[Any], new_ids: npt.NDArray[Any]
) -> tuple[npt.NDArray[Any], IntArray | None]:
    """Sorted union of two sorted id arrays and the old ids' merged indices (None: unchanged ids).

    Only the few ids not seen before are sorted and inserted (no sort of the whole union).
    """
    if len(old_ids) == 0:
        return new_ids, np.zeros(0, dtype=np.int64)
    at = np.minimum(np.searchsorted(old_ids, new_ids), len(old_ids) - 1)
    seen = old_ids[at] == new_ids
    if seen.all():
        return old_ids, None  # the usual update: nobody and nothing new
    missing = new_ids[~seen]  # sorted and unique, as `new_ids` is
    union = np.insert(old_ids, np.searchsorted(old_ids, missing), missing)
    # Old id i moves up by the number of new ids smaller than it.
    old_map = np.arange(len(old_ids), dtype=np.int64) + np.searchsorted(missing, old_ids)
    return union, old_map


def _find_in_rows(
    starts: IntArray, ends: IntArray, old_col: IntArray, statement_map: IntArray | None, col: IntArray
) -> IntArray:
    """Per new vote, the first old vote in its participant's run [start, end) on a statement >= col.

    A binary search in every run at once (about log2(statements) vectorised steps over the new
    votes), so placing 1 % new votes never touches the other 99 %.
    """
    lo, hi = starts.copy(), ends.copy()
    last = max(len(old_col) - 1, 0)
    while True:
        active = lo < hi
        if not active.any():
            return lo
        mid = (lo + hi) >> 1
        at = old_col[np.minimum(mid, last)]
        mid_col = at if statement_map is None else statement_map[at]
        right = active & (mid_col < col)
        lo = np.where(right, mid + 1, lo)
        hi = np.where(active & ~right, mid, hi)


def merge_with_info(
    old: Votes, new: Votes, *, old_is_sorted: bool = False, old_indptr: IntArray | None = None
) -> tuple[Votes, MergeInfo]:
    """Old votes plus new ones (a new vote on a voted pair replaces the old one), without re-sorting.

    Both tables are sorted by (participant, statement); mapping the old indices into the merged
    id spaces keeps that order, so the new votes are placed by binary search and inserted.
    `old_is_sorted` skips checking that order on the old table (a result's votes always are);
    `old_indptr` (the old table's row pointers) makes the search run inside each participant's
    votes only.
    """
    if old.participant_ids.dtype.kind != new.participant_ids.dtype.kind:
        raise ConsensusInputError("new votes use a different kind of participant id")
    if old_indptr is not None and old_is_sorted:
        return _merge_by_rows(old, new, old_indptr)
    participant_ids = np.union1d(old.participant_ids, new.participant_ids)
    statement_ids = np.union1d(old.statement_ids, new.statement_ids)
    participant_map = np.searchsorted(participant_ids, old.participant_ids).astype(np.int64)
    statement_map = np.searchsorted(statement_ids, old.statement_ids).astype(np.int64)
    same_rows = len(participant_ids) == old.n_participants
    same_cols = len(statement_ids) == old.n_statements
    old_row = old.row if same_rows else participant_map[old.row]
    old_col = old.col if same_cols else statement_map[old.col]
    new_row = np.searchsorted(participant_ids, new.participant_ids)[new.row].astype(np.int64)
    new_col = np.searchsorted(statement_ids, new.statement_ids)[new.col].astype(np.int64)
    n_cols = len(statement_ids)
    old_key = _sorted_keys(old_row, old_col, n_cols)
    new_key = _sorted_keys(new_row, new_col, n_cols)
    if not ((old_is_sorted or _is_strictly_increasing(old_key)) and _is_strictly_increasing(new_key)):
        # Not in the usual (participant, statement) order: sort once, then merge as usual.
        old_order = np.argsort(old_key, kind="stable")
        new_order = np.argsort(new_key, kind="stable")
        old_row, old_col, old_key = old_row[old_order], old_col[old_order], old_key[old_order]
        new_row, new_col, new_key = new_row[new_order], new_col[new_order], new_key[new_order]
        old_value, old_time = old.value[old_order], old.time[old_order]
        new_value, new_time = new.value[new_order], new.time[new_order]
    else:
        old_value, old_time = old.value, old.time
        new_value, new_time = new.value, new.time
    position = np.searchsorted(old_key, new_key)
    replaced = position < len(old_key)
    replaced[replaced] = old_key[position[replaced]] == new_key[replaced]
    at = position[replaced]
    replaced_old_value = old_value[at].copy()
    value = old_value.copy()
    time = old_time.copy()
    value[at] = new_value[replaced]
    time[at] = new_time[replaced]
    inserted = ~replaced
    where = position[inserted]
    merged = Votes(
        participant_ids=participant_ids,
        statement_ids=statement_ids,
        row=np.insert(old_row, where, new_row[inserted]),
        col=np.insert(old_col, where, new_col[inserted]),
        value=np.insert(value, where, new_value[inserted]),
        time=np.insert(time, where, new_time[inserted]),
        moderated_out=old.moderated_out | new.moderated_out,
        meta=old.meta | new.meta,
    )
    info = MergeInfo(
        participant_map=participant_map,
        statement_map=statement_map,
        new_row=new_row,
        new_col=new_col,
        new_value=new_value,
        new_time=new_time,
        replaced=replaced,
        replaced_old_value=replaced_old_value,
    )
    return merged, info


def _identity_if_none(mapping: IntArray | None, size: int) -> IntArray:
    return np.arange(size, dtype=np.int64) if mapping is None else mapping


def _merge_by_rows(old: Votes, new: Votes, old_indptr: IntArray) -> tuple[Votes, MergeInfo]:
    """`merge_with_info` for a sorted old table with known row pointers (what `update` has).

    Equal, array for array, to the general path; it only avoids the passes over all old votes
    that the general path makes to build and search (participant, statement) keys.
    """
    participant_ids, participant_map = _id_union(old.participant_ids, new.participant_ids)
    statement_ids, statement_map = _id_union(old.statement_ids, new.statement_ids)
    n_rows, n_cols = len(participant_ids), len(statement_ids)
    new_row = np.searchsorted(participant_ids, new.participant_ids)[new.row].astype(np.int64)
    new_col = np.searchsorted(statement_ids, new.statement_ids)[new.col].astype(np.int64)
    new_value, new_time = new.value, new.time
    new_key = _sorted_keys(new_row, new_col, n_cols)
    if not _is_strictly_increasing(new_key):
        order = np.argsort(new_key, kind="stable")
        new_row, new_col, new_value, new_time = (
            new_row[order],
            new_col[order],
            new_value[order],
            new_time[order],
        )
    # Old row pointers laid out on the merged participants (new participants have no old votes).
    old_lengths = np.diff(old_indptr)
    if participant_map is None:
        starts_by_row = old_indptr
        lengths = old_lengths.copy()
    else:
        lengths = np.zeros(n_rows, dtype=np.int64)
        lengths[participant_map] = old_lengths
        starts_by_row = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts_by_row[1:])
    position = _find_in_rows(
        starts_by_row[new_row], starts_by_row[new_row + 1], old.col, statement_map, new_col
    )
    ends = starts_by_row[new_row + 1]
    replaced = position < ends
    if replaced.any():
        at_col = old.col[position[replaced]]
        replaced[replaced] = (at_col if statement_map is None else statement_map[at_col]) == new_col[replaced]
    at = position[replaced]
    replaced_old_value = old.value[at]
    inserted = ~replaced
    where = position[inserted]
    n_old, n_inserted = old.n_votes, len(where)
    # Old vote p moves to p + (new votes inserted at or before p); the inserted ones fill the gaps.
    destination = where + np.arange(n_inserted, dtype=np.int64)
    keep = np.ones(n_old + n_inserted, dtype=bool)
    keep[destination] = False

    def spliced(old_values: npt.NDArray[Any], new_values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        out = np.empty(n_old + n_inserted, dtype=old_values.dtype)
        out[keep] = old_values
        out[destination] = new_values
        return out

    old_row = old.row if participant_map is None else participant_map[old.row]
    old_col = old.col if statement_map is None else statement_map[old.col]
    value = spliced(old.value, new_value[inserted])
    time = spliced(old.time, new_time[inserted])
    moved = at + np.searchsorted(where, at, side="right")
    value[moved] = new_value[replaced]
    time[moved] = new_time[replaced]
    lengths += np.bincount(new_row[inserted], minlength=n_rows)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    merged = Votes(
        participant_ids=participant_ids,
        statement_ids=statement_ids,
        row=spliced(old_row, new_row[inserted]),
        col=spliced(old_col, new_col[inserted]),
        value=value,
        time=time,
        moderated_out=old.moderated_out | new.moderated_out,
        meta=old.meta | new.meta,
    )
    info = MergeInfo(
        participant_map=_identity_if_none(participant_map, old.n_participants),
        statement_map=_identity_if_none(statement_map, old.n_statements),
        new_row=new_row,
        new_col=new_col,
        new_value=new_value,
        new_time=new_time,
        replaced=replaced,
        replaced_old_value=replaced_old_value,
        indptr=indptr,
    )
    return merged, info


def first_vote_times(votes: Votes) -> FloatArray:
    first = np.full(votes.n_statements, np.inf)
    np.minimum.at(first, votes.col, votes.time)
    return first


def _expand(
    values: npt.NDArray[np.generic], mapping: IntArray, size: int, fill: float
) -> npt.NDArray[np.generic]:
    """Lay out per-old-index values on the merged index space (new entries get `fill`)."""
    expanded = np.full(size, fill, dtype=values.dtype)
    expanded[mapping] = values
    return expanded


def update_centred(
    state: IncrementalState, previous: Votes, merged: Votes, info: MergeInfo
) -> tuple[CentredVotes, FloatArray, IntArray]:
    """The merged table's centred matrix from the previous sums plus the new votes.

    The column sums are sums of integers, hence exact: the centre, and so the matrix, are equal
    bit for bit to what `centre_votes` builds from scratch. Returns (centred, sums, counts).
    """
    moderated_out = merged.moderated_out_mask()
    if not np.array_equal(moderated_out[info.statement_map], state.centred.moderated_out):
        # Moderation changed: the kept votes change column-wide; rebuild from scratch.
        centred = centre_votes(merged)
        kept = ~moderated_out[merged.col]
        sums = np.asarray(
            np.bincount(merged.col[kept], weights=merged.value[kept], minlength=merged.n_statements),
            dtype=np.float64,
        )
        counts = np.bincount(merged.col[kept], minlength=merged.n_statements).astype(np.int64)
        return centred, sums, counts
    n_cols, n_rows = merged.n_statements, merged.n_participants
    sums = np.asarray(_expand(state.column_sums, info.statement_map, n_cols, 0.0), dtype=np.float64)
    counts = np.asarray(_expand(state.column_counts, info.statement_map, n_cols, 0), dtype=np.int64)
    kept_new = ~moderated_out[info.new_col]
    new_value = info.new_value.astype(np.float64)
    old_value = np.zeros(len(new_value))
    old_value[info.replaced] = info.replaced_old_value
    inserted = ~info.replaced
    sums += np.bincount(info.new_col[kept_new], weights=(new_value - old_value)[kept_new], minlength=n_cols)
    counts += np.bincount(info.new_col[kept_new & inserted], minlength=n_cols).astype(np.int64)
    center = centre_from_sums(sums, counts, moderated_out)
    n_moderated_old = int(state.centred.moderated_out.sum())
    kept_cast = np.asarray(
        _expand(state.centred.votes_per_participant - n_moderated_old, info.participant_map, n_rows, 0),
        dtype=np.int64,
    )
    kept_cast += np.bincount(info.new_row[kept_new & inserted], minlength=n_rows)
    values = merged.value.astype(np.float64)
    data = values - center[merged.col]
    if moderated_out.any():
        data[moderated_out[merged.col]] = 0.0
    centred = CentredVotes(
        csr_from_votes(merged, data, info.indptr), center, kept_cast + int(moderated_out.sum()), moderated_out
    )
    return centred, sums, counts


def rows_of(indptr: IntArray, rows: IntArray) -> IntArray:
    """Positions, in a row-major vote table, of all votes of the given participants."""
    starts, ends = indptr[rows], indptr[rows + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(np.r_[0, lengths[:-1]]), lengths)
    return np.asarray(np.arange(total, dtype=np.int64) + offsets)


def _add_counts(
    agree: IntArray,
    disagree: IntArray,
    seen: IntArray,
    labels: IntArray,
    cols: IntArray,
    values: npt.NDArray[np.int8],
    sign: int,
) -> None:
    member = labels >= 0
    n_statements = agree.shape[1]
    key = labels[member] * n_statements + cols[member]
    value = values[member]
    size = agree.size
    agree += sign * np.bincount(key[value == 1], minlength=size).reshape(agree.shape)
    disagree += sign * np.bincount(key[value == -1], minlength=size).reshape(agree.shape)
    seen += sign * np.bincount(key, minlength=size).reshape(agree.shape)


def update_counts(
    old_counts: VoteCounts,
    old_votes: Votes,
    old_indptr: IntArray,
    old_labels: IntArray,
    merged: Votes,
    merged_indptr: IntArray,
    labels: IntArray,
    n_groups: int,
    info: MergeInfo,
) -> VoteCounts:
    """Counts per (group, statement) from the previous counts, by difference.

    A participant who kept their group contributes only their new votes (minus the old votes
    these replaced); a participant who changed group is moved with all their votes. Cost:
    O(new votes + votes of the participants who changed group).

    Equal to `count_votes(merged, labels, n_groups)`: the counts are integers.
    """
    shape = (n_groups, merged.n_statements)
    agree = np.zeros(shape, dtype=np.int64)
    disagree = np.zeros(shape, dtype=np.int64)
    seen = np.zeros(shape, dtype=np.int64)
    kept_groups = min(n_groups, old_counts.agree.shape[0])
    columns = info.statement_map
    agree[:kept_groups, columns] = old_counts.agree[:kept_groups]
    disagree[:kept_groups, columns] = old_counts.disagree[:kept_groups]
    seen[:kept_groups, columns] = old_counts.seen[:kept_groups]
    old_labels_merged = np.full(merged.n_participants, -1, dtype=np.int64)
    old_labels_merged[info.participant_map] = old_labels
    # A group beyond the new count disappears: its members all changed group.
    old_labels_merged[old_labels_merged >= n_groups] = -1
    changed = old_labels_merged != labels
    # Participants who kept their group: add their new votes, remove the votes these replaced.
    steady = ~changed[info.new_row]
    steady_labels = labels[info.new_row[steady]]
    _add_counts(agree, disagree, seen, steady_labels, info.new_col[steady], info.new_value[steady], 1)
    replaced_old = np.zeros(len(info.new_value), dtype=np.int8)
    replaced_old[info.replaced] = info.replaced_old_value
    gone = steady & info.replaced
    _add_counts(agree, disagree, seen, labels[info.new_row[gone]], info.new_col[gone], replaced_old[gone], -1)
    # Participants who changed group: all their old votes out of the old group, all current ones in.
    moved = np.flatnonzero(changed)
    if len(moved):
        old_rows = np.searchsorted(info.participant_map, moved)
        was_old = (old_rows < len(info.participant_map)) & (
            info.participant_map[np.minimum(old_rows, len(info.participant_map) - 1)] == moved
        )
        old_positions = rows_of(old_indptr, old_rows[was_old])
        old_row_merged = info.participant_map[old_votes.row[old_positions]]
        _add_counts(
            agree,
            disagree,
            seen,
            old_labels_merged[old_row_merged],
            info.statement_map[old_votes.col[old_positions]],
            old_votes.value[old_positions],
            -1,
        )
        positions = rows_of(merged_indptr, moved)
        _add_counts(
            agree,
            disagree,
            seen,
            labels[merged.row[positions]],
            merged.col[positions],
            merged.value[positions],
            1,
        )
    return VoteCounts(agree=agree, disagree=disagree, seen=seen)
