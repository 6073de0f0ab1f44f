"""What a valid ballot is for each kind of ballot a round can use (no Django).

A ballot is a mapping from project id to a whole number: 1 for each project chosen on an approval or
knapsack ballot, the points given on a cumulative ballot, and the rank (1 = first choice) on a ranked
ballot. The limits mirror the META keys of the pabulib format, so that the rules of a real election can
be read from its file and every ballot cast in it checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from commonweal.budgeting.core.election import VoteType


class BallotKind(StrEnum):
    """How voters say what they want."""

    APPROVAL = "approval"
    CUMULATIVE = "cumulative"
    KNAPSACK = "knapsack"
    RANKED = "ranked"

    @property
    def vote_type(self) -> VoteType:
        """Return the pabulib vote type this kind is written as (a knapsack ballot is an approval ballot
        whose total cost is limited by META max_sum_cost)."""
        return {
            BallotKind.APPROVAL: VoteType.APPROVAL,
            BallotKind.KNAPSACK: VoteType.APPROVAL,
            BallotKind.CUMULATIVE: VoteType.CUMULATIVE,
            BallotKind.RANKED: VoteType.ORDINAL,
        }[self]


class BallotError(ValueError):
    """A ballot that breaks the round's rules; the message says how, in plain words."""


@dataclass(frozen=True)
class BallotRules:
    """The limits on one round's ballots.

    `min_projects`/`max_projects` bound how many projects are chosen or ranked (None: no upper limit);
    `max_cost` bounds the total cost of a knapsack ballot; `points` is what a cumulative ballot has to
    give, `min_points` the least it must give in all and `max_points_per_project` the most one project may
    get (None: no limit beyond `points`).
    """

    kind: BallotKind
    min_projects: int = 1
    max_projects: int | None = None
    max_cost: Fraction | None = None
    points: int | None = None
    min_points: int = 1
    max_points_per_project: int | None = None

    def __post_init__(self) -> None:
        if self.min_projects < 0:
            raise BallotError("The fewest projects on a ballot cannot be negative.")
        if self.max_projects is not None and self.max_projects < max(self.min_projects, 1):
            raise BallotError("The most projects on a ballot must be at least the fewest, and at least 1.")
        if self.kind is BallotKind.KNAPSACK and self.max_cost is None:
            raise BallotError("A knapsack ballot needs the most it may spend (the budget).")
        if self.kind is BallotKind.CUMULATIVE:
            if self.points is None or self.points < 1:
                raise BallotError("A points ballot needs the number of points each voter has (at least 1).")
            if self.max_points_per_project is not None and self.max_points_per_project < 1:
                raise BallotError("The most points one project may get must be at least 1.")

    def describe(self) -> str:
        """Return the instructions a voter reads, in plain words."""
        if self.kind is BallotKind.CUMULATIVE:
            text = f"Share out up to {self.points} points among the projects you support"
            if self.max_points_per_project is not None:
                text += f", at most {self.max_points_per_project} to any one project"
            return text + "."
        if self.kind is BallotKind.RANKED:
            most = "as many projects as you like" if self.max_projects is None else _count(self.max_projects)
            return f"Rank up to {most} in order of preference: 1 for your first choice." + (
                f" Rank at least {_count(self.min_projects)}." if self.min_projects > 1 else ""
            )
        if self.kind is BallotKind.KNAPSACK:
            assert self.max_cost is not None
            return (
                f"Choose the projects you would fund, costing no more than £{_money(self.max_cost)} in all."
            )
        if self.max_projects is None:
            return "Choose every project you support." + (
                f" Choose at least {_count(self.min_projects)}." if self.min_projects > 1 else ""
            )
        if self.min_projects == self.max_projects:
            return f"Choose {_count(self.max_projects)}."
        return f"Choose from {self.min_projects} to {_count(self.max_projects)}."


def _count(number: int) -> str:
    return f"{number} project" + ("" if number == 1 else "s")


