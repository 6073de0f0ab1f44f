"""The Method of Equal Shares, exact and fast, with the completions of the equalshares.net tool (no Django).

Each voter gets an equal share of the budget (or a share in proportion to a weight). In every round the
project whose supporters can pay for it at the lowest price per unit of utility is bought; supporters
who cannot afford that price pay everything they have left (Peters, Pierczyński, Skowron 2021;
equalshares.net/implementation/computation). Utility is the project's cost ("cost utilities") or 1
("cardinality utilities"), times the points a ballot gives.

Exactness without slowness: every run is computed in floating point, and every comparison whose two
sides are closer than a safety margin (a billionth of a voter's share, far above the rounding error of
a few hundred operations) is decided again in exact rational arithmetic. Exact values are not stored
per voter: a voter who still has money holds exactly share - sum of the prices of the funded projects
they supported, so any exact sum of budgets is rebuilt from the exact prices and integer counts. A run
therefore gives the same outcome as an all-Fraction computation (as pabutools does with gmpy2), while
costing about as much as a floating-point one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

import numpy as np

from commonweal.budgeting.core.greedy import explain_greedy
from commonweal.budgeting.core.outcome import (
    LoserExplanation,
    LossReason,
    Outcome,
    PaymentGroup,
    Stage,
    TieBreaking,
    TieRecord,
    WinnerExplanation,
)
from commonweal.budgeting.core.profile import CompactProfile, tie_ranks

# Comparisons closer than this (relative) are decided in exact arithmetic.
_RELATIVE_MARGIN = 1e-9


class Utility(StrEnum):
    """How much a voter gains from a funded project they support (times the points they gave it)."""

    COST = "cost"
    CARDINALITY = "cardinality"


class Completion(StrEnum):
    """How the money Equal Shares leaves unspent is used (equalshares.net/implementation/completion)."""

    NONE = "none"
    # Raise every voter's share by one currency unit at a time while the outcome stays within budget.
    ADD1 = "add1"
    # Add1, then fund the most-voted projects that still fit.
    ADD1U = "add1u"
    # Fund the most-voted projects that still fit.
    UTILITARIAN = "utilitarian"


class Comparison(StrEnum):
    """The equalshares.net comparison step: keep Equal Shares unless more voters prefer greedy."""

    NONE = "none"
    # A voter prefers the outcome funding more of the projects on their ballot.
    SATISFACTION = "satisfaction"
    # A voter prefers the outcome funding at least one project on their ballot when the other funds none.
    EXCLUSION_RATIO = "exclusion-ratio"


@dataclass(frozen=True)
class Add1Options:
    """The options of the Add1 completion; the defaults are the equalshares.net tool's defaults."""

    # Start from the whole currency unit below budget / voters, as the tool's "integral" option does.
    integral: bool = True
    # Stop as soon as no further project would fit in the budget (the tool's "exhaustive" option).
    exhaustive: bool = True
    # Currency units added to every voter's share at each step.
    increment: Fraction = Fraction(1)


@dataclass
class _Evaluation:
    """The price at which a project's supporters could buy it now, and who would pay what."""

    project: int
    # Money per unit of ballot value that each supporter who can afford it pays.
    price: float
    # price divided by the utility factor: what rounds compare.
    rho: float
    # The supporters' budgets when evaluated, who still had money, and who could not pay the price.
    budgets: np.ndarray
    alive: np.ndarray
    poor: np.ndarray
    # How price and rho change per unit of share (see _RunState.horizon).
    price_slope: float = 0.0
    rho_slope: float = 0.0
    exact_price: Fraction | None = None
    # Supporting groups whose budget was within the margin of their payment, with exact budgets.
    exact_budgets: dict[int, Fraction] = field(default_factory=dict)
    # Groups among those that pay exactly all they have although they count as able to pay.
    exactly_emptied: tuple[int, ...] = ()


@dataclass
class _Selection:
    """A project bought in a run, with what is needed to rebuild its exact price."""

    project: int
    price: float
    poor_groups: np.ndarray
    # The supporters who paid the full price (exact value units computed only when needed).
    rich: np.ndarray
    exact_price: Fraction | None


@dataclass
class MesRun:
    """One run of Equal Shares with a fixed total of voter money."""

    total: Fraction
    selections: list[_Selection]
    depleted_at: np.ndarray
    ties: list[TieRecord]
    free_projects: list[int]
    # Every share per unit of weight below share + horizon runs exactly like this one (0 if unknown).
    horizon: float = 0.0

    @property
    def order(self) -> list[int]:
        """Return the projects bought, free ones first, in the order bought."""
        return [*self.free_projects, *(selection.project for selection in self.selections)]


class _Unaffordable(Exception):
    """The supporters of a project together have less money than it costs."""


