"""Two-level k-means as pol.is does it: base clusters of participants, then groups of base clusters.

Base clusters (k = 100) compress the opinion map; groups are a weighted k-means over the base
centres (weight = members), for k = 2 ... max_k, and the k with the best silhouette wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

BASE_K = 100
MAX_GROUPS = 5
SilhouetteWeighting = Literal["size", "none"]
KD_TREE_MIN_CENTERS = 16
"""Above this many centres, assignments use a k-d tree over the centres and Hamerly's bounds."""


@dataclass(frozen=True)
class Clustering:
    centers: FloatArray
    labels: IntArray
    """Index into `centers` for every point."""

    @property
    def k(self) -> int:
        return len(self.centers)


@dataclass(frozen=True)
class GroupClustering:
    base: Clustering
    """Base clusters over the participants in the conversation."""
    groups: Clustering
    """Groups over the base-cluster centres."""
    silhouettes: dict[int, float]
    """Silhouette of each k tried."""
    clusterings_by_k: dict[int, Clustering]

    @property
    def participant_groups(self) -> IntArray:
        return self.groups.labels[self.base.labels]


def first_distinct_points(points: FloatArray, k: int) -> FloatArray:
    """pol.is's initial centres: the first k distinct points, in the order given."""
    _, first_seen = np.unique(points, axis=0, return_index=True)
    return points[np.sort(first_seen)[:k]]


def distinct_count(points: FloatArray) -> int:
    """Number of distinct 2-d points: each row read as one complex number, so one 1-d unique.

    Same count as `np.unique(points, axis=0)` (both compare values, so -0.0 equals 0.0), at a
    fraction of the cost of the structured-array sort that one does.
    """
    if len(points) == 0:
        return 0
    as_complex = np.ascontiguousarray(points, dtype=np.float64).view(np.complex128).ravel()
    return len(np.unique(as_complex))


def _squared_distances(points: FloatArray, centers: FloatArray) -> FloatArray:
    diff_x = points[:, :1] - centers[:, 0][None, :]
    diff_y = points[:, 1:2] - centers[:, 1][None, :]
    return np.asarray(diff_x * diff_x + diff_y * diff_y)


def nearest_center(points: FloatArray, centers: FloatArray) -> IntArray:
    """Index of the nearest centre; ties go to the lower index."""
    if len(centers) > KD_TREE_MIN_CENTERS:
        # A k-d tree over the centres beats the full distance table once k is large (base clusters).
        _, found = cKDTree(centers).query(points, k=1)
        return np.asarray(found, dtype=np.int64)
    return np.argmin(_squared_distances(points, centers), axis=1).astype(np.int64)


def _two_nearest(points: FloatArray, centers: FloatArray) -> tuple[IntArray, FloatArray, FloatArray]:
    """Nearest centre, its distance, and the distance to the second-nearest centre (k-d tree)."""
    tree = cKDTree(centers)
    found, indices = tree.query(points, k=2)
    labels = np.asarray(indices[:, 0], dtype=np.int64)
    # On (near) ties the k = 2 query may order the two differently from the k = 1 query that
    # `nearest_center` uses; ask that one, so that the labels are exactly plain Lloyd's.
    tied = np.flatnonzero(found[:, 1] - found[:, 0] <= 1e-12 * np.maximum(found[:, 1], 1.0))
    if len(tied):
        labels[tied] = np.asarray(tree.query(points[tied], k=1)[1], dtype=np.int64)
    return labels, np.asarray(found[:, 0], dtype=np.float64), np.asarray(found[:, 1], dtype=np.float64)


def _first_assignment_from_guess(
    points: FloatArray, centers: FloatArray, guess: IntArray
) -> tuple[IntArray, FloatArray, FloatArray]:
    """`_two_nearest` for all points, skipping those a guessed label already proves (Hamerly's test).

    A point closer to its guessed centre than half the gap from that centre to any other centre
    is nearest to it; every other centre is then at least (2·half gap − distance) away, which is
    the lower bound the later steps need. The labels equal `_two_nearest`'s: only points without
    such a proof are queried.
    """
    gaps = np.sqrt(_squared_distances(centers, centers))
    np.fill_diagonal(gaps, np.inf)
    half = gaps.min(axis=1) / 2
    known = (guess >= 0) & (guess < len(centers))
    label = np.where(known, guess, 0)
    upper = np.sqrt(np.sum((points - centers[label]) ** 2, axis=1))
    proven = known & (upper < half[label])
    lower = 2 * half[label] - upper
    unsure = np.flatnonzero(~proven)
    if len(unsure):
        found, near, second = _two_nearest(points[unsure], centers)
        label[unsure], upper[unsure], lower[unsure] = found, near, second
    return label.astype(np.int64), upper, lower