def check_ballot(rules: BallotRules, choices: Mapping[str, int], costs: Mapping[str, Fraction]) -> None:
    """Raise BallotError, saying what is wrong, unless the choices make a valid ballot.

    `costs` holds every project on the ballot (id -> cost).
    """
    unknown = sorted(project for project in choices if project not in costs)
    if unknown:
        raise BallotError(f"Project {unknown[0]} is not on the ballot.")
    chosen = {project: value for project, value in choices.items() if value != 0}
    if any(value < 0 for value in chosen.values()):
        raise BallotError("A ballot cannot give a project fewer than 0 points.")
    if not chosen:
        raise BallotError(
            "Give at least one point to a project."
            if rules.kind is BallotKind.CUMULATIVE
            else _too_few(rules)
        )
    if rules.kind is BallotKind.CUMULATIVE:
        _check_points(rules, chosen)
        return
    if rules.kind is BallotKind.RANKED:
        _check_ranks(chosen)
    elif any(value != 1 for value in chosen.values()):
        raise BallotError("Each project is either chosen or not.")
    if len(chosen) < rules.min_projects:
        raise BallotError(_too_few(rules))
    if rules.max_projects is not None and len(chosen) > rules.max_projects:
        verb = "ranks" if rules.kind is BallotKind.RANKED else "chooses"
        raise BallotError(f"This ballot {verb} {len(chosen)} projects; the most is {rules.max_projects}.")
    if rules.kind is BallotKind.KNAPSACK:
        assert rules.max_cost is not None
        total = sum((costs[project] for project in chosen), Fraction(0))
        if total > rules.max_cost:
            raise BallotError(
                f"The projects chosen cost £{_money(total)} in all, more than the budget of "
                f"£{_money(rules.max_cost)}. Leave some out."
            )


def _too_few(rules: BallotRules) -> str:
    verb = "Rank" if rules.kind is BallotKind.RANKED else "Choose"
    return f"{verb} at least {_count(max(rules.min_projects, 1))}."


def _check_points(rules: BallotRules, chosen: Mapping[str, int]) -> None:
    assert rules.points is not None
    total = sum(chosen.values())
    if total > rules.points:
        raise BallotError(f"This ballot gives {total} points; each voter has {rules.points}.")
    if total < rules.min_points:
        raise BallotError(f"Give at least {rules.min_points} points in all.")
    if rules.max_points_per_project is not None:
        over = sorted(project for project, value in chosen.items() if value > rules.max_points_per_project)
        if over:
            raise BallotError(
                f"Project {over[0]} gets {chosen[over[0]]} points; "
                f"the most one project may get is {rules.max_points_per_project}."
            )


def _check_ranks(chosen: Mapping[str, int]) -> None:
    ranks = sorted(chosen.values())
    if len(set(ranks)) != len(ranks):
        repeated = next(rank for rank in ranks if ranks.count(rank) > 1)
        raise BallotError(f"Two projects are ranked {repeated}: give each rank to one project only.")
    expected = list(range(1, len(ranks) + 1))
    if ranks != expected:
        missing = next(rank for rank in expected if rank not in ranks)
        raise BallotError(f"Rank {missing} is missing: number your choices 1, 2, 3 … without gaps.")


def _money(value: Fraction) -> str:
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return f"{float(value):,.2f}"


def rules_from_pb_meta(meta: Mapping[str, str]) -> BallotRules:
    """Return the ballot rules a pabulib file's META states (vote_type and the length, cost and points
    limits); a choose-1 file is an approval ballot of exactly one project."""
    vote_type = meta.get("vote_type", "approval")

    def whole(key: str) -> int | None:
        text = meta.get(key, "").strip()
        return int(Fraction(text)) if text else None

    if vote_type == "cumulative":
        points = whole("max_sum_points")
        if points is None:
            raise BallotError("A cumulative file needs META max_sum_points.")
        return BallotRules(
            kind=BallotKind.CUMULATIVE,
            points=points,
            min_points=whole("min_sum_points") or 1,
            max_points_per_project=whole("max_points"),
        )
    if vote_type == "choose-1":
        return BallotRules(kind=BallotKind.APPROVAL, min_projects=1, max_projects=1)
    kind = BallotKind.RANKED if vote_type == "ordinal" else BallotKind.APPROVAL
    max_cost_text = meta.get("max_sum_cost", "").strip()
    if kind is BallotKind.APPROVAL and max_cost_text:
        kind = BallotKind.KNAPSACK
    return BallotRules(
        kind=kind,
        min_projects=whole("min_length") or 1,
        max_projects=whole("max_length"),
        max_cost=Fraction(max_cost_text) if max_cost_text else None,
    )
