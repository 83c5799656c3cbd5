"""openData conversations, nothing forced: our groups against the groups pol.is recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from minsheng.analysis.consensus import AnalysisOptions, analyze, read_recorded_groups

from .conftest import OPENDATA, load_opendata, membership_agreement

# Conversations where the issue requires pol.is's group count and >= 98 % agreement.
REQUIRED = {"vtaiwan.uberx": 0.98, "scoop-hivemind.biodiversity": 0.98}
# The two conversations whose recorded group count we do not reproduce, and the count we find.
# docs/consensus.md ("Group counts on openData") shows why: on the final votes the silhouette
# prefers these counts under every variant of pol.is's rule (weighted or not, our or pol.is's
# participant set); pol.is's recorded counts come from its update history (k-means warm-started
# across updates, a k that changes only after 4 updates agree) and, for ubi, an older
# in-conversation rule (all 234 participants grouped, 58 with fewer than 7 votes).
GROUP_COUNT_EXCEPTIONS = {"london.youth.policing": 2, "scoop-hivemind.ubi": 3}
# Measured figures for the rest (docs/consensus.md explains them); a floor so regressions show.
MEASURED_FLOOR = {
    "15-per-hour-seattle": 0.93,
    "brexit-consensus": 0.93,
    "london.youth.policing": 0.49,
    "scoop-hivemind.ubi": 0.30,
}


@pytest.mark.parametrize("name", OPENDATA)
def test_groups_agree_with_polis(polis_data: Path, name: str) -> None:
    votes = load_opendata(polis_data, name)
    recorded = read_recorded_groups(polis_data / "opendata" / name / "participants-votes.csv")
    result = analyze(votes, AnalysisOptions(bridging=False))
    ids = votes.participant_ids.tolist()
    ours = {ids[i]: int(g) for i, g in enumerate(result.participant_group) if g >= 0}
    agreement = membership_agreement(ours, recorded)
    print(
        f"{name}: {result.n_groups} groups (pol.is {len(set(recorded.values()))}), agreement {agreement:.4f}"
    )
    recorded_count = len(set(recorded.values()))
    assert result.n_groups == GROUP_COUNT_EXCEPTIONS.get(name, recorded_count)
    if name in REQUIRED:
        assert agreement >= REQUIRED[name]
    else:
        assert agreement >= MEASURED_FLOOR[name]
