"""Principal components of the vote matrix, kept sparse, by block power iteration.

pol.is imputes each missing vote with its statement's mean and then centres every column on
that same mean. A missing cell therefore becomes exactly 0 after centring, and a voted cell
becomes `vote - mean`: the centred matrix has the sparsity pattern of the votes themselves.
The iterations only need `X @ Q` and `X.T @ Z`, so a large matrix is never made dense (only a
small one, up to `DENSE_PRODUCT_ENTRIES` cells, is copied dense for the warm solver's products).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.linalg import lapack

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
    block: FloatArray | None = None
    """The final Ritz block (statements x block size): warm-starts the next update's iteration."""


def _is_row_major(votes: Votes) -> bool:
    """Whether the votes are sorted by (participant, statement), as `Votes` tables normally are."""
    if votes.n_votes < 2:
        return True
    row_step = np.diff(votes.row)
    return bool(np.all((row_step > 0) | ((row_step == 0) & (np.diff(votes.col) > 0))))


def csr_from_votes(
    votes: Votes, data: FloatArray, indptr: npt.NDArray[np.int64] | None = None
) -> sp.csr_matrix:
    """CSR with one entry per vote; `votes` sorted by (participant, statement), so no sorting is needed.

    `indptr` (the row pointers, when already known) saves counting the votes per participant.
    """
    if indptr is None:
        indptr = np.zeros(votes.n_participants + 1, dtype=np.int64)
        np.cumsum(np.bincount(votes.row, minlength=votes.n_participants), out=indptr[1:])
    return sp.csr_matrix(
        (data, votes.col, indptr), shape=(votes.n_participants, votes.n_statements), copy=False
    )


def centre_from_sums(
    sums: FloatArray, counts: npt.NDArray[np.int64], moderated_out: npt.NDArray[np.bool_]
) -> FloatArray:
    """Per-statement vote mean; 0 for statements without kept votes and for moderated-out ones."""
    center = np.divide(sums, counts, out=np.zeros(len(sums)), where=counts > 0)
    center[moderated_out] = 0.0
    return center


def centre_votes(votes: Votes) -> CentredVotes:
    """Build the centred matrix; moderated-out columns are zeroed as pol.is's rating matrix does.

    The CSR has one stored entry per vote, in the votes' own (participant, statement) order; a
    vote on a moderated-out statement is stored as an explicit 0 (the same products, and the
    incremental update can keep the structure when moderation does not change).
    """
    if not _is_row_major(votes):
        order = np.lexsort((votes.col, votes.row))
        votes = replace(
            votes,
            row=votes.row[order],
            col=votes.col[order],
            value=votes.value[order],
            time=votes.time[order],
        )
    moderated_out = votes.moderated_out_mask()
    kept = ~moderated_out[votes.col]
    values = votes.value.astype(np.float64)
    values[~kept] = 0.0
    sums = np.asarray(np.bincount(votes.col, weights=values, minlength=votes.n_statements), dtype=np.float64)
    counts = np.bincount(votes.col[kept], minlength=votes.n_statements).astype(np.int64)
    center = centre_from_sums(sums, counts, moderated_out)
    data = values - center[votes.col]
    data[~kept] = 0.0
    matrix = csr_from_votes(votes, data)
    # pol.is zeroes a moderated-out column in every row, so each row "has voted" on it.
    votes_cast = np.bincount(votes.row[kept], minlength=votes.n_participants) + int(moderated_out.sum())
    return CentredVotes(matrix, center, votes_cast.astype(np.int64), moderated_out)


def _orthonormal(block: FloatArray) -> FloatArray:
    """Orthonormal basis of the block's span: Cholesky QR twice (a few small products), else QR.

    numpy's Householder QR of a tall thin block costs far more than the block's matrix products.
    """
    q = block
    try:
        for _ in range(2):
            gram = q.T @ q
            factor = np.linalg.cholesky((gram + gram.T) / 2)
            q = q @ np.linalg.inv(factor).T
        if np.all(np.isfinite(q)) and np.allclose(q.T @ q, np.eye(q.shape[1]), atol=1e-10):
            return np.asarray(q)
    except np.linalg.LinAlgError:
        pass
    q, _ = np.linalg.qr(block)
    return np.asarray(q)


def _starting_block(n_statements: int, size: int, start: FloatArray | None) -> FloatArray:
    # Guards come from a fixed seed so that the result does not depend on the run.
    block = np.random.default_rng(20150630).standard_normal((n_statements, size))
    if start is not None:
        usable = start[:, np.linalg.norm(start, axis=0) > 0][:, :size]
        block[:, : usable.shape[1]] = usable
    return _orthonormal(block)


