"""Means with Student's t limits from summed values, as dashboards aggregate them in SQL (no Django).

The statistics core's `mean` takes the values themselves; a dashboard over millions of responses sums
them in the database instead (count, sum, sum of squares per group) and works out the same estimate here:
the sample standard deviation is sqrt((Σx² − (Σx)²/n) / (n − 1)), and the limits are the core's
(PHEindicatormethods' phe_mean): mean ± t(n − 1) × sd / √n. Tests check the result against the
PHEindicatormethods mean table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

from commonweal.evidence.statistics import ConfidenceInterval, MeanEstimate, StatisticsInputError
from commonweal.evidence.statistics.intervals import confidence_levels


@dataclass(frozen=True)
class Moments:
    """How many values, their sum and the sum of their squares."""

    count: int
    total: float
    total_of_squares: float

    def __add__(self, other: Moments) -> Moments:
        return Moments(
            self.count + other.count, self.total + other.total, self.total_of_squares + other.total_of_squares
        )


def moments_of(values: Sequence[float]) -> Moments:
    """Return the moments of some values (for tests and small groups)."""
    return Moments(len(values), math.fsum(values), math.fsum(value * value for value in values))


def mean_from_moments(moments: Moments, *, confidence: float | Sequence[float] = 0.95) -> MeanEstimate:
    """Return the mean with Student's t limits from a group's moments (at least two values)."""
    levels = confidence_levels(confidence)
    count = moments.count
    if count < 2:
        raise StatisticsInputError(f"A mean with confidence limits needs at least two values; got {count}.")
    for name, number in (("sum", moments.total), ("sum of squares", moments.total_of_squares)):
        if not math.isfinite(number):
            raise StatisticsInputError(f"The {name} must be a finite number; got {number!r}.")
    average = moments.total / count
    # Rounding can leave a tiny negative number when every value is the same.
    variance = max(0.0, (moments.total_of_squares - moments.total * moments.total / count) / (count - 1))
    deviation = math.sqrt(variance)
    intervals = []
    for level in levels:
        t_value = float(stats.t.ppf(level + (1 - level) / 2, count - 1))
        half_width = t_value * deviation / math.sqrt(count)
        intervals.append(ConfidenceInterval(level, average - half_width, average + half_width))
    return MeanEstimate(moments.total, count, deviation, average, tuple(intervals))
