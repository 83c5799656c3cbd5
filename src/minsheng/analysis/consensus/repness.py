"""Representative statements per group, consensus statements, group-aware consensus, priority.

The formulas and selection rules are pol.is's (Clojure `repness.clj`, `conversation.clj`).
pol.is computes most ratios as exact rationals; we compute each one as a single division of
integers, which gives the same double as the exact rational in all but rare last-bit cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .votes import Votes

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

Z_90 = 1.2816
"""pol.is's one-sided 90 % critical value (a literal in stats.clj; red-dwarf uses norm.ppf(0.9) = 1.28155)."""
PICK_MAX = 5
META_PRIORITY = 7.0


@dataclass(frozen=True)
class VoteCounts:
    """Agree, disagree and seen counts, shape (groups, statements)."""

    agree: IntArray
    disagree: IntArray
    seen: IntArray


@dataclass(frozen=True)
class GroupStats:
    """pol.is's per-group statistics, each of shape (groups, statements)."""

    counts: VoteCounts
    p_agree: FloatArray
    p_disagree: FloatArray
    p_agree_test: FloatArray
    p_disagree_test: FloatArray
    r_agree: FloatArray
    r_disagree: FloatArray
    r_agree_test: FloatArray
    r_disagree_test: FloatArray


@dataclass(frozen=True)
class RepresentativeStatement:
    statement: Any
    direction: str
    n_success: int
    n_trials: int
    p_success: float
    p_test: float
    repness: float
    repness_test: float
    """Rounded to single precision, as pol.is reports it (and compares it)."""
    best_agree: bool = False


@dataclass(frozen=True)
class ConsensusStatement:
    statement: Any
    direction: str
    n_success: int
    n_trials: int
    p_success: float
    p_test: float


def count_votes(votes: Votes, labels: IntArray, n_groups: int) -> VoteCounts:
    """Counts per group; `labels` has one entry per participant, -1 for those outside every group."""
    member = labels[votes.row] >= 0
    key = labels[votes.row[member]] * votes.n_statements + votes.col[member]
    values = votes.value[member]
    size = n_groups * votes.n_statements
    shape = (n_groups, votes.n_statements)
    return VoteCounts(
        agree=np.bincount(key[values == 1], minlength=size).reshape(shape).astype(np.int64),
        disagree=np.bincount(key[values == -1], minlength=size).reshape(shape).astype(np.int64),
        seen=np.bincount(key, minlength=size).reshape(shape).astype(np.int64),
    )


def prop_test(successes: IntArray, trials: IntArray) -> FloatArray:
    """One-proportion z test against 1/2, with one pseudo-count added to both numbers."""
    succ, n = successes + 1, trials + 1
    return np.asarray(2.0 * np.sqrt(n) * (succ / n - 0.5))