def _symmetric_eigen(small: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Eigenvalues (descending) and eigenvectors of a small symmetric matrix, by LAPACK directly.

    numpy's `eigh` spends more time in Python than in LAPACK on the few-by-few matrices of a
    Rayleigh–Ritz step; this calls the same divide-and-conquer routine (`syevd`) without it.
    """
    values, vectors, info = lapack.dsyevd((small + small.T) / 2)
    if info != 0:
        values, vectors = np.linalg.eigh((small + small.T) / 2)
    return values[::-1], vectors[:, ::-1]


def _orthonormal_rest(block: FloatArray, basis: FloatArray | None, scale: float) -> FloatArray:
    """Orthonormal basis of the part of `block` orthogonal to `basis` (itself orthonormal).

    Projected out twice ("twice is enough"), each pass normalised by Cholesky QR; if that fails
    or a direction is (numerically) spent, through the eigenvectors of the small Gram matrix,
    dropping directions below ~1e-10 of `scale`: the Krylov space is then invariant, as it
    becomes once a small matrix's whole column space is spanned.
    """
    q = block
    for _ in range(2):
        if basis is not None and basis.shape[1]:
            q = q - basis @ (basis.T @ q)
        gram = q.T @ q
        factor, info = lapack.dpotrf(gram, lower=0, clean=1)
        if info == 0 and factor.diagonal().min() > 1e-10 * scale:
            inverse, info = lapack.dtrtri(factor, lower=0)
            if info == 0:
                q = q @ inverse
                scale = 1.0
                continue
        values, vectors = np.linalg.eigh(gram)
        keep = values > (1e-10 * scale) ** 2
        if not keep.any():
            return np.zeros((block.shape[0], 0))
        q = q @ (vectors[:, keep] / np.sqrt(values[keep]))
        scale = 1.0
    return np.asarray(q)


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
    components, iterations, _ = subspace_iteration(
        matrix, n_components, start=start, max_iterations=max_iterations, tolerance=tolerance
    )
    return components, iterations


def subspace_iteration(
    matrix: sp.csr_matrix,
    n_components: int = 2,
    *,
    start: FloatArray | None = None,
    max_iterations: int = 300,
    tolerance: float = 1e-10,
    filter_degree: int = 1,
) -> tuple[FloatArray, int, FloatArray]:
    """`top_components`, also returning the final Ritz block (wanted vectors, then guards).

    Passing that block back as `start` warm-starts every vector of the block, guards included.
    With `filter_degree` d > 1 each step applies a degree-d Chebyshev polynomial of X^T X that is
    small on [0, smallest Ritz value of the block] (Chebyshev-filtered subspace iteration): the
    same stopping rule, reached in fewer products when the block is already near the answer.
    The iteration count reported is the number of X^T X products.
    """
    n_rows, n_cols = matrix.shape
    rank_bound = min(n_rows, n_cols)
    wanted = min(n_components, rank_bound)
    components = np.zeros((n_components, n_cols))
    if wanted == 0:
        return components, 0, np.zeros((n_cols, 0))
    size = min(wanted + GUARD_VECTORS, rank_bound)
    q = _starting_block(n_cols, size, start)
    # Both products as CSC ones (scatter), which scipy runs about twice as fast as CSR ones for a
    # block of vectors: X Q through a CSC copy of X, X^T Z through the CSR's transpose view.
    by_column = matrix.tocsc() if sp.isspmatrix_csr(matrix) else matrix
    transpose = matrix.T if sp.isspmatrix_csr(matrix) else matrix.tocsr().T

    def gram_times(block: FloatArray) -> FloatArray:
        return np.asarray(transpose @ np.asarray(by_column @ block))

    image = gram_times(q)
    products = 1
    while True:
        gram = q.T @ image
        values, rotation = np.linalg.eigh((gram + gram.T) / 2)
        order = np.argsort(values)[::-1]
        values, rotation = values[order], rotation[:, order]
        ritz = q @ rotation
        rotated_image = image @ rotation
        top = max(values[0], np.finfo(float).tiny)
        residual = np.linalg.norm(rotated_image[:, :wanted] - ritz[:, :wanted] * values[:wanted], axis=0)
        if np.all(residual <= tolerance * top) or products >= max_iterations:
            break
        edge = values[-1]
        if filter_degree > 1 and size > wanted and edge > 0 and values[wanted - 1] > 1.5 * edge:
            # Chebyshev recurrence on [0, edge]; X^T X times the Ritz block is already known.
            half = edge / 2
            previous_term, term = ritz, (rotated_image - half * ritz) / half
            for _ in range(min(filter_degree, max_iterations - products) - 1):
                previous_term, term = term, 2 * (gram_times(term) - half * term) / half - previous_term
                products += 1
            q = _orthonormal(term)
        else:
            q = _orthonormal(rotated_image)
        image = gram_times(q)
        products += 1
    components[:wanted] = ritz[:, :wanted].T
    return components, products, ritz


DENSE_PRODUCT_ENTRIES = 250_000
"""Up to this many cells (participants x statements) the warm solver multiplies by a dense copy."""

Product = Callable[[FloatArray], FloatArray]


def _narrow_products(matrix: sp.spmatrix) -> tuple[Product, Product]:
    """X times a narrow block, and X^T times one, each in the form measured fastest for warm steps.

    A small vote matrix (10-20 % of its cells voted) multiplies fastest as a dense copy: scipy's
    per-call cost outweighs its sparse kernels there (synthetic 536 x 316: 20 µs against 60-85).
    A larger one stays sparse and needs no CSC copy: X goes one column of the block at a time
    through the CSR (scipy's CSR kernel for a 2-column block takes 108 µs on vtaiwan.uberx, two
    single columns 2 x 34), X^T as one block through the CSR's transpose view (a scatter).
    """
    n_rows, n_cols = matrix.shape
    if n_rows * n_cols <= DENSE_PRODUCT_ENTRIES:
        # C order, as toarray gives it (56 µs at 536 x 316); a Fortran-order copy took 0.2-1.4 ms.
        dense = matrix.toarray()
        return dense.__matmul__, dense.T.__matmul__
    rows = matrix.tocsr()
    transpose = rows.T

    def times(block: FloatArray) -> FloatArray:
        product = np.empty((n_rows, block.shape[1]), order="F")
        for column in range(block.shape[1]):
            product[:, column] = rows @ block[:, column]
        return product

    def transposed_times(block: FloatArray) -> FloatArray:
        return np.asarray(transpose @ block)

    return times, transposed_times


WARM_BLOCK = 2
"""Block size of the warm-started Krylov solver: the two wanted vectors."""
WARM_FULL_BLOCK_NNZ = 100_000
"""Up to this many stored votes the warm solver starts from the whole previous block (see there)."""
WARM_BASIS_LIMIT = 40
"""Krylov basis size before a thick restart from the Ritz vectors (rarely reached on an update)."""


def warm_krylov(
    matrix: sp.csr_matrix,
    n_components: int,
    start: FloatArray,
    *,
    max_iterations: int = 300,
    tolerance: float = 1e-10,
    keep: int = 2 + GUARD_VECTORS,
) -> tuple[FloatArray, int, FloatArray, FloatArray]:
    """Leading eigenvectors of X^T X from a nearby block (an update): block Lanczos, Rayleigh–Ritz.

    The Krylov space of the previous components, span{Q, AQ, A²Q, ...} with full
    re-orthogonalisation, holds the best polynomial filter of each degree at once, so it reaches
    the same stopping rule as `subspace_iteration` (every wanted Ritz pair's residual
    |A v - theta v| <= tolerance * theta_1) in fewer and narrower products than a filtered
    subspace iteration: a product costs the block width, and each step adds only A times the 2
    wanted Ritz vectors, not a block of 2 + 4 guards. On small matrices (up to
    `WARM_FULL_BLOCK_NNZ` votes) the first block is the whole previous block, which saves steps
    where a step's fixed cost outweighs its products. Returns (components, products, the top
    `keep` Ritz vectors to warm-start the next update, X times the components: the raw
    participant projections).
    """
    n_rows, n_cols = matrix.shape
    wanted = min(n_components, n_rows, n_cols)
    components = np.zeros((n_components, n_cols))
    if wanted == 0:
        return components, 0, np.zeros((n_cols, 0)), np.zeros((n_rows, n_components))
    times, transposed_times = _narrow_products(matrix)

    # On a small matrix a product is cheap next to a step's fixed cost, so the whole previous
    # block (wanted vectors and guards) goes in first: fewer steps. On a large one, 2 vectors.
    first = start if matrix.nnz <= WARM_FULL_BLOCK_NNZ else start[:, : max(WARM_BLOCK, wanted)]
    q = _orthonormal_rest(first, None, 1.0)
    if q.shape[1] < wanted:
        q = _starting_block(n_cols, wanted, q)
    # The basis, A times it and X times it live in preallocated buffers (no stacking per step);
    # X v for the final Ritz vectors is then the raw participant projections, for free.
    capacity = min(WARM_BASIS_LIMIT, n_cols) + q.shape[1] + keep
    basis_buffer = np.empty((n_cols, capacity), order="F")
    image_buffer = np.empty((n_cols, capacity), order="F")
    row_buffer = np.empty((n_rows, capacity), order="F")
    width = q.shape[1]
    basis_buffer[:, :width] = q
    row_buffer[:, :width] = times(q)
    image_buffer[:, :width] = transposed_times(row_buffer[:, :width])
    products = 1
    while True:
        basis, images = basis_buffer[:, :width], image_buffer[:, :width]
        values, rotation = _symmetric_eigen(basis.T @ images)
        top = max(values[0], np.finfo(float).tiny)
        chosen = rotation[:, :wanted]
        ritz_wanted = basis @ chosen
        residual = np.linalg.norm(images @ chosen - ritz_wanted * values[:wanted], axis=0)
        if np.all(residual <= tolerance * top) or products >= max_iterations:
            break
        # Extend by A times the wanted Ritz vectors (their residuals, modulo the basis): the
        # Krylov space of a 2-vector start, and the natural extension of a wider one.
        last_image = images @ chosen
        if width + wanted > min(WARM_BASIS_LIMIT, n_cols):
            # Thick restart: keep the leading Ritz vectors (and their images), drop the rest.
            kept = min(width, keep)
            lead = rotation[:, :kept]
            basis_buffer[:, :kept] = basis @ lead
            image_buffer[:, :kept] = images @ lead
            row_buffer[:, :kept] = row_buffer[:, :width] @ lead
            width = kept
            basis = basis_buffer[:, :width]
            last_image = image_buffer[:, :wanted]
        extension = _orthonormal_rest(last_image, basis, top)
        grown = extension.shape[1]
        if grown == 0:
            # The space is invariant, so its Ritz pairs are exact (taken again after a restart).
            values, rotation = _symmetric_eigen(basis.T @ image_buffer[:, :width])
            chosen = rotation[:, :wanted]
            ritz_wanted = basis @ chosen
            break
        new = slice(width, width + grown)
        basis_buffer[:, new] = extension
        row_buffer[:, new] = times(extension)
        image_buffer[:, new] = transposed_times(row_buffer[:, new])
        products += 1
        width += grown
    basis = basis_buffer[:, :width]
    row_images = row_buffer[:, :width]
    width = min(basis.shape[1], keep)
    components[:wanted] = ritz_wanted.T
    raw = np.zeros((n_rows, n_components))
    raw[:, :wanted] = row_images @ chosen
    return components, products, basis @ rotation[:, :width], raw


def project(
    centred: CentredVotes, components: FloatArray, raw: FloatArray | None = None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Participant projections, statement projections and statement extremity, pol.is-scaled.

    `raw` is X times the components when the solver already has it (participants x 2).
    """
    n_statements = centred.matrix.shape[1]
    if raw is None:
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
    previous_block: FloatArray | None = None,
    centred: CentredVotes | None = None,
) -> PCAResult:
    """Two principal components and the pol.is projections; warm-started when given components.

    `previous_block` (statements x block size, e.g. the previous result's `block` aligned to these
    statements) warm-starts the guard vectors too; `centred` reuses an already built matrix.
    """
    centred = centred if centred is not None else centre_votes(votes)
    start = (
        previous_block
        if previous_block is not None
        else (previous_components.T if previous_components is not None else None)
    )
    raw: FloatArray | None = None
    if previous_block is not None:
        components, iterations, block, raw = warm_krylov(
            centred.matrix, 2, previous_block, max_iterations=max_iterations, tolerance=tolerance
        )
    else:
        components, iterations, block = subspace_iteration(
            centred.matrix, 2, start=start, max_iterations=max_iterations, tolerance=tolerance
        )
    signed = _fix_signs(components, previous_components)
    if raw is not None:
        # Follow the sign fix: X (s v) = s (X v).
        raw = raw * np.where(np.sum(signed * components, axis=1) < 0, -1.0, 1.0)[None, :]
    components = signed
    participants, statements, extremity = project(centred, components, raw)
    return PCAResult(
        center=centred.center,
        components=components,
        participant_projection=participants,
        statement_projection=statements,
        statement_extremity=extremity,
        iterations=iterations,
        block=block,
    )
