"""Funnel-plot control limits and the significance of each point against them (no Django).

Reimplements the methods of PHEindicatormethods' calculate_funnel_limits, assign_funnel_significance
and calculate_funnel_points (UKHSA, GPL-3), which follow the Fingertips technical guidance: limits at
95% ("2 sigma", 0.025 in each tail) and 99.8% ("3 sigma", 0.001 in each tail) around the overall
average, with a Wilson-score adjustment for proportions and exact Poisson limits for ratios and rates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import stats

from commonweal.evidence.statistics.errors import StatisticsInputError

_POINTS = 100
# The bisection that finds each Poisson funnel point stops when its step falls to this size, as the
# Fingertips funnel macro (and PHEindicatormethods after it) does.
_BISECTION_STEP = 1e-7


class FunnelSignificance(StrEnum):
    """Where a point lies against the funnel limits, with the Fingertips wording."""

    HIGH_99_8 = "High (0.001)"
    HIGH_95 = "High (0.025)"
    LOW_99_8 = "Low (0.001)"
    LOW_95 = "Low (0.025)"
    NOT_SIGNIFICANT = "Not significant"
    NOT_APPLICABLE = "Not applicable for events less than 10 for dsrs"


class RatioType(StrEnum):
    """How a ratio funnel is expressed: observed/expected − 1, or an indirectly standardised ratio × 100."""

    COUNT = "count"
    ISR = "isr"


class RateType(StrEnum):
    """Whether rates on a funnel are directly standardised or crude."""

    DSR = "dsr"
    CRUDE = "crude"


@dataclass(frozen=True)
class FunnelLimit:
    """One control limit at one x position, and where a Poisson limit sits on the denominator scale.

    For ratios it is the expected events, for rates the population per year; proportions leave it None.
    """

    value: float
    denominator: float | None = None


@dataclass(frozen=True)
class FunnelPoint:
    """The four control limits at one x position (population, or observed events for ratios and rates)."""

    x: float
    lower_95: FunnelLimit
    upper_95: FunnelLimit
    lower_99_8: FunnelLimit
    upper_99_8: FunnelLimit


@dataclass(frozen=True)
class FunnelLimits:
    """A hundred points to draw the funnel, and the average line (None for ratios, which centre on 1)."""

    statistic: str
    method: str
    baseline: float | None
    points: tuple[FunnelPoint, ...]


@dataclass(frozen=True)
class RateChartPoint:
    """Where an area is drawn on a rate funnel: its rate and its population per year (None if not shown)."""

    rate: float | None
    population_per_year: float | None


def _numbers(name: str, values: Sequence[float]) -> list[float]:
    checked = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise StatisticsInputError(f"Every {name} must be a finite number; got {value!r}.")
        checked.append(float(value))
    return checked


def _pairs(
    numerators: Sequence[float], denominators: Sequence[float], *, numerator_name: str, denominator_name: str
) -> tuple[list[float], list[float]]:
    if len(numerators) != len(denominators):
        raise StatisticsInputError(f"Each {numerator_name} needs a {denominator_name}.")
    if not numerators:
        raise StatisticsInputError("A funnel plot needs at least one area.")
    tops, bottoms = _numbers(numerator_name, numerators), _numbers(denominator_name, denominators)
    if any(value < 0 for value in tops):
        raise StatisticsInputError(f"Every {numerator_name} must be zero or more.")
    if any(value <= 0 for value in bottoms):
        raise StatisticsInputError(f"Every {denominator_name} must be greater than zero.")
    return tops, bottoms


def _r_character_length(whole_number: float) -> int:
    # R's nchar() of a whole number counts the characters R prints, and R prints "1e+05" rather
    # than "100000" whenever the scientific form is strictly shorter.
    digits = str(int(whole_number))
    significant = digits.rstrip("0") or "0"
    mantissa = len(significant) if len(significant) == 1 else len(significant) + 1
    exponent = len(digits) - 1
    scientific = mantissa + 2 + max(2, len(str(exponent)))
    return scientific if scientific < len(digits) else len(digits)


def _round_down_for_axis(value: float) -> float:
    if value == 0:
        return 0.0
    places = _r_character_length(math.floor(value * 0.95)) - 1
    return math.floor(value * 0.95 / 10**places) * 10**places


def _round_up_for_axis(value: float) -> float:
    if value == 0:
        return 0.0
    places = _r_character_length(math.ceil(value * 1.05)) - 2
    return math.ceil(value * 1.05 / 10**places) * 10**places


def _axis_points(minimum: float, maximum: float, *, ratio: bool) -> list[float]:
    points = [max(1.0, minimum)]
    for index in range(2, _POINTS + 1):
        offset = index - 1 if ratio else index
        previous = points[-1]
        points.append(
            max(float(round((maximum / previous) ** (1 / (101 - offset)) * previous)), previous + 1)
        )
    return points


def _wilson_funnel(
    probability: float, population: float, average: float, *, high: bool, multiplier: float
) -> float:
    z_squared = float(stats.norm.ppf(probability)) ** 2
    first = average * (population / z_squared + 1)
    root = math.sqrt(
        (-8 * average * (population / z_squared + 1)) ** 2
        - 64
        * (1 / z_squared + 1 / population)
        * average
        * (population * (average * (population / z_squared + 2) - 1) + z_squared * (average - 1))
    )
    last = 1 / z_squared + 1 / population
    bound = (first + root / 8) / last if high else (first - root / 8) / last
    return bound / population * multiplier


def _truncated_poisson_probability(counts: np.ndarray, means: np.ndarray, *, at_least: bool) -> np.ndarray:
    """P(K >= count) or P(K <= count) for K ~ Poisson(mean), summed as the Fingertips funnel macro sums it.

    The macro adds terms k = 0, 1, 2, ... and stops at the first k above the mean whose term is at
    most 1e-10 of the running total, then divides by that total. The neglected tail (a few 1e-10)
    is enough to move a 0.001 tail probability across a bisection step, so it is reproduced here.
    """
    start = np.floor(means) + 1
    width = int(np.ceil(14 * np.sqrt(means.max()) + 60))
    ks = start[:, None] + np.arange(width)[None, :]
    terms = stats.poisson.pmf(ks, means[:, None])
    totals_before = stats.poisson.cdf(ks - 1, means[:, None])
    stops = terms <= 1e-10 * totals_before
    if not stops.any(axis=1).all():
        raise StatisticsInputError("The Poisson funnel sum did not converge; the counts are too large.")
    last_included = ks[np.arange(len(ks)), stops.argmax(axis=1)] - 1
    beyond = stats.poisson.sf(last_included, means)
    total = 1 - beyond
    if at_least:
        return np.asarray(np.maximum(stats.poisson.sf(counts - 1, means) - beyond, 0.0) / total)
    return np.asarray(stats.poisson.cdf(np.minimum(counts, last_included), means) / total)


def _poisson_funnel(observed: Sequence[float], tail: float, *, high: bool) -> np.ndarray:
    """The mean at which `observed` sits on the tail probability, found by the funnel macro's bisection."""
    counts = np.asarray(observed, dtype=float)
    fraction = np.full(counts.shape, 0.5)
    step = 0.5
    while step > _BISECTION_STEP:
        step /= 2
        means = (1 + counts) * fraction / (1 - fraction)
        if high:
            move_down = _truncated_poisson_probability(counts, means, at_least=False) < tail
        else:
            move_down = _truncated_poisson_probability(counts, means, at_least=True) > tail
        fraction = np.where(move_down, fraction - step, fraction + step)
    return (1 + counts) * fraction / (1 - fraction)


