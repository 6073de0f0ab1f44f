"""Reusable reads for participatory budgeting: a round as the pure layer's spec and ballots, its export,
the recorded result as rows to show, the paper queue and delivery progress."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Sum
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.budgeting import rules
from commonweal.budgeting.core.outcome import LossReason, Outcome
from commonweal.budgeting.core.pb_format import format_pb
from commonweal.budgeting.core.rounds.chart import ChartRow, results_chart
from commonweal.budgeting.core.rounds.counting import (
    EQUAL_SHARES_RULES,
    CastBallot,
    ProjectSpec,
    RoundSpec,
    export_pb,
    recount_command,
    weights_csv,
)
from commonweal.budgeting.models import (
    Ballot,
    BallotMark,
    BudgetResult,
    BudgetRound,
    Milestone,
    PaperBallot,
    Proposal,
)
from commonweal.places.models import Area


def ballot_projects(budget_round: BudgetRound) -> list[Proposal]:
    """Return the projects on the ballot (the feasible ones), by number."""
    return list(budget_round.proposals.filter(feasibility=Proposal.Feasibility.FEASIBLE).order_by("number"))


def round_spec(budget_round: BudgetRound) -> RoundSpec:
    """Return what counting and exporting need to know about a round whose voting has opened."""
    assert budget_round.voting_opened_at is not None and budget_round.voting_closes_on is not None
    return RoundSpec(
        name=budget_round.name,
        place_name=budget_round.place.name,
        budget=budget_round.budget,
        projects=tuple(
            ProjectSpec(proposal.project_id, proposal.title, proposal.cost)
            for proposal in ballot_projects(budget_round)
        ),
        rules=budget_round.ballot_rules(),
        rule=budget_round.counting_rule,
        tie_breaking=budget_round.tie_breaking_rule(),
        voting_opened_on=timezone.localdate(budget_round.voting_opened_at),
        voting_closes_on=budget_round.voting_closes_on,
        minimum_score=budget_round.minimum_score,
        weighted=budget_round.weight_by_deprivation,
    )


_METHOD: dict[str, str] = {Ballot.Channel.ONLINE: "internet", Ballot.Channel.PAPER: "paper"}


def cast_ballots(budget_round: BudgetRound) -> list[CastBallot]:
    """Return every ballot of the round in number order, as the pure layer counts them."""
    choices: dict[int, dict[str, int]] = defaultdict(dict)
    for ballot_id, number, value in BallotMark.objects.filter(ballot__round=budget_round).values_list(
        "ballot_id", "proposal__number", "value"
    ):
        choices[ballot_id][str(number)] = value
    return [
        CastBallot(
            voter_id=str(number),
            choices=choices[ballot_id],
            method=_METHOD[channel],
            decile=decile,
        )
        for ballot_id, number, channel, decile in budget_round.ballots.order_by("number").values_list(
            "pk", "number", "channel", "deprivation_decile"
        )
    ]


def ballots_by_channel(budget_round: BudgetRound) -> dict[str, int]:
    """Return how many ballots were cast online and on paper."""
    return dict(
        budget_round.ballots.values_list("channel")
        .annotate(count=Count("pk"))
        .values_list("channel", "count")
    )


def _fraction_text(value: Fraction) -> str:
    return str(value)


def winners_record(outcome: Outcome) -> list[dict[str, Any]]:
    """Return the winners' explanations as stored with the result: supporters counted, payments by amount
    with the (anonymous) ballot numbers of those who paid it."""
    return [
        {
            "project": winner.project_id,
            "step": winner.step,
            "stage": winner.stage.value,
            "supporters": len(winner.supporters),
            "score": _fraction_text(winner.score),
            "reason": winner.reason,
            "payments": [
                {"amount": _fraction_text(group.amount), "voters": [int(voter) for voter in group.voter_ids]}
                for group in winner.payments
            ],
        }
        for winner in outcome.winners
    ]


def losers_record(outcome: Outcome) -> list[dict[str, Any]]:
    """Return why each project lost, as stored with the result."""
    return [
        {
            "project": loser.project_id,
            "reason": loser.reason.value,
            "explanation": loser.explanation,
            "score": _fraction_text(loser.score),
            "money_left": _fraction_text(loser.supporters_money_left)
            if loser.supporters_money_left is not None
            else None,
            "spent_on": [[project, _fraction_text(amount)] for project, amount in loser.spent_on],
        }
        for loser in outcome.losers
    ]


def export_file_name(budget_round: BudgetRound) -> str:
    """Return the name of the round's exported file."""
    return f"commonweal-round-{budget_round.pk}.pb"


def export_text(budget_round: BudgetRound) -> str:
    """Return the round's `.pb` file: the ballots, the projects and the funded ones marked."""
    result: BudgetResult = budget_round.result
    return format_pb(export_pb(round_spec(budget_round), cast_ballots(budget_round), result.selected))


