"""The pass rule and the election count, as pure functions (property-based where rules interact)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from minsheng.meetings.counting import (
    BASES,
    PassRule,
    Turnout,
    election_ballot_valid,
    election_outcome,
    rule_met,
    tally_rows,
    tally_values,
    tally_write_ins,
    votes_needed,
)

MORE_THAN_HALF = PassRule("all", 1, 2, strict=True)


def test_the_statutory_example_208_of_415_passes_and_207_fails_whoever_is_present() -> None:
    for present in (300, 280, 415):
        turnout = Turnout(entitled=415, present=present, cast=present)
        assert rule_met(MORE_THAN_HALF, 208, turnout)
        assert not rule_met(MORE_THAN_HALF, 207, turnout)
    assert votes_needed(MORE_THAN_HALF, Turnout(415, 300, 300)) == 208


def test_two_thirds_at_least_and_more_than() -> None:
    turnout = Turnout(entitled=30, present=30, cast=30)
    assert rule_met(PassRule("all", 2, 3, strict=False), 20, turnout)
    assert not rule_met(PassRule("all", 2, 3, strict=True), 20, turnout)
    assert votes_needed(PassRule("all", 2, 3, strict=True), turnout) == 21


@st.composite
def rules(draw: st.DrawFn) -> PassRule:
    denominator = draw(st.integers(1, 12))
    numerator = draw(st.integers(0, denominator))
    return PassRule(draw(st.sampled_from(BASES)), numerator, denominator, draw(st.booleans()))


@st.composite
def turnouts(draw: st.DrawFn) -> Turnout:
    entitled = draw(st.integers(0, 3000))
    present = draw(st.integers(0, entitled))
    cast = draw(st.integers(0, present))
    return Turnout(entitled=entitled, present=present, cast=cast)


@given(rule=rules(), turnout=turnouts(), count=st.integers(0, 3000))
def test_a_poll_passes_exactly_when_its_count_exceeds_its_share_of_its_base(
    rule: PassRule, turnout: Turnout, count: int
) -> None:
    base = {"all": turnout.entitled, "present": turnout.present, "cast": turnout.cast}[rule.base]
    share = Fraction(rule.numerator, rule.denominator) * base
    expected = base > 0 and (count > share if rule.strict else count >= share)
    assert rule_met(rule, count, turnout) == expected


@given(rule=rules(), turnout=turnouts())
def test_votes_needed_is_the_smallest_count_that_passes(rule: PassRule, turnout: Turnout) -> None:
    needed = votes_needed(rule, turnout)
    if turnout.base(rule) == 0:
        assert needed == 0
        return
    assert rule_met(rule, needed, turnout)
    assert needed == 0 or not rule_met(rule, needed - 1, turnout)


@given(rule=rules(), turnout=turnouts(), count=st.integers(0, 3000), extra=st.integers(0, 3000))
def test_a_higher_count_never_fails_where_a_lower_one_passes(
    rule: PassRule, turnout: Turnout, count: int, extra: int
) -> None:
    if rule_met(rule, count, turnout):
        assert rule_met(rule, count + extra, turnout)


def test_tallies() -> None:
    assert tally_values(["yes", "yes", "no", "abstain"]).as_dict() == {"yes": 2, "no": 1, "abstain": 1}
    ballots = [{"rows": {"1": "yes", "2": "no"}}, {"rows": {"1": "abstain"}, "write_ins": ["丙", "丙"]}]
    rows = tally_rows(ballots, ["1", "2"])
    assert (rows["1"].yes, rows["1"].abstain, rows["2"].no, rows["2"].cast) == (1, 1, 1, 1)
    assert tally_write_ins(ballots) == {"丙": 1}  # a name counts once per ballot
    assert election_ballot_valid({"1": "yes"}, ["丙"], seats=2)
    assert not election_ballot_valid({"1": "yes", "2": "yes"}, ["丙"], seats=2)


# Elections: the statutory cases (DOMAIN.md §8) -----------------------------------------------------


def test_a_contested_election_for_one_seat_elects_the_candidate_with_a_majority_of_all() -> None:
    turnout = Turnout(entitled=415, present=400, cast=398)
    outcome = election_outcome(
        seats=1, yes_counts={"甲": 260, "乙": 130}, rule=MORE_THAN_HALF, turnout=turnout
    )
    assert outcome.elected == ["甲"] and outcome.further_round_seats == 0


def test_when_more_pass_than_seats_the_highest_counts_win() -> None:
    turnout = Turnout(entitled=100, present=100, cast=100)
    outcome = election_outcome(
        seats=2, yes_counts={"甲": 70, "乙": 60, "丙": 55}, rule=MORE_THAN_HALF, turnout=turnout
    )
    assert outcome.elected == ["甲", "乙"] and outcome.further_round_seats == 0


def test_a_tie_at_the_last_seat_leads_to_a_further_round_among_the_tied() -> None:
    turnout = Turnout(entitled=100, present=100, cast=100)
    outcome = election_outcome(
        seats=2, yes_counts={"甲": 70, "乙": 60, "丙": 60}, rule=MORE_THAN_HALF, turnout=turnout
    )
    assert outcome.elected == ["甲"]
    assert outcome.further_round_seats == 1 and sorted(outcome.further_round_candidates) == ["丙", "乙"]
    assert sorted(outcome.tied) == ["丙", "乙"]


def test_too_few_elected_leads_to_a_further_round_among_the_others() -> None:
    turnout = Turnout(entitled=415, present=410, cast=410)
    outcome = election_outcome(
        seats=2, yes_counts={"甲": 300, "乙": 200, "丙": 190}, rule=MORE_THAN_HALF, turnout=turnout
    )
    assert outcome.elected == ["甲"]
    assert outcome.further_round_seats == 1 and outcome.further_round_candidates == ["乙", "丙"]


@given(
    seats=st.integers(1, 5),
    counts=st.lists(st.integers(0, 100), min_size=1, max_size=8),
    entitled=st.integers(1, 100),
)
def test_an_election_never_fills_more_seats_than_it_has(seats: int, counts: list[int], entitled: int) -> None:
    yes_counts = {f"c{i}": count for i, count in enumerate(counts)}
    turnout = Turnout(entitled=entitled, present=entitled, cast=entitled)
    outcome = election_outcome(seats=seats, yes_counts=yes_counts, rule=MORE_THAN_HALF, turnout=turnout)
    assert len(outcome.elected) + outcome.further_round_seats == seats
    assert all(rule_met(MORE_THAN_HALF, yes_counts[key], turnout) for key in outcome.elected)
    lowest_elected = min((yes_counts[key] for key in outcome.elected), default=None)
    for key in yes_counts:
        if key not in outcome.elected and lowest_elected is not None:
            assert yes_counts[key] <= lowest_elected
