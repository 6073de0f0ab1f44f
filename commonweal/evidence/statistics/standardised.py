"""Directly and indirectly standardised rates and ratios (no Django).

Reimplements the methods of PHEindicatormethods' calculate_dsr, calculate_ISRatio and calculate_ISRate
(UKHSA, GPL-3): the directly standardised rate with Dobson limits (Dobson et al., Stat Med 1991;
10:457-62) built on Byar's limits for the total count, with the Fingertips adjustment of the variance
for non-independent events; indirect standardisation with exact Poisson limits below 10 observed
events and Byar's from 10.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from commonweal.evidence.statistics.errors import StatisticsInputError
from commonweal.evidence.statistics.intervals import (
    ConfidenceInterval,
    HasIntervals,
    byars_limits,
    confidence_levels,
    format_multiplier,
    poisson_limits,
)

# The 2013 European Standard Population in 19 five-year bands, 0-4 to 90+ (Eurostat 2013), the
# standard Fingertips uses; PHEindicatormethods ships the same vector as `esp2013`.
EUROPEAN_STANDARD_POPULATION_2013 = (
    5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
    7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000,
)  # fmt: skip

# Fingertips does not publish a directly standardised rate from fewer than 10 events.
DSR_MINIMUM_EVENTS = 10


@dataclass(frozen=True)
class StandardisationBand:
    """One standardisation category (usually an age band) of the area being standardised.

    A missing count is taken as no events, as the Fingertips tools do.
    """

    count: float | None
    population: float
    standard_population: float


@dataclass(frozen=True)
class EventFrequencyBand:
    """One age band when a person can have several events (for example repeat admissions).

    `people_by_frequency` maps an event frequency (1, 2, 3, ...) to how many people had exactly that
    many events in the band; a missing number of people counts as none.
    """

    population: float
    standard_population: float
    people_by_frequency: Mapping[int, float | None]


@dataclass(frozen=True)
class DirectlyStandardisedRate(HasIntervals):
    """A directly standardised rate per multiplier; value and limits are None below 10 events."""

    total_count: float
    total_population: float
    multiplier: float
    value: float | None
    intervals: tuple[ConfidenceInterval, ...]
    method: str

    @property
    def statistic(self) -> str:
        """Describe the rate as Fingertips does, including why it was suppressed."""
        if self.value is None:
            return f"dsr NA for total count < {DSR_MINIMUM_EVENTS}"
        return f"dsr per {format_multiplier(self.multiplier)}"


@dataclass(frozen=True)
class IndirectBand:
    """One standardisation category for indirect standardisation; missing counts and populations are zero."""

    count: float | None
    population: float | None
    reference_count: float | None
    reference_population: float


@dataclass(frozen=True)
class IndirectlyStandardisedRatio(HasIntervals):
    """Observed over expected events times the reference value (1, or 100 for an SMR-style ratio)."""

    observed: float
    expected: float
    reference_value: float
    value: float
    intervals: tuple[ConfidenceInterval, ...]
    method: str

    @property
    def statistic(self) -> str:
        """Describe the ratio's scale, for example 'indirectly standardised ratio x 100'."""
        return f"indirectly standardised ratio x {format_multiplier(self.reference_value)}"


@dataclass(frozen=True)
class IndirectlyStandardisedRate(HasIntervals):
    """The reference rate scaled by observed over expected events, per multiplier population."""

    observed: float
    expected: float
    reference_rate: float
    multiplier: float
    value: float
    intervals: tuple[ConfidenceInterval, ...]
    method: str

    @property
    def statistic(self) -> str:
        """Describe the rate's scale, for example 'indirectly standardised rate per 100000'."""
        return f"indirectly standardised rate per {format_multiplier(self.multiplier)}"


