"""Calibration measures against hand-computed examples."""

from __future__ import annotations

import numpy as np
import pytest

from minsheng.analysis.text.calibration import (
    accuracy_at_coverage,
    confidence_threshold_for_coverage,
    expected_calibration_error,
    softmax,
    temperature_fit,
)


def test_ece_by_hand():
    # Bin (0.5, 0.6]: confidences 0.55, 0.55, one right → accuracy 0.5, mean confidence 0.55, gap 0.05.
    # Bin (0.8, 0.9]: 0.85 right → gap 0.15. Bin (0.9, 1.0]: 0.95, 0.95 both right → gap 0.05.
    # ECE = 2/5 · 0.05 + 1/5 · 0.15 + 2/5 · 0.05 = 0.02 + 0.03 + 0.02 = 0.07.
    confidence = np.array([0.55, 0.55, 0.85, 0.95, 0.95])
    correct = np.array([True, False, True, True, True])
    assert expected_calibration_error(confidence, correct) == pytest.approx(0.07)


def test_ece_bin_edges_belong_to_the_lower_bin():
    # 0.6 sits in (0.5, 0.6] with 0.55: mean 0.575, accuracy 1 → gap 0.425 over all of them.
    assert expected_calibration_error(np.array([0.55, 0.6]), np.array([True, True])) == pytest.approx(0.425)
    # A confidence of 0 counts in the first bin instead of being lost.
    assert expected_calibration_error(np.array([0.0]), np.array([False])) == pytest.approx(0.0)


def test_perfectly_calibrated_is_zero_and_empty_is_refused():
    confidence = np.array([0.75] * 4)
    assert expected_calibration_error(confidence, np.array([True, True, True, False])) == pytest.approx(0.0)
    with pytest.raises(ValueError):
        expected_calibration_error(np.array([]), np.array([], dtype=bool))


def test_accuracy_at_coverage_by_hand():
    confidence = np.array([0.9, 0.2, 0.8, 0.7, 0.6])
    correct = np.array([True, False, True, False, True])
    # 80 % of 5 = 4 most confident: 0.9 ✓, 0.8 ✓, 0.7 ✗, 0.6 ✓ → 3/4.
    assert accuracy_at_coverage(confidence, correct, 0.8) == pytest.approx(0.75)
    # ceil(0.5 · 5) = 3: 0.9, 0.8, 0.7 → 2/3.
    assert accuracy_at_coverage(confidence, correct, 0.5) == pytest.approx(2 / 3)
    assert accuracy_at_coverage(confidence, correct, 1.0) == pytest.approx(0.6)
    assert confidence_threshold_for_coverage(confidence, 0.8) == pytest.approx(0.6)
    with pytest.raises(ValueError):
        accuracy_at_coverage(confidence, correct, 0)


def test_softmax_rows_sum_to_one_and_temperature_sharpens():
    scores = np.array([[1.0, 0.0, -1.0], [1000.0, 999.0, 0.0]])
    p = softmax(scores)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert softmax(scores, 0.1)[0, 0] > p[0, 0]
    assert p[1, 0] == pytest.approx(np.exp(1) / (np.exp(1) + 1), abs=1e-9)  # no overflow


def test_temperature_fit_recovers_a_known_temperature():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4000, 5)) * 3
    true_temperature = 2.5
    probabilities = softmax(logits, true_temperature)
    truth = np.array([rng.choice(5, p=row) for row in probabilities])
    assert temperature_fit(logits, truth) == pytest.approx(true_temperature, rel=0.1)
