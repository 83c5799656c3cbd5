"""The result as the JSON document the `analyze` command prints (shape fixed by issue 3)."""

from __future__ import annotations

from typing import Any

from .pipeline import ConsensusResult


def _plain(value: Any) -> Any:
    """numpy scalars to Python numbers, so json.dumps accepts them."""
    return value.item() if hasattr(value, "item") else value


def to_json(result: ConsensusResult) -> dict[str, Any]:
    votes = result.votes
    projection = result.pca.participant_projection
    participants = [
        {
            "id": _plain(pid),
            "in_conversation": bool(result.in_conversation[i]),
            "group": int(result.participant_group[i]) if result.participant_group[i] >= 0 else None,
            "x": float(projection[i, 0]),
            "y": float(projection[i, 1]),
        }
        for i, pid in enumerate(votes.participant_ids.tolist())
    ]
    sizes = result.group_sizes()
    groups = [
        {
            "id": g,
            "size": sizes[g],
            "representative": [
                {
                    "statement": _plain(item.statement),
                    "direction": item.direction,
                    "p": item.p_success,
                    "z": item.repness_test,
                }
                for item in result.representative[g]
            ],
        }
        for g in range(result.n_groups)
    ]
    excluded = votes.moderated_out_mask()
    statement_ids = votes.statement_ids.tolist()
    bridging: dict[str, Any] = {}
    if result.bridging is not None:
        for j, sid in enumerate(statement_ids):
            if not excluded[j]:
                bridging[str(sid)] = {
                    "intercept": float(result.bridging.intercept[j]),
                    "factor": float(result.bridging.factor[j]),
                    "status": result.bridging.status[j],
                }
    return {
        "participants": participants,
        "groups": groups,
        "consensus": {
            direction: [_plain(item.statement) for item in result.consensus[direction]]
            for direction in ("agree", "disagree")
        },
        "group_aware_consensus": {
            str(sid): float(result.group_aware_consensus[j])
            for j, sid in enumerate(statement_ids)
            if not excluded[j]
        },
        "bridging": bridging,
        "timings": {stage: round(seconds, 6) for stage, seconds in result.timings.items()},
    }
