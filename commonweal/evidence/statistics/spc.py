"""XmR statistical process control charts with the NHS "Making Data Count" rules (no Django).

Follows NHS England's "Making Data Count" guidance as implemented by the NHS-R Community's
NHSRplotthedots (R/ptd_spc_standard.R and R/ptd_calculate_point_type.R): the mean and average moving
range give process limits at mean ± 2.66 × mR-bar and "near" limits at two thirds of that (two
sigma). A point shows special cause variation when it is beyond a process limit; when it is one of 7
or more points in a row on one side of the mean; when it is one of 7 or more points each higher (or
each lower) than the one before; or when it is beyond a near limit and two of three consecutive
points, all three on the same side of the mean, are beyond that near limit. By default every moving
range is used, as the Making Data Count Excel tools do; `screen_outliers` drops moving ranges of
3.267 × mR-bar or more first, as NHSRplotthedots does by default.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from commonweal.evidence.statistics.errors import StatisticsInputError

PROCESS_LIMIT_FACTOR = 2.66
NEAR_LIMIT_FACTOR = 2 * PROCESS_LIMIT_FACTOR / 3
OUTLIER_MOVING_RANGE_FACTOR = 3.267
RUN_LENGTH = 7
# Making Data Count advises at least 12 points before the limits are relied on.
RECOMMENDED_MINIMUM_POINTS = 12


class SpcRule(StrEnum):
    """The Making Data Count tests for special cause variation."""

    BEYOND_PROCESS_LIMIT = "beyond_process_limit"
    RUN_ONE_SIDE_OF_MEAN = "run_of_7_one_side_of_mean"
    TREND = "trend_of_7"
    TWO_OF_THREE_NEAR_LIMIT = "two_of_three_beyond_two_sigma"


class Improvement(StrEnum):
    """Which way is better for the measure, so special causes can be called improvement or concern."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NEITHER = "neither"


