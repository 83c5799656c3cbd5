"""Bridging ranking: planted bridging statements rise to the top; the fit is the loss's minimum."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from minsheng.analysis.consensus import bridging
from minsheng.analysis.consensus.synthetic import camps_conversation


def _reference_fit(ratings: bridging.Ratings) -> np.ndarray:
    """An independent fit: plain L-BFGS over all parameters of Community Notes' loss, from random values."""
    raters, items = ratings.n_raters, ratings.n_items
    n = len(ratings.label)
    factor_lambda = bridging.L2_LAMBDA
    intercept_lambda = bridging.L2_LAMBDA * bridging.INTERCEPT_MULTIPLIER

    def split(x: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return (
            x[0],
            x[1 : 1 + raters],
            x[1 + raters : 1 + 2 * raters],
            x[1 + 2 * raters : 1 + 2 * raters + items],
            x[1 + 2 * raters + items :],
        )

    def loss_and_gradient(x: np.ndarray) -> tuple[float, np.ndarray]:
        mu, ri, rf, ii, fi = split(x)
        predicted = mu + ri[ratings.rater] + ii[ratings.item] + rf[ratings.rater] * fi[ratings.item]
        error = predicted - ratings.label
        loss = (
            np.mean(error**2)
            + factor_lambda * (np.mean(rf**2) + np.mean(fi**2))
            + intercept_lambda * (np.mean(ri**2) + np.mean(ii**2) + mu**2)
        )
        e = 2 * error / n
        gradient = np.concatenate(
            [
                [e.sum() + 2 * intercept_lambda * mu],
                np.bincount(ratings.rater, e, raters) + 2 * intercept_lambda * ri / raters,
                np.bincount(ratings.rater, e * fi[ratings.item], raters) + 2 * factor_lambda * rf / raters,
                np.bincount(ratings.item, e, items) + 2 * intercept_lambda * ii / items,
                np.bincount(ratings.item, e * rf[ratings.rater], items) + 2 * factor_lambda * fi / items,
            ]
        )
        return float(loss), gradient

    start = np.random.default_rng(0).normal(0, 0.1, 1 + 2 * raters + 2 * items)
    fitted = minimize(
        loss_and_gradient,
        start,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 20_000, "gtol": 1e-10, "ftol": 1e-15},
    )
    return split(fitted.x)[3]


def test_planted_bridging_statements_get_the_top_intercepts() -> None:
    conversation = camps_conversation(400, 60, 12_000, n_camps=2, n_bridging=5, seed=3)
    result = bridging.bridging_rank(conversation.votes)
    top = set(np.argsort(-result.intercept)[:5].tolist())
    assert top == set(conversation.bridging_statements.tolist())
    assert all(result.status[j] == "bridging" for j in conversation.bridging_statements)
    partisan = np.setdiff1d(np.arange(60), conversation.bridging_statements)
    assert np.mean(np.abs(result.factor[partisan])) > 3 * np.mean(
        np.abs(result.factor[conversation.bridging_statements])
    )


def test_intercepts_agree_with_an_independent_full_batch_fit() -> None:
    conversation = camps_conversation(300, 60, 9_000, n_camps=2, n_bridging=5, seed=3)
    ours = bridging.bridging_rank(conversation.votes)
    reference = _reference_fit(bridging.ratings_from_votes(conversation.votes))
    assert np.corrcoef(ours.intercept, reference)[0, 1] >= 0.99


def test_statuses_follow_community_notes_thresholds() -> None:
    assert bridging.status_of(0.45, 0.1, 10) == "bridging"
    assert bridging.status_of(0.45, 0.6, 10) == "undecided"
    assert bridging.status_of(-0.3, 0.1, 10) == "rejected"
    assert bridging.status_of(0.9, 0.0, 2) == "needs_more_votes"