class EqualSharesEngine:
    """Runs Equal Shares on one profile for any total of voter money."""

    def __init__(self, profile: CompactProfile, utility: Utility, tie_breaking: TieBreaking) -> None:
        self.profile = profile
        self.utility = utility
        self.tie_breaking = tie_breaking
        self.ranks = tie_ranks(profile, tie_breaking)
        count = profile.project_count
        self.costs = profile.costs
        self.cost_floats = [float(cost) for cost in self.costs]
        self.cost_float_array = np.array(self.cost_floats)
        self.factors = [cost if utility is Utility.COST else Fraction(1) for cost in self.costs]
        self.factor_floats = [float(factor) for factor in self.factors]
        self.multiplicity = profile.multiplicity
        self.supporters = profile.supporters
        self.values = profile.supporter_values
        self.value_floats = [values.astype(np.float64) for values in self.values]
        self.supporter_multiplicity = [
            self.multiplicity[groups].astype(np.float64) for groups in self.supporters
        ]
        self.units = [
            (self.multiplicity[groups] * values)
            for groups, values in zip(self.supporters, self.values, strict=True)
        ]
        self.unit_floats = [units.astype(np.float64) for units in self.units]
        self.unit_totals = [float(units.sum()) for units in self.unit_floats]
        self.total_units = [int(units.sum()) for units in self.units]
        weights = [int(weight) for weight in profile.group_weight]
        self.group_weight = weights
        self.weight_floats = np.array(weights, dtype=np.float64)
        weighted_counts = [int(m) * w for m, w in zip(profile.multiplicity.tolist(), weights, strict=True)]
        self.omega = sum(weighted_counts)
        fits = max(weighted_counts, default=0) * max(len(weighted_counts), 1) < 2**62
        self.weighted_counts = np.array(weighted_counts, dtype=np.int64 if fits else object)
        self.max_weight = max(weights, default=1)
        self.free = [p for p in range(count) if self.costs[p] == 0 and self.total_units[p] > 0]
        self.eligible = [p for p in range(count) if self.costs[p] > 0 and self.total_units[p] > 0]
        # Each project's price per utility if every supporter could pay: a lower bound on its price.
        self.initial_bounds = np.full(count, math.inf)
        for p in self.eligible:
            self.initial_bounds[p] = self.cost_floats[p] / (self.total_units[p] * self.factor_floats[p])
        self._unit_matrix: np.ndarray | None = None
        self._incidence: np.ndarray | None = None
        self._unit_float_matrix: np.ndarray | None = None
        # Each project's supporters' money is kept up to date after each purchase when that is cheap
        # (few supporters times few projects), to drop unaffordable projects without pricing them.
        weight_array = np.array(weights, dtype=np.float64)
        self.weighted_support = np.array(
            [float((self.multiplicity[groups] * weight_array[groups]).sum()) for groups in self.supporters]
        )
        self.money_update_limit = 50_000
        self._overlaps: dict[int, list[int]] = {}
        self._group_values: dict[int, dict[int, int]] = {}

    # -- exact bookkeeping -------------------------------------------------------------------------

    def unit_matrix(self) -> np.ndarray:
        """Return multiplicity x value per (group, project), built on first use."""
        if self._unit_matrix is None:
            matrix = np.zeros((self.profile.group_count, self.profile.project_count), dtype=np.int64)
            for project, groups in enumerate(self.supporters):
                matrix[groups, project] = self.units[project]
            self._unit_matrix = matrix
        return self._unit_matrix

    def unit_float_matrix(self) -> np.ndarray:
        """Return multiplicity x value per (group, project) as floats, built on first use."""
        if self._unit_float_matrix is None:
            self._unit_float_matrix = self.unit_matrix().astype(np.float64)
        return self._unit_float_matrix

    def incidence(self) -> np.ndarray:
        """Return 1.0 per (group, project) where the group supports the project, else 0.0."""
        if self._incidence is None:
            matrix = np.zeros((self.profile.group_count, self.profile.project_count))
            for project, groups in enumerate(self.supporters):
                matrix[groups, project] = 1.0
            self._incidence = matrix
        return self._incidence

    def overlapping(self, project: int) -> list[int]:
        """Return the projects that share at least one supporting group with this one."""
        if project not in self._overlaps:
            rows = self.unit_matrix()[self.supporters[project]]
            self._overlaps[project] = np.flatnonzero((rows > 0).any(axis=0)).tolist()
        return self._overlaps[project]

    def group_value(self, group: int, project: int) -> int:
        """Return one group's integer value for a project (0 if its ballot does not name it)."""
        values = self._group_values.get(group)
        if values is None:
            values = self.profile.value_map(group)
            self._group_values[group] = values
        return values.get(project, 0)

    # -- one run -----------------------------------------------------------------------------------

    def run(self, total: Fraction, *, track: bool = False) -> MesRun:
        """Run Equal Shares with `total` money shared; with `track`, also find how far it stays the same."""
        state = _RunState(self, total, track=track)
        state.execute()
        return MesRun(
            total=total,
            selections=state.selections,
            depleted_at=state.depleted_at,
            ties=state.ties,
            free_projects=list(self.free),
            horizon=state.horizon if track else 0.0,
        )


