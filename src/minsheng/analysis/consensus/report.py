"""A self-contained HTML page of a result: no scripts, fonts or images from the internet."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

import numpy as np

from .pipeline import ConsensusResult

GROUP_COLOURS = ("#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#7b4b94")
MAP_SIZE = 420
DIVISIVE_SHOWN = 5
BRIDGING_SHOWN = 15

STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;margin:1.5rem auto;max-width:60rem;
color:#222;line-height:1.5;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.3rem .5rem;
text-align:left;vertical-align:top}.num{text-align:right;white-space:nowrap}
.agree{color:#2e7d32}.disagree{color:#c62828}.swatch{display:inline-block;width:.8rem;height:.8rem;
border-radius:50%;margin-right:.4rem}svg{max-width:100%;height:auto;border:1px solid #ddd}
"""


def _text(statement_id: Any, texts: Mapping[Any, str]) -> str:
    return escape(texts.get(statement_id, "") or f"#{statement_id}")


def _opinion_map(result: ConsensusResult) -> str:
    points = result.pca.participant_projection
    groups = result.participant_group
    spread = float(np.max(np.abs(points))) if points.size else 1.0
    scale = (MAP_SIZE / 2 - 12) / (spread or 1.0)
    centre = MAP_SIZE / 2
    circles = []
    for (x, y), group in zip(points, groups, strict=True):
        colour = GROUP_COLOURS[group % len(GROUP_COLOURS)] if group >= 0 else "#bbb"
        circles.append(
            f'<circle cx="{centre + x * scale:.1f}" cy="{centre - y * scale:.1f}" r="3" '
            f'fill="{colour}" fill-opacity="0.6"/>'
        )
    return (
        f'<svg viewBox="0 0 {MAP_SIZE} {MAP_SIZE}" width="{MAP_SIZE}" height="{MAP_SIZE}" role="img" '
        'aria-label="Opinion map: each dot is a participant, coloured by opinion group">'
        f'<line x1="0" y1="{centre}" x2="{MAP_SIZE}" y2="{centre}" stroke="#eee"/>'
        f'<line x1="{centre}" y1="0" x2="{centre}" y2="{MAP_SIZE}" stroke="#eee"/>'
        + "".join(circles)
        + "</svg>"
    )


def _group_section(result: ConsensusResult, texts: Mapping[Any, str]) -> str:
    sizes = result.group_sizes()
    parts = []
    for g in range(result.n_groups):
        colour = GROUP_COLOURS[g % len(GROUP_COLOURS)]
        rows = "".join(
            f'<tr><td class="{item.direction}">{"agrees" if item.direction == "agree" else "disagrees"}</td>'
            f"<td>{_text(item.statement, texts)}</td>"
            f'<td class="num">{item.p_success:.0%}</td></tr>'
            for item in result.representative[g]
        )
        parts.append(
            f'<h3><span class="swatch" style="background:{colour}"></span>Group {g + 1} '
            f"({sizes[g]} participants)</h3><table><tr><th>This group</th><th>Statement</th>"
            f'<th class="num">share</th></tr>{rows}</table>'
        )
    return "".join(parts)


def _consensus_section(result: ConsensusResult, texts: Mapping[Any, str]) -> str:
    parts = []
    for direction, heading in (("agree", "Most agree"), ("disagree", "Most disagree")):
        items = result.consensus[direction]
        rows = "".join(
            f'<tr><td>{_text(item.statement, texts)}</td><td class="num">{item.p_success:.0%}</td></tr>'
            for item in items
        )
        parts.append(f"<h3>{heading}</h3>" + (f"<table>{rows}</table>" if rows else "<p>None.</p>"))
    return "".join(parts)


def _divisive_section(result: ConsensusResult, texts: Mapping[Any, str]) -> str:
    """Statements whose agreement differs most between groups."""
    if result.n_groups < 2:
        return "<p>Only one group: nothing divides it.</p>"
    p_agree = result.group_stats.p_agree
    spread = p_agree.max(axis=0) - p_agree.min(axis=0)
    spread[result.votes.moderated_out_mask()] = -1
    order = np.argsort(-spread, kind="stable")[:DIVISIVE_SHOWN]
    ids = result.votes.statement_ids.tolist()
    header = "".join(f'<th class="num">Group {g + 1}</th>' for g in range(result.n_groups))
    rows = "".join(
        f"<tr><td>{_text(ids[j], texts)}</td>"
        + "".join(f'<td class="num">{p_agree[g, j]:.0%}</td>' for g in range(result.n_groups))
        + "</tr>"
        for j in order
        if spread[j] >= 0
    )
    return f"<table><tr><th>Statement (share agreeing per group)</th>{header}</tr>{rows}</table>"


def _bridging_section(result: ConsensusResult, texts: Mapping[Any, str]) -> str:
    if result.bridging is None:
        return "<p>Not computed.</p>"
    excluded = result.votes.moderated_out_mask()
    order = [j for j in np.argsort(-result.bridging.intercept, kind="stable") if not excluded[j]]
    ids = result.votes.statement_ids.tolist()
    rows = "".join(
        f"<tr><td>{_text(ids[j], texts)}</td>"
        f'<td class="num">{result.bridging.intercept[j]:.3f}</td>'
        f'<td class="num">{result.bridging.factor[j]:+.3f}</td>'
        f"<td>{escape(result.bridging.status[j])}</td></tr>"
        for j in order[:BRIDGING_SHOWN]
    )
    return (
        "<p>Intercept: agreement that the divide does not explain. Factor: which side a statement "
        "speaks for.</p><table><tr><th>Statement</th><th class=num>intercept</th><th class=num>factor</th>"
        f"<th>status</th></tr>{rows}</table>"
    )


def render_html(
    result: ConsensusResult, texts: Mapping[Any, str] | None = None, title: str = "Consensus analysis"
) -> str:
    """The page: opinion map, groups, consensus, divisive statements, bridging ranking."""
    texts = texts or {}
    in_conversation = int(result.in_conversation.sum())
    summary = (
        f"{result.votes.n_participants} participants ({in_conversation} in the conversation), "
        f"{result.votes.n_statements} statements, {result.votes.n_votes} votes, {result.n_groups} groups."
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>{escape(summary)}</p>"
        f"<h2>Opinion map</h2>{_opinion_map(result)}"
        f"<h2>Opinion groups</h2>{_group_section(result, texts)}"
        f"<h2>Consensus</h2>{_consensus_section(result, texts)}"
        f"<h2>Divisive statements</h2>{_divisive_section(result, texts)}"
        f"<h2>Bridging ranking</h2>{_bridging_section(result, texts)}"
        "</body></html>"
    )
