"""Results explain themselves: supporters, Equal Shares payments adding up exactly, reasons for losers."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from functools import cache

import pytest

from commonweal.budgeting.core.election import Ballot, Election, ElectionError, Project
from commonweal.budgeting.core.equal_shares import Add1Options
from commonweal.budgeting.core.outcome import LossReason, Outcome, Stage
from commonweal.budgeting.core.pb_format import election_from_pb, read_pb
from commonweal.budgeting.core.voting_rules import Rule, RuleOptions, tally
from commonweal.reference_data import shared_data_dir

WIELICZKA = (
    shared_data_dir() / "budgeting" / "equalshares-compute-tool" / "poland_wieliczka_2023_green-budget.pb"
)
KATOWICE = shared_data_dir() / "budgeting" / "pabulib" / "Poland_Katowice_2021_Dab.pb"


@cache
def _election(path: str) -> Election:
    return election_from_pb(read_pb(shared_data_dir() / "budgeting" / path))


@cache
def _wieliczka_official() -> Outcome:
    election = _election("equalshares-compute-tool/poland_wieliczka_2023_green-budget.pb")
    return tally(election, Rule.MES_COST_ADD1, RuleOptions(add1=Add1Options(exhaustive=False)))


def test_every_equal_shares_winner_is_paid_for_exactly_by_its_supporters() -> None:
    outcome = _wieliczka_official()
    election = _election("equalshares-compute-tool/poland_wieliczka_2023_green-budget.pb")
    assert [winner.project_id for winner in outcome.winners] == list(outcome.selected)
    for winner in outcome.winners:
        assert winner.stage is Stage.EQUAL_SHARES
        paid = sum(group.amount * len(group.voter_ids) for group in winner.payments)
        assert paid == winner.cost
        payers = {voter for group in winner.payments for voter in group.voter_ids}
        assert payers <= set(winner.supporters)
        supporters = {b.voter_id for b in election.ballots if winner.project_id in b.projects}
        assert set(winner.supporters) == supporters


def test_no_voter_pays_more_than_their_share() -> None:
    outcome = _wieliczka_official()
    assert outcome.voter_share == Fraction(315)
    spent: dict[str, Fraction] = defaultdict(Fraction)
    for winner in outcome.winners:
        for group in winner.payments:
            for voter in group.voter_ids:
                spent[voter] += group.amount
    assert max(spent.values()) <= outcome.voter_share
    # Some voters spent all of their share: that is what stops Equal Shares.
    assert max(spent.values()) == outcome.voter_share


def test_each_loser_says_how_much_its_supporters_had_left_and_where_their_money_went() -> None:
    outcome = _wieliczka_official()
    election = _election("equalshares-compute-tool/poland_wieliczka_2023_green-budget.pb")
    losers = {loser.project_id: loser for loser in outcome.losers}
    assert set(losers) == {p.project_id for p in election.projects} - set(outcome.selected)
    # equalshares.net explains project 21 by the money its supporters gave to project 6, chosen earlier.
    loser = losers["21"]
    assert loser.reason is LossReason.SUPPORTERS_COULD_NOT_AFFORD
    assert loser.supporters_money_left is not None and loser.supporters_money_left < loser.cost
    assert "6" in dict(loser.spent_on)
    assert loser.explanation.startswith("Its supporters had ")
    # What they spent plus what they kept is exactly their shares.
    supporters = sum(1 for b in election.ballots if "21" in b.projects)
    assert sum(amount for _, amount in loser.spent_on) + loser.supporters_money_left == supporters * Fraction(
        315
    )


def test_greedy_explains_the_threshold_and_the_budget() -> None:
    election = _election("pabulib/Poland_Katowice_2021_Dab.pb")
    outcome = tally(election, Rule.GREEDY_THRESHOLD)
    threshold = election.min_project_score_threshold
    assert threshold is not None
    scores = election.scores()
    for loser in outcome.losers:
        if scores[loser.project_id] < threshold:
            assert loser.reason is LossReason.BELOW_THRESHOLD
        else:
            assert loser.reason is LossReason.DID_NOT_FIT
    for winner in outcome.winners:
        assert winner.score == scores[winner.project_id] >= threshold


def test_max_welfare_explains_a_loser_by_the_best_set_that_includes_it() -> None:
    election = _election("pabulib/Poland_Gdynia_2022_Kamienna_Gora__small.pb")
    outcome = tally(election, Rule.MAX_WELFARE)
    assert outcome.total_cost <= election.budget
    for loser in outcome.losers:
        assert loser.reason in (LossReason.NOT_IN_BEST_SET, LossReason.DID_NOT_FIT, LossReason.NO_SUPPORT)


def test_phragmen_explains_the_project_that_stopped_the_count() -> None:
    election = _election("pabulib/Poland_Gdynia_2020_Karwiny__large.pb")
    outcome = tally(election, Rule.PHRAGMEN)
    stoppers = [loser for loser in outcome.losers if "the count stopped" in loser.explanation]
    assert len(stoppers) == 1
    remaining = election.budget - outcome.total_cost
    assert stoppers[0].cost > remaining


def test_projects_nobody_voted_for_are_explained_as_such() -> None:
    election = Election(
        budget=Fraction(10),
        projects=(Project("a", Fraction(4)), Project("b", Fraction(4))),
        ballots=(Ballot("1", ("a",)), Ballot("2", ("a",))),
    )
    for rule in (Rule.MES_COST, Rule.PHRAGMEN, Rule.MAX_WELFARE):
        outcome = tally(election, rule)
        assert outcome.selected == ("a",)
        assert [(loser.project_id, loser.reason) for loser in outcome.losers] == [
            ("b", LossReason.NO_SUPPORT)
        ]


def test_bad_voter_weights_are_refused_with_a_clear_message() -> None:
    election = _election("pabulib/Poland_Gdynia_2022_Kamienna_Gora__small.pb")
    first = election.ballots[0].voter_id
    with pytest.raises(ElectionError) as missing:
        tally(election, Rule.MES_COST, RuleOptions(voter_weights={first: Fraction(2)}))
    assert str(missing.value) == f"Voter {election.ballots[1].voter_id} has no weight."
    weights = {ballot.voter_id: Fraction(1) for ballot in election.ballots}
    weights[first] = Fraction(0)
    with pytest.raises(ElectionError) as zero:
        tally(election, Rule.MES_COST, RuleOptions(voter_weights=weights))
    assert str(zero.value) == f"Voter {first} has weight 0; weights must be positive."


def test_equal_weights_change_nothing() -> None:
    election = _election("pabulib/Poland_Gdynia_2021_Dzialki_Lesne__small.pb")
    weights = {ballot.voter_id: Fraction(7, 3) for ballot in election.ballots}
    for rule in Rule:
        if rule is Rule.GREEDY_THRESHOLD and election.min_project_score_threshold is None:
            continue
        plain = tally(election, rule, RuleOptions(explain=False))
        weighted = tally(election, rule, RuleOptions(voter_weights=weights, explain=False))
        assert weighted.selected == plain.selected, rule
