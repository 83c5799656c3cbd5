"""Bridging ranking: the Community Notes one-factor matrix factorisation, applied to votes.

Model: vote(u, s) ~ mu + i_u + i_s + f_u * f_s, fitted on agree = 1 / disagree = 0. The loss is
Community Notes' (scoring/src/scoring/matrix_factorization/matrix_factorization.py):

    mean squared error + lambda * (mean f_u^2 + mean f_s^2) + 5 lambda * (mean i_u^2 + mean i_s^2 + mu^2)

with lambda = 0.03. A statement's intercept i_s is the agreement its factor cannot explain,
i.e. agreement across the divide; f_s says which side it speaks for.

Community Notes minimises that loss with Adam; we minimise the same loss by alternating
exact ridge solves (each participant's and each statement's pair of parameters has a 2 x 2
closed form), which is deterministic and converges in tens of sweeps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from .votes import Votes

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

L2_LAMBDA = 0.03
INTERCEPT_MULTIPLIER = 5
# Community Notes' note status thresholds, read with agree = helpful.
BRIDGING_INTERCEPT = 0.40
MAX_BRIDGING_FACTOR = 0.50
REJECTED_INTERCEPT = -0.05
REJECTED_FACTOR_SLOPE = 0.8
MIN_VOTES = 5
ANDERSON_DEPTH = 5
PLAIN_SWEEPS = 15
"""Plain sweeps before accelerating: started too early, Anderson steps can land on a saddle."""


@dataclass(frozen=True)
class Ratings:
    """Votes as Community Notes ratings: who, on what, and the 0..1 label."""

    rater: IntArray
    item: IntArray
    label: FloatArray
    n_raters: int
    n_items: int


@dataclass(frozen=True)
class BridgingResult:
    intercept: FloatArray
    factor: FloatArray
    rater_intercept: FloatArray
    rater_factor: FloatArray
    global_intercept: float
    n_ratings: IntArray
    status: list[str]
    iterations: int


def ratings_from_votes(votes: Votes, pass_value: float | None = None) -> Ratings:
    """agree = 1, disagree = 0; passes are dropped unless `pass_value` (e.g. 0.5) is given.

    Moderated-out statements are dropped; their columns are kept (empty) so indices line up.
    """
    keep = ~votes.moderated_out_mask()[votes.col]
    if pass_value is None:
        keep &= votes.value != 0
    labels = np.where(votes.value[keep] == 1, 1.0, np.where(votes.value[keep] == -1, 0.0, pass_value or 0.0))
    return Ratings(
        rater=votes.row[keep],
        item=votes.col[keep],
        label=labels.astype(np.float64),
        n_raters=votes.n_participants,
        n_items=votes.n_statements,
    )


def regularised_loss(
    ratings: Ratings,
    mu: float,
    rater_intercept: FloatArray,
    rater_factor: FloatArray,
    item_intercept: FloatArray,
    item_factor: FloatArray,
    l2_lambda: float = L2_LAMBDA,
) -> float:
    """Community Notes' objective, exactly as written there (means, not sums)."""
    predicted = mu + rater_intercept[ratings.rater] + item_intercept[ratings.item]
    predicted = predicted + rater_factor[ratings.rater] * item_factor[ratings.item]
    intercept_lambda = l2_lambda * INTERCEPT_MULTIPLIER
    return float(
        np.mean((ratings.label - predicted) ** 2)
        + l2_lambda * (np.mean(rater_factor**2) + np.mean(item_factor**2))
        + intercept_lambda * (np.mean(rater_intercept**2) + np.mean(item_intercept**2) + mu**2)
    )


def _solve_pairs(
    pattern: sp.csr_matrix,
    labels: sp.csr_matrix,
    count: FloatArray,
    label_sum: FloatArray,
    mu: float,
    other_intercept: FloatArray,
    other_factor: FloatArray,
    intercept_penalty: float,
    factor_penalty: float,
) -> tuple[FloatArray, FloatArray]:
    """For each row owner, the ridge solution of (label - mu - other_i) ~ i + f * other_f (2 x 2 systems).

    All sums over an owner's ratings are sparse products, so one sweep costs a few passes over the votes.
    """
    block = np.column_stack([other_factor, other_factor**2, other_intercept, other_intercept * other_factor])
    sums = pattern @ block
    sum_f, sum_ff, sum_i, sum_if = sums[:, 0], sums[:, 1], sums[:, 2], sums[:, 3]
    sum_t = label_sum - mu * count - sum_i
    sum_tf = labels @ other_factor - mu * sum_f - sum_if
    a11, a12, a22 = count + intercept_penalty, sum_f, sum_ff + factor_penalty
    determinant = a11 * a22 - a12 * a12
    intercept = (a22 * sum_t - a12 * sum_tf) / determinant
    factor = (a11 * sum_tf - a12 * sum_t) / determinant
    return intercept, factor