def proportion_funnel_limits(
    numerators: Sequence[float], denominators: Sequence[float], *, multiplier: float = 100
) -> FunnelLimits:
    """Return funnel limits for proportions around the pooled proportion, on the multiplier's scale."""
    tops, bottoms = _pairs(
        numerators, denominators, numerator_name="numerator", denominator_name="denominator"
    )
    if any(top > bottom for top, bottom in zip(tops, bottoms, strict=True)):
        raise StatisticsInputError("A numerator is larger than its denominator; proportions cannot exceed 1.")
    average = sum(tops) / sum(bottoms)
    smallest, largest = min(bottoms), max(bottoms)
    axis_minimum = 0.0 if largest > 2 * smallest else _round_down_for_axis(smallest)
    points = []
    for population in _axis_points(axis_minimum, _round_up_for_axis(largest), ratio=False):
        # The upper limits are capped at the whole (100 on a percentage scale), the lower at zero.
        def limit(probability: float, *, high: bool, population: float = population) -> FunnelLimit:
            value = _wilson_funnel(probability, population, average, high=high, multiplier=multiplier)
            return FunnelLimit(min(multiplier, value) if high else max(0.0, value))

        points.append(
            FunnelPoint(
                population,
                limit(0.975, high=False),
                limit(0.975, high=True),
                limit(0.999, high=False),
                limit(0.999, high=True),
            )
        )
    return FunnelLimits("proportion", "Wilson", average * multiplier, tuple(points))


