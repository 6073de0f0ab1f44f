"""Greedy by votes (as CONSUL and most cities) and greedy with a minimum score (as Warsaw), exact (no Django).

Projects are taken in order of score (votes on approval ballots, points on points ballots, rank points
on ranked ballots), highest first; a project is funded if it fits in what is left of the budget and is
skipped otherwise. This is pabutools' greedy_utilitarian_welfare with cost satisfaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

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


def _score_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):,.2f}"


def greedy_selection(
    profile: CompactProfile, ranks: Sequence[int], threshold: Fraction | None = None
) -> tuple[list[int], list[TieRecord]]:
    """Return the projects greedy funds, in order, and the ties its ordering had to break."""
    budget = profile.election.budget
    order = sorted(range(profile.project_count), key=lambda p: (-profile.weighted_score_units[p], ranks[p]))
    ties: list[TieRecord] = []
    spent = Fraction(0)
    chosen: list[int] = []
    funded: set[int] = set()
    by_score: dict[int, list[int]] = {}
    for project in order:
        by_score.setdefault(profile.weighted_score_units[project], []).append(project)
    tied_scores = {score: projects for score, projects in by_score.items() if len(projects) > 1}
    for project in order:
        if threshold is not None and profile.score(project) < threshold:
            continue
        cost = profile.costs[project]
        if spent + cost > budget:
            continue
        score = profile.weighted_score_units[project]
        # A tie mattered if another project with the same score could also have been funded now.
        neighbours = [
            other
            for other in tied_scores.get(score, ())
            if other != project
            and other not in funded
            and spent + profile.costs[other] <= budget
            and (threshold is None or profile.score(other) >= threshold)
        ]
        if neighbours:
            tied = sorted([project, *neighbours], key=lambda p: ranks[p])
            ids = profile.project_ids
            ties.append(TieRecord(len(chosen) + 1, tuple(ids[p] for p in tied), ids[project]))
        chosen.append(project)
        funded.add(project)
        spent += cost
    return chosen, ties


def explain_greedy(
    profile: CompactProfile,
    ranks: Sequence[int],
    tie_breaking: TieBreaking,
    selected: Sequence[int],
    rule: str,
    *,
    notes: tuple[str, ...] = (),
    explain: bool = True,
    threshold: Fraction | None = None,
    ties: Sequence[TieRecord] = (),
) -> Outcome:
    """Return a greedy outcome, with each winner's supporters and each loser's reason if `explain`."""
    ids = profile.project_ids
    budget = profile.election.budget
    total_cost = sum((profile.costs[p] for p in selected), Fraction(0))
    if not explain:
        return Outcome(
            rule=rule,
            selected=tuple(ids[p] for p in selected),
            total_cost=total_cost,
            budget=budget,
            tie_breaking=tie_breaking,
            ties=tuple(ties),
            notes=notes,
        )
    order = sorted(range(profile.project_count), key=lambda p: (-profile.weighted_score_units[p], ranks[p]))
    place = {project: position + 1 for position, project in enumerate(order)}
    chosen = set(selected)
    winners = [
        WinnerExplanation(
            project_id=ids[project],
            cost=profile.costs[project],
            step=step,
            stage=Stage.GREEDY,
            supporters=profile.voters_of(profile.supporters[project]),
            score=profile.score(project),
            reason=(
                f"{place[project]}. by score ({_score_text(profile.score(project))}) "
                "and it fitted in the budget."
            ),
        )
        for step, project in enumerate(selected, start=1)
    ]
    losers: list[LoserExplanation] = []
    spent = Fraction(0)
    for project in order:
        cost = profile.costs[project]
        score = profile.score(project)
        if project in chosen:
            spent += cost
            continue
        if threshold is not None and score < threshold:
            text = (
                f"It scored {_score_text(score)}, below the minimum of {_score_text(threshold)} "
                "needed to be funded."
            )
            losers.append(LoserExplanation(ids[project], cost, score, LossReason.BELOW_THRESHOLD, text))
            continue
        text = (
            f"When its turn came ({place[project]}. by score, {_score_text(score)}), "
            f"{_money(budget - spent)} of "
            f"the budget was left and it costs {_money(cost)}."
        )
        losers.append(LoserExplanation(ids[project], cost, score, LossReason.DID_NOT_FIT, text))
    losers.sort(key=lambda loser: ids.index(loser.project_id))
    return Outcome(
        rule=rule,
        selected=tuple(ids[p] for p in selected),
        total_cost=total_cost,
        budget=budget,
        tie_breaking=tie_breaking,
        ties=tuple(ties),
        winners=tuple(winners),
        losers=tuple(losers),
        notes=notes,
    )
