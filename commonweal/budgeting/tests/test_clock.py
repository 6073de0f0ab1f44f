"""The budgeting actions write the time they are given (`at=`), and their audit events carry it: a whole
round run at given times holds those times and no other, and its date rules (ideas closing, voting
closing, nothing done in the future) read the day from that time, in London."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.budgeting import actions
from commonweal.budgeting.models import (
    Ballot,
    BudgetResult,
    BudgetRound,
    Idea,
    Milestone,
    PaperBallot,
    PaperEntry,
    Proposal,
    Spend,
)
from commonweal.budgeting.tests.budgeting_helpers import SETTINGS, make_voter, postcode_in
from tests.factories import make_persona

pytestmark = pytest.mark.django_db


def _at(day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2025, 6, day, hour, minute, tzinfo=datetime.UTC)


CREATED = _at(1)
CHANGED = _at(2)
IDEA = _at(3)
DEVELOPING = _at(4)
PROPOSED = _at(5)
PROPOSAL_CHANGED = _at(6)
REVIEWED = _at(7)
ANSWERED = _at(8)
OPENED = _at(9)
CAST = _at(10)
BALLOT_CHANGED = _at(11)
FIRST_KEYING = _at(12)
SECOND_KEYING = _at(13)
RESOLVED = _at(14)
# 23:30 UTC on 20 June is 00:30 on 21 June in London: the closing day, the 20th, has passed.
COUNTED = _at(20, 23, 30)
DELIVERING = _at(22)
MILESTONE_ADDED = _at(23)
MILESTONE_REACHED = _at(24)
SPENT = _at(25)


def _keying(
    budget_round: BudgetRound, reference: str, choices: dict[str, int], **changes
) -> actions.PaperKeying:
    values: dict[str, Any] = {
        "reference": reference,
        "full_name": {"P1": "Ann Paper", "P2": "Bob Paper"}[reference],
        "date_of_birth": datetime.date(1961, 2, 3),
        "postcode": postcode_in(budget_round.place, 3).postcode,
        "choices": choices,
    }
    values.update(changes)
    return actions.PaperKeying(**values)


def _audit_times() -> dict[str, set[datetime.datetime]]:
    """Return, for each participation action in the audit log, the times its events occurred at."""
    occurred: dict[str, set[datetime.datetime]] = {}
    for action, moment in AuditEvent.objects.filter(action__startswith="participation.").values_list(
        "action", "occurred_at"
    ):
        occurred.setdefault(action, set()).add(moment)
    return occurred


def test_a_whole_round_run_at_given_times_holds_those_times(places, organiser):
    second_keyer = make_persona(Role.ADMINISTRATOR, places)
    third_person = make_persona(Role.COMMUNITY_ORGANISER, places)
    # Ideas close on 3 June and voting on 20 June 2025: long past by the wall clock, so each date rule
    # below passes only if it reads the day from the time it is given.
    settings = replace(SETTINGS, ideas_close_on=datetime.date(2025, 6, 3))
    budget_round = actions.create_round(place=places.north, settings=settings, by=organiser, at=CREATED)
    actions.change_round(
        budget_round=budget_round, settings=replace(settings, budget=9_500), by=organiser, at=CHANGED
    )
    resident = make_voter(places.north)
    idea = actions.submit_idea(
        budget_round=budget_round, title="A community fridge", description="Food.", by=resident, at=IDEA
    )
    actions.start_development(budget_round=budget_round, by=organiser, at=DEVELOPING)
    fridge = actions.save_proposal(
        budget_round=budget_round,
        title="Fridge",
        description="A fridge.",
        cost=3_000,
        by=organiser,
        at=PROPOSED,
    )
    walk = actions.save_proposal(
        budget_round=budget_round,
        title="Lit walk",
        description="Lights.",
        cost=6_000,
        by=organiser,
        at=PROPOSED,
    )
    actions.save_proposal(
        budget_round=budget_round,
        title="Community fridge",
        description="A fridge.",
        cost=3_000,
        by=organiser,
        at=PROPOSAL_CHANGED,
        proposal=fridge,
    )
    for proposal in (fridge, walk):
        actions.review_feasibility(proposal=proposal, decision="feasible", note="", by=organiser, at=REVIEWED)
    actions.answer_idea(
        idea=idea, status="taken_forward", response="", proposal=fridge, by=organiser, at=ANSWERED
    )
    actions.open_voting(
        budget_round=budget_round,
        voting_closes_on=datetime.date(2025, 6, 20),
        by=organiser,
        seed=5,
        at=OPENED,
    )
    voters = [make_voter(places.north, index=index) for index in range(2)]
    online = [
        actions.cast_online_ballot(budget_round=budget_round, choices=choices, by=voter, at=CAST)
        for voter, choices in zip(voters, [{"1": 1}, {"2": 1}], strict=True)
    ]
    actions.change_online_ballot(ballot=online[0], choices={"1": 1, "2": 1}, by=voters[0], at=BALLOT_CHANGED)
    # P1: two keyings agree and the ballot is recorded. P2: they differ, and a third person resolves it.
    for reference, second_choices in (("P1", {"2": 1}), ("P2", {"1": 1})):
        actions.key_paper_ballot(
            budget_round=budget_round,
            keying=_keying(budget_round, reference, {"2": 1}),
            by=organiser,
            at=FIRST_KEYING,
        )
        actions.key_paper_ballot(
            budget_round=budget_round,
            keying=_keying(budget_round, reference, second_choices),
            by=second_keyer,
            at=SECOND_KEYING,
        )
    queued = PaperBallot.objects.get(round=budget_round, reference="P2")
    assert queued.status == PaperBallot.Status.QUEUED
    actions.resolve_paper_ballot(
        paper=queued, keying=_keying(budget_round, "P2", {"2": 1}), note="", by=third_person, at=RESOLVED
    )
    result = actions.close_voting(budget_round=budget_round, by=organiser, at=COUNTED)
    assert result.ballots_counted == 4
    actions.start_delivery(budget_round=budget_round, by=organiser, at=DELIVERING)
    funded = walk if walk.project_id in result.selected else fridge
    milestone = actions.add_milestone(
        proposal=funded, title="Ordered", due_on=None, note="", by=organiser, at=MILESTONE_ADDED
    )
    # Reached on the day it is recorded (24 June): not in the future for the time given.
    actions.complete_milestone(
        milestone=milestone, done_on=datetime.date(2025, 6, 24), by=organiser, at=MILESTONE_REACHED
    )
    spend = actions.record_spend(
        proposal=funded,
        amount=Decimal("120.00"),
        spent_on=datetime.date(2025, 6, 25),
        description="Deposit",
        by=organiser,
        at=SPENT,
    )

    budget_round = BudgetRound.objects.get(pk=budget_round.pk)
    assert (budget_round.created_at, budget_round.voting_opened_at, budget_round.voting_closed_at) == (
        CREATED,
        OPENED,
        COUNTED,
    )
    idea = Idea.objects.get(pk=idea.pk)
    assert (idea.submitted_at, idea.reviewed_at) == (IDEA, ANSWERED)
    assert set(Proposal.objects.filter(round=budget_round).values_list("created_at", "reviewed_at")) == {
        (PROPOSED, REVIEWED)
    }
    ballots = {
        (ballot.channel, ballot.cast_at, ballot.changed_at)
        for ballot in Ballot.objects.filter(round=budget_round)
    }
    assert ballots == {
        ("online", CAST, BALLOT_CHANGED),
        ("online", CAST, None),
        ("paper", SECOND_KEYING, None),
        ("paper", RESOLVED, None),
    }
    papers = PaperBallot.objects.filter(round=budget_round).order_by("reference")
    assert [(paper.created_at, paper.resolved_at) for paper in papers] == [
        (FIRST_KEYING, None),
        (FIRST_KEYING, RESOLVED),
    ]
    assert sorted(
        PaperEntry.objects.filter(paper__round=budget_round).values_list("stage", "keyed_at"), key=str
    ) == sorted(
        [
            (PaperEntry.Stage.FIRST, FIRST_KEYING),
            (PaperEntry.Stage.FIRST, FIRST_KEYING),
            (PaperEntry.Stage.SECOND, SECOND_KEYING),
            (PaperEntry.Stage.SECOND, SECOND_KEYING),
            (PaperEntry.Stage.RESOLUTION, RESOLVED),
        ],
        key=str,
    )
    assert BudgetResult.objects.get(round=budget_round).counted_at == COUNTED
    assert Milestone.objects.get(pk=milestone.pk).created_at == MILESTONE_ADDED
    assert Spend.objects.get(pk=spend.pk).recorded_at == SPENT

    assert _audit_times() == {
        "participation.create_budget_round": {CREATED},
        "participation.change_budget_round": {CHANGED},
        "participation.submit_idea": {IDEA},
        "participation.start_development": {DEVELOPING},
        "participation.add_proposal": {PROPOSED},
        "participation.change_proposal": {PROPOSAL_CHANGED},
        "participation.review_feasibility": {REVIEWED},
        "participation.answer_idea": {ANSWERED},
        "participation.open_voting": {OPENED},
        "participation.cast_ballot": {CAST},
        "participation.change_ballot": {BALLOT_CHANGED},
        "participation.key_paper_ballot": {FIRST_KEYING, SECOND_KEYING},
        "participation.resolve_paper_ballot": {RESOLVED},
        "participation.close_voting": {COUNTED},
        "participation.start_delivery": {DELIVERING},
        "participation.add_milestone": {MILESTONE_ADDED},
        "participation.complete_milestone": {MILESTONE_REACHED},
        "participation.record_spend": {SPENT},
    }


def test_voting_closes_only_after_the_closing_day_in_london(places, organiser):
    settings = replace(SETTINGS, ideas_close_on=None)
    budget_round = actions.create_round(place=places.north, settings=settings, by=organiser, at=CREATED)
    actions.start_development(budget_round=budget_round, by=organiser, at=DEVELOPING)
    for title, cost in (("Fridge", 3_000), ("Walk", 6_000)):
        proposal = actions.save_proposal(
            budget_round=budget_round, title=title, description="", cost=cost, by=organiser, at=PROPOSED
        )
        actions.review_feasibility(proposal=proposal, decision="feasible", note="", by=organiser, at=REVIEWED)
    actions.open_voting(
        budget_round=budget_round, voting_closes_on=datetime.date(2025, 6, 20), by=organiser, at=OPENED
    )
    # 22:30 UTC on 20 June is 23:30 in London: still the closing day.
    with pytest.raises(actions.BudgetingError) as refused:
        actions.close_voting(budget_round=budget_round, by=organiser, at=_at(20, 22, 30))
    assert str(refused.value) == "Voting is open until the end of 20 June 2025: close it after that day."
    assert BudgetRound.objects.get(pk=budget_round.pk).phase == BudgetRound.Phase.VOTING
