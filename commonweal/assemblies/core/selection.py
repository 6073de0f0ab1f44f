"""Fair stratified selection of a citizens' assembly: LEXIMIN, maximin and legacy (no Django).

LEXIMIN follows Flanigan, Gölz, Gupta, Hennig and Procaccia, "Fair algorithms for selecting citizens'
assemblies", Nature 596 (2021): column generation over feasible panels, solving the dual of each
max-min stage and fixing the volunteers whose dual weight is positive. It runs on HiGHS.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import highspy
import numpy as np

from commonweal.assemblies.core.panel_models import (
    FloatArray,
    IntArray,
    PanelFinder,
    VolunteerGroups,
    add_row,
    group_volunteers,
    new_highs,
)
from commonweal.assemblies.core.pool import (
    FeatureQuota,
    SelectionInputError,
    SelectionProblem,
    Volunteer,
)
from commonweal.assemblies.core.quotas import FeasibilityReport, check_feasibility

# A stage stops when no panel beats the dual bound by more than this: the stage's minimum
# probability is then certified to within 1e-9 of the true optimum.
_CONVERGENCE_TOLERANCE = 1e-9
# A dual weight above this marks a volunteer group as held at the stage minimum in every optimal
# distribution (complementary slackness); smaller values are treated as solver noise.
_FIXING_TOLERANCE = 1e-7
# Fixed probabilities are lowered by this much so that floating-point rounding in one stage can
# never make the next stage's constraints unsatisfiable.
_FIXING_MARGIN = 1e-10
_LEGACY_ATTEMPTS = 100
# Local search for new panels starts from this many of the best known panels.
_LOCAL_SEARCH_STARTS = 5


class Method(StrEnum):
    """The selection algorithms on offer."""

    LEXIMIN = "leximin"
    MAXIMIN = "maximin"
    LEGACY = "legacy"


class InfeasibleQuotasError(SelectionInputError):
    """Raised when no panel meets the quotas; carries the quotas responsible and by how much."""

    def __init__(self, report: FeasibilityReport) -> None:
        """Keep the report and use its plain-words description as the message."""
        self.report = report
        super().__init__(report.describe())


@dataclass(frozen=True)
class PanelTemplate:
    """A panel composition: seats filled from each group, and the chance it is used."""

    probability: float
    seats: tuple[int, ...]


@dataclass(frozen=True)
class PanelDistribution:
    """A lottery over panels: pick a template by its probability, then fill each group's seats uniformly.

    Volunteers in one group are interchangeable for every rule, so every panel a template can
    produce meets the quotas; a group of one volunteer makes the panel fully explicit.
    """

    groups: tuple[tuple[str, ...], ...]
    templates: tuple[PanelTemplate, ...]

    def marginal_probabilities(self) -> dict[str, float]:
        """Return each volunteer's chance of selection implied by this lottery."""
        marginals = dict.fromkeys((member for group in self.groups for member in group), 0.0)
        for template in self.templates:
            for members, seats in zip(self.groups, template.seats, strict=True):
                if seats:
                    share = template.probability * seats / len(members)
                    for member in members:
                        marginals[member] += share
        return marginals


@dataclass(frozen=True)
class VolunteerProbability:
    """One volunteer's chance of being selected."""

    volunteer_id: str
    probability: float


@dataclass(frozen=True)
class SelectionResult:
    """The fair lottery found by one method and every volunteer's chance under it."""

    method: Method
    distribution: PanelDistribution
    probabilities: tuple[VolunteerProbability, ...]
    minimum_probability: float
    stages: int = 0
    panels_generated: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def probability_by_id(self) -> dict[str, float]:
        """Return the probabilities keyed by volunteer id."""
        return {entry.volunteer_id: entry.probability for entry in self.probabilities}


@dataclass(frozen=True)
class Panel:
    """A drawn panel and the seed that reproduces it."""

    volunteer_ids: tuple[str, ...]
    seed: int
    template_index: int