class _RunState:
    """The mutable state of one run: budgets, who has run out of money, what has been bought."""

    def __init__(self, engine: EqualSharesEngine, total: Fraction, *, track: bool = False) -> None:
        self.engine = engine
        self.total = total
        # With `track`, every budget also carries its slope: how it changes when each voter's share grows
        # by one unit per unit of weight. Every decision of the run (who can pay, what is affordable, which
        # project is cheapest) compares two such straight lines, so it holds for all larger shares up to
        # where the lines meet; `horizon` is the nearest such point, less the safety margin. Below it a
        # run with a larger share makes exactly the same decisions, which lets Add1 skip it.
        self.track = track
        self.horizon = math.inf
        self.slope = engine.weight_floats.copy() if track else engine.weight_floats
        omega = engine.omega
        self.share_per_weight = total / omega if omega else Fraction(0)
        share_float = float(self.share_per_weight)
        self.budget = engine.weight_floats * share_float
        self.tolerance = _RELATIVE_MARGIN * share_float * engine.max_weight
        self.depleted_at = np.full(engine.profile.group_count, -1, dtype=np.int64)
        # money[p]: what p's supporters hold now; alive_units[p]: the value units of those of them who
        # still hold money (both NaN when not kept up to date).
        self.money = engine.weighted_support * share_float
        self.alive_units = np.array(engine.unit_totals)
        self.share_float = share_float
        self.selections: list[_Selection] = []
        self.ties: list[TieRecord] = []

    # exact values, rebuilt from exact prices ------------------------------------------------------

    def exact_price(self, step: int) -> Fraction:
        """Return the exact price per value unit paid at a step, computing earlier ones first."""
        for index in range(step + 1):
            selection = self.selections[index]
            if selection.exact_price is None:
                engine = self.engine
                poor_money = self.exact_money(selection.poor_groups, index)
                rich_units = int((engine.units[selection.project] * selection.rich).sum())
                selection.exact_price = (engine.costs[selection.project] - poor_money) / rich_units
        exact = self.selections[step].exact_price
        assert exact is not None
        return exact

    def exact_money(self, groups: np.ndarray, upto: int) -> Fraction:
        """Return the exact money held by some groups (all still holding money) before step `upto`."""
        if len(groups) == 0:
            return Fraction(0)
        engine = self.engine
        money = self.share_per_weight * int(engine.weighted_counts[groups].sum())
        if upto:
            columns = [selection.project for selection in self.selections[:upto]]
            counts = (
                engine.unit_matrix()[np.ix_(groups, np.array(columns, dtype=np.int64))].sum(axis=0).tolist()
            )
            for index, count in enumerate(counts):
                if count:
                    money -= self.exact_price(index) * count
        return money

    def exact_group_budget(self, group: int, upto: int) -> Fraction:
        """Return one group member's exact money before step `upto` (0 once they have run out)."""
        depleted = int(self.depleted_at[group])
        if 0 <= depleted < upto:
            return Fraction(0)
        engine = self.engine
        money = self.share_per_weight * engine.group_weight[group]
        for index in range(upto):
            value = engine.group_value(group, self.selections[index].project)
            if value:
                money -= self.exact_price(index) * value
        return money

    # evaluating a project -------------------------------------------------------------------------

    def evaluate(self, project: int) -> _Evaluation:
        """Return the price at which the supporters could buy the project now."""
        engine = self.engine
        groups = engine.supporters[project]
        budgets = self.budget[groups]
        multiplicity = engine.supporter_multiplicity[project]
        cost = engine.cost_floats[project]
        # Element-wise products and sums rather than `@`: BLAS would wake threads for each call.
        money = float(self.money[project])
        if money != money:
            money = float((multiplicity * budgets).sum())
        if money < cost * (1 - _RELATIVE_MARGIN):
            if self.track:
                money_slope = float((multiplicity * self.slope[groups]).sum())
                if money_slope > 0:
                    self.horizon = min(self.horizon, (cost * (1 - _RELATIVE_MARGIN) - money) / money_slope)
            raise _Unaffordable
        # A supporter still has money exactly when their budget is positive (buy() keeps this true).
        alive = budgets > 0
        if money <= cost * (1 + _RELATIVE_MARGIN):
            self.horizon = 0.0
            exact_money = self.exact_money(groups[alive], len(self.selections))
            if exact_money < engine.costs[project]:
                raise _Unaffordable
        values = engine.value_floats[project]
        units = engine.unit_floats[project]
        alive_units = float(self.alive_units[project])
        if alive_units != alive_units:
            alive_units = float((units * alive).sum())
        price = cost / alive_units
        difference = budgets - price * values
        below = difference < 0
        below_count = int(np.count_nonzero(below))
        empty_count = len(budgets) - int(np.count_nonzero(alive))
        all_poor = False
        if below_count > empty_count:
            # Supporters who cannot pay the price pay all they have and the others share the rest; repeat
            # until nobody else falls short (the price only rises, so this ends after a few rounds).
            money_held = multiplicity * budgets
            total_units = engine.unit_totals[project]
            while True:
                rich_units = total_units - float((units * below).sum())
                if rich_units <= 0:
                    all_poor = True
                    break
                price = (cost - float((money_held * below).sum())) / rich_units
                difference = budgets - price * values
                below = difference < 0
                count = int(np.count_nonzero(below))
                if count == below_count:
                    break
                below_count = count
        evaluation = _Evaluation(
            project=project,
            price=price,
            rho=price / engine.factor_floats[project],
            budgets=budgets,
            alive=alive,
            poor=below & alive,
        )
        if all_poor or float(np.abs(difference).min()) <= self.tolerance:
            self.horizon = 0.0
            self.resolve_exactly(evaluation)
        elif self.track:
            self._track_evaluation(evaluation, below, difference)
        return evaluation

    def _track_evaluation(self, evaluation: _Evaluation, below: np.ndarray, difference: np.ndarray) -> None:
        """Record how the price moves with the share, and how far every supporter stays on their side."""
        engine = self.engine
        project = evaluation.project
        groups = engine.supporters[project]
        slopes = self.slope[groups]
        multiplicity = engine.supporter_multiplicity[project]
        rich_units = engine.unit_totals[project] - float((engine.unit_floats[project] * below).sum())
        # Those who cannot pay give all they have, so the price falls as their money grows.
        price_slope = -float((multiplicity * slopes * below).sum()) / rich_units
        evaluation.price_slope = price_slope
        evaluation.rho_slope = price_slope / engine.factor_floats[project]
        rate = slopes - price_slope * engine.value_floats[project]
        closing = difference * rate < 0
        if closing.any():
            reach = (np.abs(difference[closing]) - self.tolerance) / np.abs(rate[closing])
            self.horizon = min(self.horizon, float(reach.min()))

    def resolve_exactly(self, evaluation: _Evaluation) -> None:
        """Decide who can pay in exact arithmetic for the supporters near the price."""
        engine = self.engine
        budgets = evaluation.budgets
        project = evaluation.project
        groups = engine.supporters[project]
        values = engine.values[project]
        value_floats = engine.value_floats[project]
        alive = evaluation.alive
        step = len(self.selections)
        near = alive & (np.abs(budgets - evaluation.price * value_floats) <= self.tolerance)
        robust_poor = alive & ~near & (budgets < evaluation.price * value_floats)
        robust_rich = alive & ~near & ~robust_poor
        positions = np.flatnonzero(near).tolist()
        exact = {int(groups[i]): self.exact_group_budget(int(groups[i]), step) for i in positions}
        price = self._scan(project, groups, values, robust_poor, robust_rich, positions, exact, step)
        if price is None or not self._consistent(price, budgets, value_floats, robust_poor, robust_rich):
            # The margin was too narrow for this project: decide every supporter exactly.
            everyone = np.flatnonzero(alive).tolist()
            exact = {int(groups[i]): self.exact_group_budget(int(groups[i]), step) for i in everyone}
            nobody = np.zeros(len(groups), dtype=bool)
            positions = everyone
            price = self._scan(project, groups, values, nobody, nobody, positions, exact, step)
            if price is None:
                raise _Unaffordable
        poor = robust_poor.copy()
        emptied: list[int] = []
        for i in positions:
            group = int(groups[i])
            owed = price * int(values[i])
            if exact[group] < owed:
                poor[i] = True
            elif exact[group] == owed:
                emptied.append(group)
        evaluation.poor = poor
        evaluation.exact_price = price
        evaluation.price = float(price)
        evaluation.rho = float(price / engine.factors[project])
        evaluation.exact_budgets = exact
        evaluation.exactly_emptied = tuple(emptied)

    def _scan(
        self,
        project: int,
        groups: np.ndarray,
        values: np.ndarray,
        robust_poor: np.ndarray,
        robust_rich: np.ndarray,
        positions: list[int],
        exact: dict[int, Fraction],
        step: int,
    ) -> Fraction | None:
        """Return the exact price, treating the listed supporters one by one from the poorest."""
        engine = self.engine
        paid = self.exact_money(groups[robust_poor], step)
        rich_units = int(engine.units[project][robust_rich].sum())
        rich_units += sum(int(engine.units[project][i]) for i in positions)
        ordered = sorted(positions, key=lambda i: (exact[int(groups[i])] / int(values[i]), int(groups[i])))
        cost = engine.costs[project]
        multiplicity = self.engine.multiplicity
        for i in ordered:
            if rich_units == 0:
                return None
            price = (cost - paid) / rich_units
            group = int(groups[i])
            if price * int(values[i]) <= exact[group]:
                return price
            paid += int(multiplicity[group]) * exact[group]
            rich_units -= int(engine.units[project][i])
        if rich_units == 0:
            return None
        return (cost - paid) / rich_units

    def _consistent(
        self,
        price: Fraction,
        budgets: np.ndarray,
        values: np.ndarray,
        robust_poor: np.ndarray,
        robust_rich: np.ndarray,
    ) -> bool:
        """Return whether the supporters decided in floating point stay on their side at this price."""
        owed = float(price) * values
        half = self.tolerance / 2
        return bool(np.all(budgets[robust_poor] < owed[robust_poor] - half)) and bool(
            np.all(budgets[robust_rich] > owed[robust_rich] + half)
        )

    def rich_units(self, evaluation: _Evaluation) -> int:
        """Return the exact value units of the supporters who pay the full price."""
        rich = evaluation.alive & ~evaluation.poor
        return int((self.engine.units[evaluation.project] * rich).sum())

    def exact_rho(self, evaluation: _Evaluation) -> Fraction:
        """Return the exact price per unit of utility of an evaluated project."""
        engine = self.engine
        if evaluation.exact_price is None:
            groups = engine.supporters[evaluation.project]
            paid = self.exact_money(groups[evaluation.poor], len(self.selections))
            evaluation.exact_price = (engine.costs[evaluation.project] - paid) / self.rich_units(evaluation)
        return evaluation.exact_price / engine.factors[evaluation.project]

    # the run --------------------------------------------------------------------------------------

    def execute(self) -> None:
        """Buy projects until no remaining project is affordable."""
        engine = self.engine
        if engine.omega == 0:
            return
        # bounds[p] never exceeds p's current price per utility (prices only rise as budgets fall), so
        # projects are examined from the lowest bound and the search stops at the first bound above the
        # best price found; an evaluation stays current until a purchase touches the project's supporters.
        bounds = engine.initial_bounds.copy()
        bound_slopes = np.zeros(engine.profile.project_count)
        # Projects whose supporters hold less than the cost from the start can never be bought.
        short = np.isfinite(bounds) & (self.money < engine.cost_float_array * (1 - _RELATIVE_MARGIN))
        if short.any():
            bounds[short] = math.inf
            if self.track:
                # …until the shares grow enough: money grows by weighted_support per unit of share.
                reach = (engine.cost_float_array[short] * (1 - _RELATIVE_MARGIN) - self.money[short]) / (
                    engine.weighted_support[short]
                )
                self.horizon = min(self.horizon, float(reach.min()))
        current: list[_Evaluation | None] = [None] * engine.profile.project_count
        ranks = engine.ranks
        widen = 1 + _RELATIVE_MARGIN
        narrow = 1 - _RELATIVE_MARGIN
        while True:
            best = math.inf
            considered: list[_Evaluation] = []
            for project in np.argsort(bounds, kind="stable").tolist():
                bound = bounds[project]
                if bound == math.inf or bound > best * widen:
                    break
                evaluation = current[project]
                if evaluation is None:
                    if not self.track and self.money[project] < engine.cost_floats[project] * narrow:
                        # Its supporters hold clearly less than it costs: unaffordable, as evaluate() says.
                        bounds[project] = math.inf
                        continue
                    try:
                        evaluation = self.evaluate(project)
                    except _Unaffordable:
                        bounds[project] = math.inf
                        continue
                    current[project] = evaluation
                    bounds[project] = evaluation.rho
                    bound_slopes[project] = evaluation.rho_slope
                considered.append(evaluation)
                if evaluation.rho < best:
                    best = evaluation.rho
            if not considered:
                return
            close = [e for e in considered if e.rho <= best * widen]
            chosen = close[0]
            if len(close) > 1:
                exact = {e.project: self.exact_rho(e) for e in close}
                lowest = min(exact.values())
                tied = sorted((p for p, value in exact.items() if value == lowest), key=lambda p: ranks[p])
                chosen = next(e for e in close if e.project == tied[0])
                if self.track:
                    self._track_close_call(chosen, close, exact)
                if len(tied) > 1:
                    ids = engine.profile.project_ids
                    self.ties.append(
                        TieRecord(len(self.selections) + 1, tuple(ids[p] for p in tied), ids[tied[0]])
                    )
            if self.track and self.horizon > 0:
                # The chosen project must stay cheaper than every other (their bounds are lower bounds).
                others = np.isfinite(bounds)
                for evaluation in close:
                    others[evaluation.project] = False
                gap = bounds[others] - chosen.rho * (1 + _RELATIVE_MARGIN)
                closing = bound_slopes[others] - chosen.rho_slope
                narrowing = closing < 0
                if narrowing.any():
                    reach = float((gap[narrowing] / -closing[narrowing]).min())
                    self.horizon = min(self.horizon, max(reach, 0.0))
            self.buy(chosen)
            bounds[chosen.project] = math.inf
            for project in engine.overlapping(chosen.project):
                current[project] = None

    def _track_close_call(
        self, chosen: _Evaluation, close: list[_Evaluation], exact: dict[int, Fraction]
    ) -> None:
        """Limit the horizon by the projects whose price was within the margin of the chosen one's."""
        for evaluation in close:
            if evaluation is chosen:
                continue
            gap = exact[evaluation.project] - exact[chosen.project]
            closing = evaluation.rho_slope - chosen.rho_slope
            if gap == 0:
                # An exact tie stays the same tie only while both prices stay put: when every supporter
                # of both projects can pay, each price is the cost over the supporters, whatever the share.
                if evaluation.rho_slope != 0.0 or chosen.rho_slope != 0.0:
                    self.horizon = 0.0
            elif closing < 0:
                self.horizon = min(self.horizon, float(gap) / -closing * (1 - 1e-6))

    def buy(self, evaluation: _Evaluation) -> None:
        """Charge the supporters of a bought project and record the purchase."""
        engine = self.engine
        project = evaluation.project
        groups = engine.supporters[project]
        step = len(self.selections)
        poor = evaluation.poor
        values = engine.value_floats[project]
        self.budget[groups] = np.maximum(evaluation.budgets - evaluation.price * values, 0.0)
        if self.track:
            rich = evaluation.alive & ~poor
            self.slope[groups] = np.where(rich, self.slope[groups] - evaluation.price_slope * values, 0.0)
        if evaluation.exact_budgets:
            value_of = dict(zip(groups.tolist(), engine.values[project].tolist(), strict=True))
            assert evaluation.exact_price is not None
            for group, money in evaluation.exact_budgets.items():
                left = money - evaluation.exact_price * value_of[group]
                self.budget[group] = float(left) if left > 0 else 0.0
            for group in evaluation.exactly_emptied:
                self.depleted_at[group] = step
        newly_poor = groups[poor]
        self.budget[newly_poor] = 0.0
        self.depleted_at[newly_poor] = step
        if len(groups) * engine.profile.project_count <= engine.money_update_limit:
            change = (self.budget[groups] - evaluation.budgets) * engine.supporter_multiplicity[project]
            self.money += (change[:, None] * engine.incidence()[groups]).sum(axis=0)
            emptied = np.flatnonzero(self.depleted_at[groups] == step)
            if len(emptied):
                self.alive_units -= engine.unit_float_matrix()[groups[emptied]].sum(axis=0)
        else:
            touched = engine.overlapping(project)
            self.money[touched] = np.nan
            self.alive_units[touched] = np.nan
        self.selections.append(
            _Selection(
                project=project,
                price=evaluation.price,
                poor_groups=newly_poor,
                rich=evaluation.alive & ~evaluation.poor,
                exact_price=evaluation.exact_price,
            )
        )


