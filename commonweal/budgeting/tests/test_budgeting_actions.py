"""Participatory budgeting through the actions: a whole round, one ballot per voter enforced by the
database, changes until voting closes and never after, paper ballots by double entry with a third
person for mismatches, the count and its explanations, the export that recounts alone, and delivery."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.budgeting import actions, queries
from commonweal.budgeting.actions import BudgetingError
from commonweal.budgeting.core import cli
from commonweal.budgeting.core.pb_format import election_from_pb, parse_pb, selected_projects
from commonweal.budgeting.core.rounds.counting import count_round, recount_arguments, recount_from_pb
from commonweal.budgeting.core.rounds.voters import deprivation_weight
from commonweal.budgeting.core.voting_rules import Rule, RuleOptions, tally
from commonweal.budgeting.models import (
    Ballot,
    BallotMark,
    BudgetResult,
    BudgetRound,
    Idea,
    Milestone,
    PaperBallot,
    PaperEntry,
    Proposal,
    Spend,
)
from commonweal.budgeting.tests.budgeting_helpers import (
    make_round,
    make_voter,
    numbers,
    pass_closing_day,
    person_of,
    postcode_in,
    postcode_outside,
    today,
    voting_round,
)
from tests.factories import PersonFactory, make_persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(persona):
    return persona(Role.COMMUNITY_ORGANISER)


@pytest.fixture
def second_keyer(places):
    return make_persona(Role.ADMINISTRATOR, places)


@pytest.fixture
def third_person(places):
    return make_persona(Role.COMMUNITY_ORGANISER, places)


def _snapshot(budget_round: BudgetRound) -> dict[str, object]:
    return {
        "ballots": list(
            budget_round.ballots.order_by("number").values_list("number", "channel", "times_changed")
        ),
        "marks": sorted(
            BallotMark.objects.filter(ballot__round=budget_round).values_list(
                "ballot__number", "proposal__number", "value"
            )
        ),
        "papers": sorted(budget_round.paper_ballots.values_list("reference", "status")),
        "entries": PaperEntry.objects.filter(paper__round=budget_round).count(),
        "phase": BudgetRound.objects.get(pk=budget_round.pk).phase,
        "audit": AuditEvent.objects.count(),
    }


def _keying(
    budget_round: BudgetRound, reference: str, choices: dict[str, int], **changes
) -> actions.PaperKeying:
    values: dict[str, Any] = {
        "reference": reference,
        "full_name": "Paper Voter",
        "date_of_birth": datetime.date(1961, 2, 3),
        "postcode": postcode_in(budget_round.place, 3).postcode,
        "choices": choices,
    }
    values.update(changes)
    return actions.PaperKeying(**values)


def test_a_whole_round_from_ideas_to_delivery(places, organiser, second_keyer):
    budget_round = make_round(places.north, organiser)
    resident = make_voter(places.north)
    idea = actions.submit_idea(
        budget_round=budget_round,
        title="A community fridge",
        description="Food that would go to waste.",
        by=resident,
    )
    actions.start_development(budget_round=budget_round, by=organiser)
    fridge = actions.save_proposal(
        budget_round=budget_round, title="Community fridge", description="A fridge.", cost=3_000, by=organiser
    )
    walk = actions.save_proposal(
        budget_round=budget_round, title="Lit walking route", description="Lights.", cost=6_000, by=organiser
    )
    pool = actions.save_proposal(
        budget_round=budget_round, title="New swimming pool", description="A pool.", cost=9_000, by=organiser
    )
    actions.review_feasibility(proposal=fridge, decision="feasible", note="", by=organiser)
    actions.review_feasibility(
        proposal=walk, decision="feasible", note="The council will fit the lights.", by=organiser
    )
    actions.review_feasibility(
        proposal=pool, decision="not_feasible", note="A pool costs millions.", by=organiser
    )
    actions.answer_idea(idea=idea, status="taken_forward", response="", proposal=fridge, by=organiser)
    actions.open_voting(budget_round=budget_round, voting_closes_on=today(), by=organiser, seed=5)
    budget_round.refresh_from_db()
    assert budget_round.phase == BudgetRound.Phase.VOTING
    assert sorted(budget_round.lot_order) == ["1", "2"]
    # Three voters online, one on paper (keyed twice, by two people).
    for index, choice in enumerate([{"1": 1}, {"1": 1, "2": 1}, {"2": 1}]):
        actions.cast_online_ballot(
            budget_round=budget_round, choices=choice, by=make_voter(places.north, index=index)
        )
    first = actions.key_paper_ballot(
        budget_round=budget_round, keying=_keying(budget_round, "p1", {"2": 1}), by=organiser
    )
    assert first.message == "Paper ballot P1 keyed. A different person must now key it again."
    second = actions.key_paper_ballot(
        budget_round=budget_round,
        keying=_keying(budget_round, "P1", {"2": 1}, full_name="paper  voter"),
        by=second_keyer,
    )
    assert second.message == "Paper ballot P1 matches the first keying and is recorded."
    assert second.paper.status == PaperBallot.Status.RECORDED
    pass_closing_day(budget_round)
    result = actions.close_voting(budget_round=budget_round, by=organiser)
    assert result.ballots_counted == 4
    assert (result.online_ballots, result.paper_ballots) == (3, 1)
    # 4 voters share £10,000: the fridge's 2 supporters pay £1,500 each, the walk's 3 supporters £2,000.
    assert set(result.selected) == {"1", "2"}
    assert result.total_cost == 9_000
    assert result.tie_breaking == (
        "ties go to the project with lower cost, then more votes, then earlier in the order drawn by lot, "
        "then lower project id (as text)"
    )
    winners = {winner["project"]: winner for winner in result.winners}
    assert winners["1"]["supporters"] == 2
    assert sum(Fraction(p["amount"]) * len(p["voters"]) for p in winners["1"]["payments"]) == 3_000
    actions.start_delivery(budget_round=budget_round, by=organiser)
    milestone = actions.add_milestone(
        proposal=walk,
        title="Lights installed",
        due_on=today() + datetime.timedelta(days=30),
        note="",
        by=organiser,
    )
    actions.complete_milestone(milestone=milestone, done_on=today(), by=organiser)
    actions.record_spend(
        proposal=walk, amount=Decimal("2500.50"), spent_on=today(), description="Lamps", by=organiser
    )
    progress = {item.proposal.number: item for item in queries.delivery_progress(budget_round)}
    assert progress[2].status == "Delivered"
    assert progress[2].spent == "£2,500.50"
    assert progress[1].status == "Not started"


def test_the_database_allows_one_ballot_per_voter_per_round(places, organiser):
    budget_round = voting_round(places.north, organiser)
    voter = make_voter(places.north)
    ballot = actions.cast_online_ballot(budget_round=budget_round, choices={"1": 1}, by=voter)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(
            round=budget_round, number=99, voter_key=ballot.voter_key, channel=Ballot.Channel.PAPER
        )
    assert budget_round.ballots.count() == 1


def test_a_second_online_ballot_from_the_same_voter_is_refused_and_nothing_changes(places, organiser):
    budget_round = voting_round(places.north, organiser)
    voter = make_voter(places.north)
    actions.cast_online_ballot(budget_round=budget_round, choices={"1": 1}, by=voter)
    before = _snapshot(budget_round)
    with pytest.raises(BudgetingError) as error:
        actions.cast_online_ballot(budget_round=budget_round, choices={"2": 1, "3": 1}, by=voter)
    assert (
        str(error.value)
        == "You have already voted in this round. To change your vote, use “Change your vote”."
    )
    assert _snapshot(budget_round) == before


def test_a_ballot_changes_until_voting_closes_and_never_after(places, organiser):
    budget_round = voting_round(places.north, organiser)
    voter = make_voter(places.north)
    ballot = actions.cast_online_ballot(budget_round=budget_round, choices={"1": 1}, by=voter)
    actions.change_online_ballot(ballot=ballot, choices={"2": 1, "3": 1}, by=voter)
    ballot.refresh_from_db()
    assert ballot.choices() == {"2": 1, "3": 1}
    assert ballot.times_changed == 1
    pass_closing_day(budget_round)
    latecomer = make_voter(places.north, index=1)
    before = _snapshot(budget_round)
    with pytest.raises(BudgetingError) as error:
        actions.change_online_ballot(ballot=ballot, choices={"4": 1}, by=voter)
    closed_on = budget_round.voting_closes_on
    assert str(error.value) == (
        f"Voting closed on {closed_on.day} {closed_on:%B %Y}: ballots can no longer be cast or changed."
    )
    with pytest.raises(BudgetingError):
        actions.cast_online_ballot(budget_round=budget_round, choices={"4": 1}, by=latecomer)
    assert _snapshot(budget_round) == before
    actions.close_voting(budget_round=budget_round, by=organiser)
    with pytest.raises(BudgetingError):
        actions.change_online_ballot(ballot=ballot, choices={"4": 1}, by=voter)
    assert Ballot.objects.get(pk=ballot.pk).choices() == {"2": 1, "3": 1}


def test_only_the_voter_may_change_their_ballot(places, organiser):
    budget_round = voting_round(places.north, organiser)
    ballot = actions.cast_online_ballot(
        budget_round=budget_round, choices={"1": 1}, by=make_voter(places.north)
    )
    other = make_voter(places.north, index=1)
    with pytest.raises(BudgetingError) as error:
        actions.change_online_ballot(ballot=ballot, choices={"2": 1}, by=other)
    assert str(error.value) == "You can change only your own online ballot."
    assert Ballot.objects.get(pk=ballot.pk).choices() == {"1": 1}


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            "elsewhere",
            "Your postcode, {postcode}, is not in North Trafford: "
            "only people who live in North Trafford can vote in this round.",
        ),
        ("young", "Voters must be aged 16 or over on {closes}, when voting closes; on that day you are 15."),
        (
            "no record",
            "Your account is not linked to a resident's record, so we cannot check that you live in "
            "North Trafford. You can still vote on a paper ballot.",
        ),
    ],
)
def test_who_may_not_vote_online_is_told_why_and_nothing_is_recorded(places, organiser, case, message):
    budget_round = voting_round(places.north, organiser)
    closes = budget_round.voting_closes_on
    if case == "elsewhere":
        outside = postcode_outside(places.north)
        voter = make_voter(places.north, postcode=outside.postcode)
        expected = message.format(postcode=outside.postcode)
    elif case == "young":
        born = closes.replace(year=closes.year - 16) + datetime.timedelta(days=1)
        voter = make_voter(places.north, born=born)
        expected = message.format(closes=f"{closes.day} {closes:%B %Y}")
    else:
        voter = make_persona(Role.RESIDENT, places)
        expected = message
    with pytest.raises(BudgetingError) as error:
        actions.cast_online_ballot(budget_round=budget_round, choices={"1": 1}, by=voter)
    assert str(error.value) == expected
    assert budget_round.ballots.count() == 0


def test_a_ballot_that_breaks_the_rounds_rules_is_refused(places, organiser):
    budget_round = voting_round(places.north, organiser)
    voter = make_voter(places.north)
    with pytest.raises(BudgetingError) as error:
        actions.cast_online_ballot(
            budget_round=budget_round, choices={"1": 1, "2": 1, "3": 1, "4": 1}, by=voter
        )
    assert str(error.value) == "This ballot chooses 4 projects; the most is 3."
    assert error.value.field == "choices"
    assert budget_round.ballots.count() == 0


def test_the_same_person_cannot_key_a_paper_ballot_twice(places, organiser):
    budget_round = voting_round(places.north, organiser)
    actions.key_paper_ballot(
        budget_round=budget_round, keying=_keying(budget_round, "7", {"1": 1}), by=organiser
    )
    before = _snapshot(budget_round)
    with pytest.raises(BudgetingError) as error:
        actions.key_paper_ballot(
            budget_round=budget_round, keying=_keying(budget_round, "7", {"1": 1}), by=organiser
        )
    assert (
        str(error.value) == "You keyed paper ballot 7 first; a different person must key it the second time."
    )
    assert _snapshot(budget_round) == before
    paper = budget_round.paper_ballots.get()
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        PaperEntry.objects.create(
            paper=paper,
            stage=PaperEntry.Stage.SECOND,
            keyed_by=organiser,
            full_name="x",
            date_of_birth=datetime.date(1960, 1, 1),
            postcode="M1 1AA",
            choices={},
        )


def test_a_mismatch_waits_for_a_third_person_who_records_what_the_paper_says(
    places, organiser, second_keyer, third_person
):
    budget_round = voting_round(places.north, organiser)
    actions.key_paper_ballot(
        budget_round=budget_round, keying=_keying(budget_round, "12", {"1": 1, "2": 1}), by=organiser
    )
    outcome = actions.key_paper_ballot(
        budget_round=budget_round,
        keying=_keying(budget_round, "12", {"1": 1, "3": 1}, date_of_birth=datetime.date(1961, 3, 2)),
        by=second_keyer,
    )
    assert outcome.message == "Paper ballot 12 does not match the first keying. It waits for a third person."
    paper = outcome.paper
    assert paper.status == PaperBallot.Status.QUEUED
    assert paper.problem == "The two keyings differ in: date of birth, project 2, project 3."
    assert budget_round.ballots.count() == 0
    # Neither keyer may resolve it.
    for keyer in (organiser, second_keyer):
        with pytest.raises(BudgetingError) as error:
            actions.resolve_paper_ballot(
                paper=paper, keying=_keying(budget_round, "12", {"1": 1}), note="", by=keyer
            )
        assert str(error.value) == "You keyed paper ballot 12, so a third person must resolve it."
    actions.resolve_paper_ballot(
        paper=paper, keying=_keying(budget_round, "12", {"1": 1, "2": 1}), note="", by=third_person
    )
    paper.refresh_from_db()
    assert paper.status == PaperBallot.Status.RECORDED
    assert paper.resolved_by == third_person
    assert paper.ballot.choices() == {"1": 1, "2": 1}
    assert paper.ballot.channel == Ballot.Channel.PAPER


def test_a_paper_ballot_from_someone_who_voted_online_waits_and_can_be_set_aside(
    places, organiser, second_keyer, third_person
):
    budget_round = voting_round(places.north, organiser)
    voter = make_voter(places.north)
    actions.cast_online_ballot(budget_round=budget_round, choices={"1": 1}, by=voter)
    person = person_of(voter)
    keying = _keying(
        budget_round,
        "30",
        {"4": 1},
        full_name=person.full_name.upper(),
        date_of_birth=person.date_of_birth,
        postcode=person.postcode.replace(" ", "").lower(),
    )
    actions.key_paper_ballot(budget_round=budget_round, keying=keying, by=organiser)
    outcome = actions.key_paper_ballot(budget_round=budget_round, keying=keying, by=second_keyer)
    assert outcome.paper.status == PaperBallot.Status.QUEUED
    assert outcome.paper.problem == (
        "Both keyings agree, but the ballot cannot be counted as it is: "
        "This voter has already voted in this round (online)."
    )
    with pytest.raises(BudgetingError) as error:
        actions.resolve_paper_ballot(paper=outcome.paper, keying=None, note=" ", by=third_person)
    assert str(error.value) == "Say why the ballot is set aside."
    actions.resolve_paper_ballot(
        paper=outcome.paper, keying=None, note="Voted online already.", by=third_person
    )
    outcome.paper.refresh_from_db()
    assert outcome.paper.status == PaperBallot.Status.SPOILT
    assert budget_round.ballots.count() == 1


def test_a_paper_ballot_from_outside_the_place_or_too_young_waits_with_the_reason(
    places, organiser, second_keyer
):
    budget_round = voting_round(places.north, organiser)
    outside = postcode_outside(places.north).postcode
    keying = _keying(budget_round, "40", {"1": 1}, postcode=outside)
    actions.key_paper_ballot(budget_round=budget_round, keying=keying, by=organiser)
    outcome = actions.key_paper_ballot(budget_round=budget_round, keying=keying, by=second_keyer)
    assert outcome.paper.problem.endswith(
        f"The voter's postcode, {outside}, is not in North Trafford: only people who live in North Trafford "
        "can vote in this round."
    )
    young = _keying(budget_round, "41", {"1": 1}, date_of_birth=today() - datetime.timedelta(days=365 * 10))
    actions.key_paper_ballot(budget_round=budget_round, keying=young, by=organiser)
    outcome = actions.key_paper_ballot(budget_round=budget_round, keying=young, by=second_keyer)
    assert "on that day this voter is 9." in outcome.paper.problem
    assert budget_round.ballots.count() == 0


def test_a_malformed_postcode_is_refused_at_keying_and_nothing_is_stored(places, organiser):
    budget_round = voting_round(places.north, organiser)
    with pytest.raises(BudgetingError) as error:
        actions.key_paper_ballot(
            budget_round=budget_round,
            keying=_keying(budget_round, "50", {"1": 1}, postcode="NOT A CODE"),
            by=organiser,
        )
    assert error.value.field == "postcode"
    assert str(error.value).startswith("“NOT A CODE” is not a valid UK postcode.")
    assert budget_round.paper_ballots.count() == 0


def test_voting_closes_only_after_its_day_and_once_the_paper_queue_is_settled(
    places, organiser, second_keyer
):
    budget_round = voting_round(places.north, organiser)
    actions.cast_online_ballot(budget_round=budget_round, choices={"1": 1}, by=make_voter(places.north))
    with pytest.raises(BudgetingError) as early:
        actions.close_voting(budget_round=budget_round, by=organiser)
    closes = budget_round.voting_closes_on
    assert (
        str(early.value)
        == f"Voting is open until the end of {closes.day} {closes:%B %Y}: close it after that day."
    )
    actions.key_paper_ballot(
        budget_round=budget_round, keying=_keying(budget_round, "1", {"1": 1}), by=organiser
    )
    pass_closing_day(budget_round)
    with pytest.raises(BudgetingError) as waiting:
        actions.close_voting(budget_round=budget_round, by=organiser)
    assert str(waiting.value) == (
        "Settle every paper ballot first: 1 ballot keyed only once and 0 waiting for a third person."
    )
    assert BudgetResult.objects.count() == 0
    # Paper ballots received before the close are still keyed after the closing day.
    actions.key_paper_ballot(
        budget_round=budget_round, keying=_keying(budget_round, "1", {"1": 1}), by=second_keyer
    )
    actions.close_voting(budget_round=budget_round, by=organiser)
    assert BudgetRound.objects.get(pk=budget_round.pk).phase == BudgetRound.Phase.RESULTS


def test_voting_does_not_open_until_every_project_is_reviewed_and_every_idea_answered(places, organiser):
    budget_round = make_round(places.north, organiser)
    idea = actions.submit_idea(
        budget_round=budget_round, title="Benches", description="To rest.", by=organiser
    )
    actions.start_development(budget_round=budget_round, by=organiser)
    first = actions.save_proposal(
        budget_round=budget_round, title="A", description="a", cost=100, by=organiser
    )
    actions.save_proposal(budget_round=budget_round, title="B", description="b", cost=200, by=organiser)
    with pytest.raises(BudgetingError) as pending:
        actions.open_voting(budget_round=budget_round, voting_closes_on=today(), by=organiser)
    assert str(pending.value) == "Review every project's feasibility first: 2 projects waiting."
    for proposal in budget_round.proposals.all():
        actions.review_feasibility(proposal=proposal, decision="feasible", note="", by=organiser)
    with pytest.raises(BudgetingError) as unanswered:
        actions.open_voting(budget_round=budget_round, voting_closes_on=today(), by=organiser)
    assert str(unanswered.value) == "Answer every idea first: 1 idea waiting."
    actions.answer_idea(
        idea=idea,
        status="not_taken_forward",
        response="The council already plans them.",
        proposal=None,
        by=organiser,
    )
    with pytest.raises(BudgetingError) as past:
        actions.open_voting(
            budget_round=budget_round, voting_closes_on=today() - datetime.timedelta(days=1), by=organiser
        )
    assert str(past.value) == "The closing date must be today or later."
    # Changing a reviewed project sends it back for review.
    actions.save_proposal(
        budget_round=budget_round, proposal=first, title="A", description="a", cost=150, by=organiser
    )
    assert Proposal.objects.get(pk=first.pk).feasibility == Proposal.Feasibility.PENDING
    assert BudgetRound.objects.get(pk=budget_round.pk).phase == BudgetRound.Phase.DEVELOPMENT


def test_a_project_dearer_than_the_budget_cannot_be_feasible(places, organiser):
    budget_round = make_round(places.north, organiser)
    proposal = actions.save_proposal(
        budget_round=budget_round, title="Pool", description="p", cost=20_000, by=organiser
    )
    with pytest.raises(BudgetingError) as error:
        actions.review_feasibility(proposal=proposal, decision="feasible", note="", by=organiser)
    assert str(error.value) == "It costs £20,000, more than the whole budget of £10,000."
    assert Proposal.objects.get(pk=proposal.pk).feasibility == Proposal.Feasibility.PENDING


def test_settings_are_fixed_once_voting_opens(places, organiser):
    budget_round = voting_round(places.north, organiser)
    from commonweal.budgeting.tests.budgeting_helpers import SETTINGS

    with pytest.raises(BudgetingError) as error:
        actions.change_round(budget_round=budget_round, settings=SETTINGS, by=organiser)
    assert (
        str(error.value) == "Voting has opened, so the ballot, the budget and the rule can no longer change."
    )
    with pytest.raises(BudgetingError):
        actions.save_proposal(budget_round=budget_round, title="Late", description="l", cost=10, by=organiser)
    with pytest.raises(BudgetingError) as idea:
        actions.submit_idea(budget_round=budget_round, title="Late idea", description="l", by=organiser)
    assert str(idea.value) == "This round is no longer collecting ideas."


def _counted(places, organiser, **changes) -> tuple[BudgetRound, BudgetResult]:
    budget_round = voting_round(places.north, organiser, **changes)
    kind = budget_round.ballot_kind
    patterns = {
        "approval": [{"1": 1, "2": 1}, {"1": 1}, {"3": 1}, {"4": 1, "2": 1}, {"3": 1, "2": 1}],
        "knapsack": [{"1": 1, "2": 1}, {"4": 1, "2": 1}, {"3": 1, "2": 1}, {"4": 1}, {"1": 1, "3": 1}],
        "cumulative": [{"1": 3, "2": 2}, {"4": 5}, {"3": 1, "2": 4}, {"1": 5}, {"2": 1}],
        "ranked": [{"1": 1, "2": 2}, {"4": 1, "1": 2, "3": 3}, {"3": 1}, {"2": 1, "3": 2}, {"4": 1}],
    }[kind]
    for index, choices in enumerate(patterns):
        actions.cast_online_ballot(
            budget_round=budget_round, choices=choices, by=make_voter(places.north, index=index)
        )
    pass_closing_day(budget_round)
    return budget_round, actions.close_voting(budget_round=budget_round, by=organiser)


@pytest.mark.parametrize(
    ("changes"),
    [
        {"ballot_kind": "approval", "rule": "mes-cost-add1u"},
        {"ballot_kind": "knapsack", "max_projects": None, "rule": "phragmen"},
        {"ballot_kind": "cumulative", "points": 5, "rule": "mes-cost"},
        {"ballot_kind": "ranked", "max_projects": 3, "rule": "greedy"},
        {"ballot_kind": "approval", "rule": "greedy-threshold", "minimum_score": 2},
        {"ballot_kind": "approval", "rule": "mes-cost-add1u", "weight_by_deprivation": True},
    ],
    ids=["approval", "knapsack", "points", "ranked", "threshold", "weighted"],
)
def test_the_export_alone_recounts_to_the_recorded_winners_with_the_core_command_line(
    places, organiser, tmp_path, changes
):
    budget_round, result = _counted(places, organiser, **changes)
    text = queries.export_text(budget_round)
    path = tmp_path / queries.export_file_name(budget_round)
    path.write_text(text, encoding="utf-8")
    arguments = ["tally", str(path), *recount_arguments(queries.round_spec(budget_round))]
    if budget_round.weight_by_deprivation:
        weights = tmp_path / "weights.csv"
        weights.write_text(queries.export_weights(budget_round), encoding="utf-8")
        arguments += ["--weights", str(weights)]
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(arguments, out=out, err=err) == 0, err.getvalue()
    assert out.getvalue().split() == result.selected
    assert recount_from_pb(text).selected == tuple(result.selected)
    pb = parse_pb(text)
    assert set(selected_projects(pb)) == set(result.selected)
    assert len(election_from_pb(pb).ballots) == result.ballots_counted


def test_a_weighted_round_gives_the_most_deprived_voters_the_larger_share(places, organiser):
    budget_round, result = _counted(places, organiser, weight_by_deprivation=True)
    assert result.weighted is True
    deciles = dict(budget_round.ballots.values_list("number", "deprivation_decile"))
    ballots = queries.cast_ballots(budget_round)
    assert [ballot.decile for ballot in ballots] == [deciles[int(ballot.voter_id)] for ballot in ballots]
    spec = queries.round_spec(budget_round)
    election_weights = {ballot.voter_id: deprivation_weight(ballot.decile) for ballot in ballots}
    assert tuple(result.selected) == count_round(spec, ballots).selected
    options = RuleOptions(tie_breaking=spec.tie_breaking, voter_weights=election_weights)
    election = election_from_pb(parse_pb(queries.export_text(budget_round)))
    assert tally(election, Rule.MES_COST_ADD1U, options).selected == tuple(result.selected)


def test_milestones_and_spending_only_for_funded_projects_during_delivery(places, organiser):
    budget_round, result = _counted(places, organiser)
    unfunded = budget_round.proposals.exclude(number__in=[int(n) for n in result.selected]).first()
    funded = budget_round.proposals.get(number=int(result.selected[0]))
    with pytest.raises(BudgetingError) as early:
        actions.add_milestone(proposal=funded, title="Start", due_on=None, note="", by=organiser)
    assert str(early.value) == "Milestones and spending are recorded during delivery."
    actions.start_delivery(budget_round=budget_round, by=organiser)
    with pytest.raises(BudgetingError) as not_funded:
        actions.record_spend(
            proposal=unfunded, amount=Decimal(10), spent_on=today(), description="x", by=organiser
        )
    assert (
        str(not_funded.value) == f"Project {unfunded.number} was not funded, so there is nothing to deliver."
    )
    with pytest.raises(BudgetingError) as future:
        actions.record_spend(
            proposal=funded,
            amount=Decimal(10),
            spent_on=today() + datetime.timedelta(days=1),
            description="x",
            by=organiser,
        )
    assert str(future.value) == "Record spending once it has happened."
    milestone = actions.add_milestone(proposal=funded, title="Start", due_on=None, note="", by=organiser)
    actions.complete_milestone(milestone=milestone, done_on=today(), by=organiser)
    with pytest.raises(BudgetingError) as twice:
        actions.complete_milestone(milestone=milestone, done_on=today(), by=organiser)
    assert str(twice.value) == f"“Start” was reached on {today().day} {today():%B %Y}."
    assert Spend.objects.count() == 0
    assert Milestone.objects.filter(done_on=today()).count() == 1


def test_ideas_are_answered_with_a_reason_when_not_taken_forward(places, organiser):
    budget_round = make_round(places.north, organiser)
    resident = make_voter(places.north)
    idea = actions.submit_idea(
        budget_round=budget_round, title="Benches", description="To rest.", by=resident
    )
    with pytest.raises(BudgetingError) as error:
        actions.answer_idea(idea=idea, status="not_taken_forward", response="  ", proposal=None, by=organiser)
    assert str(error.value) == "Say why the idea is not taken forward."
    assert Idea.objects.get(pk=idea.pk).status == Idea.Status.NEW


def test_the_audit_records_that_a_ballot_was_cast_but_never_what_it_says(places, organiser):
    budget_round = voting_round(places.north, organiser)
    voter = make_voter(places.north)
    actions.cast_online_ballot(budget_round=budget_round, choices={"2": 1}, by=voter)
    event = AuditEvent.objects.get(action="participation.cast_ballot")
    assert event.actor == voter
    assert event.detail == {"ballot": 1}


def test_a_voters_record_without_a_postcode_is_told_so(places, organiser):
    budget_round = voting_round(places.north, organiser)
    voter = make_persona(Role.RESIDENT, places)
    PersonFactory.create(user=voter, postcode="")
    with pytest.raises(BudgetingError) as error:
        actions.cast_online_ballot(budget_round=budget_round, choices={"1": 1}, by=voter)
    assert str(error.value) == (
        "Your record has no postcode, so we cannot check that you live in North Trafford. "
        "You can still vote on a paper ballot."
    )
    assert numbers(budget_round)["Community fridge"].marks.count() == 0