@dataclass(frozen=True)
class Replacement:
    """Volunteers drawn to replace members who dropped out, and the lottery they came from."""

    panel: Panel
    replacements: tuple[str, ...]
    result: SelectionResult


def find_distribution(
    problem: SelectionProblem,
    method: Method,
    *,
    merge_interchangeable: bool = True,
    legacy_draws: int = 1000,
    legacy_seed: int = 0,
) -> SelectionResult:
    """Return the lottery over panels chosen by `method` and each volunteer's selection probability."""
    groups = group_volunteers(problem, merge_interchangeable=merge_interchangeable)
    if method is Method.LEGACY:
        # The greedy method cannot tell bad luck from impossible quotas, so ask the solver first.
        feasibility = check_feasibility(problem)
        if not feasibility.feasible:
            raise InfeasibleQuotasError(feasibility)
        return _legacy_distribution(problem, draws=legacy_draws, seed=legacy_seed)
    finder = PanelFinder(problem, groups)
    columns = _initial_panels(finder, groups)
    if not columns:
        raise InfeasibleQuotasError(check_feasibility(problem))
    leximin = _Leximin(groups, finder, columns)
    leximin.run(stop_after_first_stage=method is Method.MAXIMIN)
    if method is Method.MAXIMIN:
        targets = {group: leximin.first_stage_value for group in leximin.coverable}
    else:
        targets = leximin.fixed
    weights = _final_primal(groups, leximin.columns, targets)
    return _result(problem, groups, method, leximin.columns, weights, leximin.stages)


def draw_panel(distribution: PanelDistribution, seed: int) -> Panel:
    """Draw one panel from the lottery; the same seed always gives the same panel."""
    # random.Random(int).random() is the one stream Python promises never to change between
    # versions, so only it is used: anyone can re-run the draw from the published seed.
    generator = random.Random(seed)
    total = sum(template.probability for template in distribution.templates)
    point = generator.random() * total
    chosen = len(distribution.templates) - 1
    running = 0.0
    for index, template in enumerate(distribution.templates):
        running += template.probability
        if point < running:
            chosen = index
            break
    selected: list[str] = []
    for members, seats in zip(distribution.groups, distribution.templates[chosen].seats, strict=True):
        selected.extend(_sample(generator, members, seats))
    return Panel(volunteer_ids=tuple(sorted(selected)), seed=seed, template_index=chosen)


def select(
    problem: SelectionProblem,
    method: Method,
    seed: int,
    *,
    merge_interchangeable: bool = True,
    legacy_draws: int = 1000,
) -> tuple[SelectionResult, Panel]:
    """Find the lottery and draw the panel from it with `seed`."""
    result = find_distribution(
        problem, method, merge_interchangeable=merge_interchangeable, legacy_draws=legacy_draws
    )
    if method is Method.LEGACY:
        # The legacy method is itself the lottery: the panel is one seeded run of it, as in the
        # Sortition Foundation's tool, not a draw from the estimated distribution.
        panel = legacy_panel(problem, seed)
        return result, panel
    return result, draw_panel(result.distribution, seed)