def kmeans(
    points: FloatArray,
    initial_centers: FloatArray,
    *,
    weights: FloatArray | None = None,
    max_iterations: int = 100,
    tolerance: float = 0.0,
    initial_labels: IntArray | None = None,
) -> Clustering:
    """Lloyd's k-means from given centres; a cluster that loses all members is dropped (as pol.is does).

    Stops when no assignment changes, so the result is a fixed point of the iteration; with a
    `tolerance` > 0, also when no centre moved by `tolerance` or more in a step (pol.is's
    `same-clustering?` rule, 0.01, which it applies on every update). With many
    centres (base clusters) the assignment step skips, by Hamerly's distance bounds, every point
    whose nearest centre provably did not change; the result is the same as plain Lloyd's.
    `initial_labels` (a guess per point, e.g. the previous update's, -1 for none) lets the first
    assignment skip every point that the guess's distance proves nearest to its guessed centre.
    """
    point_weights = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=np.float64)
    centers = np.array(initial_centers, dtype=np.float64, copy=True)
    labels = np.full(len(points), -1, dtype=np.int64)
    bounded = len(centers) > KD_TREE_MIN_CENTERS
    upper = lower = np.zeros(0)
    for iteration in range(max_iterations):
        if bounded and iteration > 0:
            new_labels = labels.copy()
            # Points whose bounds no longer prove their label: tighten the upper bound, then recheck.
            # Hamerly's two tests: the second-nearest bound, and half the gap to the nearest centre.
            gaps = np.sqrt(_squared_distances(centers, centers))
            np.fill_diagonal(gaps, np.inf)
            bound = np.maximum(lower, gaps.min(axis=1)[labels] / 2)
            unsure = np.flatnonzero(upper >= bound)
            if len(unsure):
                upper[unsure] = np.sqrt(np.sum((points[unsure] - centers[labels[unsure]]) ** 2, axis=1))
                unsure = unsure[upper[unsure] >= bound[unsure]]
            if len(unsure):
                found, near, second = _two_nearest(points[unsure], centers)
                new_labels[unsure], upper[unsure], lower[unsure] = found, near, second
        elif bounded and initial_labels is not None:
            new_labels, upper, lower = _first_assignment_from_guess(points, centers, initial_labels)
        elif bounded:
            new_labels, upper, lower = _two_nearest(points, centers)
        else:
            new_labels = nearest_center(points, centers)
        used = np.flatnonzero(np.bincount(new_labels, minlength=len(centers)))
        if len(used) < len(centers):
            # Renumber so that labels stay 0..k-1 after dropping empty clusters (bounds stay valid:
            # fewer centres can only move the second-nearest one further away).
            renumber = np.full(len(centers), -1, dtype=np.int64)
            renumber[used] = np.arange(len(used))
            new_labels = renumber[new_labels]
            labels = np.where(labels >= 0, renumber[np.maximum(labels, 0)], -1)
            centers = centers[used]
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        previous_centers = centers.copy()
        totals = np.bincount(labels, weights=point_weights, minlength=len(centers))
        for axis in range(2):
            centers[:, axis] = (
                np.bincount(labels, weights=point_weights * points[:, axis], minlength=len(centers)) / totals
            )
        moved = np.sqrt(np.sum((centers - previous_centers) ** 2, axis=1))
        if tolerance > 0 and np.all(moved < tolerance):
            break
        if bounded:
            upper = upper + moved[labels]
            # The second-nearest centre is another centre: it moved at most the largest other move.
            largest, runner_up = np.sort(moved)[::-1][:2] if len(moved) > 1 else (moved[0], 0.0)
            lower = lower - np.where(moved[labels] == largest, runner_up, largest)
    return Clustering(centers=centers, labels=labels)


def silhouette(
    centers: FloatArray,
    labels: IntArray,
    weights: FloatArray,
    weighting: SilhouetteWeighting = "size",
    distances: FloatArray | None = None,
) -> float:
    """Silhouette of a grouping of base clusters, using distances between base centres.

    With "size", each base cluster counts as many times as it has members (in both the averages
    of distances and the final mean); with "none", each base cluster counts once (pol.is Clojure).
    A base cluster alone in its group scores 0. `distances` (between the centres) can be passed
    when several groupings of the same centres are scored.
    """
    k = int(labels.max()) + 1
    if k < 2:
        return 0.0
    w = weights if weighting == "size" else np.ones(len(centers))
    if distances is None:
        distances = np.sqrt(_squared_distances(centers, centers))
    membership = np.zeros((len(centers), k))
    membership[np.arange(len(centers)), labels] = w
    weighted_sums = distances @ membership
    group_weight = membership.sum(axis=0)
    own = labels
    own_weight_without_self = group_weight[own] - w
    a = np.divide(
        weighted_sums[np.arange(len(centers)), own],
        own_weight_without_self,
        out=np.zeros(len(centers)),
        where=own_weight_without_self > 0,
    )
    mean_to_group = weighted_sums / np.where(group_weight > 0, group_weight, 1)[None, :]
    mean_to_group[np.arange(len(centers)), own] = np.inf
    b = mean_to_group.min(axis=1)
    denominator = np.maximum(a, b)
    scores = np.divide(b - a, denominator, out=np.zeros(len(centers)), where=denominator > 0)
    scores[own_weight_without_self <= 0] = 0.0
    return float(np.sum(scores * w) / np.sum(w))


