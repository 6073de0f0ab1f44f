"""Assigning areas to quantiles (deciles, quintiles, ...) by ranking a value (no Django).

Follows the algorithm of PHEindicatormethods' phe_quantile (UKHSA, GPL-3) and the OHID technical
guide "Assigning deprivation categories": rank with ties given the lowest rank, then
quantile = floor((q + 1) - ceiling((N + 1 - rank) / (N / q))), with 0 raised to 1. Areas without a
value, and every area of a group with fewer areas than quantiles, get no quantile.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from commonweal.evidence.statistics.errors import StatisticsInputError


@dataclass(frozen=True)
class QuantileAssignment:
    """The quantile of each input value, in input order (None where none can be assigned)."""

    quantiles: tuple[int | None, ...]
    number_of_quantiles: int
    highest_values_first: bool
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupedValue:
    """A value to be ranked within its group; `highest_values_first` must agree across a group."""

    group: Hashable
    value: float | None
    highest_values_first: bool = True


def _check_quantile_count(number_of_quantiles: int) -> None:
    if (
        isinstance(number_of_quantiles, bool)
        or not isinstance(number_of_quantiles, int)
        or number_of_quantiles < 2
    ):
        raise StatisticsInputError(
            f"The number of quantiles must be a whole number from 2; got {number_of_quantiles!r}."
        )


def assign_quantiles(
    values: Sequence[float | None],
    *,
    number_of_quantiles: int = 10,
    highest_values_first: bool = True,
) -> QuantileAssignment:
    """Assign each value to a quantile; by default the highest values go to quantile 1, as in phe_quantile."""
    _check_quantile_count(number_of_quantiles)
    for value in values:
        if value is not None and (isinstance(value, bool) or not math.isfinite(value)):
            raise StatisticsInputError(f"Values to rank must be finite numbers or missing; got {value!r}.")
    present = [value for value in values if value is not None]
    count = len(present)
    if count < number_of_quantiles:
        notes: tuple[str, ...] = ()
        if count:
            notes = (
                f"Only {count} areas have a value, fewer than the {number_of_quantiles} quantiles asked for, "
                "so no quantiles were assigned.",
            )
        return QuantileAssignment(
            tuple(None for _ in values), number_of_quantiles, highest_values_first, notes
        )
    highest = max(present)
    adjusted = [
        None if value is None else (highest - value if highest_values_first else value) for value in values
    ]
    ordered = sorted(value for value in adjusted if value is not None)
    first_rank: dict[float, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_rank.setdefault(value, position)
    areas_per_quantile = count / number_of_quantiles
    quantiles: list[int | None] = []
    for value in adjusted:
        if value is None:
            quantiles.append(None)
            continue
        rank = first_rank[value]
        quantile = math.floor(
            (number_of_quantiles + 1) - math.ceil(((count + 1) - rank) / areas_per_quantile)
        )
        quantiles.append(max(quantile, 1))
    return QuantileAssignment(tuple(quantiles), number_of_quantiles, highest_values_first)


def assign_quantiles_in_groups(
    values: Sequence[GroupedValue], *, number_of_quantiles: int = 10
) -> tuple[int | None, ...]:
    """Assign quantiles separately within each group, returning them in input order."""
    _check_quantile_count(number_of_quantiles)
    positions: dict[Hashable, list[int]] = {}
    for position, item in enumerate(values):
        positions.setdefault(item.group, []).append(position)
    result: list[int | None] = [None] * len(values)
    for group, members in positions.items():
        directions = {values[position].highest_values_first for position in members}
        if len(directions) > 1:
            raise StatisticsInputError(
                f"Group {group!r} mixes 'highest values first' and 'lowest values first'; "
                "one group must be ranked in one direction."
            )
        assignment = assign_quantiles(
            [values[position].value for position in members],
            number_of_quantiles=number_of_quantiles,
            highest_values_first=directions.pop(),
        )
        for position, quantile in zip(members, assignment.quantiles, strict=True):
            result[position] = quantile
    return tuple(result)
