"""Counting votes: pass rules as data, decisions, elections. Pure functions (no Django, no database).

A pass rule says which count must exceed (or reach) which share of which base:

    PassRule(base="all", numerator=1, denominator=2, strict=True)   # 全体组成人员的过半数
    PassRule(base="present", numerator=2, denominator=3, strict=False)  # 出席人员的三分之二以上

Integer arithmetic only (``count * denominator`` against ``numerator * base``), so 208 of 415 passes
"more than half" and 207 does not, whatever floating point would say.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

BASE_ALL = "all"
BASE_PRESENT = "present"
BASE_CAST = "cast"
BASES = (BASE_ALL, BASE_PRESENT, BASE_CAST)

YES, NO, ABSTAIN = "yes", "no", "abstain"
VALUES = (YES, NO, ABSTAIN)


@dataclass(frozen=True)
class PassRule:
    base: str = BASE_ALL
    numerator: int = 1
    denominator: int = 2
    strict: bool = True
    """True: the count must be *more than* the share (过半数); False: *at least* (三分之二以上)."""

    def __post_init__(self) -> None:
        if self.base not in BASES:
            raise ValueError(f"unknown base {self.base!r}")
        if self.denominator < 1 or not 0 <= self.numerator <= self.denominator:
            raise ValueError("a pass rule's share is a fraction between 0 and 1")


@dataclass(frozen=True)
class Turnout:
    """The numbers a rule can be based on, snapshotted when the poll closes."""

    entitled: int
    """Members of the body entitled to vote in this meeting (应到), whoever came."""
    present: int
    """Entitled members signed in and not on leave (实到)."""
    cast: int
    """Ballots cast (参加表决): for, against and abstentions."""

    def base(self, rule: PassRule) -> int:
        return {BASE_ALL: self.entitled, BASE_PRESENT: self.present, BASE_CAST: self.cast}[rule.base]


def rule_met(rule: PassRule, count: int, turnout: Turnout) -> bool:
    """Whether ``count`` exceeds (strict) or reaches the rule's share of the rule's base."""
    base = turnout.base(rule)
    if base <= 0:
        return False
    needed = rule.numerator * base
    return count * rule.denominator > needed if rule.strict else count * rule.denominator >= needed


def votes_needed(rule: PassRule, turnout: Turnout) -> int:
    """The smallest count that meets the rule (shown beside the result)."""
    base = turnout.base(rule)
    if base <= 0:
        return 0
    quotient, remainder = divmod(rule.numerator * base, rule.denominator)
    if rule.strict:
        return quotient + 1
    return quotient + (1 if remainder else 0)


@dataclass(frozen=True)
class Tally:
    yes: int = 0
    no: int = 0
    abstain: int = 0

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    def as_dict(self) -> dict[str, int]:
        return {YES: self.yes, NO: self.no, ABSTAIN: self.abstain}


def tally_values(values: Iterable[str]) -> Tally:
    counts = Counter(values)
    return Tally(yes=counts[YES], no=counts[NO], abstain=counts[ABSTAIN])


def tally_rows(ballots: Iterable[Mapping[str, Any]], keys: Sequence[str]) -> dict[str, Tally]:
    """Per row (candidate or nominee) of ballots shaped ``{"rows": {key: value}}``; an unmarked row
    counts for nobody."""
    counters: dict[str, Counter[str]] = {key: Counter() for key in keys}
    for ballot in ballots:
        for key, value in (ballot.get("rows") or {}).items():
            if key in counters:
                counters[key][value] += 1
    return {key: Tally(yes=c[YES], no=c[NO], abstain=c[ABSTAIN]) for key, c in counters.items()}


def tally_write_ins(ballots: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for ballot in ballots:
        counts.update(set(ballot.get("write_ins") or []))
    return dict(counts.most_common())


@dataclass(frozen=True)
class ElectionOutcome:
    elected: list[str]
    """Keys (candidates or write-in names) elected, highest count first."""
    further_round_seats: int
    """Seats still to fill: 0 when every seat is filled."""
    further_round_candidates: list[str] = field(default_factory=list)
    """Who stands again when seats remain: those tied at the last seat, or those not elected."""
    tied: list[str] = field(default_factory=list)


def election_outcome(
    *, seats: int, yes_counts: Mapping[str, int], rule: PassRule, turnout: Turnout
) -> ElectionOutcome:
    """The statutory count (DOMAIN.md §8): a candidate needs the rule (by default more than half of
    all members); if more pass than seats, the highest counts win; a tie at the last seat, or too few
    elected, leaves seats for a further round (另行选举) — among the tied, or among those not elected."""
    ranked = sorted(yes_counts, key=lambda key: (-yes_counts[key], key))
    passing = [key for key in ranked if rule_met(rule, yes_counts[key], turnout)]
    if len(passing) <= seats:
        remaining = seats - len(passing)
        others = [key for key in ranked if key not in passing] if remaining else []
        return ElectionOutcome(
            elected=passing, further_round_seats=remaining, further_round_candidates=others
        )
    last = yes_counts[passing[seats - 1]]
    above = [key for key in passing if yes_counts[key] > last]
    at_last = [key for key in passing if yes_counts[key] == last]
    if len(above) + len(at_last) == seats:  # no tie across the last seat
        return ElectionOutcome(elected=passing[:seats], further_round_seats=0)
    return ElectionOutcome(
        elected=above,
        further_round_seats=seats - len(above),
        further_round_candidates=at_last,
        tied=at_last,
    )


def election_ballot_valid(rows: Mapping[str, str], write_ins: Sequence[str], seats: int) -> bool:
    """Never more 赞成 (including people written in) than seats."""
    return sum(1 for value in rows.values() if value == YES) + len(write_ins) <= seats
