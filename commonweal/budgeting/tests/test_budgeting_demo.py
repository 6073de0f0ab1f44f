"""The demo's budgeting rounds: built from the seed, the same every time, never twice; one counted with a
few hundred ballots from demo residents, one open for the demo resident to vote in."""

from __future__ import annotations

import datetime

import pytest

from commonweal.accounts.models import User
from commonweal.budgeting import actions, queries
from commonweal.budgeting.core.rounds.counting import recount_from_pb
from commonweal.budgeting.core.rounds.voters import age_on
from commonweal.budgeting.demo import (
    BALLOTS,
    MOST_FROM_RECORDS,
    RESULTS_ROUND,
    VOTING_ROUND,
    build_budgeting,
)
from commonweal.budgeting.models import Ballot, BudgetRound, PaperBallot
from commonweal.demo.builder import DEMO_LOGINS, _context
from commonweal.demokit import moved
from commonweal.people.models import Person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_borough")]


def _is_a_demo_resident(ballot: Ballot) -> bool:
    entry = ballot.paper.entries.get(stage="first")
    given, family = entry.full_name.split(" ", 1)
    return Person.objects.filter(
        given_name=given, family_name=family, date_of_birth=entry.date_of_birth, postcode=entry.postcode
    ).exists()


def _old_enough_residents(budget_round: BudgetRound) -> int:
    closes = budget_round.voting_closes_on
    assert closes is not None
    borns = Person.objects.filter(lsoa__in=budget_round.place.lsoas.all()).values_list(
        "date_of_birth", flat=True
    )
    return len([born for born in borns if age_on(born, closes) >= 17])


def _fingerprint() -> dict[str, object]:
    counted = BudgetRound.objects.get(name=RESULTS_ROUND)
    open_round = BudgetRound.objects.get(name=VOTING_ROUND)
    return {
        "projects": list(counted.proposals.values_list("number", "title", "cost", "feasibility")),
        "ballots": [
            (cast.voter_id, dict(cast.choices), cast.decile) for cast in queries.cast_ballots(counted)
        ],
        "papers": list(
            counted.paper_ballots.order_by("reference").values_list("reference", "status", "created_at")
        ),
        "lot": (counted.lot_order, counted.lot_seed, open_round.lot_order, open_round.lot_seed),
        "result": (counted.result.selected, counted.result.winners, counted.result.losers),
        "open": list(open_round.proposals.values_list("number", "title", "cost", "feasibility")),
    }


def test_the_demo_has_a_counted_round_and_one_the_demo_resident_can_vote_in():
    counted = BudgetRound.objects.get(name=RESULTS_ROUND)
    assert counted.phase == BudgetRound.Phase.RESULTS
    assert counted.place.name == "Old Trafford and Gorse Hill"
    assert counted.ballots.count() == BALLOTS
    assert counted.result.ballots_counted == BALLOTS
    on_record = sum(1 for ballot in counted.ballots.all() if _is_a_demo_resident(ballot))
    assert on_record == min(MOST_FROM_RECORDS, _old_enough_residents(counted))
    assert counted.paper_ballots.exclude(status=PaperBallot.Status.RECORDED).count() == 0
    # Every ballot was keyed by the two people who run the round, and the count recounts from the export.
    assert recount_from_pb(queries.export_text(counted)).selected == tuple(counted.result.selected)
    assert counted.result.total_cost <= counted.budget
    # Written to close on Friday 31 October 2025, moved to the demo's "as of" by whole weeks.
    assert counted.voting_closes_on == moved(datetime.date(2025, 10, 31))
    assert counted.voting_closes_on.weekday() == 4
    assert counted.ideas.filter(status="new").count() == 0
    open_round = BudgetRound.objects.get(name=VOTING_ROUND)
    assert open_round.voting_is_open()
    assert open_round.weight_by_deprivation is True
    resident = User.objects.get(email=DEMO_LOGINS[0].email)
    voter = actions.online_voter(open_round, resident)
    assert voter.person == resident.person
    # A second run finds the rounds and changes nothing.
    before = _fingerprint()
    assert build_budgeting(_context(2019)) is False
    assert _fingerprint() == before
    assert BudgetRound.objects.filter(name=RESULTS_ROUND).count() == 1


def test_the_demo_rounds_are_the_same_from_the_same_seed():
    first = _fingerprint()
    for budget_round in BudgetRound.objects.filter(name__in=[RESULTS_ROUND, VOTING_ROUND]):
        if hasattr(budget_round, "result"):
            budget_round.result.delete()
        budget_round.paper_ballots.all().delete()
        Ballot.objects.filter(round=budget_round).delete()
        budget_round.delete()
    assert build_budgeting(_context(2019)) is True
    second = _fingerprint()
    assert second == first
