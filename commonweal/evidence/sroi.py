"""Social return on investment: impact, present value, SROI ratio and sensitivity analysis (no Django).

Follows "A guide to Social Return on Investment" (Cabinet Office / SROI Network, 2009, updated
January 2012; now Social Value UK), stages 4 and 5:

- impact of an outcome = quantity × financial proxy × (1 − deadweight) × (1 − displacement)
  × (1 − attribution), the value in its first year;
- in each later year of the outcome's duration the value falls by the drop-off:
  value(t) = value(t − 1) × (1 − drop-off);
- present value = Σ value(t) / (1 + r)^t for years t = 1 … duration, with r the discount rate
  (3.5%, the HM Treasury Green Book rate, by default);
- net present value = present value − value of inputs; SROI ratio = present value / value of inputs;
  net SROI ratio = net present value / value of inputs;
- payback period in months = value of inputs / (annual impact / 12);
- sensitivity analysis changes one assumption at a time and reports the ratio, and how far each
  assumption would have to move for the ratio to fall (or rise) to 1:1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from commonweal.evidence.statistics.errors import StatisticsInputError

# HM Treasury Green Book standard social time preference rate.
GREEN_BOOK_DISCOUNT_RATE = 0.035
# The Green Book's lower rate for health effects; used as the low alternative in sensitivity tests.
GREEN_BOOK_HEALTH_DISCOUNT_RATE = 0.015
MAXIMUM_DURATION_YEARS = 100


class SroiInputError(StatisticsInputError):
    """Raised when an SROI model cannot be calculated; the message says which entry to correct."""


@dataclass(frozen=True)
class Input:
    """Something invested in the activity (money, or the value of time or goods), for one stakeholder."""

    stakeholder: str
    description: str
    value: float


@dataclass(frozen=True)
class FinancialProxy:
    """The money value given to one unit of an outcome, and where that value comes from."""

    value: float
    source: str


@dataclass(frozen=True)
class Outcome:
    """One outcome for one stakeholder, with the assumptions the SROI guide asks for.

    Deadweight, displacement, attribution and drop-off are fractions between 0 and 1; duration is
    the number of years the outcome lasts (the first year included).
    """

    stakeholder: str
    name: str
    indicator: str
    quantity: float
    proxy: FinancialProxy
    duration_years: int
    deadweight: float = 0.0
    displacement: float = 0.0
    attribution: float = 0.0
    drop_off: float = 0.0


@dataclass(frozen=True)
class SroiModel:
    """An impact map: the inputs, the outcomes and the discount rate."""

    inputs: tuple[Input, ...]
    outcomes: tuple[Outcome, ...]
    discount_rate: float = GREEN_BOOK_DISCOUNT_RATE


@dataclass(frozen=True)
class OutcomeValue:
    """An outcome's impact in its first year, its value in each year, and their present value."""

    outcome: Outcome
    impact: float
    values_by_year: tuple[float, ...]
    present_value: float


@dataclass(frozen=True)
class SroiResult:
    """Totals for the whole model; `ratio` is None when nothing was invested."""

    total_inputs: float
    outcomes: tuple[OutcomeValue, ...]
    values_by_year: tuple[float, ...]
    present_values_by_year: tuple[float, ...]
    present_value: float
    net_present_value: float
    ratio: float | None
    net_ratio: float | None
    payback_months: float | None


class Assumption(StrEnum):
    """The assumptions a sensitivity analysis varies."""

    QUANTITY = "quantity"
    FINANCIAL_PROXY = "financial_proxy"
    DURATION = "duration_years"
    DEADWEIGHT = "deadweight"
    DISPLACEMENT = "displacement"
    ATTRIBUTION = "attribution"
    DROP_OFF = "drop_off"
    DISCOUNT_RATE = "discount_rate"


@dataclass(frozen=True)
class SensitivityCase:
    """The SROI ratio when one assumption (of one outcome, or the discount rate) takes another value."""

    assumption: Assumption
    outcome: str | None
    baseline_value: float
    tested_value: float
    ratio: float
    change_in_ratio: float


