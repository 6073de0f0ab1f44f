"""A round counted through the web layer's wrapper gives the official outcome of real elections; its
`.pb` export passes pabulib's own checker (which recounts greedy and Equal Shares itself); and the file
alone recounts to the same winners, with voter weights when the round uses them."""

from __future__ import annotations

import contextlib
import io
from fractions import Fraction

import pytest
from pabulib.checker import Checker  # type: ignore[import-untyped]

from commonweal.budgeting.core.election import Ballot, Election, Project
from commonweal.budgeting.core.outcome import LossReason
from commonweal.budgeting.core.pb_format import (
    election_from_pb,
    format_pb,
    parse_pb,
    selected_projects,
)
from commonweal.budgeting.core.rounds.counting import (
    CountError,
    count_election,
    count_round,
    election_for_round,
    export_pb,
    recount_command,
    recount_from_pb,
    weights_csv,
)
from commonweal.budgeting.core.rounds.voters import deprivation_weight
from commonweal.budgeting.core.voting_rules import Rule, RuleOptions, tally
from commonweal.budgeting.tests.rounds.reference_rounds import reference, round_of

OFFICIAL_GREEDY = [
    ("Poland_Warszawa_2019_Sluzew.pb", Rule.GREEDY),  # knapsack ballots
    ("Poland_Czestochowa_2024_Dzbow.pb", Rule.GREEDY),  # points
    ("Poland_Krakow_2020_Podgorze.pb", Rule.GREEDY),  # ranked
    ("Poland_Lodz_2020_Im._Montwilla-Mireckiego.pb", Rule.GREEDY_THRESHOLD),  # approval, up to 5
    ("Poland_Katowice_2021_Dab.pb", Rule.GREEDY_THRESHOLD),  # points, with a minimum score
]


def _checker(text: str) -> dict:
    checker = Checker()
    with contextlib.redirect_stdout(io.StringIO()):
        results = checker.process_files([text])
    key = next(key for key in results if key not in ("metadata", "summary"))
    return {"valid": results["metadata"]["valid"], "results": results[key]["results"]}


@pytest.mark.parametrize(("name", "rule"), OFFICIAL_GREEDY, ids=[name for name, _ in OFFICIAL_GREEDY])
def test_a_round_counted_greedily_funds_what_the_city_funded(name, rule):
    spec, ballots = round_of(name, rule)
    outcome = count_round(spec, ballots)
    pb = reference(name)[0]
    assert set(outcome.selected) == set(selected_projects(pb))


def test_the_round_is_the_same_election_as_the_file_it_came_from():
    name = "Poland_Czestochowa_2024_Dzbow.pb"
    spec, ballots = round_of(name, Rule.GREEDY)
    election = election_for_round(spec, ballots)
    original = reference(name)[1]
    assert election.scores() == original.scores()
    assert election.vote_counts() == original.vote_counts()
    assert [ballot.voter_id for ballot in election.ballots] == [
        ballot.voter_id for ballot in original.ballots
    ]


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("Poland_Warszawa_2019_Sluzew.pb", Rule.GREEDY),
        ("Poland_Lodz_2020_Im._Montwilla-Mireckiego.pb", Rule.GREEDY_THRESHOLD),
        ("Netherlands_Assen_2024.pb", Rule.MES_COST),
        ("Poland_Czestochowa_2024_Dzbow.pb", Rule.GREEDY),
    ],
)
def test_an_exported_round_passes_pabulibs_checker_which_recounts_it_itself(name, rule):
    spec, ballots = round_of(name, rule)
    outcome = count_round(spec, ballots)
    text = format_pb(export_pb(spec, ballots, outcome.selected))
    assert _checker(text) == {"valid": 1, "results": {"errors": {}, "warnings": {}}}


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("Netherlands_Assen_2024.pb", Rule.MES_COST_ADD1U),
        ("Poland_Warszawa_2019_Sluzew.pb", Rule.PHRAGMEN),
        ("Poland_Katowice_2021_Dab.pb", Rule.MES_COST_ADD1U),
        ("Poland_Krakow_2020_Podgorze.pb", Rule.MES_CARDINALITY),
        ("Poland_Lodz_2020_Im._Montwilla-Mireckiego.pb", Rule.GREEDY_THRESHOLD),
    ],
)
def test_the_exported_file_alone_recounts_to_the_same_winners_in_the_same_order(name, rule):
    spec, ballots = round_of(name, rule)
    outcome = count_round(spec, ballots)
    text = format_pb(export_pb(spec, ballots, outcome.selected))
    again = recount_from_pb(text)
    assert again.selected == outcome.selected
    assert again.tie_breaking == spec.tie_breaking
    # And with the core's own reader and rule, as the command in the file's comment does.
    assert selected_projects(parse_pb(text)) == tuple(
        p.project_id for p in election_for_round(spec, ballots).projects if p.project_id in outcome.selected
    )


