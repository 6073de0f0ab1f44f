"""Sequential Phragmén for participatory budgeting, in exact arithmetic (no Django).

Voters earn virtual money continuously, at the same rate (or at a rate equal to their weight). As soon as
the supporters of a project together hold its cost, they buy it and spend everything they hold. The
rule stops when the next project to be bought does not fit in the budget (pabutools'
sequential_phragmen; Los, Christoff and Grossi 2022). Every project named on a ballot counts as
supported, whatever the points or rank.

A voter's spending is their weight times the moment of the last purchase they took part in, so the
money of many voters is tracked by a handful of exact moments rather than voter by voter.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from commonweal.budgeting.core.outcome import (
    LoserExplanation,
    LossReason,
    Outcome,
    Stage,
    TieBreaking,
    TieRecord,
    WinnerExplanation,
)
from commonweal.budgeting.core.profile import CompactProfile


def _money(value: Fraction) -> str:
    return f"{float(value):,.2f}"


def phragmen(
    profile: CompactProfile, ranks: Sequence[int], tie_breaking: TieBreaking, rule: str, *, explain: bool
) -> Outcome:
    """Return the outcome of sequential Phragmén, with supporters and reasons if `explain`."""
    election = profile.election
    budget = election.budget
    ids = profile.project_ids
    count = profile.project_count
    weights = np.array(profile.group_weight, dtype=np.int64)
    earning = profile.multiplicity * weights
    # rate[p]: the money a project's supporters earn together per unit of time.
    rate = np.array([int(earning[groups].sum()) for groups in profile.supporters], dtype=np.int64)
    matrix = np.zeros((profile.group_count, count), dtype=np.int64)
    for project, groups in enumerate(profile.supporters):
        matrix[groups, project] = earning[groups]
    # held[p, k]: the earning rate of p's supporters whose last purchase was at moment k, so that
    # what they have spent is sum_k moment_k * held[p, k] (exactly, with the exact moments).
    held = np.zeros((count, count + 1), dtype=np.int64)
    held[:, 0] = rate
    moments: list[Fraction] = [Fraction(0)]
    moment_floats = np.zeros(count + 1)
    last_moment = np.zeros(profile.group_count, dtype=np.int64)
    cost_floats = np.array([float(cost) for cost in profile.costs])
    remaining = np.array([rate[p] > 0 and profile.costs[p] <= budget for p in range(count)])
    safe_rate = np.maximum(rate, 1).astype(np.float64)
    selected: list[int] = []
    times: list[Fraction] = []
    ties: list[TieRecord] = []
    cost_so_far = Fraction(0)
    stopped_by: int | None = None

    def exact_moment(project: int) -> Fraction:
        spent = sum(
            (moments[k] * int(amount) for k, amount in enumerate(held[project, : len(moments)]) if amount),
            Fraction(0),
        )
        return (profile.costs[project] + spent) / int(rate[project])

    while remaining.any():
        # Rank by floating point; decide exactly among projects within a billionth of the earliest.
        spent_floats = (held[:, : len(moments)] * moment_floats[: len(moments)]).sum(axis=1)
        when = np.where(remaining, (cost_floats + spent_floats) / safe_rate, np.inf)
        first = float(when.min())
        close = np.flatnonzero(when <= first * (1 + 1e-9)).tolist()
        exact = {p: exact_moment(p) for p in close}
        earliest = min(exact.values())
        tied = sorted((p for p, moment in exact.items() if moment == earliest), key=lambda p: ranks[p])
        if any(cost_so_far + profile.costs[p] > budget for p in tied):
            stopped_by = tied[0]
            break
        chosen = tied[0]
        if len(tied) > 1:
            ties.append(TieRecord(len(selected) + 1, tuple(ids[p] for p in tied), ids[chosen]))
        groups = profile.supporters[chosen]
        moment_index = len(moments)
        moments.append(earliest)
        moment_floats[moment_index] = float(earliest)
        # The chosen project's supporters move, with their earning rates, from the moment of their last
        # purchase to this one.
        moved = np.zeros((moment_index, count), dtype=np.int64)
        np.add.at(moved, last_moment[groups], matrix[groups])
        held[:, :moment_index] -= moved.T
        held[:, moment_index] += moved.sum(axis=0)
        last_moment[groups] = moment_index
        selected.append(chosen)
        times.append(earliest)
        cost_so_far += profile.costs[chosen]
        remaining[chosen] = False
    notes: tuple[str, ...] = ()
    if election.vote_type.value not in ("approval", "choose-1"):
        notes = (
            "Phragmén counts every project named on a ballot as supported, whatever its points or rank.",
        )
    if not explain:
        return Outcome(
            rule=rule,
            selected=tuple(ids[p] for p in selected),
            total_cost=cost_so_far,
            budget=budget,
            tie_breaking=tie_breaking,
            ties=tuple(ties),
            notes=notes,
        )
    winners = [
        WinnerExplanation(
            project_id=ids[project],
            cost=profile.costs[project],
            step=step,
            stage=Stage.PHRAGMEN,
            supporters=profile.voters_of(profile.supporters[project]),
            score=profile.score(project),
            reason=(
                f"Its supporters had earned its cost together at moment {float(moment):.6g} "
                "(money per voter), before any other project's supporters."
            ),
        )
        for step, (project, moment) in enumerate(zip(selected, times, strict=True), start=1)
    ]
    losers: list[LoserExplanation] = []
    chosen_set = set(selected)
    for project in range(count):
        if project in chosen_set:
            continue
        cost = profile.costs[project]
        score = profile.score(project)
        if rate[project] == 0:
            losers.append(
                LoserExplanation(ids[project], cost, score, LossReason.NO_SUPPORT, "Nobody voted for it.")
            )
        elif cost > budget:
            text = f"It costs {_money(cost)}, more than the whole budget of {_money(budget)}."
            losers.append(LoserExplanation(ids[project], cost, score, LossReason.DID_NOT_FIT, text))
        elif project == stopped_by:
            text = (
                f"Its supporters were next to afford it, but it costs {_money(cost)} and only "
                f"{_money(budget - cost_so_far)} of the budget was left, so the count stopped."
            )
            losers.append(LoserExplanation(ids[project], cost, score, LossReason.DID_NOT_FIT, text))
        else:
            blocker = ids[stopped_by] if stopped_by is not None else "none"
            text = (
                f"The count stopped before its supporters had earned its cost: project {blocker} came first "
                "and did not fit."
            )
            losers.append(LoserExplanation(ids[project], cost, score, LossReason.NOT_REACHED, text))
    return Outcome(
        rule=rule,
        selected=tuple(ids[p] for p in selected),
        total_cost=cost_so_far,
        budget=budget,
        tie_breaking=tie_breaking,
        ties=tuple(ties),
        winners=tuple(winners),
        losers=tuple(losers),
        notes=notes,
    )
