"""Slope and relative index of inequality across quantiles, with simulated intervals (no Django).

Reimplements the method of PHEindicatormethods' phe_sii (UKHSA, GPL-3), after Low & Low, "Measuring
the gap", J Public Health 2004;26:388-395: each quantile's relative rank is the midpoint of its share
of the cumulative population; a regression weighted by the square root of each quantile's population
share (no constant term) gives the intercept (fitted value at rank 0) and the slope, the SII. The RII
is the fitted value at rank 1 over that at rank 0. Confidence limits come from simulation: each
quantile's value is drawn from a normal distribution (on the log scale for rates, logit for
proportions) with its standard error, the regression refitted, and the percentiles of the simulated
slopes read off. Draws come from a seeded numpy Generator, so a result is reproduced exactly from its
seed with the same numpy version.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from commonweal.evidence.statistics.errors import StatisticsInputError
from commonweal.evidence.statistics.intervals import (
    ConfidenceInterval,
    HasIntervals,
    confidence_levels,
    format_confidence,
)

FloatArray = npt.NDArray[np.float64]

# Standard errors derived from confidence limits assume the limits are 95% limits, as phe_sii does.
_Z_95 = 1.959963984540054
_MINIMUM_QUANTILES = 5
_MAXIMUM_QUANTILES = 100
_STABLE_QUANTILES = 10
_MINIMUM_REPETITIONS = 1000
# Simulated replicates are drawn in blocks so that memory stays bounded for 100 quantiles.
_BLOCK = 10_000


class IndicatorType(StrEnum):
    """How an indicator's values behave: rates are simulated on the log scale, proportions on the logit."""

    NORMAL = "normal"
    RATE = "rate"
    PROPORTION = "proportion"


@dataclass(frozen=True)
class QuantileData:
    """One quantile (1 = most deprived) with its population and value, and a standard error or 95% limits.

    For a proportion the value may be left out and given as a count of the population instead.
    """

    quantile: int
    population: float | None
    value: float | None = None
    count: float | None = None
    standard_error: float | None = None
    lower_cl: float | None = None
    upper_cl: float | None = None


@dataclass(frozen=True)
class SlopeIndexOfInequality(HasIntervals):
    """The SII with its simulated intervals, and the RII and intercept (fitted value at the lowest rank)."""

    sii: float
    rii: float
    intercept: float
    intervals: tuple[ConfidenceInterval, ...]
    rii_intervals: tuple[ConfidenceInterval, ...]
    indicator_type: IndicatorType
    transform: bool
    multiplier: float
    repetitions: int
    seed: int
    notes: tuple[str, ...] = ()

    @property
    def method(self) -> str:
        """Name the interval method, as PHEindicatormethods labels it."""
        return f"simulation {self.repetitions} reps"

    def rii_interval(self, confidence: float) -> ConfidenceInterval:
        """Return the RII interval at a confidence level given as 0.95 or 95."""
        wanted = confidence_levels(confidence)[0]
        for interval in self.rii_intervals:
            if math.isclose(interval.confidence, wanted, rel_tol=0, abs_tol=1e-12):
                return interval
        raise StatisticsInputError(f"No {format_confidence(wanted)} RII interval was calculated.")


def _to_scale(indicator_type: IndicatorType) -> Callable[[float], float]:
    if indicator_type is IndicatorType.RATE:
        return math.log
    if indicator_type is IndicatorType.PROPORTION:
        return lambda value: math.log(value / (1 - value))
    return float


def _from_scale(indicator_type: IndicatorType, values: FloatArray) -> FloatArray:
    if indicator_type is IndicatorType.RATE:
        return np.exp(values)
    if indicator_type is IndicatorType.PROPORTION:
        return np.exp(values) / (1 + np.exp(values))
    return values


def _back(indicator_type: IndicatorType, value: float) -> float:
    return float(_from_scale(indicator_type, np.array([value]))[0])


def _is_number(value: float | None) -> bool:
    return value is not None and not isinstance(value, bool) and math.isfinite(value)


