"""Principal components of the vote matrix, kept sparse, by block power iteration.

pol.is imputes each missing vote with its statement's mean and then centres every column on
that same mean. A missing cell therefore becomes exactly 0 after centring, and a voted cell
becomes `vote - mean`: the centred matrix has the sparsity pattern of the votes themselves.
We never build the dense matrix; the power iteration only needs `X @ Q` and `X.T @ Z`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from .votes import Votes

FloatArray = npt.NDArray[np.float64]

GUARD_VECTORS = 4
"""Extra vectors in the block: convergence goes as (l7 / l2)^k instead of (l3 / l2)^k."""


@dataclass(frozen=True)
class CentredVotes:
    """The mean-imputed, centred vote matrix as CSR, plus what the projection scaling needs."""

    matrix: sp.csr_matrix
    center: FloatArray
    votes_per_participant: npt.NDArray[np.int64]
    moderated_out: npt.NDArray[np.bool_]


@dataclass(frozen=True)
class PCAResult:
    center: FloatArray
    components: FloatArray
    """Shape (2, statements); rows are unit vectors."""
    participant_projection: FloatArray
    """Shape (participants, 2), scaled by sqrt(statements / votes cast) as pol.is does."""
    statement_projection: FloatArray
    """Shape (statements, 2): where a participant who agreed with only that statement would sit."""
    statement_extremity: FloatArray
    iterations: int


def centre_votes(votes: Votes) -> CentredVotes:
    """Build the centred matrix; moderated-out columns are zeroed as pol.is's rating matrix does."""
    moderated_out = votes.moderated_out_mask()
    keep = ~moderated_out[votes.col]
    rows, cols = votes.row[keep], votes.col[keep]
    values = votes.value[keep].astype(np.float64)
    sums = np.bincount(cols, weights=values, minlength=votes.n_statements)
    counts = np.bincount(cols, minlength=votes.n_statements)
    center = np.divide(sums, counts, out=np.zeros(votes.n_statements), where=counts > 0)
    matrix = sp.csr_matrix(
        (values - center[cols], (rows, cols)),
        shape=(votes.n_participants, votes.n_statements),
    )
    # pol.is zeroes a moderated-out column in every row, so each row "has voted" on it.
    votes_cast = np.bincount(rows, minlength=votes.n_participants) + int(moderated_out.sum())
    return CentredVotes(matrix, center, votes_cast.astype(np.int64), moderated_out)


def _orthonormal(block: FloatArray) -> FloatArray:
    q, _ = np.linalg.qr(block)
    return np.asarray(q)


def _starting_block(n_statements: int, size: int, start: FloatArray | None) -> FloatArray:
    # Guards come from a fixed seed so that the result does not depend on the run.
    block = np.random.default_rng(20150630).standard_normal((n_statements, size))
    if start is not None:
        usable = start[:, np.linalg.norm(start, axis=0) > 0]
        block[:, : usable.shape[1]] = usable
    return _orthonormal(block)


def _fix_signs(components: FloatArray, reference: FloatArray | None) -> FloatArray:
    """Eigenvectors have no sign: follow the previous result, else make the largest entry positive."""
    fixed = components.copy()
    for i, component in enumerate(fixed):
        if reference is not None and i < len(reference) and np.dot(component, reference[i]) != 0:
            sign = np.sign(np.dot(component, reference[i]))
        else:
            sign = np.sign(component[np.argmax(np.abs(component))]) or 1.0
        fixed[i] = sign * component
    return fixed


def top_components(
    matrix: sp.csr_matrix,
    n_components: int = 2,
    *,
    start: FloatArray | None = None,
    max_iterations: int = 300,
    tolerance: float = 1e-10,
) -> tuple[FloatArray, int]:
    """Leading right singular vectors of `matrix` (eigenvectors of X^T X) by subspace iteration.

    `start` (statements x k) warm-starts the block, e.g. with the previous run's components.
    Stops when every wanted Ritz pair's residual |A v - theta v| / theta is below `tolerance`.
    """
    n_rows, n_cols = matrix.shape
    rank_bound = min(n_rows, n_cols)
    wanted = min(n_components, rank_bound)
    components = np.zeros((n_components, n_cols))
    if wanted == 0:
        return components, 0
    size = min(wanted + GUARD_VECTORS, rank_bound)
    q = _starting_block(n_cols, size, start)
    transpose = matrix.T.tocsr()
    ritz = q
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 (reported below)
        image = transpose @ (matrix @ q)
        gram = q.T @ image
        values, rotation = np.linalg.eigh((gram + gram.T) / 2)
        order = np.argsort(values)[::-1]
        values, rotation = values[order], rotation[:, order]
        ritz = q @ rotation
        rotated_image = image @ rotation
        top = max(values[0], np.finfo(float).tiny)
        residual = np.linalg.norm(rotated_image[:, :wanted] - ritz[:, :wanted] * values[:wanted], axis=0)
        if np.all(residual <= tolerance * top):
            break
        q = _orthonormal(rotated_image)
    components[:wanted] = ritz[:, :wanted].T
    return components, iteration


def project(centred: CentredVotes, components: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Participant projections, statement projections and statement extremity, pol.is-scaled."""
    n_statements = centred.matrix.shape[1]
    raw = np.asarray(centred.matrix @ components.T)
    scale = np.sqrt(n_statements / np.maximum(centred.votes_per_participant, 1))
    participants = raw * scale[:, None]
    # A virtual participant who agreed (+1) with one statement and saw nothing else.
    statements = ((1.0 - centred.center)[:, None] * components.T) * np.sqrt(n_statements)
    statements[centred.moderated_out] = 0.0
    extremity = np.linalg.norm(statements, axis=1)
    return participants, statements, extremity


def fit_pca(
    votes: Votes,
    *,
    previous_components: FloatArray | None = None,
    max_iterations: int = 300,
    tolerance: float = 1e-10,
) -> PCAResult:
    """Two principal components and the pol.is projections; warm-started when given components."""
    centred = centre_votes(votes)
    start = previous_components.T if previous_components is not None else None
    components, iterations = top_components(
        centred.matrix, 2, start=start, max_iterations=max_iterations, tolerance=tolerance
    )
    components = _fix_signs(components, previous_components)
    participants, statements, extremity = project(centred, components)
    return PCAResult(
        center=centred.center,
        components=components,
        participant_projection=participants,
        statement_projection=statements,
        statement_extremity=extremity,
        iterations=iterations,
    )