# -- completions, comparison and the outcome -----------------------------------------------------------


def greedy_order(profile: CompactProfile, ranks: Sequence[int]) -> list[int]:
    """Return the projects by weighted score, highest first, ties broken by rank."""
    return sorted(range(profile.project_count), key=lambda p: (-profile.weighted_score_units[p], ranks[p]))


def greedy_fill(
    profile: CompactProfile, ranks: Sequence[int], already: Sequence[int], budget: Fraction
) -> list[int]:
    """Return the projects greedy by score adds to `already` within the budget (utilitarian completion)."""
    chosen = set(already)
    spent = sum((profile.costs[p] for p in already), Fraction(0))
    added: list[int] = []
    for project in greedy_order(profile, ranks):
        if project in chosen or spent + profile.costs[project] > budget:
            continue
        added.append(project)
        chosen.add(project)
        spent += profile.costs[project]
    return added


def _satisfaction_counts(profile: CompactProfile, funded: Sequence[int]) -> np.ndarray:
    counts = np.zeros(profile.group_count, dtype=np.int64)
    for project in funded:
        counts[profile.supporters[project]] += 1
    return counts


def compare_with_greedy(
    profile: CompactProfile, mes: Sequence[int], greedy: Sequence[int], comparison: Comparison
) -> tuple[int, int]:
    """Return (voters preferring Equal Shares, voters preferring greedy) under the comparison."""
    mes_counts = _satisfaction_counts(profile, mes)
    greedy_counts = _satisfaction_counts(profile, greedy)
    if comparison is Comparison.EXCLUSION_RATIO:
        mes_counts = np.minimum(mes_counts, 1)
        greedy_counts = np.minimum(greedy_counts, 1)
    weights = profile.multiplicity * np.array(profile.group_weight, dtype=np.int64)
    # Weighted voters count with their weight (in the profile's integer weight units).
    prefers_mes = int(weights[mes_counts > greedy_counts].sum())
    prefers_greedy = int(weights[greedy_counts > mes_counts].sum())
    return prefers_mes, prefers_greedy


