"""Exact maximum utilitarian welfare: the affordable set of projects with the most total utility (no Django).

This is a 0/1 knapsack. It is solved exactly in integers by depth-first branch and bound with the
Dantzig (linear relaxation) bound (Horowitz and Sahni 1974), after scaling costs to whole numbers.
Ties between optimal sets are broken explicitly: every project's value is multiplied by 2^n and the
project that wins ties first gets an extra 2^(n-1), the next 2^(n-2) …, so among the sets of highest
welfare the one containing the first project in tie-breaking order wins, then the next, and the
optimum is unique. A floating-point solver could not promise either.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from commonweal.budgeting.core.equal_shares import Utility
from commonweal.budgeting.core.outcome import (
    LoserExplanation,
    LossReason,
    Outcome,
    Stage,
    TieBreaking,
    WinnerExplanation,
)
from commonweal.budgeting.core.profile import CompactProfile


def _money(value: Fraction) -> str:
    return f"{float(value):,.2f}"


@dataclass(frozen=True)
class _Item:
    project: int
    cost: int
    value: int


def _knapsack(items: Sequence[_Item], capacity: int) -> tuple[int, list[int]]:
    """Return the best total value within the capacity and the projects achieving it."""
    ordered = sorted(items, key=lambda item: Fraction(item.value, item.cost), reverse=True)
    costs = [item.cost for item in ordered]
    values = [item.value for item in ordered]
    prefix_cost = [0]
    prefix_value = [0]
    for cost, value in zip(costs, values, strict=True):
        prefix_cost.append(prefix_cost[-1] + cost)
        prefix_value.append(prefix_value[-1] + value)
    count = len(ordered)
    best_value = 0
    best_set: list[int] = []
    # Start from the greedy fill, a good incumbent that prunes most of the tree.
    room = capacity
    for position in range(count):
        if costs[position] <= room:
            room -= costs[position]
            best_value += values[position]
            best_set.append(position)
    chosen: list[int] = []

    def bound(position: int, room: int, value: int) -> int:
        limit = bisect.bisect_right(prefix_cost, prefix_cost[position] + room) - 1
        whole = prefix_value[limit] - prefix_value[position]
        left = room - (prefix_cost[limit] - prefix_cost[position])
        extra = (left * values[limit]) // costs[limit] if limit < count else 0
        return value + whole + extra

    def search(position: int, room: int, value: int) -> None:
        nonlocal best_value, best_set
        if value > best_value:
            best_value = value
            best_set = list(chosen)
        if position == count or bound(position, room, value) <= best_value:
            return
        if costs[position] <= room:
            chosen.append(position)
            search(position + 1, room - costs[position], value + values[position])
            chosen.pop()
        search(position + 1, room, value)

    search(0, capacity, 0)
    return best_value, sorted(ordered[position].project for position in best_set)


def max_welfare(
    profile: CompactProfile,
    ranks: Sequence[int],
    tie_breaking: TieBreaking,
    utility: Utility,
    rule: str,
    *,
    explain: bool,
) -> Outcome:
    """Return the affordable set with the highest total utility, ties broken by `tie_breaking`."""
    election = profile.election
    budget = election.budget
    ids = profile.project_ids
    count = profile.project_count
    scale = math.lcm(budget.denominator, *(cost.denominator for cost in profile.costs))
    capacity = int(budget * scale)
    scores = profile.weighted_score_units
    welfare = [
        scores[p] * (int(profile.costs[p] * scale) if utility is Utility.COST else 1) for p in range(count)
    ]
    free = [p for p in range(count) if profile.costs[p] == 0 and welfare[p] > 0]
    candidates = [
        p for p in range(count) if profile.costs[p] > 0 and welfare[p] > 0 and profile.costs[p] <= budget
    ]
    shift = count
    items = [
        _Item(p, int(profile.costs[p] * scale), (welfare[p] << shift) + (1 << (shift - 1 - ranks[p])))
        for p in candidates
    ]
    best, chosen = _knapsack(items, capacity)
    # A set has no order of selection; it is listed in ballot order.
    selected = sorted([*free, *chosen])
    total_cost = sum((profile.costs[p] for p in selected), Fraction(0))
    optimum = sum(welfare[p] for p in selected)
    notes = (
        f"Total {utility.value} utility of the chosen set: "
        f"{_welfare_text(optimum, utility, scale, profile)}.",
    )
    if not explain:
        return Outcome(
            rule=rule,
            selected=tuple(ids[p] for p in selected),
            total_cost=total_cost,
            budget=budget,
            tie_breaking=tie_breaking,
            notes=notes,
        )
    winners = [
        WinnerExplanation(
            project_id=ids[project],
            cost=profile.costs[project],
            step=step,
            stage=Stage.MAX_WELFARE,
            supporters=profile.voters_of(profile.supporters[project]),
            score=profile.score(project),
            reason="Part of the affordable set with the highest total utility.",
        )
        for step, project in enumerate(selected, start=1)
    ]
    losers: list[LoserExplanation] = []
    chosen_set = set(selected)
    for project in range(count):
        if project in chosen_set:
            continue
        cost = profile.costs[project]
        score = profile.score(project)
        if welfare[project] == 0:
            losers.append(
                LoserExplanation(ids[project], cost, score, LossReason.NO_SUPPORT, "Nobody voted for it.")
            )
            continue
        if cost > budget:
            text = f"It costs {_money(cost)}, more than the whole budget of {_money(budget)}."
            losers.append(LoserExplanation(ids[project], cost, score, LossReason.DID_NOT_FIT, text))
            continue
        others = [item for item in items if item.project != project]
        forced, _ = _knapsack(others, capacity - int(cost * scale))
        with_it = (forced >> shift) + welfare[project]
        text = (
            "The best affordable set that includes it has total utility "
            f"{_welfare_text(with_it, utility, scale, profile)}, less than the maximum "
            f"{_welfare_text(optimum, utility, scale, profile)}."
        )
        if with_it == optimum:
            text = "Another set with the same total utility won the tie-break."
        losers.append(LoserExplanation(ids[project], cost, score, LossReason.NOT_IN_BEST_SET, text))
    del best
    return Outcome(
        rule=rule,
        selected=tuple(ids[p] for p in selected),
        total_cost=total_cost,
        budget=budget,
        tie_breaking=tie_breaking,
        winners=tuple(winners),
        losers=tuple(losers),
        notes=notes,
    )


def _welfare_text(units: int, utility: Utility, scale: int, profile: CompactProfile) -> str:
    value = Fraction(units, profile.value_scale * profile.weight_scale)
    if utility is Utility.COST:
        value /= scale
    return f"{float(value):,.2f}" if value.denominator != 1 else str(value.numerator)
