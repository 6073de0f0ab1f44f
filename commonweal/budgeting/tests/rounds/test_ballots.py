"""Ballot rules read from real elections' META accept every ballot cast in them, and refuse a ballot that
breaks a limit with a message saying which (pabulib files from the shared folder)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from commonweal.budgeting.core.rounds.ballots import (
    BallotError,
    BallotKind,
    BallotRules,
    check_ballot,
    rules_from_pb_meta,
)
from commonweal.budgeting.tests.rounds.reference_rounds import choices_of, reference

SAMPLE = [
    ("Poland_Warszawa_2026_Marysin_Wawerski_Anin.pb", BallotKind.APPROVAL),
    ("Poland_Wroclaw_2017_Rejon_nr_11_250.pb", BallotKind.APPROVAL),
    ("Netherlands_Amsterdam_166.pb", BallotKind.KNAPSACK),
    ("Poland_Warszawa_2019_Sluzew.pb", BallotKind.KNAPSACK),
    ("Poland_Katowice_2021_Dab.pb", BallotKind.CUMULATIVE),
    ("Poland_Czestochowa_2024_Dzbow.pb", BallotKind.CUMULATIVE),
    ("Poland_Krakow_2020_Podgorze.pb", BallotKind.RANKED),
    ("Switzerland_Zurich_S5R.pb", BallotKind.RANKED),
]


def _costs(name: str) -> dict[str, Fraction]:
    return {project.project_id: project.cost for project in reference(name)[1].projects}


@pytest.mark.parametrize(("name", "kind"), SAMPLE, ids=[name for name, _ in SAMPLE])
def test_every_ballot_cast_in_a_real_election_keeps_the_limits_its_file_states(name, kind):
    _, election, rules = reference(name)
    assert rules.kind is kind
    costs = _costs(name)
    for index in range(len(election.ballots)):
        check_ballot(rules, choices_of(election, index), costs)


def test_the_limits_are_read_from_meta_as_the_file_states_them():
    assert reference("Poland_Warszawa_2026_Marysin_Wawerski_Anin.pb")[2] == BallotRules(
        BallotKind.APPROVAL, min_projects=1, max_projects=5
    )
    assert reference("Netherlands_Amsterdam_166.pb")[2] == BallotRules(
        BallotKind.KNAPSACK, max_cost=Fraction(250000)
    )
    assert reference("Poland_Katowice_2021_Dab.pb")[2] == BallotRules(
        BallotKind.CUMULATIVE, points=3, min_points=1
    )
    assert reference("Poland_Krakow_2020_Podgorze.pb")[2] == BallotRules(
        BallotKind.RANKED, min_projects=3, max_projects=3
    )


def test_an_approval_ballot_with_one_project_too_many_is_refused():
    name = "Poland_Warszawa_2026_Marysin_Wawerski_Anin.pb"
    _, election, rules = reference(name)
    fullest = max(range(len(election.ballots)), key=lambda index: len(election.ballots[index].projects))
    choices = choices_of(election, fullest)
    assert len(choices) == 5
    extra = next(p.project_id for p in election.projects if p.project_id not in choices)
    with pytest.raises(BallotError) as error:
        check_ballot(rules, {**choices, extra: 1}, _costs(name))
    assert str(error.value) == "This ballot chooses 6 projects; the most is 5."


def test_a_knapsack_ballot_over_the_budget_is_refused_with_its_total():
    name = "Netherlands_Amsterdam_166.pb"
    _, election, rules = reference(name)
    costs = _costs(name)
    choices = choices_of(election, 0)
    for project in sorted(costs, key=lambda project_id: -costs[project_id]):
        if sum(costs[p] for p in choices) > 250000:
            break
        choices[project] = 1
    total = sum(costs[p] for p in choices)
    with pytest.raises(BallotError) as error:
        check_ballot(rules, choices, costs)
    assert str(error.value) == (
        f"The projects chosen cost £{int(total):,} in all, more than the budget of £250,000. Leave some out."
    )


def test_a_points_ballot_giving_more_points_than_each_voter_has_is_refused():
    name = "Poland_Katowice_2021_Dab.pb"
    _, election, rules = reference(name)
    choices = choices_of(election, 0)
    first = next(iter(choices))
    choices[first] += 3
    with pytest.raises(BallotError) as error:
        check_ballot(rules, choices, _costs(name))
    assert str(error.value) == f"This ballot gives {sum(choices.values())} points; each voter has 3."


def test_a_ranked_ballot_with_a_gap_or_a_repeated_rank_is_refused():
    name = "Poland_Krakow_2020_Podgorze.pb"
    _, election, rules = reference(name)
    choices = choices_of(election, 0)
    first, second, third = sorted(choices, key=choices.__getitem__)
    with pytest.raises(BallotError) as gap:
        check_ballot(rules, {first: 1, second: 2, third: 4}, _costs(name))
    assert str(gap.value) == "Rank 3 is missing: number your choices 1, 2, 3 … without gaps."
    with pytest.raises(BallotError) as repeated:
        check_ballot(rules, {first: 1, second: 2, third: 2}, _costs(name))
    assert str(repeated.value) == "Two projects are ranked 2: give each rank to one project only."
    with pytest.raises(BallotError) as short:
        check_ballot(rules, {first: 1, second: 2}, _costs(name))
    assert str(short.value) == "Rank at least 3 projects."


def test_an_empty_ballot_and_a_project_not_on_the_ballot_are_refused():
    rules = BallotRules(BallotKind.APPROVAL, min_projects=1, max_projects=3)
    costs = {"1": Fraction(10), "2": Fraction(20)}
    with pytest.raises(BallotError) as empty:
        check_ballot(rules, {}, costs)
    assert str(empty.value) == "Choose at least 1 project."
    with pytest.raises(BallotError) as unknown:
        check_ballot(rules, {"3": 1}, costs)
    assert str(unknown.value) == "Project 3 is not on the ballot."
    with pytest.raises(BallotError) as points:
        check_ballot(BallotRules(BallotKind.CUMULATIVE, points=5, max_points_per_project=2), {"1": 3}, costs)
    assert str(points.value) == "Project 1 gets 3 points; the most one project may get is 2."


def test_the_instructions_say_what_a_valid_ballot_is():
    assert BallotRules(BallotKind.APPROVAL, min_projects=1, max_projects=5).describe() == (
        "Choose from 1 to 5 projects."
    )
    assert BallotRules(BallotKind.KNAPSACK, max_cost=Fraction(250000)).describe() == (
        "Choose the projects you would fund, costing no more than £250,000 in all."
    )
    assert BallotRules(BallotKind.CUMULATIVE, points=10, max_points_per_project=4).describe() == (
        "Share out up to 10 points among the projects you support, at most 4 to any one project."
    )
    assert BallotRules(BallotKind.RANKED, min_projects=3, max_projects=3).describe() == (
        "Rank up to 3 projects in order of preference: 1 for your first choice. Rank at least 3 projects."
    )
    assert rules_from_pb_meta({"vote_type": "choose-1"}).describe() == "Choose 1 project."


def test_impossible_limits_are_refused_when_the_rules_are_made():
    with pytest.raises(BallotError) as error:
        BallotRules(BallotKind.APPROVAL, min_projects=4, max_projects=3)
    assert str(error.value) == "The most projects on a ballot must be at least the fewest, and at least 1."
    with pytest.raises(BallotError) as points:
        BallotRules(BallotKind.CUMULATIVE)
    assert str(points.value) == "A points ballot needs the number of points each voter has (at least 1)."
