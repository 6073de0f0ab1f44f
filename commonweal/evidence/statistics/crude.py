"""Crude proportions, rates and means with their confidence intervals (no Django).

Reimplements the methods of PHEindicatormethods' phe_proportion, phe_rate and phe_mean (UKHSA,
GPL-3) from their published descriptions: Wilson score limits for proportions, exact Poisson limits
below 10 events and Byar's from 10 for rates, and Student's t for means.
"""

from __future__ import annotations

import math
import statistics as pystatistics
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

from commonweal.evidence.statistics.errors import StatisticsInputError
from commonweal.evidence.statistics.intervals import (
    ConfidenceInterval,
    HasIntervals,
    confidence_levels,
    format_multiplier,
    poisson_limits,
    wilson_limits,
)


@dataclass(frozen=True)
class ProportionEstimate(HasIntervals):
    """A proportion with Wilson score limits, scaled by the multiplier (100 gives a percentage)."""

    numerator: float | None
    denominator: float | None
    multiplier: float
    value: float | None
    intervals: tuple[ConfidenceInterval, ...]
    method: str = "Wilson"

    @property
    def statistic(self) -> str:
        """Describe the scale, as Fingertips does: 'percentage' or 'proportion of 1'."""
        return (
            "percentage" if self.multiplier == 100 else f"proportion of {format_multiplier(self.multiplier)}"
        )


@dataclass(frozen=True)
class RateEstimate(HasIntervals):
    """A crude rate per multiplier population, with exact (under 10 events) or Byar's limits."""

    numerator: float | None
    denominator: float | None
    multiplier: float
    value: float | None
    intervals: tuple[ConfidenceInterval, ...]
    method: str | None

    @property
    def statistic(self) -> str:
        """Describe the scale, for example 'rate per 100000'."""
        return f"rate per {format_multiplier(self.multiplier)}"


@dataclass(frozen=True)
class MeanEstimate(HasIntervals):
    """A mean with limits from Student's t distribution."""

    total: float
    count: int
    standard_deviation: float
    value: float
    intervals: tuple[ConfidenceInterval, ...]
    method: str = "Student's t-distribution"


def _check_number(name: str, value: float | None) -> None:
    if value is not None and (isinstance(value, bool) or math.isnan(value) or math.isinf(value)):
        raise StatisticsInputError(f"The {name} must be a finite number; got {value!r}.")


def _check_multiplier(multiplier: float) -> None:
    _check_number("multiplier", multiplier)
    if multiplier <= 0:
        raise StatisticsInputError(f"The multiplier must be greater than zero; got {multiplier:g}.")


def proportion(
    numerator: float | None,
    denominator: float | None,
    *,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 1,
) -> ProportionEstimate:
    """Return numerator/denominator with Wilson score limits; a missing input gives a missing estimate."""
    levels = confidence_levels(confidence)
    _check_number("numerator", numerator)
    _check_number("denominator", denominator)
    _check_multiplier(multiplier)
    if numerator is not None and numerator < 0:
        raise StatisticsInputError(f"Numerators must be zero or more; got {numerator:g}.")
    if denominator is not None and denominator <= 0:
        raise StatisticsInputError(f"Denominators must be greater than zero; got {denominator:g}.")
    if numerator is None or denominator is None:
        missing = tuple(ConfidenceInterval(level, None, None) for level in levels)
        return ProportionEstimate(numerator, denominator, multiplier, None, missing)
    intervals = []
    for level in levels:
        lower, upper = wilson_limits(numerator, denominator, level)
        intervals.append(ConfidenceInterval(level, lower * multiplier, upper * multiplier))
    value = numerator / denominator * multiplier
    return ProportionEstimate(numerator, denominator, multiplier, value, tuple(intervals))


def rate(
    numerator: float | None,
    denominator: float | None,
    *,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
) -> RateEstimate:
    """Return events per multiplier population with exact Poisson (under 10 events) or Byar's limits."""
    levels = confidence_levels(confidence)
    _check_number("numerator", numerator)
    _check_number("denominator", denominator)
    _check_multiplier(multiplier)
    if numerator is not None and numerator < 0:
        raise StatisticsInputError(f"Numerators must be zero or more; got {numerator:g}.")
    if denominator is not None and denominator <= 0:
        raise StatisticsInputError(f"Denominators must be greater than zero; got {denominator:g}.")
    if numerator is None or denominator is None:
        missing = tuple(ConfidenceInterval(level, None, None) for level in levels)
        method = None if numerator is None else poisson_limits(numerator, levels[0])[2]
        return RateEstimate(numerator, denominator, multiplier, None, missing, method)
    intervals = []
    method = ""
    for level in levels:
        lower, upper, method = poisson_limits(numerator, level)
        scaled_lower = None if lower is None else lower / denominator * multiplier
        intervals.append(ConfidenceInterval(level, scaled_lower, upper / denominator * multiplier))
    value = numerator / denominator * multiplier
    return RateEstimate(numerator, denominator, multiplier, value, tuple(intervals), method)


def mean(values: Sequence[float], *, confidence: float | Sequence[float] = 0.95) -> MeanEstimate:
    """Return the mean of the values with Student's t limits (at least two values are needed)."""
    levels = confidence_levels(confidence)
    for value in values:
        _check_number("value", value)
    count = len(values)
    if count < 2:
        raise StatisticsInputError(f"A mean with confidence limits needs at least two values; got {count}.")
    total = math.fsum(values)
    average = total / count
    deviation = pystatistics.stdev(values)
    intervals = []
    for level in levels:
        t_value = float(stats.t.ppf(level + (1 - level) / 2, count - 1))
        half_width = t_value * deviation / math.sqrt(count)
        intervals.append(ConfidenceInterval(level, average - half_width, average + half_width))
    return MeanEstimate(total, count, deviation, average, tuple(intervals))
