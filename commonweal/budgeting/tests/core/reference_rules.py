"""The same rules computed by pabutools (the reference implementation), for tests and the benchmark.

Each rule name maps to the pabutools call that defines the same rule:

- greedy / greedy-threshold: greedy_utilitarian_welfare with cost satisfaction (points x cost on points
  ballots), the threshold applied by leaving low-scoring projects out of the instance;
- mes-cost / mes-cardinality: method_of_equal_shares with Cost_Sat / Cardinality_Sat (points x cost /
  points on points ballots);
- mes-cost-add1: the equalshares.net tool's Add1 (start at the whole currency unit below budget/voters,
  add 1 per voter, stop at the first exhaustive outcome) is pabutools' iterated scheme started from that
  share with voter_budget_increment=1; when every project fits the tool runs plain MES, and so does this;
- mes-cost-add1u: that outcome completed by greedy_utilitarian_welfare with Cost_Sat;
- phragmen: sequential_phragmen (approval ballots only; pabutools refuses others);
- max-welfare: max_additive_utilitarian_welfare with Cost_Sat (CBC through pulp; pabutools does not
  control ties between optimal sets, so tests compare the welfare and then the sets).
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

from pabutools.election import (
    AbstractApprovalProfile,
    Additive_Cardinal_Sat,
    AdditiveSatisfaction,
    Cardinality_Sat,
    Cost_Sat,
    Instance,
    parse_pabulib,
)
from pabutools.rules import (
    BudgetAllocation,
    greedy_utilitarian_welfare,
    max_additive_utilitarian_welfare,
    method_of_equal_shares,
    sequential_phragmen,
)
from pabutools.rules.mes.mes_rule import method_of_equal_shares_scheme
from pabutools.tiebreaking import lexico_tie_breaking

RULES = (
    "greedy",
    "greedy-threshold",
    "mes-cost",
    "mes-cardinality",
    "mes-cost-add1",
    "mes-cost-add1u",
    "phragmen",
    "max-welfare",
)


class Unsupported(Exception):
    """pabutools does not compute this rule for this kind of ballot."""


def _points_times_cost(instance, profile, ballot, project, precomputed):
    return ballot.get(project, 0) * project.cost


class PointsCostSat(AdditiveSatisfaction):
    """Cost satisfaction on points ballots: the points given to a project times its cost."""

    def __init__(self, instance, profile, ballot):
        AdditiveSatisfaction.__init__(self, instance, profile, ballot, _points_times_cost)


def load(path: Path):
    """Return pabutools' instance and profile for a `.pb` file."""
    return parse_pabulib(str(path))


def _is_approval(profile) -> bool:
    return isinstance(profile, AbstractApprovalProfile)


def _cost_sat(profile):
    return Cost_Sat if _is_approval(profile) else PointsCostSat


def _cardinality_sat(profile):
    return Cardinality_Sat if _is_approval(profile) else Additive_Cardinal_Sat


def _scores(instance, profile) -> dict:
    if _is_approval(profile):
        return {project: profile.approval_score(project) for project in instance}
    totals = dict.fromkeys(instance, 0)
    for ballot in profile:
        for project, points in ballot.items():
            totals[project] += points * profile.multiplicity(ballot)
    return totals


def _add1(instance, profile):
    if sum(project.cost for project in instance) <= instance.budget_limit:
        return method_of_equal_shares(instance, profile, sat_class=_cost_sat(profile))
    voters = profile.num_ballots()
    share = math.floor(Fraction(instance.budget_limit) / voters)
    return method_of_equal_shares_scheme(
        instance,
        profile,
        profile.as_sat_profile(_cost_sat(profile)),
        share,
        BudgetAllocation(),
        lexico_tie_breaking,
        voter_budget_increment=1,
        binary_sat=_is_approval(profile),
    )


def reference_outcome(rule: str, instance, profile, threshold: Fraction | None = None) -> list[str]:
    """Return the project ids pabutools selects for a rule, in pabutools' order."""
    if rule == "greedy":
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=_cost_sat(profile))
    elif rule == "greedy-threshold":
        if threshold is None:
            threshold = Fraction(instance.meta["min_project_score_threshold"])
        scores = _scores(instance, profile)
        eligible = Instance(
            [project for project in instance if scores[project] >= threshold],
            budget_limit=instance.budget_limit,
        )
        outcome = greedy_utilitarian_welfare(eligible, profile, sat_class=_cost_sat(profile))
    elif rule == "mes-cost":
        outcome = method_of_equal_shares(instance, profile, sat_class=_cost_sat(profile))
    elif rule == "mes-cardinality":
        outcome = method_of_equal_shares(instance, profile, sat_class=_cardinality_sat(profile))
    elif rule == "mes-cost-add1":
        outcome = _add1(instance, profile)
    elif rule == "mes-cost-add1u":
        outcome = greedy_utilitarian_welfare(
            instance,
            profile,
            sat_class=_cost_sat(profile),
            initial_budget_allocation=_add1(instance, profile),
        )
    elif rule == "phragmen":
        if not _is_approval(profile):
            raise Unsupported("pabutools' sequential Phragmén takes approval ballots only")
        outcome = sequential_phragmen(instance, profile)
    elif rule == "max-welfare":
        outcome = max_additive_utilitarian_welfare(instance, profile, sat_class=_cost_sat(profile))
    else:
        raise ValueError(rule)
    return [project.name for project in outcome]


def welfare_of(instance, profile, project_ids) -> Fraction:
    """Return the total cost satisfaction of a set of projects (for comparing max-welfare ties)."""
    by_name = {project.name: project for project in instance}
    scores = _scores(instance, profile)
    return sum((Fraction(scores[by_name[p]]) * Fraction(by_name[p].cost) for p in project_ids), Fraction(0))
