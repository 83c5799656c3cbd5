"""The sparse centred matrix and the block power iteration against dense numpy."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.analysis.consensus import AnalysisOptions, analyze
from minsheng.analysis.consensus.pca import centre_votes, fit_pca, top_components
from minsheng.analysis.consensus.synthetic import camps_conversation


def _dense_imputed_centred(conversation_votes) -> np.ndarray:  # type: ignore[no-untyped-def]
    dense = np.full((conversation_votes.n_participants, conversation_votes.n_statements), np.nan)
    dense[conversation_votes.row, conversation_votes.col] = conversation_votes.value
    means = np.nanmean(dense, axis=0)
    imputed = np.where(np.isnan(dense), means[None, :], dense)
    return imputed - imputed.mean(axis=0)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), participants=st.integers(20, 80), statements=st.integers(5, 30))
def test_sparse_centred_matrix_equals_dense_imputation(seed: int, participants: int, statements: int) -> None:
    votes = camps_conversation(participants, statements, participants * statements // 3, seed=seed).votes
    dense = _dense_imputed_centred(votes)
    assert np.allclose(centre_votes(votes).matrix.toarray(), dense, atol=1e-12)


def test_components_equal_dense_svd() -> None:
    votes = camps_conversation(400, 120, 12_000, n_camps=3, seed=4).votes
    matrix = centre_votes(votes).matrix
    components, _ = top_components(matrix, 2, tolerance=1e-13, max_iterations=5000)
    _, _, vt = np.linalg.svd(matrix.toarray(), full_matrices=False)
    for ours, exact in zip(components, vt[:2], strict=True):
        assert np.max(np.abs(np.sign(ours @ exact) * ours - exact)) < 1e-9


def test_warm_start_converges_in_fewer_iterations() -> None:
    votes = camps_conversation(600, 150, 20_000, n_camps=2, seed=9).votes
    cold = fit_pca(votes, tolerance=1e-10)
    warm = fit_pca(votes, previous_components=cold.components, tolerance=1e-10)
    assert warm.iterations < cold.iterations
    assert np.allclose(warm.components, cold.components, atol=1e-8)


def test_projection_is_scaled_by_votes_cast() -> None:
    votes = camps_conversation(50, 20, 400, seed=2).votes
    result = analyze(votes, AnalysisOptions(bridging=False))
    centred = centre_votes(votes)
    raw = centred.matrix @ result.pca.components.T
    scale = np.sqrt(votes.n_statements / np.bincount(votes.row, minlength=votes.n_participants))
    assert np.allclose(result.pca.participant_projection, raw * scale[:, None])