@dataclass(frozen=True)
class BreakEven:
    """The value of one assumption at which the SROI ratio is 1:1, or None if no valid value gets there."""

    assumption: Assumption
    outcome: str | None
    baseline_value: float
    value_at_one_to_one: float | None


@dataclass(frozen=True)
class SensitivityAnalysis:
    """The baseline ratio, one case per assumption changed, and the break-even value of each assumption."""

    baseline_ratio: float
    cases: tuple[SensitivityCase, ...]
    break_even: tuple[BreakEven, ...]


def _number(label: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SroiInputError(f"{label} must be a number; got {value!r}.")
    return float(value)


def _fraction(label: str, value: float) -> float:
    number = _number(label, value)
    if not 0 <= number <= 1:
        raise SroiInputError(f"{label} must be between 0% and 100%; got {number * 100:g}%.")
    return number


def _validate(model: SroiModel) -> None:
    if not model.outcomes:
        raise SroiInputError("Add at least one outcome to calculate a social return.")
    rate = _number("The discount rate", model.discount_rate)
    if not 0 <= rate < 1:
        raise SroiInputError(f"The discount rate must be at least 0% and below 100%; got {rate * 100:g}%.")
    for item in model.inputs:
        if _number(f"The value of the input '{item.description}'", item.value) < 0:
            raise SroiInputError(f"The value of the input '{item.description}' cannot be negative.")
    for outcome in model.outcomes:
        label = f"'{outcome.name}' ({outcome.stakeholder})"
        if not outcome.name.strip():
            raise SroiInputError("Every outcome needs a name.")
        if _number(f"The quantity of {label}", outcome.quantity) < 0:
            raise SroiInputError(f"The quantity of {label} cannot be negative.")
        _number(f"The financial proxy of {label}", outcome.proxy.value)
        if not outcome.proxy.source.strip():
            raise SroiInputError(f"The financial proxy of {label} needs a source, so others can check it.")
        duration = outcome.duration_years
        if (
            isinstance(duration, bool)
            or not isinstance(duration, int)
            or not 1 <= duration <= MAXIMUM_DURATION_YEARS
        ):
            raise SroiInputError(
                f"The duration of {label} must be a whole number of years from 1 to "
                f"{MAXIMUM_DURATION_YEARS}; got {duration!r}."
            )
        _fraction(f"The deadweight of {label}", outcome.deadweight)
        _fraction(f"The displacement of {label}", outcome.displacement)
        _fraction(f"The attribution of {label}", outcome.attribution)
        _fraction(f"The drop-off of {label}", outcome.drop_off)


def _outcome_value(outcome: Outcome, discount_rate: float) -> OutcomeValue:
    impact = (
        outcome.quantity
        * outcome.proxy.value
        * (1 - outcome.deadweight)
        * (1 - outcome.displacement)
        * (1 - outcome.attribution)
    )
    values = [impact]
    for _ in range(1, outcome.duration_years):
        values.append(values[-1] * (1 - outcome.drop_off))
    present_value = math.fsum(
        value / (1 + discount_rate) ** year for year, value in enumerate(values, start=1)
    )
    return OutcomeValue(outcome, impact, tuple(values), present_value)


def calculate_sroi(model: SroiModel) -> SroiResult:
    """Return each outcome's impact and present value, and the model's present value, NPV and SROI ratio."""
    _validate(model)
    outcomes = tuple(_outcome_value(outcome, model.discount_rate) for outcome in model.outcomes)
    years = max(outcome.duration_years for outcome in model.outcomes)
    values_by_year = tuple(
        math.fsum(item.values_by_year[year] for item in outcomes if year < len(item.values_by_year))
        for year in range(years)
    )
    present_values_by_year = tuple(
        value / (1 + model.discount_rate) ** year for year, value in enumerate(values_by_year, start=1)
    )
    present_value = math.fsum(item.present_value for item in outcomes)
    total_inputs = math.fsum(item.value for item in model.inputs)
    net_present_value = present_value - total_inputs
    ratio = net_ratio = payback = None
    if total_inputs > 0:
        ratio = present_value / total_inputs
        net_ratio = net_present_value / total_inputs
        annual_impact = math.fsum(item.impact for item in outcomes)
        payback = total_inputs / (annual_impact / 12) if annual_impact > 0 else None
    return SroiResult(
        total_inputs,
        outcomes,
        values_by_year,
        present_values_by_year,
        present_value,
        net_present_value,
        ratio,
        net_ratio,
        payback,
    )


def _ratio(model: SroiModel) -> float:
    ratio = calculate_sroi(model).ratio
    if ratio is None:
        raise SroiInputError("A sensitivity analysis needs inputs worth more than zero.")
    return ratio


def _with_outcome(model: SroiModel, index: int, outcome: Outcome) -> SroiModel:
    outcomes = list(model.outcomes)
    outcomes[index] = outcome
    return replace(model, outcomes=tuple(outcomes))


_REDUCTIONS: dict[Assumption, Callable[[Outcome, float], Outcome]] = {
    Assumption.DEADWEIGHT: lambda outcome, value: replace(outcome, deadweight=value),
    Assumption.DISPLACEMENT: lambda outcome, value: replace(outcome, displacement=value),
    Assumption.ATTRIBUTION: lambda outcome, value: replace(outcome, attribution=value),
}


def _fractions_around(current: float, points: float) -> tuple[float, float]:
    # Rounded so that 0.2 + 0.1 is tested as 0.3, not 0.30000000000000004; kept within 0-100%.
    return max(0.0, round(current - points, 12)), min(1.0, round(current + points, 12))


def _bisect_to_one(ratio_at: Callable[[float], float], low: float, high: float) -> float | None:
    """Find where a continuous, monotonic ratio crosses 1 between low and high, if it does."""
    at_low, at_high = ratio_at(low) - 1, ratio_at(high) - 1
    if at_low == 0:
        return low
    if at_high == 0:
        return high
    if (at_low > 0) == (at_high > 0):
        return None
    for _ in range(200):
        middle = (low + high) / 2
        at_middle = ratio_at(middle) - 1
        if (at_middle > 0) == (at_low > 0):
            low, at_low = middle, at_middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2


def sensitivity_analysis(
    model: SroiModel,
    *,
    percentage_points: float = 0.10,
    relative_change: float = 0.25,
    duration_change_years: int = 1,
    discount_rates: Sequence[float] = (GREEN_BOOK_HEALTH_DISCOUNT_RATE, 0.05),
) -> SensitivityAnalysis:
    """Change each assumption in turn, report the SROI ratio, and find each assumption's 1:1 value.

    Fractions move by `percentage_points` each way (kept within 0-100%), quantities and financial
    proxies by `relative_change` each way, durations by `duration_change_years` each way (at least
    one year), and the discount rate takes each of `discount_rates`.
    """
    baseline = calculate_sroi(model)
    if baseline.ratio is None:
        raise SroiInputError("A sensitivity analysis needs inputs worth more than zero.")
    if not 0 < _number("The percentage-point change", percentage_points) <= 1:
        raise SroiInputError("The percentage-point change must be above 0% and at most 100%.")
    if not 0 < _number("The relative change", relative_change) < 1:
        raise SroiInputError("The relative change must be above 0% and below 100%.")
    if (
        isinstance(duration_change_years, bool)
        or not isinstance(duration_change_years, int)
        or duration_change_years < 1
    ):
        raise SroiInputError("The change in duration must be a whole number of years, at least 1.")
    baseline_ratio = baseline.ratio
    cases: list[SensitivityCase] = []
    break_even: list[BreakEven] = []

    def add_case(
        assumption: Assumption, outcome: str | None, base: float, tested: float, changed: SroiModel
    ) -> None:
        if tested == base:
            return
        ratio = _ratio(changed)
        cases.append(SensitivityCase(assumption, outcome, base, tested, ratio, ratio - baseline_ratio))

    for index, item in enumerate(baseline.outcomes):
        outcome = item.outcome
        name = outcome.name
        others = baseline.present_value - item.present_value
        # Quantity, proxy and the three reductions scale the outcome's value by a common factor, so
        # the factor that brings the ratio to 1:1 has a closed form.
        factor = (baseline.total_inputs - others) / item.present_value if item.present_value else None
        for size in (outcome.quantity * (1 - relative_change), outcome.quantity * (1 + relative_change)):
            changed = _with_outcome(model, index, replace(outcome, quantity=size))
            add_case(Assumption.QUANTITY, name, outcome.quantity, size, changed)
        quantity_break = None if factor is None or factor < 0 else outcome.quantity * factor
        break_even.append(BreakEven(Assumption.QUANTITY, name, outcome.quantity, quantity_break))
        proxy = outcome.proxy.value
        for value in (proxy * (1 - relative_change), proxy * (1 + relative_change)):
            changed = _with_outcome(model, index, replace(outcome, proxy=replace(outcome.proxy, value=value)))
            add_case(Assumption.FINANCIAL_PROXY, name, proxy, value, changed)
        # A proxy that would have to change sign (turn a benefit into a harm) is not a break-even value.
        proxy_break = None if factor is None or factor < 0 else proxy * factor
        break_even.append(BreakEven(Assumption.FINANCIAL_PROXY, name, proxy, proxy_break))
        shorter = max(1, outcome.duration_years - duration_change_years)
        longer = min(MAXIMUM_DURATION_YEARS, outcome.duration_years + duration_change_years)
        for years in (shorter, longer):
            changed = _with_outcome(model, index, replace(outcome, duration_years=years))
            add_case(Assumption.DURATION, name, outcome.duration_years, years, changed)
        for assumption, changer in _REDUCTIONS.items():
            current = float(getattr(outcome, assumption.value))
            for value in _fractions_around(current, percentage_points):
                add_case(
                    assumption, name, current, value, _with_outcome(model, index, changer(outcome, value))
                )
            threshold = None
            if factor is not None and current < 1:
                candidate = 1 - factor * (1 - current)
                threshold = candidate if 0 <= candidate <= 1 else None
            break_even.append(BreakEven(assumption, name, current, threshold))
        drop_off = outcome.drop_off
        # Drop-off only acts after the first year, so it is not varied for one-year outcomes.
        for value in _fractions_around(drop_off, percentage_points) if outcome.duration_years > 1 else ():
            changed = _with_outcome(model, index, replace(outcome, drop_off=value))
            add_case(Assumption.DROP_OFF, name, drop_off, value, changed)

        def ratio_with_drop_off(value: float, index: int = index, outcome: Outcome = outcome) -> float:
            return _ratio(_with_outcome(model, index, replace(outcome, drop_off=value)))

        drop_off_break = _bisect_to_one(ratio_with_drop_off, 0.0, 1.0) if outcome.duration_years > 1 else None
        break_even.append(BreakEven(Assumption.DROP_OFF, name, drop_off, drop_off_break))
    for rate in discount_rates:
        if not 0 <= _number("A discount rate to test", rate) < 1:
            raise SroiInputError("Discount rates to test must be at least 0% and below 100%.")
        add_case(
            Assumption.DISCOUNT_RATE, None, model.discount_rate, rate, replace(model, discount_rate=rate)
        )

    def ratio_with_discount_rate(rate: float) -> float:
        return _ratio(replace(model, discount_rate=rate))

    rate_break = _bisect_to_one(ratio_with_discount_rate, 0.0, 0.999)
    break_even.append(BreakEven(Assumption.DISCOUNT_RATE, None, model.discount_rate, rate_break))
    return SensitivityAnalysis(baseline_ratio, tuple(cases), tuple(break_even))