class Variation(StrEnum):
    """The Making Data Count variation icon a point belongs to."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEUTRAL_HIGH = "special_cause_neutral_high"
    NEUTRAL_LOW = "special_cause_neutral_low"


@dataclass(frozen=True)
class SpcPoint:
    """One point of the chart: the rules it is part of, with its Making Data Count label and variation."""

    value: float
    moving_range: float | None
    rules: frozenset[SpcRule]
    special_cause_type: str
    direction: int
    variation: Variation


@dataclass(frozen=True)
class XmrChart:
    """An XmR chart: centre line, process limits, near (two sigma) limits and the classified points."""

    mean: float
    average_moving_range: float
    lower_process_limit: float
    upper_process_limit: float
    lower_near_limit: float
    upper_near_limit: float
    points: tuple[SpcPoint, ...]
    notes: tuple[str, ...] = ()


def _sign(number: float) -> int:
    return (number > 0) - (number < 0)


def _run_markers(sides: list[int]) -> list[int]:
    # The 7th (and each later) point of a run on one side of the mean carries the run's side.
    markers = [0] * len(sides)
    for i in range(RUN_LENGTH - 1, len(sides)):
        window = sides[i - RUN_LENGTH + 1 : i + 1]
        if sides[i] != 0 and all(side == sides[i] for side in window):
            markers[i] = sides[i]
    return markers


def _trend_markers(values: list[float]) -> list[int]:
    markers = [0] * len(values)
    for i in range(RUN_LENGTH - 1, len(values)):
        steps = {_sign(values[j] - values[j - 1]) for j in range(i - RUN_LENGTH + 2, i + 1)}
        if steps == {1}:
            markers[i] = 1
        elif steps == {-1}:
            markers[i] = -1
    return markers


def _part_of_run(markers: list[int]) -> list[bool]:
    # A point belongs to a run when it, or one of the next six points, ends a run of seven.
    return [any(markers[i : i + RUN_LENGTH]) for i in range(len(markers))]


def _part_of_two_in_three(near: list[bool], sides: list[int]) -> list[bool]:
    count = len(near)
    result = []
    for i in range(count):
        found = False
        for start in (i - 2, i - 1, i):
            window = range(start, start + 3)
            if start < 0 or start + 2 >= count:
                continue
            if sum(near[j] for j in window) >= 2 and abs(sum(sides[j] for j in window)) == 3:
                found = True
        result.append(found and near[i])
    return result


def _variation(direction: int, improvement: Improvement) -> Variation:
    if direction == 0:
        return Variation.COMMON_CAUSE
    if improvement is Improvement.NEITHER:
        return Variation.NEUTRAL_HIGH if direction > 0 else Variation.NEUTRAL_LOW
    better = 1 if improvement is Improvement.INCREASE else -1
    return Variation.IMPROVEMENT if direction == better else Variation.CONCERN


def xmr_chart(
    values: Sequence[float],
    *,
    improvement: Improvement = Improvement.NEITHER,
    screen_outliers: bool = False,
    baseline_points: int | None = None,
) -> XmrChart:
    """Return an XmR chart of the values in time order, with every point tested against the four rules.

    `baseline_points` fixes the mean and limits on the first that many points, as Making Data Count
    does when a process has been baselined.
    """
    improvement = Improvement(improvement)
    series = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise StatisticsInputError(f"Every value on an SPC chart must be a finite number; got {value!r}.")
        series.append(float(value))
    if len(series) < 2:
        raise StatisticsInputError("An XmR chart needs at least two values to have a moving range.")
    if baseline_points is not None and (
        isinstance(baseline_points, bool) or not isinstance(baseline_points, int) or baseline_points < 2
    ):
        raise StatisticsInputError(
            f"The baseline must be a whole number of at least 2 points; got {baseline_points!r}."
        )
    baseline = series[:baseline_points] if baseline_points is not None else series
    mean = math.fsum(baseline) / len(baseline)
    moving_ranges = [abs(baseline[i] - baseline[i - 1]) for i in range(1, len(baseline))]
    average_moving_range = math.fsum(moving_ranges) / len(moving_ranges)
    if screen_outliers:
        kept = [
            value for value in moving_ranges if value < OUTLIER_MOVING_RANGE_FACTOR * average_moving_range
        ]
        average_moving_range = math.fsum(kept) / len(kept) if kept else 0.0
    upper = mean + PROCESS_LIMIT_FACTOR * average_moving_range
    lower = mean - PROCESS_LIMIT_FACTOR * average_moving_range
    upper_near = mean + NEAR_LIMIT_FACTOR * average_moving_range
    lower_near = mean - NEAR_LIMIT_FACTOR * average_moving_range

    beyond = [value > upper or value < lower for value in series]
    sides = [_sign(value - mean) for value in series]
    near = [
        not out and (value < lower_near or value > upper_near)
        for value, out in zip(series, beyond, strict=True)
    ]
    in_run = _part_of_run(_run_markers(sides))
    in_trend = _part_of_run(_trend_markers(series))
    in_two_of_three = _part_of_two_in_three(near, sides)

    points = []
    for i, value in enumerate(series):
        rules = set()
        if beyond[i]:
            rules.add(SpcRule.BEYOND_PROCESS_LIMIT)
        if in_run[i]:
            rules.add(SpcRule.RUN_ONE_SIDE_OF_MEAN)
        if in_trend[i]:
            rules.add(SpcRule.TREND)
        if in_two_of_three[i]:
            rules.add(SpcRule.TWO_OF_THREE_NEAR_LIMIT)
        side_word = "Above" if sides[i] > 0 else "Below"
        if beyond[i]:
            label, direction = ("Above UCL", 1) if sides[i] == 1 else ("Below LCL", -1)
        elif in_trend[i]:
            # A point inside a trend takes the direction of the step after it; the last one, the step before.
            continues = i + 1 < len(series) and in_trend[i + 1]
            step = _sign(series[i + 1] - value) if continues else _sign(value - series[i - 1]) if i else 0
            label, direction = (
                f"7 Point Trend ({'In' if step == 1 else 'De'}creasing)",
                1 if step == 1 else -1,
            )
        elif in_two_of_three[i]:
            label, direction = f"2 in 3 {side_word} CL", 1 if sides[i] > 0 else -1
        elif in_run[i]:
            label, direction = f"7 Points {side_word} CL", 1 if sides[i] > 0 else -1
        else:
            label, direction = "Common Cause", 0
        moving_range = abs(value - series[i - 1]) if i else None
        points.append(
            SpcPoint(
                value, moving_range, frozenset(rules), label, direction, _variation(direction, improvement)
            )
        )
    notes = []
    if len(series) < RECOMMENDED_MINIMUM_POINTS:
        notes.append(
            f"Only {len(series)} points: Making Data Count recommends at least {RECOMMENDED_MINIMUM_POINTS} "
            "before relying on the limits."
        )
    return XmrChart(
        mean, average_moving_range, lower, upper, lower_near, upper_near, tuple(points), tuple(notes)
    )
