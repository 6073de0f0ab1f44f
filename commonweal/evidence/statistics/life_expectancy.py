"""Life expectancy from an abridged life table (Chiang II) with Silcocks confidence limits (no Django).

Reimplements the method of PHEindicatormethods' phe_life_expectancy (UKHSA, GPL-3) and the PHE Life
Expectancy Calculator: Chiang's abridged life table (Chiang 1968; Newell 1994) with a fraction of
the interval lived by those who die of 0.1 for the first year of life and 0.5 otherwise, and the
variance including the final open interval as Silcocks, Jenner & Reza propose (J Epidemiol Community
Health 2001;55:38-43). As in Fingertips, nothing is calculated for a population of 5,000 or fewer,
and a value whose 95% interval is wider than 20 years is suppressed (its limits are still shown).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from commonweal.evidence.statistics.errors import StatisticsInputError
from commonweal.evidence.statistics.intervals import (
    ConfidenceInterval,
    HasIntervals,
    confidence_levels,
    two_sided_z,
)

# The ONS abridged table: under 1, 1-4, then five-year bands to the open 90+ band.
STANDARD_START_AGES = (0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90)
MINIMUM_TOTAL_POPULATION = 5000
MAXIMUM_INTERVAL_WIDTH_YEARS = 20
_RADIX = 100_000.0


@dataclass(frozen=True)
class AgeBandDeaths:
    """Deaths and person-years of population in the age band that starts at `start_age`."""

    start_age: int
    population: float
    deaths: float


@dataclass(frozen=True)
class LifeExpectancy(HasIntervals):
    """Life expectancy at `start_age`; value is None when suppressed (see `note`), limits may remain."""

    start_age: int
    value: float | None
    intervals: tuple[ConfidenceInterval, ...]
    standard_error: float
    population_used: float
    deaths_used: float
    note: str | None = None
    method: str = "Chiang, using Silcocks et al for confidence limits"


def _validate(bands: Sequence[AgeBandDeaths], start_ages: Sequence[int]) -> list[AgeBandDeaths]:
    if list(start_ages) != sorted(set(start_ages)) or not start_ages or start_ages[0] != 0:
        raise StatisticsInputError("The age bands must start at 0 and rise, each start age appearing once.")
    by_age: dict[int, AgeBandDeaths] = {}
    for band in bands:
        if band.start_age in by_age:
            raise StatisticsInputError(f"The age band starting at {band.start_age} appears more than once.")
        by_age[band.start_age] = band
    missing = [age for age in start_ages if age not in by_age]
    unexpected = sorted(set(by_age) - set(start_ages))
    if missing or unexpected:
        parts = []
        if missing:
            parts.append("missing bands starting at " + ", ".join(str(age) for age in missing))
        if unexpected:
            parts.append("unexpected bands starting at " + ", ".join(str(age) for age in unexpected))
        raise StatisticsInputError("Life expectancy needs every age band: " + "; ".join(parts) + ".")
    ordered = [by_age[age] for age in start_ages]
    for band in ordered:
        for name, number in (("deaths", band.deaths), ("population", band.population)):
            if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
                raise StatisticsInputError(f"The {name} for ages {band.start_age}+ must be a number.")
        if band.deaths < 0:
            raise StatisticsInputError(
                f"The deaths for ages {band.start_age}+ are negative ({band.deaths:g})."
            )
        if band.population <= 0:
            raise StatisticsInputError(
                f"The population for ages {band.start_age}+ must be more than zero; got {band.population:g}."
            )
        if band.deaths > band.population:
            raise StatisticsInputError(
                f"The deaths for ages {band.start_age}+ ({band.deaths:g}) exceed the population "
                f"({band.population:g})."
            )
    if ordered[-1].deaths <= 0:
        raise StatisticsInputError(
            f"The final open age band ({start_ages[-1]}+) needs at least one death for life expectancy."
        )
    return ordered


def life_expectancy(
    bands: Sequence[AgeBandDeaths],
    *,
    start_ages: Sequence[int] = STANDARD_START_AGES,
    confidence: float | Sequence[float] = 0.95,
) -> tuple[LifeExpectancy, ...]:
    """Return life expectancy at the start of every age band, with Silcocks limits."""
    levels = confidence_levels(confidence)
    ordered = _validate(bands, start_ages)
    count = len(ordered)
    deaths = [band.deaths for band in ordered]
    populations = [band.population for band in ordered]
    rates = [death / population for death, population in zip(deaths, populations, strict=True)]
    widths = [float(start_ages[i + 1] - start_ages[i]) for i in range(count - 1)] + [2 / rates[-1]]
    fractions = [0.1 if age == 0 else 0.5 for age in start_ages]

    death_probabilities = []
    for i in range(count):
        width, fraction = widths[i], fractions[i]
        if deaths[i] <= populations[i] / width / fraction:
            death_probabilities.append(rates[i] * width / (1 + rates[i] * width * (1 - fraction)))
        else:
            death_probabilities.append(1.0)
    survivors = [_RADIX]
    for probability in death_probabilities[:-1]:
        survivors.append(survivors[-1] * (1 - probability))
    dying = [survivors[i] - (survivors[i + 1] if i + 1 < count else 0.0) for i in range(count)]
    years_lived = [
        widths[i] * (survivors[i + 1] + fractions[i] * dying[i]) if i + 1 < count else survivors[i] / rates[i]
        for i in range(count)
    ]
    years_remaining = [math.fsum(years_lived[i:]) for i in range(count)]
    expectancies = [0.0 if survivors[i] == 0 else years_remaining[i] / survivors[i] for i in range(count)]

    weighted_variances = []
    for i in range(count):
        if i + 1 < count:
            variance = (
                0.0
                if dying[i] == 0
                else death_probabilities[i] ** 2 * (1 - death_probabilities[i]) / deaths[i]
            )
            weighted_variances.append(
                variance * survivors[i] ** 2 * ((1 - fractions[i]) * widths[i] + expectancies[i + 1]) ** 2
            )
        else:
            # Silcocks et al.: the open interval's variance depends on its death rate, not on a
            # survival probability that Chiang takes as fixed.
            weighted_variances.append((survivors[i] / 2) ** 2 * 4 / (deaths[i] * rates[i] ** 2))
    total_population = math.fsum(populations)
    results = []
    z_95 = two_sided_z(0.95)
    for i in range(count):
        standard_error = math.sqrt(math.fsum(weighted_variances[i:]) / survivors[i] ** 2)
        population_used, deaths_used = math.fsum(populations[i:]), math.fsum(deaths[i:])
        if total_population <= MINIMUM_TOTAL_POPULATION:
            missing = tuple(ConfidenceInterval(level, None, None) for level in levels)
            note: str | None = (
                f"Not calculated: the total population is {MINIMUM_TOTAL_POPULATION:,} or fewer."
            )
            results.append(
                LifeExpectancy(
                    start_ages[i], None, missing, standard_error, population_used, deaths_used, note
                )
            )
            continue
        intervals = tuple(
            ConfidenceInterval(
                level,
                expectancies[i] - two_sided_z(level) * standard_error,
                expectancies[i] + two_sided_z(level) * standard_error,
            )
            for level in levels
        )
        value: float | None = expectancies[i]
        note = None
        if 2 * z_95 * standard_error > MAXIMUM_INTERVAL_WIDTH_YEARS:
            value = None
            note = (
                f"Suppressed: the 95% confidence interval is wider than {MAXIMUM_INTERVAL_WIDTH_YEARS} years."
            )
        results.append(
            LifeExpectancy(
                start_ages[i], value, intervals, standard_error, population_used, deaths_used, note
            )
        )
    return tuple(results)