def ratio_funnel_limits(
    observed: Sequence[float], expected: Sequence[float], *, ratio_type: RatioType = RatioType.ISR
) -> FunnelLimits:
    """Return exact Poisson funnel limits for observed/expected ratios."""
    ratio_type = RatioType(ratio_type)
    _, bottoms = _pairs(
        observed, expected, numerator_name="observed count", denominator_name="expected count"
    )
    smallest, largest = min(bottoms), max(bottoms)
    axis_minimum = 0.0 if largest > 2 * smallest else _round_down_for_axis(smallest)
    events = _axis_points(axis_minimum, _round_up_for_axis(largest), ratio=True)
    columns = []
    for tail, high in ((0.025, True), (0.025, False), (0.001, True), (0.001, False)):
        # The lower limit sits where the observed count is the upper tail of the expected, and vice versa.
        expected_events = _poisson_funnel(events, tail, high=high)
        limits = []
        for count, denominator in zip(events, expected_events, strict=True):
            ratio = count / float(denominator)
            limits.append(
                FunnelLimit(ratio - 1 if ratio_type is RatioType.COUNT else ratio * 100, float(denominator))
            )
        columns.append(limits)
    points = tuple(FunnelPoint(x, *limits) for x, *limits in zip(events, *columns, strict=True))
    return FunnelLimits(f"ratio ({ratio_type})", "Poisson", None, points)


def _derived_denominators(
    events: list[float],
    rates: list[float | None],
    denominators: list[float] | None,
    rate_type: RateType,
    multiplier: float,
) -> list[float | None]:
    derived: list[float | None] = []
    for index, (count, value) in enumerate(zip(events, rates, strict=True)):
        if count == 0:
            if rate_type is RateType.DSR:
                derived.append(None)
            elif denominators is None:
                raise StatisticsInputError(
                    "An area with no events needs its denominator: a zero rate does not show the population."
                )
            else:
                derived.append(denominators[index])
        else:
            if value is None or value <= 0:
                raise StatisticsInputError("An area with events must have a rate greater than zero.")
            derived.append(multiplier * count / value)
    return derived


def _rate_inputs(
    events: Sequence[float],
    rates: Sequence[float | None],
    denominators: Sequence[float] | None,
    multiplier: float,
) -> tuple[list[float], list[float | None], list[float] | None]:
    if len(events) != len(rates) or (denominators is not None and len(denominators) != len(events)):
        raise StatisticsInputError("Each area needs an event count and a rate (and a denominator, if given).")
    if not events:
        raise StatisticsInputError("A funnel plot needs at least one area.")
    counts = _numbers("event count", events)
    if any(count < 0 for count in counts):
        raise StatisticsInputError("Every event count must be zero or more.")
    values: list[float | None] = []
    for count, value in zip(counts, rates, strict=True):
        if value is None and count > 0:
            raise StatisticsInputError("Every area with events needs its rate.")
        values.append(None if value is None else _numbers("rate", [value])[0])
    bottoms = None if denominators is None else _numbers("denominator", denominators)
    if bottoms is not None and any(value <= 0 for value in bottoms):
        raise StatisticsInputError("Every denominator must be greater than zero.")
    if not math.isfinite(multiplier) or multiplier <= 0:
        raise StatisticsInputError(f"The multiplier must be greater than zero; got {multiplier!r}.")
    return counts, values, bottoms