def export_weights(budget_round: BudgetRound) -> str:
    """Return the voter weights CSV of a weighted round, for the core command line's --weights."""
    return weights_csv(round_spec(budget_round), cast_ballots(budget_round))


def recount_instructions(budget_round: BudgetRound) -> str:
    """Return the command that recounts the exported file."""
    return recount_command(round_spec(budget_round), export_file_name(budget_round))


def _money(value: Fraction | int | Decimal) -> str:
    number = Fraction(value)
    if number.denominator == 1:
        return f"£{number.numerator:,}"
    return f"£{float(number):,.2f}"


@dataclass(frozen=True)
class PaymentShown:
    """Supporters who paid the same amount towards a winner."""

    amount: str
    count: int


@dataclass(frozen=True)
class ProjectResult:
    """One project's line in the results."""

    proposal: Proposal
    cost: str
    score: float
    score_text: str
    supporters: int
    funded: bool
    order: int | None
    explanation: str
    chosen: str
    payments: tuple[PaymentShown, ...]


@dataclass(frozen=True)
class CountNote:
    """A note from the count: one plain sentence for residents first, then the method's own words."""

    plain: str
    detail: str


# The count's notes begin with these words (commonweal/budgeting/core); each gets a plain sentence.
PLAIN_NOTES = {
    "Add1 completion": "Each voter first had an equal share of the budget to spend on the projects they "
    "voted for. Money was left over, so everyone's share was raised a little at a time, counting again "
    "each time, for as long as the projects bought still fitted in the budget.",
    "Utilitarian completion": "Money was still left after that, so it went to the projects with the most "
    "votes that still fitted in the budget.",
    "Comparison step": "We also checked which result more voters would prefer: this one, or simply "
    "funding the projects with the most votes first.",
    "Every project fits in the budget": "The budget was big enough for every project.",
    "Every project somebody voted for fits in the budget": "Every project somebody voted for could be paid "
    "for, so there was no need to raise anyone's share.",
}


def plain_note(note: str) -> CountNote:
    """Put a plain sentence before a note of the count (none when the note is plain already)."""
    starts = [start for start in PLAIN_NOTES if note.startswith(start)]
    return CountNote(plain=PLAIN_NOTES[max(starts, key=len)] if starts else "", detail=note)


@dataclass(frozen=True)
class ResultsView:
    """The recorded result, ready to show: the projects, the chart and the totals."""

    result: BudgetResult
    rows: tuple[ProjectResult, ...]
    chart: str
    total_cost: str
    left_over: str
    voter_share: str
    equal_shares: bool
    ties: tuple[str, ...]
    notes: tuple[CountNote, ...]


def ordinal(number: int) -> str:
    """Return 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _score_text(value: Fraction) -> str:
    return f"{value.numerator:,}" if value.denominator == 1 else f"{float(value):,.2f}"


def results_view(budget_round: BudgetRound) -> ResultsView:
    """Return the round's recorded result with every project's explanation, in the order funded then by
    score, and the chart drawn from the same numbers."""
    result: BudgetResult = budget_round.result
    proposals = {proposal.project_id: proposal for proposal in ballot_projects(budget_round)}
    votes = dict(
        BallotMark.objects.filter(ballot__round=budget_round)
        .values_list("proposal__number")
        .annotate(count=Count("pk"))
        .values_list("proposal__number", "count")
    )
    rows: list[ProjectResult] = []
    for position, winner in enumerate(result.winners, start=1):
        proposal = proposals[winner["project"]]
        score = Fraction(winner["score"])
        rows.append(
            ProjectResult(
                proposal=proposal,
                cost=_money(proposal.cost),
                score=float(score),
                score_text=_score_text(score),
                supporters=int(winner["supporters"]),
                funded=True,
                order=position,
                explanation=winner["reason"],
                chosen=f"chosen {ordinal(position)}",
                payments=tuple(
                    PaymentShown(_money(Fraction(payment["amount"])), len(payment["voters"]))
                    for payment in winner["payments"]
                ),
            )
        )
    losing = []
    for loser in result.losers:
        proposal = proposals[loser["project"]]
        score = Fraction(loser["score"])
        explanation = loser["explanation"]
        if loser["reason"] == LossReason.SUPPORTERS_COULD_NOT_AFFORD and loser["money_left"] is not None:
            explanation = _could_not_afford(proposal, loser, proposals)
        losing.append(
            ProjectResult(
                proposal=proposal,
                cost=_money(proposal.cost),
                score=float(score),
                score_text=_score_text(score),
                supporters=int(votes.get(proposal.number, 0)),
                funded=False,
                order=None,
                explanation=explanation,
                chosen="",
                payments=(),
            )
        )
    losing.sort(key=lambda row: (-row.score, row.proposal.number))
    rows += losing
    unit = budget_round.score_unit
    chart = results_chart(
        [ChartRow(f"{row.proposal.number}. {row.proposal.title}", row.score, row.funded) for row in rows],
        title=f"{unit.capitalize()} for each project in {budget_round.name}",
        description=(
            f"{len(rows)} projects; {len(result.winners)} funded, shown in blue and marked “funded”. "
            "The table below gives the same numbers."
        ),
        chart_id=f"round-{budget_round.pk}-results",
        unit=unit,
    )
    share = Fraction(result.voter_share) if result.voter_share else None
    return ResultsView(
        result=result,
        rows=tuple(rows),
        chart=chart,
        total_cost=_money(result.total_cost),
        left_over=_money(budget_round.budget - result.total_cost),
        voter_share=_money(share) if share is not None else "",
        equal_shares=result.rule in {rule.value for rule in EQUAL_SHARES_RULES},
        ties=tuple(
            f"Step {tie['step']}: {', '.join(tie['tied'])} tied; {tie['chosen']} was chosen."
            for tie in result.ties
        ),
        notes=tuple(plain_note(note) for note in result.notes),
    )


def _could_not_afford(proposal: Proposal, loser: dict[str, Any], proposals: dict[str, Proposal]) -> str:
    """Say, with the projects' names, what an Equal Shares loser's supporters had left and where their
    money went (the core says it with project ids)."""
    text = (
        f"Its supporters had {_money(Fraction(loser['money_left']))} left of their shares, less than its "
        f"cost of {_money(proposal.cost)}"
    )
    spent = [
        f"{project}. {proposals[project].title} ({_money(Fraction(amount))})"
        for project, amount in loser["spent_on"][:3]
        if project in proposals
    ]
    if not spent:
        return text + "."
    return text + ": they had spent them on " + "; ".join(spent) + ", chosen earlier."


@dataclass(frozen=True)
class MyPayment:
    """What the signed-in voter's share paid towards one funded project."""

    proposal: Proposal
    amount: str