def grow_centers(points: FloatArray, centers: FloatArray, k: int) -> FloatArray:
    """Previous centres, topped up towards k as pol.is's `clean-start-clusters` does.

    While there are fewer centres than min(k, distinct points), the point farthest from its
    nearest centre becomes a new centre (pol.is also re-centres the clusters between additions;
    we keep the centres, which Lloyd's iteration re-centres next). Without this a conversation
    that started small would keep its first few base clusters for ever.
    """
    if len(centers) >= k:
        return centers
    target = min(k, distinct_count(points))
    if len(centers) >= target:
        return centers
    grown = [*centers]
    distance = np.sqrt(_squared_distances(points, centers).min(axis=1))
    while len(grown) < target:
        # The last of equal maxima, as Clojure's max-key picks.
        farthest = len(distance) - 1 - int(np.argmax(distance[::-1]))
        if distance[farthest] <= 0:
            break
        grown.append(points[farthest].copy())
        distance = np.minimum(distance, np.sqrt(np.sum((points - points[farthest]) ** 2, axis=1)))
    return np.array(grown)


def max_group_count(n_base_clusters: int, limit: int = MAX_GROUPS) -> int:
    """pol.is allows at most 2 + (base clusters / 12) groups, and never more than `limit`."""
    return min(limit, 2 + n_base_clusters // 12)


def cluster_participants(
    points: FloatArray,
    *,
    base_k: int = BASE_K,
    max_groups: int = MAX_GROUPS,
    force_k: int | None = None,
    base_initial_centers: FloatArray | None = None,
    group_initial_centers: dict[int, FloatArray] | None = None,
    silhouette_weighting: SilhouetteWeighting = "size",
    base_tolerance: float = 0.0,
    base_initial_labels: IntArray | None = None,
) -> GroupClustering:
    """Base clusters, then groups for each candidate k; keep the k with the best silhouette.

    Initial centres default to pol.is's first-distinct-points rule; pass the previous result's
    centres to warm-start (incremental update) or the reference's to reproduce it;
    `base_initial_labels` (each point's previous base cluster, -1 if none) only makes the first
    assignment cheaper, never different.
    """
    if len(points) == 0:
        empty = Clustering(np.zeros((0, 2)), np.zeros(0, dtype=np.int64))
        return GroupClustering(empty, empty, {}, {})
    if base_initial_centers is not None and len(base_initial_centers) > 0:
        base_init = grow_centers(points, np.asarray(base_initial_centers, dtype=np.float64), base_k)
    else:
        base_init = first_distinct_points(points, base_k)
    guess = base_initial_labels if base_initial_centers is not None else None
    base = kmeans(points, base_init, tolerance=base_tolerance, initial_labels=guess)
    sizes = np.bincount(base.labels, minlength=base.k).astype(np.float64)
    distinct_bases = distinct_count(base.centers)
    candidates = [force_k] if force_k is not None else list(range(2, max_group_count(base.k, max_groups) + 1))
    candidates = [k for k in candidates if k <= distinct_bases]
    if not candidates:
        single = Clustering(
            np.average(base.centers, axis=0, weights=sizes)[None, :], np.zeros(base.k, dtype=np.int64)
        )
        return GroupClustering(base, single, {1: 0.0}, {1: single})
    clusterings: dict[int, Clustering] = {}
    scores: dict[int, float] = {}
    distances = np.sqrt(_squared_distances(base.centers, base.centers))
    for k in candidates:
        given = (group_initial_centers or {}).get(k)
        init = given if given is not None and len(given) == k else first_distinct_points(base.centers, k)
        clusterings[k] = kmeans(base.centers, init, weights=sizes)
        scores[k] = silhouette(base.centers, clusterings[k].labels, sizes, silhouette_weighting, distances)
    best_k = max(candidates, key=lambda k: (scores[k], -k))
    return GroupClustering(base, clusterings[best_k], scores, clusterings)
