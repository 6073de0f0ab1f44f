"""Interchangeable groups of volunteers and the HiGHS integer programme of feasible panels."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

from commonweal.assemblies.core.pool import SelectionProblem, check_problem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Pricing must be exact: a relative MIP gap of HiGHS's default 1e-4 would let column generation
# stop up to 1e-4 short of the optimum, which is the whole tolerance the reference comparison allows.
_MIP_RELATIVE_GAP = 1e-10
_MIP_ABSOLUTE_GAP = 1e-12


@dataclass(frozen=True)
class VolunteerGroups:
    """Volunteers partitioned into groups that no quota or household rule can tell apart."""

    members: tuple[tuple[int, ...], ...]
    quota_groups: tuple[tuple[int, ...], ...]
    household_groups: tuple[tuple[int, ...], ...]

    @property
    def sizes(self) -> IntArray:
        """Return the number of volunteers in each group."""
        return np.array([len(members) for members in self.members], dtype=np.int64)


def group_volunteers(problem: SelectionProblem, *, merge_interchangeable: bool = True) -> VolunteerGroups:
    """Partition the pool into groups of volunteers with the same quota values and no housemate."""
    check_problem(problem)
    features = problem.features
    housemates: dict[str, list[int]] = {}
    if problem.one_per_household:
        for index, volunteer in enumerate(problem.volunteers):
            if volunteer.household is not None:
                housemates.setdefault(volunteer.household, []).append(index)
    shares_household = {index for members in housemates.values() if len(members) > 1 for index in members}

    # Two volunteers with the same value of every quota feature and no housemate in the pool can be
    # swapped in any feasible panel, so the leximin-optimal probabilities are equal for them (the
    # optimum is unique and symmetric). Solving over counts per group instead of per person shrinks
    # example_large_200 from 2,000 binary variables to 4 integers, which is where the speed comes from.
    group_of_profile: dict[tuple[str | None, ...], int] = {}
    members: list[list[int]] = []
    for index, volunteer in enumerate(problem.volunteers):
        if merge_interchangeable and index not in shares_household:
            profile = tuple(volunteer.value_of(feature) for feature in features)
            group = group_of_profile.setdefault(profile, len(members))
        else:
            group = len(members)
        if group == len(members):
            members.append([])
        members[group].append(index)

    group_of_volunteer = {index: group for group, indices in enumerate(members) for index in indices}
    quota_groups = []
    for quota in problem.quotas:
        feature, value = quota.key
        quota_groups.append(
            tuple(
                group
                for group, indices in enumerate(members)
                if problem.volunteers[indices[0]].value_of(feature) == value
            )
        )
    household_groups = tuple(
        tuple(group_of_volunteer[index] for index in indices)
        for indices in housemates.values()
        if len(indices) > 1
    )
    return VolunteerGroups(
        members=tuple(tuple(indices) for indices in members),
        quota_groups=tuple(quota_groups),
        household_groups=household_groups,
    )


def new_highs() -> highspy.Highs:
    """Return a silent, single-threaded HiGHS instance, so that runs are repeatable."""
    # highspy's stub leaves Highs.__init__ unannotated; naming the constructor's type keeps mypy strict.
    constructor: Callable[[], highspy.Highs] = highspy.Highs
    highs = constructor()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", 0)
    return highs


def add_row(
    highs: highspy.Highs, lower: float, upper: float, columns: Sequence[int], values: Sequence[float]
) -> None:
    """Add one linear constraint lower <= sum(values * x[columns]) <= upper."""
    highs.addRow(
        lower,
        upper,
        len(columns),
        np.asarray(columns, dtype=np.int32),
        np.asarray(values, dtype=np.float64),
    )


class PanelFinder:
    """The integer programme whose solutions are the panel compositions that meet every rule."""

    def __init__(self, problem: SelectionProblem, groups: VolunteerGroups) -> None:
        """Build the programme: seats per group, the panel size, every quota and every household."""
        self.group_count = len(groups.members)
        self.highs = new_highs()
        self.highs.setOptionValue("mip_rel_gap", _MIP_RELATIVE_GAP)
        self.highs.setOptionValue("mip_abs_gap", _MIP_ABSOLUTE_GAP)
        sizes = groups.sizes.astype(np.float64)
        self.highs.addVars(self.group_count, np.zeros(self.group_count), sizes)
        all_columns = list(range(self.group_count))
        self.highs.changeColsIntegrality(
            self.group_count,
            np.asarray(all_columns, dtype=np.int32),
            np.array([highspy.HighsVarType.kInteger] * self.group_count),
        )
        add_row(self.highs, problem.panel_size, problem.panel_size, all_columns, [1.0] * self.group_count)
        for quota, quota_groups in zip(problem.quotas, groups.quota_groups, strict=True):
            add_row(self.highs, quota.minimum, quota.maximum, quota_groups, [1.0] * len(quota_groups))
        for household in groups.household_groups:
            add_row(self.highs, 0.0, 1.0, household, [1.0] * len(household))
        self.highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.sizes = groups.sizes
        self.membership = np.zeros((len(problem.quotas), self.group_count), dtype=np.int64)
        for quota_index, quota_groups in enumerate(groups.quota_groups):
            self.membership[quota_index, list(quota_groups)] = 1
        self.membership_float = self.membership.astype(np.float64)
        self.minimum = np.array([quota.minimum for quota in problem.quotas], dtype=np.int64)
        self.maximum = np.array([quota.maximum for quota in problem.quotas], dtype=np.int64)
        self.household = np.full(self.group_count, -1, dtype=np.int64)
        for household_index, household in enumerate(groups.household_groups):
            self.household[list(household)] = household_index
        self.has_households = bool((self.household >= 0).any())
        self.exact_solves = 0

    def best(self, weights: FloatArray) -> IntArray | None:
        """Return the feasible composition maximising sum(weights * seats), or None if there is none."""
        self.highs.changeColsCost(
            self.group_count,
            np.arange(self.group_count, dtype=np.int32),
            np.asarray(weights, dtype=np.float64),
        )
        self.highs.run()
        self.exact_solves += 1
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        values = np.asarray(self.highs.getSolution().col_value, dtype=np.float64)
        return np.rint(values).astype(np.int64)

    def improve(self, start: IntArray, weights: FloatArray) -> IntArray:
        """Return a panel at least as good as `start`, found by moving one seat between groups at a time."""
        # An exact MIP solve costs milliseconds; most columns that column generation needs can be
        # found by this cheap local search, leaving the MIP to prove that none is left.
        seats = start.copy()
        counts = self.membership @ seats
        membership = self.membership_float
        while True:
            sources = np.flatnonzero(seats)
            # Moving a seat from group a to group b breaks a quota only if the quota is at its
            # minimum and counts a but not b, or at its maximum and counts b but not a.
            at_minimum = (counts == self.minimum).astype(np.float64)
            at_maximum = (counts == self.maximum).astype(np.float64)
            leaving = membership[:, sources].T
            down = leaving * at_minimum
            breaks_minimum = down.sum(axis=1)[:, None] - down @ membership
            breaks_maximum = (at_maximum @ membership)[None, :] - (leaving * at_maximum) @ membership
            allowed = (breaks_minimum < 0.5) & (breaks_maximum < 0.5)
            allowed &= (seats < self.sizes)[None, :]
            allowed[np.arange(len(sources)), sources] = False
            if self.has_households:
                occupied = self.household[sources]
                blocked = np.isin(self.household, occupied[occupied >= 0])
                # A seat may move within its own household, never into another occupied one.
                same = self.household[sources][:, None] == self.household[None, :]
                allowed &= ~blocked[None, :] | (same & (self.household[None, :] >= 0))
            gain = np.where(allowed, weights[None, :] - weights[sources][:, None], 0.0)
            best = np.unravel_index(int(np.argmax(gain)), gain.shape)
            if gain[best] <= 1e-12:
                return seats
            source, target = int(sources[best[0]]), int(best[1])
            seats[source] -= 1
            seats[target] += 1
            counts += self.membership[:, target] - self.membership[:, source]