def _validate_options(
    indicator_type: IndicatorType, transform: bool, repetitions: int, multiplier: float
) -> None:
    if not isinstance(indicator_type, IndicatorType):
        raise StatisticsInputError("The indicator type must be normal, rate or proportion.")
    if (
        isinstance(repetitions, bool)
        or not isinstance(repetitions, int)
        or repetitions < _MINIMUM_REPETITIONS
    ):
        raise StatisticsInputError(
            f"The number of repetitions must be a whole number of at least {_MINIMUM_REPETITIONS}; "
            f"got {repetitions!r}."
        )
    if not _is_number(multiplier) or multiplier == 0:
        raise StatisticsInputError(f"The multiplier must be a non-zero number; got {multiplier!r}.")
    if transform and indicator_type is IndicatorType.NORMAL:
        raise StatisticsInputError(
            "Only rates (log scale) and proportions (logit scale) can be transformed; this one is normal."
        )


def _quantile_values(
    rows: Sequence[QuantileData], indicator_type: IndicatorType, transform: bool
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Check the quantiles and return populations, values and standard errors on the simulation scale."""
    uses_standard_errors = any(row.standard_error is not None for row in rows)
    if transform and uses_standard_errors:
        raise StatisticsInputError(
            "A transformed SII derives standard errors from the 95% limits; leave the standard errors out."
        )
    populations, values, errors = [], [], []
    to_scale = _to_scale(indicator_type)
    for row in rows:
        label = f"Quantile {row.quantile}"
        if not _is_number(row.population) or row.population is None or row.population <= 0:
            raise StatisticsInputError(f"{label} needs a population greater than zero.")
        value = row.value
        if value is None and indicator_type is IndicatorType.PROPORTION and row.count is not None:
            if not _is_number(row.count) or row.count <= 0:
                raise StatisticsInputError(
                    f"{label} needs a count greater than zero to work out its proportion."
                )
            value = row.count / row.population
        if value is None or not _is_number(value):
            raise StatisticsInputError(f"{label} has no value.")
        limits = (row.lower_cl, row.upper_cl)
        if indicator_type is IndicatorType.PROPORTION:
            for what, number in (
                ("value", value),
                ("lower limit", row.lower_cl),
                ("upper limit", row.upper_cl),
            ):
                if number is not None and not 0 < number < 1:
                    raise StatisticsInputError(
                        f"{label}'s {what} is {number:g}; proportions must be between 0 and 1 (exclusive)."
                    )
        if indicator_type is IndicatorType.RATE:
            for what, number in (
                ("value", value),
                ("lower limit", row.lower_cl),
                ("upper limit", row.upper_cl),
            ):
                if number is not None and number <= 0:
                    raise StatisticsInputError(
                        f"{label}'s {what} is {number:g}; rates must be greater than zero."
                    )
        if uses_standard_errors:
            error = row.standard_error
            if error is None or not _is_number(error) or error < 0:
                raise StatisticsInputError(f"{label} needs a standard error of zero or more.")
        else:
            if not all(_is_number(limit) for limit in limits):
                raise StatisticsInputError(f"{label} needs both 95% confidence limits, or a standard error.")
            lower, upper = (float(limit) for limit in limits if limit is not None)
            if lower > upper:
                raise StatisticsInputError(f"{label}'s lower limit is above its upper limit.")
            error = (to_scale(upper) - to_scale(lower)) / _Z_95 / 2
        populations.append(float(row.population))
        values.append(to_scale(value))
        errors.append(float(error))
    return np.array(populations), np.array(values), np.array(errors)


def _position(repetitions: int, fraction: float) -> int:
    # 1-based position of a percentile among the sorted replicates, as phe_sii rounds it.
    return max(1, min(repetitions, round(repetitions * fraction)))


def slope_index_of_inequality(
    rows: Sequence[QuantileData],
    *,
    indicator_type: IndicatorType = IndicatorType.NORMAL,
    multiplier: float = 1,
    confidence: float | Sequence[float] = 0.95,
    repetitions: int = 100_000,
    transform: bool = False,
    seed: int = 0,
) -> SlopeIndexOfInequality:
    """Return the SII, RII and intercept with simulated intervals, reproducible from the seed.

    A negative multiplier reverses the polarity: the SII changes sign and the RII is inverted.
    With `transform`, the regression itself is fitted on the log (rates) or logit (proportions)
    scale and the results are turned back into the indicator's units.
    """
    levels = confidence_levels(confidence)
    _validate_options(indicator_type, transform, repetitions, multiplier)
    labels = [row.quantile for row in rows]
    if len(set(labels)) != len(labels):
        raise StatisticsInputError("Each quantile may appear only once.")
    if not _MINIMUM_QUANTILES <= len(rows) <= _MAXIMUM_QUANTILES:
        raise StatisticsInputError(
            f"The SII needs between {_MINIMUM_QUANTILES} and {_MAXIMUM_QUANTILES} quantiles; got {len(rows)}."
        )
    ordered = sorted(rows, key=lambda row: row.quantile)
    populations, scaled_values, errors = _quantile_values(ordered, indicator_type, transform)
    notes = []
    if len(rows) > _STABLE_QUANTILES:
        notes.append("Small values can make the SII unstable when more than 10 quantiles are used.")

    shares = populations / populations.sum()
    ranks = np.cumsum(shares) - shares / 2
    design = np.vstack([np.sqrt(shares), ranks * np.sqrt(shares)])  # 2 × quantiles
    estimator = np.linalg.solve(design @ design.T, design)
    regression_values = scaled_values if transform else _from_scale(indicator_type, scaled_values)
    intercept_fit, slope_fit = estimator @ (regression_values * design[0])

    generator = np.random.default_rng(seed)
    simulated = np.empty((repetitions, 2))
    for start in range(0, repetitions, _BLOCK):
        size = min(_BLOCK, repetitions - start)
        draws = generator.normal(scaled_values, errors, size=(size, len(ordered)))
        if not transform:
            draws = _from_scale(indicator_type, draws)
        simulated[start : start + size] = (draws * design[0]) @ estimator.T
    simulated_intercepts, simulated_slopes = simulated[:, 0], simulated[:, 1]

    sii_intervals: list[ConfidenceInterval] = []
    rii_intervals: list[ConfidenceInterval] = []
    if not transform:
        sii = multiplier * float(slope_fit)
        rii = float((intercept_fit + slope_fit) / intercept_fit)
        simulated_sii = np.sort(simulated_slopes * multiplier)
        simulated_rii = (simulated_slopes + simulated_intercepts) / simulated_intercepts
        if multiplier < 0:
            rii, simulated_rii = 1 / rii, 1 / simulated_rii
        simulated_rii = np.sort(simulated_rii)
        intercept = float(intercept_fit) * abs(multiplier)
        for level in levels:
            tail = (1 - level) / 2
            low, high = _position(repetitions, tail) - 1, _position(repetitions, 1 - tail) - 1
            sii_intervals.append(
                ConfidenceInterval(level, float(simulated_sii[low]), float(simulated_sii[high]))
            )
            rii_intervals.append(
                ConfidenceInterval(level, float(simulated_rii[low]), float(simulated_rii[high]))
            )
    else:
        sorted_slopes = np.sort(simulated_slopes)
        at_top = float(intercept_fit + slope_fit)
        midpoint = (float(intercept_fit) + at_top) / 2
        bottom_value, top_value = _back(indicator_type, float(intercept_fit)), _back(indicator_type, at_top)
        sii = (top_value - bottom_value) * multiplier
        rii = top_value / bottom_value if multiplier > 0 else bottom_value / top_value
        intercept = bottom_value * abs(multiplier)
        for level in levels:
            tail = (1 - level) / 2
            slope_low = float(sorted_slopes[_position(repetitions, tail) - 1])
            slope_high = float(sorted_slopes[_position(repetitions, 1 - tail) - 1])
            # Each simulated slope is pivoted about the fitted midpoint to give the two end values.
            ends = []
            for slope in (slope_low, slope_high):
                ends.append(
                    (_back(indicator_type, midpoint - slope / 2), _back(indicator_type, midpoint + slope / 2))
                )
            (low_bottom, low_top), (high_bottom, high_top) = ends
            if multiplier > 0:
                sii_low, sii_high = (low_top - low_bottom) * multiplier, (high_top - high_bottom) * multiplier
                rii_low, rii_high = low_top / low_bottom, high_top / high_bottom
            else:
                sii_low, sii_high = (high_top - high_bottom) * multiplier, (low_top - low_bottom) * multiplier
                rii_low, rii_high = high_bottom / high_top, low_bottom / low_top
            sii_intervals.append(ConfidenceInterval(level, sii_low, sii_high))
            rii_intervals.append(ConfidenceInterval(level, rii_low, rii_high))
    return SlopeIndexOfInequality(
        sii=sii,
        rii=rii,
        intercept=intercept,
        intervals=tuple(sii_intervals),
        rii_intervals=tuple(rii_intervals),
        indicator_type=indicator_type,
        transform=transform,
        multiplier=multiplier,
        repetitions=repetitions,
        seed=seed,
        notes=tuple(notes),
    )