def replace_dropouts(
    problem: SelectionProblem,
    panel_ids: Sequence[str],
    dropped_ids: Sequence[str],
    seed: int,
    *,
    method: Method = Method.LEXIMIN,
) -> Replacement:
    """Draw replacements for members who dropped out from the rest of the pool, keeping every quota."""
    panel_set = set(panel_ids)
    dropped = set(dropped_ids)
    unknown = sorted(dropped - panel_set)
    if unknown:
        raise SelectionInputError(f"These volunteers are not on the panel: {', '.join(unknown)}.")
    staying = [volunteer for volunteer in problem.volunteers if volunteer.volunteer_id in panel_set - dropped]
    blocked_households = {
        volunteer.household for volunteer in staying if problem.one_per_household and volunteer.household
    }
    candidates = tuple(
        volunteer
        for volunteer in problem.volunteers
        if volunteer.volunteer_id not in panel_set and volunteer.household not in blocked_households
    )
    # The members who stay already fill part of each quota; replacements must fill the rest.
    remaining_quotas = tuple(
        FeatureQuota(
            feature=quota.feature,
            value=quota.value,
            minimum=max(0, quota.minimum - _count_with(staying, quota)),
            maximum=quota.maximum - _count_with(staying, quota),
        )
        for quota in problem.quotas
    )
    broken = [quota for quota in remaining_quotas if quota.maximum < 0]
    if broken:
        raise SelectionInputError(
            "The members who stay already exceed the maximum of: "
            + ", ".join(quota.describe() for quota in broken)
            + "."
        )
    subproblem = SelectionProblem(
        volunteers=candidates,
        quotas=remaining_quotas,
        panel_size=len(dropped),
        one_per_household=problem.one_per_household,
    )
    result, drawn = select(subproblem, method, seed)
    new_panel = tuple(sorted([volunteer.volunteer_id for volunteer in staying] + list(drawn.volunteer_ids)))
    return Replacement(
        panel=Panel(volunteer_ids=new_panel, seed=seed, template_index=drawn.template_index),
        replacements=drawn.volunteer_ids,
        result=result,
    )


def panel_meets_quotas(problem: SelectionProblem, volunteer_ids: Sequence[str]) -> tuple[str, ...]:
    """Return a description of every rule the panel breaks (empty when it meets them all)."""
    by_id = {volunteer.volunteer_id: volunteer for volunteer in problem.volunteers}
    members = [by_id[volunteer_id] for volunteer_id in volunteer_ids]
    faults = []
    if len(members) != problem.panel_size or len(set(volunteer_ids)) != len(members):
        faults.append(f"the panel has {len(set(volunteer_ids))} distinct members, not {problem.panel_size}")
    for quota in problem.quotas:
        count = _count_with(members, quota)
        if not quota.minimum <= count <= quota.maximum:
            faults.append(f"{quota.describe()}: {count} selected, quota {quota.minimum}-{quota.maximum}")
    if problem.one_per_household:
        households = Counter(member.household for member in members if member.household is not None)
        faults.extend(
            f"household {household!r} has {count} members"
            for household, count in households.items()
            if count > 1
        )
    return tuple(faults)


def legacy_panel(problem: SelectionProblem, seed: int) -> Panel:
    """Run the Sortition Foundation's legacy greedy method once with `seed`, retrying failed attempts."""
    generator = random.Random(seed)
    for _attempt in range(_LEGACY_ATTEMPTS):
        chosen = _legacy_attempt(problem, generator)
        if chosen is not None and not panel_meets_quotas(problem, chosen):
            return Panel(volunteer_ids=tuple(sorted(chosen)), seed=seed, template_index=-1)
    raise SelectionInputError(
        f"The legacy method failed {_LEGACY_ATTEMPTS} times in a row; the quotas may be infeasible."
    )