def my_payments(budget_round: BudgetRound, ballot: Ballot) -> list[MyPayment]:
    """Return what a voter's share paid towards each funded project (Equal Shares only)."""
    proposals = {proposal.project_id: proposal for proposal in ballot_projects(budget_round)}
    paid = []
    for winner in budget_round.result.winners:
        for payment in winner["payments"]:
            if ballot.number in payment["voters"]:
                paid.append(MyPayment(proposals[winner["project"]], _money(Fraction(payment["amount"]))))
    return paid


def funded_projects(budget_round: BudgetRound) -> list[Proposal]:
    """Return the funded projects in the order the rule chose them."""
    result: BudgetResult | None = getattr(budget_round, "result", None)
    if result is None:
        return []
    proposals = {proposal.project_id: proposal for proposal in ballot_projects(budget_round)}
    return [proposals[project] for project in result.selected]


@dataclass(frozen=True)
class DeliveryProgress:
    """How one funded project's delivery is going."""

    proposal: Proposal
    milestones: tuple[Milestone, ...]
    done: int
    spent: str
    spent_share: int
    over_budget: bool
    status: str


def delivery_progress(budget_round: BudgetRound) -> list[DeliveryProgress]:
    """Return each funded project's milestones, how many are reached, and what has been spent."""
    funded = funded_projects(budget_round)
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.filter(proposal__in=funded).order_by("due_on", "pk"):
        milestones[milestone.proposal_id].append(milestone)
    spent = dict(
        budget_round.proposals.filter(pk__in=[proposal.pk for proposal in funded])
        .annotate(total=Sum("spending__amount"))
        .values_list("pk", "total")
    )
    progress = []
    for proposal in funded:
        steps = milestones[proposal.pk]
        done = sum(1 for step in steps if step.done_on is not None)
        total = spent.get(proposal.pk) or Decimal(0)
        if steps and done == len(steps):
            status = "Delivered"
        elif done or total:
            status = "In progress"
        else:
            status = "Not started"
        progress.append(
            DeliveryProgress(
                proposal=proposal,
                milestones=tuple(steps),
                done=done,
                spent=_money(total),
                spent_share=int(total * 100 / proposal.cost) if proposal.cost else 0,
                over_budget=total > proposal.cost,
                status=status,
            )
        )
    return progress


def paper_counts(budget_round: BudgetRound) -> dict[str, int]:
    """Return how many paper ballots are in each state."""
    counts = dict(
        budget_round.paper_ballots.values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return {status: counts.get(status, 0) for status in PaperBallot.Status.values}


def paper_queue(budget_round: BudgetRound) -> Sequence[PaperBallot]:
    """Return the paper ballots waiting for a second keying or a third person, oldest first."""
    return list(
        budget_round.paper_ballots.filter(
            status__in=[PaperBallot.Status.KEYED_ONCE, PaperBallot.Status.QUEUED]
        )
        .order_by("created_at", "pk")
        .prefetch_related("entries__keyed_by")
    )


def places_to_run_in(user: User | AnonymousUser) -> list[Area]:
    """Return the places the user may run budgeting rounds in, broadest first."""
    return list(Area.objects.filter(pk__in=rules.budgeting_place_ids(user)).order_by("kind", "name"))