@dataclass(frozen=True)
class EqualSharesResult:
    """The run that decided the outcome, the projects added after it, and what happened on the way."""

    run: MesRun | None
    completion_added: tuple[int, ...]
    greedy_replaced: bool
    notes: tuple[str, ...]
    runs: int


def equal_shares_selection(
    engine: EqualSharesEngine,
    *,
    completion: Completion,
    add1: Add1Options,
    comparison: Comparison,
    skip_unchanged: bool = True,
) -> EqualSharesResult:
    """Run Equal Shares with a completion and the comparison step, as the equalshares.net tool does.

    With `skip_unchanged`, Add1 skips the shares at which a run provably repeats the last one.
    """
    profile = engine.profile
    budget = profile.election.budget
    costs = profile.costs
    voters = len(profile.election.ballots)
    notes: list[str] = []
    everything_fits = sum(costs, Fraction(0)) <= budget
    # Costs and budget in whole units of a common denominator: the Add1 loop adds them up often.
    scale = math.lcm(budget.denominator, *(cost.denominator for cost in costs))
    cost_units = [int(cost * scale) for cost in costs]
    budget_units = int(budget * scale)
    runs = 1
    # Equal Shares never buys a project nobody supports: once every supported project is funded, raising
    # the shares changes nothing more, and the loop must stop even though the outcome is not exhaustive.
    supported = [p for p in range(profile.project_count) if len(profile.supporters[p])]
    if completion in (Completion.ADD1, Completion.ADD1U) and not everything_fits and voters:
        total = Fraction(math.floor(budget / voters) * voters) if add1.integral else budget
        step = voters * add1.increment
        track = skip_unchanged
        skipped = 0
        run = engine.run(total, track=track)
        # Shares per unit of weight from run_share up to run_share + run.horizon give this very run.
        run_share = float(total / engine.omega)
        steps = 0
        while True:
            spent = sum(cost_units[p] for p in run.order)
            funded = set(run.order)
            if add1.exhaustive and all(
                p in funded or spent + cost_units[p] > budget_units for p in range(profile.project_count)
            ):
                break
            if all(p in funded for p in supported):
                notes.append("Every project somebody voted for is funded; nobody voted for the rest.")
                break
            next_total = total + step
            steps += 1
            if float(next_total / engine.omega) < run_share + run.horizon:
                # Same decisions, same outcome (within budget and not exhaustive, as just checked).
                total = next_total
                skipped += 1
                continue
            # Following the lines costs about a fifth more per run and pays only where decisions stay put
            # for several steps (small elections); large ones change some decision at almost every step.
            # So keep following them while they save at least a quarter of the runs, and try again now
            # and then.
            track = skip_unchanged and (runs < 8 or skipped * 4 >= runs or runs % 32 == 0)
            following = engine.run(next_total, track=track)
            runs += 1
            if sum(cost_units[p] for p in following.order) <= budget_units:
                total, run = next_total, following
                run_share = float(total / engine.omega)
            else:
                break
        if run.total != total:
            run = engine.run(total)
        notes.append(
            f"Add1 completion: each voter's share was raised from {_money(Fraction(budget, voters))} to "
            f"{_money(total / voters)} in {steps} steps ({runs} runs of Equal Shares computed)"
            + (", stopping at the first outcome to which no further project fits" if add1.exhaustive else "")
            + "."
        )
    else:
        run = engine.run(budget)
        if completion in (Completion.ADD1, Completion.ADD1U) and everything_fits:
            notes.append(
                "Every project fits in the budget, so Add1 was not needed (as in the equalshares.net tool)."
            )
    winners = run.order
    added: tuple[int, ...] = ()
    if completion in (Completion.ADD1U, Completion.UTILITARIAN):
        added = tuple(greedy_fill(profile, engine.ranks, winners, budget))
        if added:
            notes.append(
                f"Utilitarian completion added {len(added)} {'project' if len(added) == 1 else 'projects'} "
                "with the most votes that still fit."
            )
    replaced = False
    if comparison is not Comparison.NONE:
        greedy = greedy_fill(profile, engine.ranks, [], budget)
        prefers_mes, prefers_greedy = compare_with_greedy(profile, [*winners, *added], greedy, comparison)
        if prefers_greedy > prefers_mes:
            replaced = True
            notes.append(
                f"Comparison step ({comparison.value}): {prefers_greedy} voters prefer the greedy outcome "
                "and "
                f"{prefers_mes} prefer Equal Shares, so the greedy outcome is used."
            )
        else:
            notes.append(
                f"Comparison step ({comparison.value}): {prefers_mes} voters prefer Equal Shares and "
                f"{prefers_greedy} prefer the greedy outcome, so Equal Shares stands."
            )
    return EqualSharesResult(
        run=run, completion_added=added, greedy_replaced=replaced, notes=tuple(notes), runs=runs
    )


