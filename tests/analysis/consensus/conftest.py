"""Shared helpers for the consensus tests: the real data sets and how to compare with pol.is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from minsheng.analysis.consensus import Votes, read_statements, read_votes

REDDWARF_FIXTURES = (
    "below-100-ptpts",
    "25ptpt-3gp-no-strict-with-meta",
    "50ptpt-3gp-strict-no-meta",
    "above-100-ptpts",
    "150ptpt-3gp-no-strict-no-meta",
)
OPENDATA = (
    "15-per-hour-seattle",
    "brexit-consensus",
    "london.youth.policing",
    "scoop-hivemind.biodiversity",
    "scoop-hivemind.ubi",
    "vtaiwan.uberx",
)


@pytest.fixture(scope="session")
def polis_data(shared_data: Path) -> Path:
    return shared_data / "polis"


def load_fixture(polis_data: Path, name: str) -> tuple[Votes, dict[str, Any]]:
    directory = polis_data / "reddwarf-fixtures" / name
    votes = read_votes(directory).with_moderation(read_statements(directory))
    math = json.loads((directory / "math-pca2.json").read_text())
    return votes, math


def load_opendata(polis_data: Path, name: str) -> Votes:
    directory = polis_data / "opendata" / name
    return read_votes(directory / "votes.csv").with_moderation(read_statements(directory / "comments.csv"))


def membership_agreement(ours: dict[Any, int], reference: dict[Any, int]) -> float:
    """Share of the reference's grouped participants we put in the matching group (best label matching).

    A participant the reference grouped and we did not counts as a disagreement.
    """
    reference_groups = max(reference.values()) + 1
    our_groups = max(ours.values(), default=0) + 1
    table = np.zeros((reference_groups, our_groups))
    for participant, group in reference.items():
        if participant in ours:
            table[group, ours[participant]] += 1
    rows, cols = linear_sum_assignment(-table)
    return float(table[rows, cols].sum() / len(reference))
