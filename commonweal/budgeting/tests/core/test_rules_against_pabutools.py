"""Every rule gives exactly pabutools' winners on a sample of the shared files (the benchmark runs all)."""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from pathlib import Path

import pytest

from commonweal.budgeting.core.election import Ballot, Election, Project, VoteType
from commonweal.budgeting.core.pb_format import (
    election_from_pb,
    format_pb,
    pb_from_election,
    read_pb,
)
from commonweal.budgeting.core.voting_rules import Rule, RuleOptions, tally
from commonweal.budgeting.tests.core.reference_rules import Unsupported, load, reference_outcome
from commonweal.reference_data import shared_data_dir

PABULIB = shared_data_dir() / "budgeting" / "pabulib"

# Small and medium files of every ballot type pabutools reads, chosen so that pabutools finishes the
# whole sample in seconds: approval (Gdynia, Warsaw, Chicago, Assen with a tie in greedy), cumulative
# (Gdańsk, Częstochowa) and choose-1 (Poznań).
SAMPLE = (
    "Poland_Gdynia_2022_Kamienna_Gora__small.pb",
    "Poland_Gdynia_2023_Srodmiescie__large.pb",
    "Poland_Gdynia_2021_Dzialki_Lesne__small.pb",
    "Poland_Gdynia_2020_Karwiny__large.pb",
    "Poland_Warszawa_2019_Sadul.pb",
    "US_Stanford_Dataset_PB_Chicago_29th_Ward_2020_vote_approvals.pb",
    "Netherlands_Assen_2024.pb",
    "Poland_Gdansk_2020_Mlyniska.pb",
    "Poland_Czestochowa_2025_Grabowka.pb",
    "Poland_Poznan_2025_5_-_Grunwald_Polnoc_Grunwald_Poludnie_Stary_Grunwald__small.pb",
)
# pabutools returns these in the order chosen; Phragmén's result is sorted and welfare is a set.
ORDERED = {"greedy", "greedy-threshold", "mes-cost", "mes-cardinality", "mes-cost-add1", "mes-cost-add1u"}


@cache
def _election(name: str) -> Election:
    return election_from_pb(read_pb(PABULIB / name))


@cache
def _reference(name: str):
    return load(PABULIB / name)


def _cases() -> list[tuple[str, str]]:
    cases = []
    for name in SAMPLE:
        for rule in Rule:
            if rule is Rule.GREEDY_THRESHOLD and _election(name).min_project_score_threshold is None:
                continue
            cases.append((name, rule.value))
    return cases


@pytest.mark.parametrize(("name", "rule"), _cases())
def test_the_rule_selects_what_pabutools_selects(name: str, rule: str) -> None:
    instance, profile = _reference(name)
    try:
        expected = reference_outcome(rule, instance, profile)
    except Unsupported:
        assert _election(name).vote_type is VoteType.CUMULATIVE and rule == "phragmen"
        return
    outcome = tally(_election(name), Rule(rule), RuleOptions(explain=False))
    if rule in ORDERED:
        assert list(outcome.selected) == expected
    else:
        assert sorted(outcome.selected) == sorted(expected)


def test_the_sample_covers_every_rule_on_approval_cumulative_and_choose_one_ballots() -> None:
    kinds = {_election(name).vote_type for name in SAMPLE}
    assert kinds == {VoteType.APPROVAL, VoteType.CUMULATIVE, VoteType.CHOOSE_ONE}
    assert {rule for _, rule in _cases()} == {rule.value for rule in Rule}


def test_a_tie_in_greedy_is_broken_and_recorded_as_pabutools_breaks_it() -> None:
    outcome = tally(_election("Netherlands_Assen_2024.pb"), Rule.GREEDY)
    assert len(outcome.ties) == 1
    tie = outcome.ties[0]
    assert tie.chosen == min(tie.tied)
    assert outcome.tie_breaking.describe() == "ties go to the project with lower project id (as text)"


def _duplicated(election: Election, weights: dict[str, int]) -> Election:
    """The same election with each ballot cast `weight` times, which voter weights must be equivalent to."""
    ballots = tuple(
        Ballot(f"{ballot.voter_id}-{copy}", ballot.projects, ballot.points)
        for ballot in election.ballots
        for copy in range(weights[ballot.voter_id])
    )
    return Election(election.budget, election.projects, ballots, election.vote_type)


@pytest.mark.parametrize("rule", ["greedy", "mes-cost", "mes-cardinality", "phragmen", "max-welfare"])
def test_voter_weights_count_like_duplicated_ballots_in_pabutools(rule: str, tmp_path: Path) -> None:
    election = _election("Poland_Gdynia_2021_Dzialki_Lesne__small.pb")
    # Weight 3 for every third voter (as a deprivation weighting would for the poorest areas), else 1.
    weights = {
        ballot.voter_id: 3 if position % 3 == 0 else 1 for position, ballot in enumerate(election.ballots)
    }
    path = tmp_path / "duplicated.pb"
    meta = {
        "description": "duplicated",
        "country": "Poland",
        "unit": "Gdynia",
        "instance": "2021",
        "rule": "greedy",
    }
    path.write_text(format_pb(pb_from_election(_duplicated(election, weights), meta)), encoding="utf-8")
    instance, profile = load(path)
    expected = reference_outcome(rule, instance, profile)
    options = RuleOptions(
        voter_weights={voter: Fraction(weight) for voter, weight in weights.items()}, explain=False
    )
    weighted = tally(election, Rule(rule), options)
    unweighted = tally(election, Rule(rule), RuleOptions(explain=False))
    assert sorted(weighted.selected) == sorted(expected)
    if rule in ORDERED:
        assert list(weighted.selected) == expected
    # The weighting matters on this file for Equal Shares and greedy.
    if rule in ("mes-cost", "greedy"):
        assert weighted.selected != unweighted.selected


def test_ties_are_decided_exactly_where_floating_point_would_not_see_them(tmp_path: Path) -> None:
    # Four voters share 4/10, 1/10 each. With cardinality utility project b costs 3/10 for its 3
    # supporters and project a 1/10 for its 1: both cost exactly 1/10 per supporter, a tie, while in
    # floating point 0.3 / 3 is 0.09999999999999999, below 0.1.
    assert 0.3 / 3 < 0.1
    election = Election(
        budget=Fraction(4, 10),
        projects=(Project("a", Fraction(1, 10)), Project("b", Fraction(3, 10))),
        ballots=(Ballot("1", ("a",)), Ballot("2", ("b",)), Ballot("3", ("b",)), Ballot("4", ("b",))),
    )
    path = tmp_path / "tie.pb"
    meta = {"description": "tie", "country": "Poland", "unit": "x", "instance": "1", "rule": "greedy"}
    path.write_text(format_pb(pb_from_election(election, meta)), encoding="utf-8")
    instance, profile = load(path)
    outcome = tally(election, Rule.MES_CARDINALITY)
    assert list(outcome.selected) == reference_outcome("mes-cardinality", instance, profile)
    assert [(tie.step, tie.tied, tie.chosen) for tie in outcome.ties] == [(1, ("a", "b"), "a")]
