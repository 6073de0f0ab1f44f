"""Quota targets from population shares, and which quotas make a selection impossible (no Django)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from commonweal.assemblies.core.panel_models import add_row, group_volunteers, new_highs
from commonweal.assemblies.core.pool import (
    FeatureQuota,
    SelectionInputError,
    SelectionProblem,
    normalise_value,
)

# Shares are typed as decimals (0.35); k * 0.35 in binary floating point can be 7.000000000000001,
# whose ceiling would wrongly be 8. Rounding the product to this many places first avoids that.
_SEAT_DECIMALS = 9
_SHARE_SUM_TOLERANCE = 1e-6


@dataclass(frozen=True)
class PopulationShare:
    """The share of the population (0 to 1) with one value of one feature."""

    feature: str
    value: str
    share: float


@dataclass(frozen=True)
class QuotaShortfall:
    """A quota that must move for any panel to exist, and where it would have to move to."""

    quota: FeatureQuota
    relaxed_minimum: int
    relaxed_maximum: int

    def describe(self) -> str:
        """Return the change in plain words, e.g. `gender = female: lower the minimum from 12 to 9`."""
        changes = []
        if self.relaxed_minimum < self.quota.minimum:
            changes.append(
                f"lower the minimum from {self.quota.minimum} to {self.relaxed_minimum} "
                f"(short by {self.quota.minimum - self.relaxed_minimum})"
            )
        if self.relaxed_maximum > self.quota.maximum:
            changes.append(
                f"raise the maximum from {self.quota.maximum} to {self.relaxed_maximum} "
                f"(over by {self.relaxed_maximum - self.quota.maximum})"
            )
        return f"{self.quota.describe()}: {' and '.join(changes)}"


def quotas_from_population_shares(
    shares: Sequence[PopulationShare], panel_size: int, *, tolerance_seats: int = 0
) -> tuple[FeatureQuota, ...]:
    """Return min/max seats per value: floor and ceiling of panel_size x share, widened by tolerance_seats.

    Rounding: the proportional seat count k x share (rounded to 9 decimal places) always lies within
    [minimum, maximum]: minimum = floor(k x share) - tolerance_seats, maximum = ceil(k x share) +
    tolerance_seats, both clipped to 0..k. A share that gives a whole number of seats gets minimum ==
    maximum unless a tolerance is given.
    """
    if panel_size < 1:
        raise SelectionInputError(f"The panel size must be at least 1 (it is {panel_size}).")
    if tolerance_seats < 0:
        raise SelectionInputError(f"The tolerance must not be negative (it is {tolerance_seats}).")
    totals: dict[str, float] = {}
    names: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    for share in shares:
        key = (normalise_value(share.feature), normalise_value(share.value))
        if key in seen:
            raise SelectionInputError(
                f"The share of {share.feature} = {share.value} is given more than once."
            )
        seen.add(key)
        if not 0.0 <= share.share <= 1.0 or math.isnan(share.share):
            raise SelectionInputError(
                f"The share of {share.feature} = {share.value} must be between 0 and 1 (it is {share.share})."
            )
        totals[key[0]] = totals.get(key[0], 0.0) + share.share
        names.setdefault(key[0], share.feature)
    for feature, total in totals.items():
        if abs(total - 1.0) > _SHARE_SUM_TOLERANCE:
            raise SelectionInputError(f"The shares of {names[feature]} add up to {total:.6g}, not 1.")
    quotas = []
    for share in shares:
        seats = round(panel_size * share.share, _SEAT_DECIMALS)
        quotas.append(
            FeatureQuota(
                feature=share.feature,
                value=share.value,
                minimum=max(0, math.floor(seats) - tolerance_seats),
                maximum=min(panel_size, math.ceil(seats) + tolerance_seats),
            )
        )
    return tuple(quotas)


def parse_population_shares(rows: Iterable[dict[str, str]]) -> tuple[PopulationShare, ...]:
    """Read rows with columns feature, value and share (a fraction, or a percentage ending in %)."""
    shares = []
    for number, row in enumerate(rows, start=2):
        try:
            feature, value, text = row["feature"].strip(), row["value"].strip(), row["share"].strip()
        except (KeyError, AttributeError) as error:
            raise SelectionInputError(f"Row {number}: needs the columns feature, value and share.") from error
        try:
            share = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError as error:
            raise SelectionInputError(f"Row {number}: the share {text!r} is not a number.") from error
        shares.append(PopulationShare(feature=feature, value=value, share=share))
    return tuple(shares)


@dataclass(frozen=True)
class FeasibilityReport:
    """Whether any panel meets every rule, and if not, the smallest quota change that would allow one."""

    feasible: bool
    shortfalls: tuple[QuotaShortfall, ...]

    def describe(self) -> str:
        """Return the finding in plain words."""
        if self.feasible:
            return "At least one panel meets every quota."
        lines = ["No panel can meet every quota. The smallest change that would allow one:"]
        lines.extend(f"  - {shortfall.describe()}" for shortfall in self.shortfalls)
        if not self.shortfalls:
            lines.append("  - none: too few eligible volunteers (or households) to fill the panel at all.")
        return "\n".join(lines)


def check_feasibility(problem: SelectionProblem) -> FeasibilityReport:
    """Return whether a panel exists and, if not, the quotas to relax and by how much.

    Solves an integer programme with a slack seat count below each minimum and above each maximum,
    minimising the total slack: the answer is a smallest relaxation in seats that admits a panel.
    Infeasible with no shortfalls means no quota change can help (for example, the household rule
    leaves fewer eligible households than seats).
    """
    groups = group_volunteers(problem)
    group_count = len(groups.members)
    quota_count = len(problem.quotas)
    highs = new_highs()
    highs.addVars(group_count, np.zeros(group_count), groups.sizes.astype(np.float64))
    # Columns after the groups: one "short of the minimum" and one "over the maximum" per quota.
    highs.addVars(2 * quota_count, np.zeros(2 * quota_count), np.full(2 * quota_count, highspy.kHighsInf))
    total = group_count + 2 * quota_count
    highs.changeColsIntegrality(
        total, np.arange(total, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * total)
    )
    costs = np.concatenate([np.zeros(group_count), np.ones(2 * quota_count)])
    highs.changeColsCost(total, np.arange(total, dtype=np.int32), costs)
    add_row(highs, problem.panel_size, problem.panel_size, list(range(group_count)), [1.0] * group_count)
    for index, (quota, members) in enumerate(zip(problem.quotas, groups.quota_groups, strict=True)):
        short, over = group_count + 2 * index, group_count + 2 * index + 1
        add_row(highs, quota.minimum, highspy.kHighsInf, [*members, short], [1.0] * len(members) + [1.0])
        add_row(highs, -highspy.kHighsInf, quota.maximum, [*members, over], [1.0] * len(members) + [-1.0])
    for household in groups.household_groups:
        add_row(highs, 0.0, 1.0, household, [1.0] * len(household))
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return FeasibilityReport(feasible=False, shortfalls=())
    values = np.rint(np.asarray(highs.getSolution().col_value, dtype=np.float64)).astype(np.int64)
    shortfalls = []
    for index, quota in enumerate(problem.quotas):
        short, over = int(values[group_count + 2 * index]), int(values[group_count + 2 * index + 1])
        if short or over:
            shortfalls.append(
                QuotaShortfall(
                    quota=quota, relaxed_minimum=quota.minimum - short, relaxed_maximum=quota.maximum + over
                )
            )
    return FeasibilityReport(feasible=not shortfalls, shortfalls=tuple(shortfalls))