class _Leximin:
    """Column generation for the successive max-min stages of LEXIMIN over volunteer groups."""

    def __init__(self, groups: VolunteerGroups, finder: PanelFinder, columns: list[IntArray]) -> None:
        """Set up the dual programme with the initial panels; groups never on any panel get 0."""
        self.groups = groups
        self.finder = finder
        self.sizes = groups.sizes.astype(np.float64)
        self.group_count = len(groups.members)
        self.columns = columns
        self.known = {tuple(column.tolist()) for column in columns}
        covered = np.zeros(self.group_count, dtype=bool)
        for column in columns:
            covered |= column > 0
        self.coverable = [group for group in range(self.group_count) if covered[group]]
        self.fixed: dict[int, float] = {group: 0.0 for group in range(self.group_count) if not covered[group]}
        self.first_stage_value = 0.0
        self.stages = 0
        self.dual = new_highs()
        # Presolve would rebuild the model after every added row and throw away the warm start.
        self.dual.setOptionValue("presolve", "off")
        # Dual of one stage (Flanigan et al., Methods): minimise cap - sum(fixed_g * y_g) subject to
        # sum over each known panel of seats_g / size_g * y_g <= cap, and the unfixed y summing to 1.
        upper = np.where(covered, highspy.kHighsInf, 0.0)
        self.dual.addVars(self.group_count, np.zeros(self.group_count), upper)
        self.cap = self.group_count
        self.dual.addVar(0.0, highspy.kHighsInf)
        self.dual.changeColCost(self.cap, 1.0)
        add_row(self.dual, 1.0, 1.0, self.coverable, [1.0] * len(self.coverable))
        for column in columns:
            self._add_panel_row(column)

    def _local_search(self, per_seat: FloatArray, cap: float) -> list[IntArray]:
        """Return new panels that beat the dual bound, found by local search from the best known ones."""
        values = np.array(self.columns, dtype=np.float64) @ per_seat
        found: dict[tuple[int, ...], IntArray] = {}
        for start in np.argsort(values)[::-1][:_LOCAL_SEARCH_STARTS]:
            column = self.finder.improve(self.columns[int(start)], per_seat)
            key = tuple(column.tolist())
            if float(np.dot(column, per_seat)) > cap + _CONVERGENCE_TOLERANCE and key not in self.known:
                found[key] = column
        return list(found.values())

    def _add_panel_row(self, column: IntArray) -> None:
        """Constrain the dual by one more feasible panel."""
        groups = np.flatnonzero(column)
        add_row(
            self.dual,
            -highspy.kHighsInf,
            0.0,
            [*groups.tolist(), self.cap],
            [*(column[groups] / self.sizes[groups]).tolist(), -1.0],
        )

    def run(self, *, stop_after_first_stage: bool) -> None:
        """Fix every group's probability, one max-min stage at a time."""
        while len(self.fixed) < self.group_count:
            value, weights = self._solve_stage()
            self.stages += 1
            if self.stages == 1:
                self.first_stage_value = value
                if stop_after_first_stage:
                    return
            unfixed = [group for group in range(self.group_count) if group not in self.fixed]
            newly_fixed = [group for group in unfixed if weights[group] > _FIXING_TOLERANCE]
            if not newly_fixed:
                newly_fixed = [max(unfixed, key=lambda group: weights[group])]
            for group in newly_fixed:
                self.fixed[group] = max(0.0, value - _FIXING_MARGIN)
                self.dual.changeCoeff(0, group, 0.0)
                self.dual.changeColCost(group, -self.fixed[group])

    def _solve_stage(self) -> tuple[float, FloatArray]:
        """Add violated panels until the dual is optimal; return the stage value and dual weights."""
        while True:
            self.dual.run()
            status = self.dual.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                # Rounding can leave the fixed probabilities a hair above what the known panels
                # reach; lowering them slightly restores a bounded dual, as the reference code does.
                for group in list(self.fixed):
                    if self.fixed[group] > 0.0:
                        self.fixed[group] = max(0.0, self.fixed[group] - 1e-8)
                        self.dual.changeColCost(group, -self.fixed[group])
                continue
            solution = np.asarray(self.dual.getSolution().col_value, dtype=np.float64)
            weights = np.maximum(solution[: self.group_count], 0.0)
            cap = float(solution[self.cap])
            objective = float(self.dual.getInfo().objective_function_value)
            per_seat = weights / self.sizes
            new_columns = self._local_search(per_seat, cap)
            if not new_columns:
                column = self.finder.best(per_seat)
                if column is None:
                    raise SelectionInputError("HiGHS could not solve the panel-finding programme.")
                gain = float(np.dot(column, per_seat))
                if gain <= cap + _CONVERGENCE_TOLERANCE or tuple(column.tolist()) in self.known:
                    return objective, weights
                new_columns = [column]
            for column in new_columns:
                self.known.add(tuple(column.tolist()))
                self.columns.append(column)
                self._add_panel_row(column)