def _money(value: Fraction) -> str:
    return f"{float(value):,.2f}"


def explain_equal_shares(
    engine: EqualSharesEngine,
    result: EqualSharesResult,
    rule: str,
    *,
    explain: bool,
) -> Outcome:
    """Return the outcome of an Equal Shares result, with payments and reasons if `explain`."""
    profile = engine.profile
    election = profile.election
    budget = election.budget
    run = result.run
    assert run is not None
    if result.greedy_replaced:
        selected = greedy_fill(profile, engine.ranks, [], budget)
        return _greedy_outcome(engine, selected, rule, result.notes, explain=explain)
    order = [*run.order, *result.completion_added]
    ids = profile.project_ids
    total_cost = sum((profile.costs[p] for p in order), Fraction(0))
    voter_share = run.total / len(election.ballots) if election.ballots else None
    if not explain:
        return Outcome(
            rule=rule,
            selected=tuple(ids[p] for p in order),
            total_cost=total_cost,
            budget=budget,
            tie_breaking=engine.tie_breaking,
            ties=tuple(run.ties),
            notes=result.notes,
            voter_share=voter_share,
        )
    state = _RunState(engine, run.total)
    state.selections = run.selections
    state.depleted_at = run.depleted_at
    winners: list[WinnerExplanation] = []
    step = 0
    for project in run.free_projects:
        step += 1
        winners.append(
            WinnerExplanation(
                project_id=ids[project],
                cost=profile.costs[project],
                step=step,
                stage=Stage.EQUAL_SHARES,
                supporters=profile.voters_of(profile.supporters[project]),
                score=profile.score(project),
                reason="It costs nothing and has supporters, so it is funded first.",
            )
        )
    poor_budgets: dict[tuple[int, int], Fraction] = {}
    for index, selection in enumerate(run.selections):
        step += 1
        price = state.exact_price(index)
        project = selection.project
        groups = profile.supporters[project]
        values = profile.supporter_values[project]
        by_amount: dict[Fraction, list[str]] = {}
        for group, value in zip(groups.tolist(), values.tolist(), strict=True):
            depleted = int(run.depleted_at[group])
            if 0 <= depleted < index:
                continue
            if depleted == index:
                amount = state.exact_group_budget(group, index)
                poor_budgets[(index, group)] = amount
            else:
                amount = price * value
            if amount:
                by_amount.setdefault(amount, []).extend(profile.group_voters[group])
        payments = tuple(
            PaymentGroup(amount, tuple(voters))
            for amount, voters in sorted(by_amount.items(), key=lambda item: (-len(item[1]), -item[0]))
        )
        payers = sum(len(group.voter_ids) for group in payments)
        winners.append(
            WinnerExplanation(
                project_id=ids[project],
                cost=profile.costs[project],
                step=step,
                stage=Stage.EQUAL_SHARES,
                supporters=profile.voters_of(groups),
                score=profile.score(project),
                payments=payments,
                reason=(
                    f"Bought in round {index + 1}, when it was the cheapest for its supporters: "
                    f"{payers} of them paid, at most {_money(price * profile.value_scale)} each"
                    + (" per point" if profile.group_value_matrix is not None else "")
                    + ", and those with less paid all they had left."
                ),
            )
        )
    for project in result.completion_added:
        step += 1
        winners.append(
            WinnerExplanation(
                project_id=ids[project],
                cost=profile.costs[project],
                step=step,
                stage=Stage.COMPLETION,
                supporters=profile.voters_of(profile.supporters[project]),
                score=profile.score(project),
                reason="Added by the utilitarian completion: the most votes among projects that still fit.",
            )
        )
    losers = _equal_shares_losers(engine, state, run, set(order), total_cost, poor_budgets)
    return Outcome(
        rule=rule,
        selected=tuple(ids[p] for p in order),
        total_cost=total_cost,
        budget=budget,
        tie_breaking=engine.tie_breaking,
        ties=tuple(run.ties),
        winners=tuple(winners),
        losers=tuple(losers),
        notes=result.notes,
        voter_share=voter_share,
    )