def rate_funnel_limits(
    events: Sequence[float],
    rates: Sequence[float | None],
    *,
    rate_type: RateType,
    multiplier: float,
    years_of_data: float,
    denominators: Sequence[float] | None = None,
) -> FunnelLimits:
    """Return exact Poisson funnel limits for rates; populations are per year of data."""
    rate_type = RateType(rate_type)
    if years_of_data <= 0:
        raise StatisticsInputError(f"The years of data must be greater than zero; got {years_of_data!r}.")
    counts, values, bottoms = _rate_inputs(events, rates, denominators, multiplier)
    derived = [
        value
        for value in _derived_denominators(counts, values, bottoms, rate_type, multiplier)
        if value is not None
    ]
    if not derived:
        raise StatisticsInputError("No area has events, so there is no average rate to draw a funnel around.")
    average = sum(counts) / sum(derived)
    smallest, largest = min(derived), max(derived)
    if largest > 2 * smallest:
        axis_minimum = 0.0
    else:
        axis_minimum = _round_down_for_axis(smallest / years_of_data) * years_of_data
    axis_maximum = _round_up_for_axis(largest / years_of_data) * years_of_data
    x_values = _axis_points(
        math.floor(axis_minimum * average), math.ceil(axis_maximum * average), ratio=False
    )
    columns = []
    for tail, high in ((0.025, True), (0.025, False), (0.001, True), (0.001, False)):
        populations = _poisson_funnel(x_values, tail, high=high) / average
        columns.append(
            [
                FunnelLimit(count / float(population) * multiplier, float(population) / years_of_data)
                for count, population in zip(x_values, populations, strict=True)
            ]
        )
    points = tuple(FunnelPoint(x, *limits) for x, *limits in zip(x_values, *columns, strict=True))
    label = (
        f"rate ({rate_type} per {int(multiplier):,})"
        if float(multiplier).is_integer()
        else f"rate ({rate_type} per {multiplier})"
    )
    return FunnelLimits(label, "Poisson", average * multiplier, points)


def rate_funnel_points(
    events: Sequence[float],
    rates: Sequence[float | None],
    *,
    rate_type: RateType,
    multiplier: float,
    years_of_data: float,
    denominators: Sequence[float] | None = None,
) -> tuple[RateChartPoint, ...]:
    """Return where each area sits on a rate funnel; DSRs from under 10 events are left off."""
    rate_type = RateType(rate_type)
    if years_of_data <= 0:
        raise StatisticsInputError(f"The years of data must be greater than zero; got {years_of_data!r}.")
    counts, values, bottoms = _rate_inputs(events, rates, denominators, multiplier)
    points = []
    for index, (count, value) in enumerate(zip(counts, values, strict=True)):
        if rate_type is RateType.DSR and count < 10:
            points.append(RateChartPoint(None, None))
        elif count == 0 and bottoms is not None:
            points.append(RateChartPoint(value, bottoms[index] / years_of_data))
        elif count == 0:
            raise StatisticsInputError(
                "An area with no events needs its denominator: a zero rate does not show the population."
            )
        else:
            if value is None or value <= 0:
                raise StatisticsInputError("An area with events must have a rate greater than zero.")
            points.append(RateChartPoint(value, multiplier * count / value / years_of_data))
    return tuple(points)