def _initial_panels(finder: PanelFinder, groups: VolunteerGroups) -> list[IntArray]:
    """Return feasible panels that together include every group that can be on any panel."""
    group_count = len(groups.members)
    uncovered = np.ones(group_count, dtype=bool)
    columns: list[IntArray] = []
    known: set[tuple[int, ...]] = set()
    while uncovered.any():
        # Prefer uncovered groups; once none can be added, the rest can never sit on a panel.
        column = finder.best(uncovered.astype(np.float64))
        if column is None:
            return columns
        if not (column[uncovered] > 0).any():
            if not columns:
                columns.append(column)
            break
        key = tuple(column.tolist())
        if key not in known:
            known.add(key)
            columns.append(column)
        uncovered &= column == 0
    return columns


def _final_primal(groups: VolunteerGroups, columns: list[IntArray], targets: dict[int, float]) -> FloatArray:
    """Return panel probabilities giving each group at least its target, short by the least possible."""
    sizes = groups.sizes.astype(np.float64)
    highs = new_highs()
    panel_count = len(columns)
    highs.addVars(panel_count, np.zeros(panel_count), np.ones(panel_count))
    shortfall = panel_count
    highs.addVar(0.0, highspy.kHighsInf)
    highs.changeColCost(shortfall, 1.0)
    add_row(highs, 1.0, 1.0, list(range(panel_count)), [1.0] * panel_count)
    matrix = np.array(columns, dtype=np.float64) / sizes
    for group, target in targets.items():
        if target <= 0.0:
            continue
        panels = np.flatnonzero(matrix[:, group])
        add_row(
            highs,
            target,
            highspy.kHighsInf,
            [*panels.tolist(), shortfall],
            [*matrix[panels, group].tolist(), 1.0],
        )
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SelectionInputError("HiGHS could not solve the final distribution programme.")
    weights: FloatArray = np.maximum(
        np.asarray(highs.getSolution().col_value, dtype=np.float64)[:panel_count], 0.0
    )
    normalised: FloatArray = weights / weights.sum()
    return normalised


def _result(
    problem: SelectionProblem,
    groups: VolunteerGroups,
    method: Method,
    columns: list[IntArray],
    weights: FloatArray,
    stages: int,
) -> SelectionResult:
    """Package panel weights as a distribution with each volunteer's probability."""
    ids = problem.volunteer_ids()
    templates = tuple(
        PanelTemplate(probability=float(weight), seats=tuple(int(seats) for seats in column))
        for column, weight in zip(columns, weights, strict=True)
        if weight > 0.0
    )
    distribution = PanelDistribution(
        groups=tuple(tuple(ids[index] for index in members) for members in groups.members),
        templates=templates,
    )
    marginals = distribution.marginal_probabilities()
    probabilities = tuple(VolunteerProbability(volunteer_id, marginals[volunteer_id]) for volunteer_id in ids)
    return SelectionResult(
        method=method,
        distribution=distribution,
        probabilities=probabilities,
        minimum_probability=min(marginals.values()),
        stages=stages,
        panels_generated=len(columns),
    )


def _legacy_distribution(problem: SelectionProblem, *, draws: int, seed: int) -> SelectionResult:
    """Estimate the legacy method's lottery from `draws` seeded runs."""
    ids = problem.volunteer_ids()
    counts: Counter[tuple[str, ...]] = Counter()
    for draw in range(draws):
        counts[legacy_panel(problem, seed * 1_000_003 + draw).volunteer_ids] += 1
    position = {volunteer_id: index for index, volunteer_id in enumerate(ids)}
    templates = []
    for panel, count in sorted(counts.items()):
        seats = [0] * len(ids)
        for volunteer_id in panel:
            seats[position[volunteer_id]] = 1
        templates.append(PanelTemplate(probability=count / draws, seats=tuple(seats)))
    distribution = PanelDistribution(
        groups=tuple((volunteer_id,) for volunteer_id in ids), templates=tuple(templates)
    )
    marginals = distribution.marginal_probabilities()
    return SelectionResult(
        method=Method.LEGACY,
        distribution=distribution,
        probabilities=tuple(
            VolunteerProbability(volunteer_id, marginals[volunteer_id]) for volunteer_id in ids
        ),
        minimum_probability=min(marginals.values()),
        panels_generated=len(templates),
        notes=(f"Legacy probabilities are estimates from {draws} seeded runs, not exact.",),
    )