def _finite(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StatisticsInputError(f"Every {name} must be a finite number; got {value!r}.")
    return float(value)


def _check_multiplier(multiplier: float) -> None:
    _finite("multiplier", multiplier)
    if multiplier <= 0:
        raise StatisticsInputError(f"The multiplier must be greater than zero; got {multiplier:g}.")


def _check_direct_band(population: float, standard_population: float) -> None:
    if _finite("population", population) <= 0:
        raise StatisticsInputError(
            f"Every population must be more than zero for a directly standardised rate; got {population:g}."
        )
    if _finite("standard population", standard_population) < 0:
        raise StatisticsInputError(f"Standard populations must be zero or more; got {standard_population:g}.")


def _count(value: float | None, what: str = "count") -> float:
    if value is None:
        return 0.0
    if _finite(what, value) < 0:
        raise StatisticsInputError(f"Every {what} must be zero or more; got {value:g}.")
    return float(value)


def _dobson_rate(
    weighted_rate_sum: float,
    variance_sum: float,
    total_count: float,
    total_population: float,
    standard_total: float,
    *,
    levels: tuple[float, ...],
    multiplier: float,
    method: str,
) -> DirectlyStandardisedRate:
    if total_count < DSR_MINIMUM_EVENTS:
        missing = tuple(ConfidenceInterval(level, None, None) for level in levels)
        return DirectlyStandardisedRate(total_count, total_population, multiplier, None, missing, method)
    if standard_total <= 0:
        raise StatisticsInputError("The standard populations must not all be zero.")
    value = weighted_rate_sum / standard_total * multiplier
    variance = variance_sum / standard_total**2
    # Dobson: move the rate by the Byar's limits of the total count, scaled by the rate's standard
    # error per event.
    scale = math.sqrt(variance / total_count) * multiplier
    intervals = []
    for level in levels:
        count_lower, count_upper = byars_limits(total_count, level)
        lower = None if count_lower is None else value + scale * (count_lower - total_count)
        intervals.append(ConfidenceInterval(level, lower, value + scale * (count_upper - total_count)))
    return DirectlyStandardisedRate(
        total_count, total_population, multiplier, value, tuple(intervals), method
    )


def directly_standardised_rate(
    bands: Sequence[StandardisationBand],
    *,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
) -> DirectlyStandardisedRate:
    """Return the directly standardised rate with Dobson limits (suppressed below 10 events)."""
    levels = confidence_levels(confidence)
    _check_multiplier(multiplier)
    if not bands:
        raise StatisticsInputError("A directly standardised rate needs at least one standardisation band.")
    weighted_rate_sum = variance_sum = total_count = total_population = standard_total = 0.0
    for band in bands:
        _check_direct_band(band.population, band.standard_population)
        count = _count(band.count)
        weight = band.standard_population / band.population
        weighted_rate_sum += count * weight
        variance_sum += count * weight**2
        total_count += count
        total_population += band.population
        standard_total += band.standard_population
    return _dobson_rate(
        weighted_rate_sum,
        variance_sum,
        total_count,
        total_population,
        standard_total,
        levels=levels,
        multiplier=multiplier,
        method="Dobson",
    )


def directly_standardised_rate_for_repeat_events(
    bands: Sequence[EventFrequencyBand],
    *,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
) -> DirectlyStandardisedRate:
    """Return a directly standardised rate whose Dobson limits allow for people with several events.

    Following the Fingertips technical guidance (DSR chapter, non-independent events), the variance
    is the sum over event frequencies f of f² times the variance computed from the people with f
    events; the rate itself counts every event.
    """
    levels = confidence_levels(confidence)
    _check_multiplier(multiplier)
    if not bands:
        raise StatisticsInputError("A directly standardised rate needs at least one standardisation band.")
    weighted_rate_sum = variance_sum = total_count = total_population = standard_total = 0.0
    for band in bands:
        _check_direct_band(band.population, band.standard_population)
        weight = band.standard_population / band.population
        events = 0.0
        for frequency, people in band.people_by_frequency.items():
            if isinstance(frequency, bool) or not isinstance(frequency, int) or frequency < 1:
                raise StatisticsInputError(
                    f"Event frequencies must be whole numbers from 1; got {frequency!r}."
                )
            people_count = _count(people, "number of people")
            events += frequency * people_count
            variance_sum += frequency**2 * people_count * weight**2
        weighted_rate_sum += events * weight
        total_count += events
        total_population += band.population
        standard_total += band.standard_population
    return _dobson_rate(
        weighted_rate_sum,
        variance_sum,
        total_count,
        total_population,
        standard_total,
        levels=levels,
        multiplier=multiplier,
        method="Dobson, with confidence adjusted for non-independent events",
    )


def _observed_and_expected(
    bands: Sequence[IndirectBand], observed_total: float | None
) -> tuple[float, float]:
    if not bands:
        raise StatisticsInputError("Indirect standardisation needs at least one standardisation band.")
    observed = expected = 0.0
    for band in bands:
        count = _count(band.count)
        population = _count(band.population, "population")
        reference_count = _count(band.reference_count, "reference count")
        if _finite("reference population", band.reference_population) <= 0:
            raise StatisticsInputError(
                f"Every reference population must be greater than zero; got {band.reference_population:g}."
            )
        observed += count
        expected += reference_count / band.reference_population * population
    if observed_total is not None:
        observed = _count(observed_total, "observed total")
    if expected <= 0:
        raise StatisticsInputError(
            "No events are expected from the reference rates, so a standardised ratio cannot be calculated."
        )
    return observed, expected


def _scaled_limits(
    observed: float, expected: float, scale: float, levels: tuple[float, ...]
) -> tuple[tuple[ConfidenceInterval, ...], str]:
    intervals = []
    method = ""
    for level in levels:
        lower, upper, method = poisson_limits(observed, level)
        scaled_lower = None if lower is None else lower / expected * scale
        intervals.append(ConfidenceInterval(level, scaled_lower, upper / expected * scale))
    return tuple(intervals), method


def indirectly_standardised_ratio(
    bands: Sequence[IndirectBand],
    *,
    observed_total: float | None = None,
    confidence: float | Sequence[float] = 0.95,
    reference_value: float = 1,
) -> IndirectlyStandardisedRatio:
    """Return observed/expected × reference value, with exact (under 10) or Byar's limits.

    Give `observed_total` when the area's events are known only in total, not by band.
    """
    levels = confidence_levels(confidence)
    if _finite("reference value", reference_value) <= 0:
        raise StatisticsInputError(f"The reference value must be greater than zero; got {reference_value:g}.")
    observed, expected = _observed_and_expected(bands, observed_total)
    intervals, method = _scaled_limits(observed, expected, reference_value, levels)
    value = observed / expected * reference_value
    return IndirectlyStandardisedRatio(observed, expected, reference_value, value, intervals, method)


def indirectly_standardised_rate(
    bands: Sequence[IndirectBand],
    *,
    observed_total: float | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
) -> IndirectlyStandardisedRate:
    """Return the reference rate × observed/expected per multiplier, with exact or Byar's limits."""
    levels = confidence_levels(confidence)
    _check_multiplier(multiplier)
    observed, expected = _observed_and_expected(bands, observed_total)
    reference_events = sum(_count(band.reference_count, "reference count") for band in bands)
    reference_rate = reference_events / sum(band.reference_population for band in bands) * multiplier
    intervals, method = _scaled_limits(observed, expected, reference_rate, levels)
    value = observed / expected * reference_rate
    return IndirectlyStandardisedRate(
        observed, expected, reference_rate, multiplier, value, intervals, method
    )
