"""The pieces `update` uses instead of a full run's: each equals what it replaces."""

from __future__ import annotations

import numpy as np
import pytest

from minsheng.analysis.consensus import votes_from_records
from minsheng.analysis.consensus.clusters import grow_centers, kmeans
from minsheng.analysis.consensus.incremental import merge_with_info
from minsheng.analysis.consensus.pca import (
    DENSE_PRODUCT_ENTRIES,
    _narrow_products,
    centre_votes,
    subspace_iteration,
    warm_krylov,
)
from minsheng.analysis.consensus.synthetic import camps_conversation


@pytest.mark.parametrize("seed", range(40))
def test_merge_by_row_pointers_equals_the_general_merge(seed: int) -> None:
    """The row-pointer merge `update` uses gives the same table and bookkeeping as the key merge."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    old = votes_from_records(
        rng.integers(0, 30, n), rng.integers(0, 20, n), rng.integers(-1, 2, n), np.arange(n, dtype=float)
    )
    m = int(rng.integers(1, 40))
    # Some seeds bring new participants and statements, some only votes on known ones.
    new = votes_from_records(
        rng.integers(0, 34 if seed % 2 else 30, m),
        rng.integers(0, 23 if seed % 3 else 20, m),
        rng.integers(-1, 2, m),
        n + np.arange(m, dtype=float),
    )
    general, general_info = merge_with_info(old, new, old_is_sorted=True)
    fast, fast_info = merge_with_info(
        old, new, old_is_sorted=True, old_indptr=centre_votes(old).matrix.indptr
    )
    for name in ("participant_ids", "statement_ids", "row", "col", "value", "time"):
        assert np.array_equal(getattr(general, name), getattr(fast, name)), name
    for name in ("participant_map", "statement_map", "new_row", "new_col", "new_value", "replaced"):
        assert np.array_equal(getattr(general_info, name), getattr(fast_info, name)), name
    assert np.array_equal(general_info.replaced_old_value, fast_info.replaced_old_value)
    assert fast_info.indptr is not None
    assert np.array_equal(fast_info.indptr, centre_votes(fast).matrix.indptr)


# The first two take the dense products, the last the sparse ones (above DENSE_PRODUCT_ENTRIES cells).
@pytest.mark.parametrize(
    ("participants", "statements", "n_votes"), [(30, 12, 250), (400, 90, 12_000), (1_500, 200, 40_000)]
)
def test_warm_krylov_reaches_the_exact_components(participants: int, statements: int, n_votes: int) -> None:
    """From the previous Ritz block, the block Lanczos solver meets the same residual rule."""
    everything = camps_conversation(participants, statements, n_votes, n_camps=3, seed=7).votes
    first = everything.time < np.quantile(everything.time, 0.97)
    old = votes_from_records(
        everything.participant_ids[everything.row[first]],
        everything.statement_ids[everything.col[first]],
        everything.value[first],
        everything.time[first],
    )
    _, _, old_block = subspace_iteration(centre_votes(old).matrix, 2, tolerance=1e-10)
    matrix = centre_votes(everything).matrix
    start = np.zeros((everything.n_statements, old_block.shape[1]))
    start[np.searchsorted(everything.statement_ids, old.statement_ids)] = old_block
    components, products, block, raw = warm_krylov(matrix, 2, start, tolerance=1e-10)
    dense = matrix.toarray()
    _, vectors = np.linalg.eigh(dense.T @ dense)
    exact = vectors[:, ::-1][:, :2].T
    assert np.allclose(np.abs(np.sum(components * exact, axis=1)), 1.0, atol=1e-12)
    assert np.allclose(raw, dense @ components.T, atol=1e-10)
    assert np.allclose(block.T @ block, np.eye(block.shape[1]), atol=1e-10)
    assert 1 <= products < 40


@pytest.mark.parametrize(("participants", "statements"), [(300, 80), (1_500, 200)])
def test_narrow_products_equal_the_sparse_products(participants: int, statements: int) -> None:
    """Dense copy (small) or column by column (large): the same X B and X^T B as scipy's."""
    n_votes = participants * statements // 8
    votes = camps_conversation(participants, statements, n_votes, n_camps=2, seed=5).votes
    matrix = centre_votes(votes).matrix
    assert (participants * statements <= DENSE_PRODUCT_ENTRIES) == (participants == 300)
    times, transposed_times = _narrow_products(matrix)
    rng = np.random.default_rng(1)
    for width in (1, 2, 6):
        block, rows = rng.standard_normal((statements, width)), rng.standard_normal((participants, width))
        assert np.allclose(times(block), matrix @ block, rtol=0, atol=1e-12)
        assert np.allclose(transposed_times(rows), matrix.T @ rows, rtol=0, atol=1e-12)


def test_warm_krylov_on_an_already_converged_block_takes_one_product() -> None:
    votes = camps_conversation(200, 40, 4_000, n_camps=2, seed=3).votes
    matrix = centre_votes(votes).matrix
    _, _, block = subspace_iteration(matrix, 2, tolerance=1e-12)
    _, products, _, _ = warm_krylov(matrix, 2, block, tolerance=1e-8)
    assert products == 1


@pytest.mark.parametrize("seed", range(5))
def test_kmeans_from_guessed_labels_equals_plain_kmeans(seed: int) -> None:
    """A guess (right, wrong or missing) only saves distance computations, never changes a label."""
    rng = np.random.default_rng(seed)
    points = np.r_[rng.normal(0, 1, (300, 2)), rng.normal(4, 1, (300, 2))]
    centers = grow_centers(points, points[:40], 100)
    plain = kmeans(points, centers, tolerance=0.01)
    guess = rng.integers(-1, len(centers), len(points))
    guess[: len(points) // 2] = plain.labels[: len(points) // 2]
    guessed = kmeans(points, centers, tolerance=0.01, initial_labels=guess)
    assert np.array_equal(plain.labels, guessed.labels)
    assert np.array_equal(plain.centers, guessed.centers)