def _legacy_attempt(problem: SelectionProblem, generator: random.Random) -> list[str] | None:
    """One run of the greedy method; None when it paints itself into a corner."""
    keys = [quota.key for quota in problem.quotas]
    minimum = [quota.minimum for quota in problem.quotas]
    maximum = [quota.maximum for quota in problem.quotas]
    quota_index = {key: index for index, key in enumerate(keys)}
    features = problem.features
    # Each volunteer's quota categories, as indices into `keys`.
    categories = [
        [quota_index[(feature, volunteer.value_of(feature) or "")] for feature in features]
        for volunteer in problem.volunteers
    ]
    households: dict[str, list[int]] = {}
    if problem.one_per_household:
        for person, volunteer in enumerate(problem.volunteers):
            if volunteer.household is not None:
                households.setdefault(volunteer.household, []).append(person)
    members = [_IndexedSet() for _ in keys]
    for person, person_categories in enumerate(categories):
        for category in person_categories:
            members[category].add(person)
    present = [True] * len(problem.volunteers)

    def remove(person: int) -> None:
        present[person] = False
        for category in categories[person]:
            members[category].discard(person)

    for category in range(len(keys)):
        if maximum[category] == 0:
            for person in list(members[category].items):
                remove(person)
    selected = [0] * len(keys)
    chosen: list[str] = []
    for _seat in range(problem.panel_size):
        best_category = -1
        best_ratio = -100.0
        for category in range(len(keys)):
            available = len(members[category].items)
            still_needed = max(minimum[category] - selected[category], 0)
            if available < still_needed:
                return None
            if available == 0:
                continue
            # The category whose unmet minimum is largest relative to the people left is served
            # first: this is the Sortition Foundation's pre-2021 rule, kept only for comparison.
            ratio = still_needed / available
            if ratio > best_ratio:
                best_ratio, best_category = ratio, category
        if best_category < 0:
            return None
        candidates = members[best_category].items
        person = candidates[int(generator.random() * len(candidates))]
        chosen.append(problem.volunteers[person].volunteer_id)
        remove(person)
        household = problem.volunteers[person].household
        if household is not None:
            for housemate in households.get(household, []):
                if present[housemate]:
                    remove(housemate)
        for category in categories[person]:
            selected[category] += 1
            if selected[category] >= maximum[category]:
                for other in list(members[category].items):
                    remove(other)
    return chosen


class _IndexedSet:
    """A set of ints with O(1) removal and uniform choice by position."""

    def __init__(self) -> None:
        """Start empty."""
        self.items: list[int] = []
        self.position: dict[int, int] = {}

    def add(self, item: int) -> None:
        """Add an item that is not yet present."""
        self.position[item] = len(self.items)
        self.items.append(item)

    def discard(self, item: int) -> None:
        """Remove an item if present, moving the last item into its place."""
        index = self.position.pop(item, None)
        if index is None:
            return
        last = self.items.pop()
        if last != item:
            self.items[index] = last
            self.position[last] = index


def _sample(generator: random.Random, members: Sequence[str], seats: int) -> list[str]:
    """Choose `seats` members uniformly without replacement (a partial Fisher-Yates shuffle)."""
    pool = list(members)
    for position in range(seats):
        # int(random() * n) is uniform to within 2**-53 * n, far below any test's resolution.
        swap = position + int(generator.random() * (len(pool) - position))
        pool[position], pool[swap] = pool[swap], pool[position]
    return pool[:seats]


def _count_with(members: Sequence[Volunteer], quota: FeatureQuota) -> int:
    """Count the volunteers who have the quota's feature value."""
    feature, value = quota.key
    return sum(1 for member in members if member.value_of(feature) == value)