def two_prop_test(succ_in: IntArray, succ_out: IntArray, n_in: IntArray, n_out: IntArray) -> FloatArray:
    """Two-proportion z test (in-group vs the rest), one pseudo-count on each of the four numbers."""
    s1, s2, p1, p2 = (np.asarray(x, dtype=np.float64) + 1 for x in (succ_in, succ_out, n_in, n_out))
    pooled_s, pooled_n = s1 + s2, p1 + p2
    difference = (s1 * p2 - s2 * p1) / (p1 * p2)
    variance = pooled_s * (pooled_n - pooled_s) / (pooled_n * p1 * p2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = difference / np.sqrt(variance)
    # pol.is: a pooled proportion of exactly 1 gives 0 rather than dividing by zero.
    return np.where(pooled_s == pooled_n, 0.0, z)


def group_stats(counts: VoteCounts) -> GroupStats:
    na, nd, ns = counts.agree, counts.disagree, counts.seen
    rest_a = na.sum(axis=0)[None, :] - na
    rest_d = nd.sum(axis=0)[None, :] - nd
    rest_s = ns.sum(axis=0)[None, :] - ns
    as_float = np.float64
    return GroupStats(
        counts=counts,
        p_agree=(na + 1) / (ns + 2).astype(as_float),
        p_disagree=(nd + 1) / (ns + 2).astype(as_float),
        p_agree_test=prop_test(na, ns),
        p_disagree_test=prop_test(nd, ns),
        # (pa) / (rest pa), written as one division of integers.
        r_agree=((na + 1) * (rest_s + 2)) / ((ns + 2) * (rest_a + 1)).astype(as_float),
        r_disagree=((nd + 1) * (rest_s + 2)) / ((ns + 2) * (rest_d + 1)).astype(as_float),
        r_agree_test=two_prop_test(na, rest_a, ns, rest_s),
        r_disagree_test=two_prop_test(nd, rest_d, ns, rest_s),
    )


def _single(value: float) -> float:
    return float(np.float32(value))


def _finalise(stats: GroupStats, g: int, j: int, statement: Any) -> RepresentativeStatement:
    """Pick agree or disagree, whichever has the larger repness test (ties go to disagree, as in pol.is)."""
    agree = stats.r_agree_test[g, j] > stats.r_disagree_test[g, j]
    if agree:
        fields = (stats.counts.agree, stats.p_agree, stats.p_agree_test, stats.r_agree, stats.r_agree_test)
    else:
        fields = (
            stats.counts.disagree,
            stats.p_disagree,
            stats.p_disagree_test,
            stats.r_disagree,
            stats.r_disagree_test,
        )
    successes, p_success, p_test, repness, repness_test = (field[g, j] for field in fields)
    return RepresentativeStatement(
        statement=statement,
        direction="agree" if agree else "disagree",
        n_success=int(successes),
        n_trials=int(stats.counts.seen[g, j]),
        p_success=float(p_success),
        p_test=float(p_test),
        repness=float(repness),
        repness_test=_single(float(repness_test)),
    )


def _finalise_many(
    stats: GroupStats, g: int, js: Sequence[int], ids: Sequence[Any], *, best_agree: int | None = None
) -> list[RepresentativeStatement]:
    """`_finalise` for several statements of one group at once (same values: a few array reads
    per group instead of a dozen scalar reads per statement)."""
    if not js:
        return []
    at = np.asarray(js, dtype=np.int64)
    agree = stats.r_agree_test[g, at] > stats.r_disagree_test[g, at]

    def side(agree_field: npt.NDArray[Any], disagree_field: npt.NDArray[Any]) -> list[Any]:
        return np.where(agree, agree_field[g, at], disagree_field[g, at]).tolist()

    successes = side(stats.counts.agree, stats.counts.disagree)
    p_success = side(stats.p_agree, stats.p_disagree)
    p_test = side(stats.p_agree_test, stats.p_disagree_test)
    repness = side(stats.r_agree, stats.r_disagree)
    test = np.where(agree, stats.r_agree_test[g, at], stats.r_disagree_test[g, at])
    repness_test = test.astype(np.float32).astype(np.float64).tolist()
    trials = stats.counts.seen[g, at].tolist()
    return [
        RepresentativeStatement(
            statement=ids[j],
            direction="agree" if is_agree else "disagree",
            n_success=int(successes[i]),
            n_trials=int(trials[i]),
            p_success=float(p_success[i]),
            p_test=float(p_test[i]),
            repness=float(repness[i]),
            repness_test=float(repness_test[i]),
            best_agree=j == best_agree,
        )
        for i, (j, is_agree) in enumerate(zip(js, agree.tolist(), strict=True))
    ]


def _metric_array(stats: GroupStats, g: int) -> FloatArray:
    """repness x repness-test (single precision) x p x p-test, on each statement's finalised side."""
    agree = stats.r_agree_test[g] > stats.r_disagree_test[g]
    repness = np.where(agree, stats.r_agree[g], stats.r_disagree[g])
    test = np.where(agree, stats.r_agree_test[g], stats.r_disagree_test[g])
    test = test.astype(np.float32).astype(np.float64)
    p_success = np.where(agree, stats.p_agree[g], stats.p_disagree[g])
    p_test = np.where(agree, stats.p_agree_test[g], stats.p_disagree_test[g])
    return np.asarray(repness * test * p_success * p_test)


def _best_agree(stats: GroupStats, g: int, candidates: IntArray) -> int | None:
    """pol.is's "best agree" statement: a scan in statement order that keeps a running best.

    The first eligible statement (some agree or disagree votes) needs pat significant, or ra > 1
    and pa > 1/2; a later one replaces the best if its ra·rat·pa·pat is larger (when the best has
    ra > 1) or else its pa·pat. Done as a chain of "next larger" searches, one per new best.
    """
    na, nd = stats.counts.agree[g], stats.counts.disagree[g]
    ra, rat, pa, pat = stats.r_agree[g], stats.r_agree_test[g], stats.p_agree[g], stats.p_agree_test[g]
    eligible = ((na != 0) | (nd != 0))[candidates]
    full_metric = (ra * rat * pa * pat)[candidates]
    p_metric = (pa * pat)[candidates]
    opens = eligible & ((pat[candidates] > Z_90) | ((ra[candidates] > 1.0) & (pa[candidates] > 0.5)))
    if not opens.any():
        return None
    position = int(np.argmax(opens))
    while True:
        metric = full_metric if ra[candidates[position]] > 1.0 else p_metric
        later = eligible[position + 1 :] & (metric[position + 1 :] > metric[position])
        if not later.any():
            return int(candidates[position])
        position += 1 + int(np.argmax(later))


def _best_by_test(
    stats: GroupStats, g: int, candidates: IntArray, ids: Sequence[Any]
) -> list[RepresentativeStatement]:
    """pol.is's fallback while nothing is sufficient: the largest repness test, in single precision.

    The scan keeps the first statement, then replaces it by any later one whose larger test beats
    the kept one's single-precision test; done as a chain of "next larger" searches.
    """
    if len(candidates) == 0:
        return []
    rat, rdt = stats.r_agree_test[g][candidates], stats.r_disagree_test[g][candidates]
    larger = np.where(rdt > rat, rdt, rat)  # Python's max(rat, rdt)
    kept = np.where(rat > rdt, rat, rdt).astype(np.float32).astype(np.float64)  # the finalised test
    position = 0
    while True:
        later = larger[position + 1 :] > kept[position]
        if not later.any():
            break
        position += 1 + int(np.argmax(later))
    best = int(candidates[position])
    return [_finalise(stats, g, best, ids[best])]


def select_representative(
    stats: GroupStats,
    statement_ids: Sequence[Any],
    excluded: npt.NDArray[np.bool_],
    pick_max: int = PICK_MAX,
) -> list[list[RepresentativeStatement]]:
    """Per group: the best-agree statement, then the most representative; agrees before disagrees."""
    selected = []
    candidates = np.flatnonzero(~excluded)
    for g in range(stats.p_agree.shape[0]):
        passes = ((stats.r_agree_test[g] > Z_90) & (stats.p_agree_test[g] > Z_90)) | (
            (stats.r_disagree_test[g] > Z_90) & (stats.p_disagree_test[g] > Z_90)
        )
        sufficient = candidates[passes[candidates]]
        best_agree = _best_agree(stats, g, candidates)
        if len(sufficient) == 0:
            if best_agree is None:
                selected.append(_best_by_test(stats, g, candidates, statement_ids))
            else:
                selected.append(_finalise_many(stats, g, [best_agree], statement_ids, best_agree=best_agree))
            continue
        others = sufficient[sufficient != best_agree] if best_agree is not None else sufficient
        # Sort by the metric computed for all sufficient statements at once; finalise only the kept.
        ranked = others[np.argsort(-_metric_array(stats, g)[others], kind="stable")][:pick_max]
        order = ([best_agree] if best_agree is not None else []) + ranked.tolist()
        chosen = _finalise_many(stats, g, order[:pick_max], statement_ids, best_agree=best_agree)
        chosen = [i for i in chosen if i.direction == "agree"] + [i for i in chosen if i.direction != "agree"]
        selected.append(chosen)
    return selected


def select_consensus(
    counts: VoteCounts,
    statement_ids: Sequence[Any],
    excluded: npt.NDArray[np.bool_],
    pick_max: int = PICK_MAX,
) -> dict[str, list[ConsensusStatement]]:
    """Statements most of everyone agrees (or disagrees) with, significant at 90 %, best first."""
    na, nd, ns = counts.agree[0], counts.disagree[0], counts.seen[0]
    result: dict[str, list[ConsensusStatement]] = {}
    for direction, successes in (("agree", na), ("disagree", nd)):
        probability = (successes + 1) / (ns + 2).astype(np.float64)
        test = prop_test(successes, ns)
        chosen_array = np.flatnonzero(~excluded & (probability > 0.5) & (test > Z_90))
        # Best first; a stable sort keeps statement order among equals (as Python's sort does).
        chosen = chosen_array[np.argsort(-(probability[chosen_array] * test[chosen_array]), kind="stable")]
        result[direction] = [
            ConsensusStatement(
                statement=statement_ids[j],
                direction=direction,
                n_success=int(successes[j]),
                n_trials=int(ns[j]),
                p_success=float(probability[j]),
                p_test=float(test[j]),
            )
            for j in chosen[:pick_max].tolist()
        ]
    return result


def group_aware_consensus(counts: VoteCounts) -> tuple[FloatArray, FloatArray]:
    """Product over groups of (A + 1) / (S + 2), and of (D + 1) / (S + 2): high only if every group agrees."""
    agree = np.ones(counts.seen.shape[1])
    disagree = np.ones(counts.seen.shape[1])
    # Multiply group by group, in group order, so the rounding is the same as pol.is's reduce.
    for g in range(counts.seen.shape[0]):
        agree = agree * ((counts.agree[g] + 1.0) / (counts.seen[g] + 2.0))
        disagree = disagree * ((counts.disagree[g] + 1.0) / (counts.seen[g] + 2.0))
    return agree, disagree


def priority(counts: VoteCounts, extremity: FloatArray, is_meta: npt.NDArray[np.bool_]) -> FloatArray:
    """pol.is's routing priority: agreement x engagement x (1 + extremity), boosted while new, squared."""
    a = counts.agree.sum(axis=0)
    d = counts.disagree.sum(axis=0)
    s = counts.seen.sum(axis=0)
    passes = s - (a + d)
    not_passing = ((s + 2) - (passes + 1)) / (s + 2).astype(np.float64)
    agreeing = (a + 1) / (s + 2).astype(np.float64)
    importance = not_passing * (extremity + 1.0) * agreeing
    newness = 1.0 + 8.0 * np.power(2.0, s / -5.0)
    value = np.where(is_meta, META_PRIORITY, importance * newness)
    return np.asarray(value * value)
