"""Confidence levels and limits for counts and proportions (no Django).

Wilson score limits for proportions (Wilson 1927; Newcombe & Altman 2000), Byar's approximation for
Poisson counts (Breslow & Day 1987) and exact Poisson limits from the chi-square distribution
(Armitage & Berry 2002), as used across PHEindicatormethods and the Fingertips technical guidance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

from commonweal.evidence.statistics.errors import StatisticsInputError

# Fingertips publishes 95% and 99.8% limits; the dashboards show both.
STANDARD_CONFIDENCE_LEVELS = (0.95, 0.998)

# Below this many events Byar's approximation is poor and the exact Poisson limits are used.
EXACT_POISSON_BELOW = 10


@dataclass(frozen=True)
class ConfidenceInterval:
    """Lower and upper limits at one confidence level; a limit is None when it cannot be calculated."""

    confidence: float
    lower: float | None
    upper: float | None


class HasIntervals:
    """Mixin for estimates that carry one interval per requested confidence level."""

    intervals: tuple[ConfidenceInterval, ...]

    def interval(self, confidence: float) -> ConfidenceInterval:
        """Return the interval at a confidence level given as 0.95 or 95."""
        wanted = confidence_level(confidence)
        for interval in self.intervals:
            if math.isclose(interval.confidence, wanted, rel_tol=0, abs_tol=1e-12):
                return interval
        raise StatisticsInputError(
            f"No {format_confidence(wanted)} interval was calculated for this estimate."
        )


def format_confidence(level: float) -> str:
    """Show a confidence level the way Fingertips labels it: 0.95 → '95%', 0.998 → '99.8%'."""
    return f"{round(level * 100, 10):g}%"


def confidence_level(level: float) -> float:
    """Return a confidence level as a fraction, accepting 0.95 or 95 as PHE's tools do."""
    if isinstance(level, bool) or not isinstance(level, int | float) or math.isnan(level):
        raise StatisticsInputError(f"The confidence level must be a number; got {level!r}.")
    if 90 <= level < 100:
        return level / 100
    if 0.9 <= level < 1:
        return float(level)
    raise StatisticsInputError(
        f"The confidence level must be at least 0.9 and below 1 (or from 90 to below 100); got {level:g}."
    )


def confidence_levels(confidence: float | Sequence[float]) -> tuple[float, ...]:
    """Normalise one level or several levels to a tuple of fractions, keeping their order."""
    levels = (confidence,) if isinstance(confidence, int | float) else tuple(confidence)
    if not levels:
        raise StatisticsInputError("At least one confidence level is needed.")
    normalised = tuple(confidence_level(level) for level in levels)
    if len(set(normalised)) != len(normalised):
        raise StatisticsInputError("Each confidence level may be requested only once.")
    return normalised


def two_sided_z(confidence: float) -> float:
    """Return the standard normal quantile that leaves (1 - confidence)/2 in each tail."""
    return float(stats.norm.ppf(confidence + (1 - confidence) / 2))


def wilson_limits(successes: float, trials: float, confidence: float) -> tuple[float, float]:
    """Wilson score limits for successes/trials as fractions, at a level given as 0.95 or 95."""
    if successes < 0:
        raise StatisticsInputError(f"Numerators must be zero or more; got {successes:g}.")
    if trials <= 0:
        raise StatisticsInputError(f"Denominators must be greater than zero; got {trials:g}.")
    if successes > trials:
        raise StatisticsInputError(
            f"The numerator ({successes:g}) is larger than the denominator ({trials:g}); "
            "a proportion cannot be more than 1."
        )
    z = two_sided_z(confidence_level(confidence))
    spread = z * math.sqrt(z**2 + 4 * successes * (1 - successes / trials))
    lower = (2 * successes + z**2 - spread) / 2 / (trials + z**2)
    upper = (2 * successes + z**2 + spread) / 2 / (trials + z**2)
    return lower, upper


def byars_limits(count: float, confidence: float) -> tuple[float | None, float]:
    """Byar's limits for a Poisson count; the lower limit is None where the approximation goes negative."""
    if count < 0:
        raise StatisticsInputError(f"Counts must be zero or more; got {count:g}.")
    z = two_sided_z(confidence_level(confidence))
    lower: float | None = None
    if count > 0:
        lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
        if lower < 0:
            lower = None
    upper_count = count + 1
    upper = upper_count * (1 - 1 / (9 * upper_count) + z / (3 * math.sqrt(upper_count))) ** 3
    return lower, upper


def exact_poisson_limits(count: float, confidence: float) -> tuple[float, float]:
    """Exact Poisson limits for a count from the chi-square distribution."""
    if count < 0:
        raise StatisticsInputError(f"Counts must be zero or more; got {count:g}.")
    confidence = confidence_level(confidence)
    tail = (1 - confidence) / 2
    lower = 0.0 if count == 0 else float(stats.chi2.ppf(tail, 2 * count)) / 2
    upper = float(stats.chi2.ppf(confidence + tail, 2 * count + 2)) / 2
    return lower, upper


def poisson_limits(count: float, confidence: float) -> tuple[float | None, float, str]:
    """Limits for a count by the Fingertips rule (exact below 10 events, else Byar's) and the method."""
    if count < EXACT_POISSON_BELOW:
        lower, upper = exact_poisson_limits(count, confidence)
        return lower, upper, "Exact"
    byars_lower, byars_upper = byars_limits(count, confidence)
    return byars_lower, byars_upper, "Byars"


def format_multiplier(multiplier: float) -> str:
    """Write a multiplier without scientific notation, as the Fingertips statistic labels do."""
    if float(multiplier).is_integer():
        return str(int(multiplier))
    return repr(float(multiplier))