def test_a_weighted_round_carries_its_weights_in_the_file_and_recounts_from_it_alone():
    name = "Netherlands_Assen_2024.pb"
    spec, ballots = round_of(name, Rule.MES_COST_ADD1U, weighted=True)
    weighted = count_round(spec, ballots)
    plain_spec, _ = round_of(name, Rule.MES_COST_ADD1U)
    plain = count_round(plain_spec, ballots)
    text = format_pb(export_pb(spec, ballots, weighted.selected))
    pb = parse_pb(text)
    assert pb.votes.header == ("voter_id", "vote", "voting_method", "weight")
    assert pb.meta_values()["rule"] == "unknown"
    again = recount_from_pb(text)
    assert again.selected == weighted.selected
    # The weights reach the count: without them the file counts as the unweighted round.
    election = election_from_pb(pb)
    assert tally(election, Rule.MES_COST_ADD1U, RuleOptions(tie_breaking=spec.tie_breaking)).selected == (
        plain.selected
    )
    lines = weights_csv(spec, ballots).splitlines()
    assert lines[0] == "voter_id,weight"
    assert lines[1] == f"{ballots[0].voter_id},{deprivation_weight(ballots[0].decile)}"


def test_the_recount_command_names_the_rule_and_the_tie_breaking():
    spec, _ = round_of("Poland_Lodz_2020_Im._Montwilla-Mireckiego.pb", Rule.GREEDY_THRESHOLD)
    command = recount_command(spec, "round-3.pb")
    lot = ",".join(project.project_id for project in spec.projects)
    assert command == (
        "commonweal budgeting tally round-3.pb --rule greedy-threshold "
        f"--tie-breaking min-cost,max-votes,lot-order --lot-order {lot} --threshold {spec.minimum_score}"
    )


def test_a_file_without_commonweals_comment_or_with_nobody_voting_is_refused_clearly():
    spec, _ = round_of("Netherlands_Assen_2024.pb", Rule.MES_COST)
    with pytest.raises(CountError) as nobody:
        count_round(spec, [])
    assert str(nobody.value) == "Nobody has voted, so there is nothing to count."
    text = format_pb(reference("Netherlands_Assen_2024.pb")[0])
    with pytest.raises(CountError) as foreign:
        recount_from_pb(text)
    assert str(foreign.value) == "The file's META comment does not say how Commonweal counted it."
    with pytest.raises(CountError) as broken:
        recount_from_pb("META\nkey;value\n")
    assert str(broken.value).startswith("The file is not a readable .pb file: ")


def test_deprivation_weights_double_the_most_deprived_decile_in_equal_steps():
    assert [deprivation_weight(decile) for decile in range(1, 11)] == [
        Fraction(18 - step, 9) + 0 for step in range(0, 10)
    ]
    assert deprivation_weight(1) == 2
    assert deprivation_weight(10) == 1
    assert deprivation_weight(None) == 1
    with pytest.raises(ValueError):
        deprivation_weight(11)


@pytest.mark.parametrize("rule", [Rule.MES_COST_ADD1, Rule.MES_COST_ADD1U])
def test_add1_ends_when_every_supported_project_fits_and_an_unsupported_one_would_too(rule):
    # The core's Add1 loop would raise the shares for ever here: projects 3 and 4 have no supporters,
    # 3 fits in what 1 and 2 leave, and all four do not fit together.
    election = Election(
        budget=Fraction(100),
        projects=(
            Project("1", Fraction(40)),
            Project("2", Fraction(30)),
            Project("3", Fraction(20)),
            Project("4", Fraction(90)),
        ),
        ballots=(Ballot("a", ("1",)), Ballot("b", ("2",))),
    )
    outcome = count_election(election, rule, RuleOptions())
    assert set(outcome.selected) == {"1", "2"}
    assert [(loser.project_id, loser.reason) for loser in outcome.losers] == [
        ("3", LossReason.NO_SUPPORT),
        ("4", LossReason.NO_SUPPORT),
    ]
    assert outcome.notes == (
        "Every project somebody voted for fits in the budget, so projects nobody voted for were left out of "
        "the count and Add1 was not needed.",
    )
