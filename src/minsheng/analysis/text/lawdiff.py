"""Two versions of a draft, article by article: which old article became which new one, and what changed.

Pure Python (no Django). Articles are given as ``(label, text)`` pairs in document order.

Matching (so that opinions stay attached when a new version arrives): first unchanged texts, then
the pairs whose texts are clearly the same article (similarity ≥ ``SAME_ARTICLE``), best pairs
first, wherever they moved after renumbering; then an old article without such a match keeps its
label when the new version still has an unclaimed article of that label (it was rewritten in
place); otherwise it was deleted (``None``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

SAME_ARTICLE = 0.6

ArticleText = tuple[str, str]


def similarity(a: str, b: str) -> float:
    """0..1, how much of the two texts is shared (difflib's ratio, without its junk heuristic)."""
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def articles_match(old: Sequence[ArticleText], new: Sequence[ArticleText]) -> dict[str, str | None]:
    """old label → new label (or None when the article is gone)."""
    new_by_label = {label: text for label, text in new}
    mapping: dict[str, str | None] = {}
    claimed: set[str] = set()
    # Unchanged texts first: an article that only moved is certainly the same article.
    new_by_text: dict[str, list[str]] = {}
    for label, text in new:
        new_by_text.setdefault(text, []).append(label)
    for old_label, old_text in old:
        same_text = [label for label in new_by_text.get(old_text, []) if label not in claimed]
        if same_text:
            target = old_label if old_label in same_text else same_text[0]
            mapping[old_label] = target
            claimed.add(target)
    candidates: list[tuple[float, int, str, str]] = []
    for position, (old_label, old_text) in enumerate(old):
        if old_label in mapping:
            continue
        same_place = new_by_label.get(old_label)
        if same_place is not None and old_label not in claimed:
            score = similarity(old_text, same_place)
            if score >= SAME_ARTICLE:
                candidates.append((score, -position, old_label, old_label))
                continue
        for new_label, new_text in new:
            if new_label in claimed:
                continue
            matcher = SequenceMatcher(None, old_text, new_text, autojunk=False)
            if matcher.real_quick_ratio() < SAME_ARTICLE or matcher.quick_ratio() < SAME_ARTICLE:
                continue
            score = matcher.ratio()
            if score >= SAME_ARTICLE:
                candidates.append((score, -position, old_label, new_label))
    for _score, _position, old_label, new_label in sorted(candidates, reverse=True):
        if old_label in mapping or new_label in claimed:
            continue
        mapping[old_label] = new_label
        claimed.add(new_label)
    for old_label, _text in old:
        if old_label not in mapping:
            in_place = old_label in new_by_label and old_label not in claimed
            mapping[old_label] = old_label if in_place else None
            if in_place:
                claimed.add(old_label)
    return mapping


Op = Literal["equal", "insert", "delete"]


@dataclass
class DiffRow:
    kind: Literal["same", "changed", "added", "removed"]
    old_label: str | None
    new_label: str | None
    segments: list[tuple[Op, str]] = field(default_factory=list)


def text_segments(old: str, new: str) -> list[tuple[Op, str]]:
    """Character-level differences as (equal|insert|delete, text) runs."""
    segments: list[tuple[Op, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(("equal", old[i1:i2]))
        else:
            if i2 > i1:
                segments.append(("delete", old[i1:i2]))
            if j2 > j1:
                segments.append(("insert", new[j1:j2]))
    return segments


def articles_diff(old: Sequence[ArticleText], new: Sequence[ArticleText]) -> list[DiffRow]:
    """Every article of the new version in order, each removed old article after its predecessor."""
    mapping = articles_match(old, new)
    old_text = dict(old)
    new_to_old = {new_label: old_label for old_label, new_label in mapping.items() if new_label}
    rows: list[DiffRow] = []
    removed_after: dict[str | None, list[str]] = {}
    previous_kept: str | None = None
    for old_label, _text in old:
        if mapping[old_label] is None:
            removed_after.setdefault(previous_kept, []).append(old_label)
        else:
            previous_kept = old_label

    def flush_removed(after: str | None) -> None:
        for label in removed_after.pop(after, []):
            rows.append(DiffRow("removed", label, None, [("delete", old_text[label])]))

    flush_removed(None)
    for new_label, text in new:
        source = new_to_old.get(new_label)
        if source is None:
            rows.append(DiffRow("added", None, new_label, [("insert", text)]))
            continue
        before = old_text[source]
        if before == text and source == new_label:
            rows.append(DiffRow("same", source, new_label, [("equal", text)]))
        else:
            rows.append(DiffRow("changed", source, new_label, text_segments(before, text)))
        flush_removed(source)
    for after in list(removed_after):
        flush_removed(after)
    return rows