def proportion_funnel_significance(
    numerators: Sequence[float], denominators: Sequence[float]
) -> tuple[FunnelSignificance, ...]:
    """Classify each proportion against the funnel around the pooled proportion."""
    tops, bottoms = _pairs(
        numerators, denominators, numerator_name="numerator", denominator_name="denominator"
    )
    if any(top > bottom for top, bottom in zip(tops, bottoms, strict=True)):
        raise StatisticsInputError("A numerator is larger than its denominator; proportions cannot exceed 1.")
    average = sum(tops) / sum(bottoms)
    result = []
    for top, bottom in zip(tops, bottoms, strict=True):
        share = top / bottom
        if share < _wilson_funnel(0.999, bottom, average, high=False, multiplier=1):
            result.append(FunnelSignificance.LOW_99_8)
        elif share < _wilson_funnel(0.975, bottom, average, high=False, multiplier=1):
            result.append(FunnelSignificance.LOW_95)
        elif share > _wilson_funnel(0.999, bottom, average, high=True, multiplier=1):
            result.append(FunnelSignificance.HIGH_99_8)
        elif share > _wilson_funnel(0.975, bottom, average, high=True, multiplier=1):
            result.append(FunnelSignificance.HIGH_95)
        else:
            result.append(FunnelSignificance.NOT_SIGNIFICANT)
    return tuple(result)


def _poisson_ratio_limit(observed: float, expected: float, confidence: float, *, high: bool) -> float:
    """The exact (under 10 events) or Byar's limit of observed/expected at one confidence level."""
    if observed == 0 and not high:
        return 0.0
    quantile = 0.5 + confidence / 2
    if observed < 10:
        if high:
            limit = float(stats.chi2.ppf(quantile, 2 * observed + 2)) / 2
        else:
            limit = float(stats.chi2.isf(quantile, 2 * observed)) / 2
    else:
        z = float(stats.norm.ppf(quantile))
        if high:
            shifted = observed + 1
            limit = shifted * (1 - 1 / (9 * shifted) + z / 3 / math.sqrt(shifted)) ** 3
        else:
            limit = observed * (1 - 1 / (9 * observed) - z / 3 / math.sqrt(observed)) ** 3
    return limit / expected


def _classify_against(reference: float, observed: float, expected: float) -> FunnelSignificance:
    if reference < _poisson_ratio_limit(observed, expected, 0.998, high=False):
        return FunnelSignificance.HIGH_99_8
    if reference < _poisson_ratio_limit(observed, expected, 0.95, high=False):
        return FunnelSignificance.HIGH_95
    if reference > _poisson_ratio_limit(observed, expected, 0.998, high=True):
        return FunnelSignificance.LOW_99_8
    if reference > _poisson_ratio_limit(observed, expected, 0.95, high=True):
        return FunnelSignificance.LOW_95
    return FunnelSignificance.NOT_SIGNIFICANT


def ratio_funnel_significance(
    observed: Sequence[float], expected: Sequence[float]
) -> tuple[FunnelSignificance, ...]:
    """Classify each observed/expected ratio: is 1 outside its 95% or 99.8% limits?"""
    counts, bottoms = _pairs(
        observed, expected, numerator_name="observed count", denominator_name="expected count"
    )
    return tuple(_classify_against(1.0, count, bottom) for count, bottom in zip(counts, bottoms, strict=True))


def rate_funnel_significance(
    events: Sequence[float],
    rates: Sequence[float | None],
    *,
    rate_type: RateType,
    multiplier: float,
    denominators: Sequence[float] | None = None,
) -> tuple[FunnelSignificance, ...]:
    """Classify each rate against the events-weighted average; DSRs under 10 events are not classified."""
    rate_type = RateType(rate_type)
    counts, values, bottoms = _rate_inputs(events, rates, denominators, multiplier)
    derived = _derived_denominators(counts, values, bottoms, rate_type, multiplier)
    known = [value for value in derived if value is not None]
    if not known:
        raise StatisticsInputError("No area has events, so there is no average rate to compare with.")
    average = sum(counts) / sum(known)
    result = []
    for count, denominator in zip(counts, derived, strict=True):
        if rate_type is RateType.DSR and count < 10:
            result.append(FunnelSignificance.NOT_APPLICABLE)
        elif denominator is None:
            result.append(FunnelSignificance.NOT_SIGNIFICANT)
        else:
            result.append(_classify_against(average, count, denominator))
    return tuple(result)
