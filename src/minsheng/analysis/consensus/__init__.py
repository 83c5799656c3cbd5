"""pol.is-equivalent opinion groups, representative and consensus statements, and bridging ranking.

A pure library (numpy/scipy, no Django): read votes, `analyze` them, `update` with new votes,
and render the result as JSON (`to_json`) or a self-contained HTML page (`render_html`).

The names below are imported on first use (PEP 562), so that reading votes (numpy only) does not
wait for scipy: the command line reads the votes while it imports the analysis.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .bridging import BridgingResult, bridging_rank
    from .output import to_json
    from .pipeline import AnalysisOptions, ConsensusResult, Forcing, analyze, merge_votes, update
    from .report import render_html
    from .votes import (
        ConsensusInputError,
        Statement,
        Votes,
        read_recorded_groups,
        read_statements,
        read_votes,
        votes_from_records,
    )

_HOME = {
    "BridgingResult": "bridging",
    "bridging_rank": "bridging",
    "to_json": "output",
    "AnalysisOptions": "pipeline",
    "ConsensusResult": "pipeline",
    "Forcing": "pipeline",
    "analyze": "pipeline",
    "merge_votes": "pipeline",
    "update": "pipeline",
    "render_html": "report",
    "ConsensusInputError": "votes",
    "Statement": "votes",
    "Votes": "votes",
    "read_recorded_groups": "votes",
    "read_statements": "votes",
    "read_votes": "votes",
    "votes_from_records": "votes",
}

__all__ = [
    "AnalysisOptions",
    "BridgingResult",
    "ConsensusInputError",
    "ConsensusResult",
    "Forcing",
    "Statement",
    "Votes",
    "analyze",
    "bridging_rank",
    "merge_votes",
    "read_recorded_groups",
    "read_statements",
    "read_votes",
    "render_html",
    "to_json",
    "update",
    "votes_from_records",
]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value
