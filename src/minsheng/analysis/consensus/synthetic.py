"""Synthetic conversations with known structure, for tests and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .votes import Votes, votes_from_records

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class SyntheticConversation:
    votes: Votes
    camp: IntArray
    """The camp each participant was drawn from (index by participant id)."""
    bridging_statements: IntArray
    """Statement ids every camp mostly agrees with."""


def camps_conversation(
    n_participants: int,
    n_statements: int,
    n_votes: int,
    *,
    n_camps: int = 2,
    n_bridging: int = 0,
    pass_rate: float = 0.1,
    seed: int = 0,
) -> SyntheticConversation:
    """Participants in `n_camps` camps; each statement is agreed to by some camps and rejected by others.

    The first `n_bridging` statements are agreed to by every camp (planted bridging statements).
    Votes fall on distinct random (participant, statement) pairs.
    """
    rng = np.random.default_rng(seed)
    camp = rng.integers(0, n_camps, n_participants)
    # Per statement and camp: probability of agreeing among those who do not pass.
    leaning = rng.random((n_statements, n_camps)) < 0.5
    # Every non-planted statement divides the camps: if all camps lean the same way, flip one.
    unanimous = np.all(leaning == leaning[:, :1], axis=1)
    leaning[unanimous, 0] = ~leaning[unanimous, 0]
    p_agree = np.where(leaning, 0.85, 0.15)
    p_agree[:n_bridging] = 0.9
    n_votes = min(n_votes, n_participants * n_statements)
    pairs = rng.choice(n_participants * n_statements, size=n_votes, replace=False)
    participants, statements = np.divmod(pairs, n_statements)
    agree_probability = p_agree[statements, camp[participants]]
    draw = rng.random(n_votes)
    values = np.where(draw < agree_probability, 1, -1)
    values[rng.random(n_votes) < pass_rate] = 0
    votes = votes_from_records(participants, statements, values, rng.random(n_votes))
    return SyntheticConversation(votes, camp.astype(np.int64), np.arange(n_bridging, dtype=np.int64))