def _equal_shares_losers(
    engine: EqualSharesEngine,
    state: _RunState,
    run: MesRun,
    funded: set[int],
    total_cost: Fraction,
    poor_budgets: dict[tuple[int, int], Fraction],
) -> list[LoserExplanation]:
    """Explain each unfunded project: what its supporters had left and where their money went."""
    profile = engine.profile
    ids = profile.project_ids
    budget = profile.election.budget
    steps = len(run.selections)
    unit_matrix = engine.unit_matrix()
    losers: list[LoserExplanation] = []
    for project in range(profile.project_count):
        if project in funded:
            continue
        cost = profile.costs[project]
        score = profile.score(project)
        if engine.total_units[project] == 0:
            losers.append(
                LoserExplanation(ids[project], cost, score, LossReason.NO_SUPPORT, "Nobody voted for it.")
            )
            continue
        groups = profile.supporters[project]
        alive = run.depleted_at[groups] < 0
        left = state.exact_money(groups[alive], steps)
        spent: list[tuple[str, Fraction]] = []
        for index, selection in enumerate(run.selections):
            shared = np.intersect1d(groups, profile.supporters[selection.project], assume_unique=True)
            if len(shared) == 0:
                continue
            depleted = run.depleted_at[shared]
            paying_fully = shared[(depleted < 0) | (depleted > index)]
            amount = state.exact_price(index) * int(unit_matrix[paying_fully, selection.project].sum())
            for group in shared[depleted == index].tolist():
                amount += int(profile.multiplicity[group]) * poor_budgets.get(
                    (index, group), state.exact_group_budget(group, index)
                )
            if amount:
                spent.append((ids[selection.project], amount))
        spent.sort(key=lambda item: -item[1])
        biggest = ", ".join(f"{project_id} ({_money(amount)})" for project_id, amount in spent[:3])
        if left < cost:
            text = f"Its supporters had {_money(left)} left, less than its cost of {_money(cost)}" + (
                f": they had spent their shares on {biggest}, chosen earlier." if spent else "."
            )
            reason = LossReason.SUPPORTERS_COULD_NOT_AFFORD
        else:
            text = f"It did not fit in what was left of the budget ({_money(budget - total_cost)})."
            reason = LossReason.DID_NOT_FIT
        losers.append(
            LoserExplanation(
                project_id=ids[project],
                cost=cost,
                score=score,
                reason=reason,
                explanation=text,
                supporters_money_left=left,
                spent_on=tuple(spent),
            )
        )
    return losers


def _greedy_outcome(
    engine: EqualSharesEngine, selected: Sequence[int], rule: str, notes: tuple[str, ...], *, explain: bool
) -> Outcome:
    """Return the greedy outcome chosen by the comparison step, explained as greedy."""
    return explain_greedy(
        engine.profile, engine.ranks, engine.tie_breaking, selected, rule, notes=notes, explain=explain
    )
