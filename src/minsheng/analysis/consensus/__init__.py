"""pol.is-equivalent opinion groups, representative and consensus statements, and bridging ranking.

A pure library (numpy/scipy, no Django): read votes, `analyze` them, `update` with new votes,
and render the result as JSON (`to_json`) or a self-contained HTML page (`render_html`).
"""

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
