"""Incremental update: previous result + new votes gives what a full run gives, warm-started."""

from __future__ import annotations

import numpy as np

from minsheng.analysis.consensus import AnalysisOptions, analyze, merge_votes, update, votes_from_records
from minsheng.analysis.consensus.synthetic import camps_conversation


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = {(int(x), int(y)) for x, y in zip(a, b, strict=True)}
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_update_gives_the_same_groups_as_a_full_run() -> None:
    conversation = camps_conversation(300, 80, 9_000, n_camps=2, seed=2)
    everything = conversation.votes
    first = np.arange(everything.n_votes) < int(everything.n_votes * 0.9)
    old = votes_from_records(
        everything.participant_ids[everything.row[first]],
        everything.statement_ids[everything.col[first]],
        everything.value[first],
        everything.time[first],
    )
    previous = analyze(old, AnalysisOptions())
    later = ~first
    updated = update(
        previous,
        everything.participant_ids[everything.row[later]],
        everything.statement_ids[everything.col[later]],
        everything.value[later],
    )
    full = analyze(everything, AnalysisOptions())
    assert np.array_equal(updated.votes.participant_ids, full.votes.participant_ids)
    assert np.array_equal(updated.in_conversation, full.in_conversation)
    assert updated.n_groups == full.n_groups
    inside = full.participant_group >= 0
    assert _same_partition(updated.participant_group[inside], full.participant_group[inside])
    assert np.allclose(np.abs(updated.pca.components), np.abs(full.pca.components), atol=1e-6)
    assert "merge" in updated.timings


def test_new_vote_on_a_voted_pair_replaces_the_old_one() -> None:
    old = votes_from_records([1, 1, 2], [1, 2, 1], [1, 1, -1])
    new = votes_from_records([1, 3], [1, 5], [-1, 0])
    merged = merge_votes(old, new)
    cells = dict(
        zip(
            zip(
                merged.participant_ids[merged.row].tolist(),
                merged.statement_ids[merged.col].tolist(),
                strict=True,
            ),
            merged.value.tolist(),
            strict=True,
        )
    )
    assert cells == {(1, 1): -1, (1, 2): 1, (2, 1): -1, (3, 5): 0}
