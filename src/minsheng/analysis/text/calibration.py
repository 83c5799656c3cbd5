"""How far a classifier's confidence can be trusted: temperature scaling and the measures of it.

- ``temperature_fit`` finds the T that makes softmax(scores / T) fit held-out labels best (lowest
  log loss). One number for all classes keeps the ranking of the classes unchanged.
- ``expected_calibration_error``: predictions grouped into equal-width confidence bins; the gap
  between each bin's accuracy and its mean confidence, weighted by the bin's share.
- ``accuracy_at_coverage``: accuracy on the given share of predictions made with most confidence
  (what staff get if only confident suggestions are pre-filled).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

ECE_BINS = 10
_TEMPERATURES = np.geomspace(0.01, 10.0, 241)


def softmax(scores: NDArray[np.float64], temperature: float = 1.0) -> NDArray[np.float64]:
    """Row-wise softmax of ``scores / temperature`` (stable for large scores)."""
    z = np.asarray(scores, dtype=np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)


def log_loss(probabilities: NDArray[np.float64], truth: NDArray[np.int64]) -> float:
    picked = probabilities[np.arange(len(truth)), truth]
    return float(-np.log(np.clip(picked, 1e-12, 1.0)).mean())


def temperature_fit(scores: NDArray[np.float64], truth: NDArray[np.int64]) -> float:
    """The temperature minimising the log loss of softmax(scores / T) on (scores, truth).

    A grid of 241 log-spaced values between 0.01 and 10, then a golden-section refinement around the
    best: no optimiser to fail to converge, the same answer on every machine.
    """
    if len(truth) == 0:
        raise ValueError("no examples to fit a temperature on")
    losses = [log_loss(softmax(scores, t), truth) for t in _TEMPERATURES]
    best = int(np.argmin(losses))
    low = float(_TEMPERATURES[max(best - 1, 0)])
    high = float(_TEMPERATURES[min(best + 1, len(_TEMPERATURES) - 1)])
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(40):
        a = high - ratio * (high - low)
        b = low + ratio * (high - low)
        if log_loss(softmax(scores, a), truth) <= log_loss(softmax(scores, b), truth):
            high = b
        else:
            low = a
    return (low + high) / 2


def expected_calibration_error(
    confidence: NDArray[np.float64], correct: NDArray[np.bool_], bins: int = ECE_BINS
) -> float:
    """Σ_b (n_b / N) · |accuracy_b − mean confidence_b| over equal-width bins (0, 0.1], (0.1, 0.2], …

    A confidence of exactly 0 falls in the first bin.
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=bool)
    if len(confidence) == 0:
        raise ValueError("no predictions to measure")
    index = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    total = 0.0
    for b in range(bins):
        in_bin = index == b
        if in_bin.any():
            total += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(total)


def accuracy_at_coverage(
    confidence: NDArray[np.float64], correct: NDArray[np.bool_], coverage: float
) -> float:
    """Accuracy over the ceil(coverage · N) most confident predictions (ties: earlier first)."""
    if not 0 < coverage <= 1:
        raise ValueError("coverage must be in (0, 1]")
    confidence = np.asarray(confidence, dtype=np.float64)
    if len(confidence) == 0:
        raise ValueError("no predictions to measure")
    keep = math.ceil(coverage * len(confidence))
    order = np.argsort(-confidence, kind="stable")[:keep]
    return float(np.asarray(correct, dtype=bool)[order].mean())


def confidence_threshold_for_coverage(confidence: NDArray[np.float64], coverage: float) -> float:
    """The confidence above which ``coverage`` of these predictions lie (for a pre-fill setting)."""
    if not 0 < coverage <= 1:
        raise ValueError("coverage must be in (0, 1]")
    ordered = np.sort(np.asarray(confidence, dtype=np.float64))[::-1]
    return float(ordered[math.ceil(coverage * len(ordered)) - 1])