def fit(
    ratings: Ratings,
    *,
    initial_item_factor: FloatArray | None = None,
    l2_lambda: float = L2_LAMBDA,
    max_sweeps: int = 1000,
    tolerance: float = 1e-7,
) -> tuple[float, FloatArray, FloatArray, FloatArray, FloatArray, int]:
    """Minimise the loss by alternating exact solves; returns mu, rater (i, f), item (i, f), sweeps.

    Stops when no parameter moves by more than `tolerance` in a sweep.
    """
    n = max(len(ratings.label), 1)
    # The loss uses means; multiplied through by n, each penalty becomes lambda * n / count.
    rater_i_pen = l2_lambda * INTERCEPT_MULTIPLIER * n / max(ratings.n_raters, 1)
    rater_f_pen = l2_lambda * n / max(ratings.n_raters, 1)
    item_i_pen = l2_lambda * INTERCEPT_MULTIPLIER * n / max(ratings.n_items, 1)
    item_f_pen = l2_lambda * n / max(ratings.n_items, 1)
    mu_pen = l2_lambda * INTERCEPT_MULTIPLIER * n
    shape = (ratings.n_raters, ratings.n_items)
    pattern = sp.csr_matrix((np.ones(len(ratings.label)), (ratings.rater, ratings.item)), shape=shape)
    labels = sp.csr_matrix((ratings.label, (ratings.rater, ratings.item)), shape=shape)
    pattern_t, labels_t = pattern.T.tocsr(), labels.T.tocsr()
    rater_count = np.asarray(pattern.sum(axis=1)).ravel()
    item_count = np.asarray(pattern.sum(axis=0)).ravel()
    rater_label_sum = np.asarray(labels.sum(axis=1)).ravel()
    item_label_sum = np.asarray(labels.sum(axis=0)).ravel()
    item_factor = (
        np.array(initial_item_factor, dtype=np.float64)
        if initial_item_factor is not None
        else np.random.default_rng(7).uniform(-0.5, 0.5, ratings.n_items)
    )
    n_items = ratings.n_items

    def sweep_from(state: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """One alternating sweep: raters given items, items given raters, then mu."""
        item_i, item_f, mu = state[:n_items], state[n_items:-1], float(state[-1])
        rater_i, rater_f = _solve_pairs(
            pattern, labels, rater_count, rater_label_sum, mu, item_i, item_f, rater_i_pen, rater_f_pen
        )
        item_i, item_f = _solve_pairs(
            pattern_t, labels_t, item_count, item_label_sum, mu, rater_i, rater_f, item_i_pen, item_f_pen
        )
        explained = rater_count @ rater_i + item_count @ item_i + rater_f @ (pattern @ item_f)
        mu = float((rater_label_sum.sum() - explained) / (len(ratings.label) + mu_pen))
        return np.concatenate([item_i, item_f, [mu]]), rater_i, rater_f

    state = np.concatenate([np.zeros(n_items), item_factor, [0.0]])
    rater_i, rater_f = np.zeros(ratings.n_raters), np.zeros(ratings.n_raters)
    # Anderson acceleration of the sweep's fixed point: plain alternating solves crawl along
    # the direction where mu and the intercepts trade off, taking hundreds of sweeps.
    history_states: list[FloatArray] = []
    history_residuals: list[FloatArray] = []
    best_residual = np.inf
    sweep = 0
    for sweep in range(1, max_sweeps + 1):
        mapped, rater_i, rater_f = sweep_from(state)
        residual = mapped - state
        size = float(np.max(np.abs(residual)))
        if size <= tolerance:
            state = mapped
            break
        if size > 10 * best_residual:
            history_states.clear()
            history_residuals.clear()
        best_residual = min(best_residual, size)
        history_states.append(mapped)
        history_residuals.append(residual)
        if len(history_states) > ANDERSON_DEPTH + 1:
            history_states.pop(0)
            history_residuals.pop(0)
        if len(history_states) >= 2 and sweep > PLAIN_SWEEPS:
            d_residual = np.diff(np.array(history_residuals), axis=0).T
            d_state = np.diff(np.array(history_states), axis=0).T
            gamma, *_ = np.linalg.lstsq(d_residual, residual, rcond=None)
            state = mapped - d_state @ gamma
        else:
            state = mapped
    item_i, item_f, mu = state[:n_items], state[n_items:-1], float(state[-1])
    return mu, rater_i, rater_f, item_i, item_f, sweep


def status_of(intercept: float, factor: float, n_ratings: int) -> str:
    """Community Notes' rule: helpful if i >= 0.40 and |f| < 0.5; not helpful if i < -0.05 - 0.8 |f|."""
    if n_ratings < MIN_VOTES:
        return "needs_more_votes"
    if intercept >= BRIDGING_INTERCEPT and abs(factor) < MAX_BRIDGING_FACTOR:
        return "bridging"
    if intercept < REJECTED_INTERCEPT - REJECTED_FACTOR_SLOPE * abs(factor):
        return "rejected"
    return "undecided"


def bridging_rank(
    votes: Votes,
    *,
    pass_value: float | None = None,
    initial_item_factor: FloatArray | None = None,
    l2_lambda: float = L2_LAMBDA,
) -> BridgingResult:
    """Fit the model on `votes` and give every statement an intercept, a factor and a status."""
    ratings = ratings_from_votes(votes, pass_value)
    mu, rater_i, rater_f, item_i, item_f, sweeps = fit(
        ratings, initial_item_factor=initial_item_factor, l2_lambda=l2_lambda
    )
    # Community Notes flips signs so that most raters have a negative factor; we do the same.
    rated = np.bincount(ratings.rater, minlength=ratings.n_raters) > 0
    if np.mean(rater_f[rated] < 0) < 0.5 if rated.any() else False:
        rater_f, item_f = -rater_f, -item_f
    n_ratings = np.bincount(ratings.item, minlength=ratings.n_items).astype(np.int64)
    unrated = n_ratings == 0
    item_i = np.where(unrated, 0.0, item_i)
    item_f = np.where(unrated, 0.0, item_f)
    statuses = [
        status_of(float(i), float(f), int(c)) for i, f, c in zip(item_i, item_f, n_ratings, strict=True)
    ]
    return BridgingResult(
        intercept=item_i,
        factor=item_f,
        rater_intercept=rater_i,
        rater_factor=rater_f,
        global_intercept=mu,
        n_ratings=n_ratings,
        status=statuses,
        iterations=sweeps,
    )
