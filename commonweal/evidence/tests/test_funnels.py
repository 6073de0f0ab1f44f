"""Funnel-plot limits and significance against PHEindicatormethods' raw funnel test files (testFunnels.R).

Files in shared/data/statistics/raw: testdata_funnel_prop_inputs/outputs(_with_axis_variation),
testdata_funnel_ratio_inputs/outputs, testdata_funnel_rate_input_funnels, testdata_funnel_rate_outputs
(_2, _3) and testdata_funnel_rate_dsr_inputs. Their numbers were rounded when written, so they must
agree to half a unit in their last printed place. Each test reproduces one call in testFunnels.R.
"""

from __future__ import annotations

import pytest

from commonweal.evidence.statistics import (
    FunnelLimits,
    RateType,
    RatioType,
    StatisticsInputError,
    proportion_funnel_limits,
    proportion_funnel_significance,
    rate_funnel_limits,
    rate_funnel_points,
    rate_funnel_significance,
    ratio_funnel_limits,
    ratio_funnel_significance,
)
from commonweal.evidence.tests.reference_tables import disagreements, number, raw_table


def _compare(
    limits: FunnelLimits, expected: tuple[dict[str, str], ...], columns: dict[str, str]
) -> list[str]:
    assert len(limits.points) == len(expected) == 100
    pairs: list[tuple[str, float | None, str]] = []
    for index, (point, row) in enumerate(zip(limits.points, expected, strict=True)):
        ours = {
            "x": point.x,
            "baseline": limits.baseline,
            "lower_95": point.lower_95.value,
            "upper_95": point.upper_95.value,
            "lower_99_8": point.lower_99_8.value,
            "upper_99_8": point.upper_99_8.value,
            "lower_95_denominator": point.lower_95.denominator,
            "upper_95_denominator": point.upper_95.denominator,
            "lower_99_8_denominator": point.lower_99_8.denominator,
            "upper_99_8_denominator": point.upper_99_8.denominator,
        }
        pairs += [(f"row {index + 1} {column}", ours[key], row[column]) for column, key in columns.items()]
    return disagreements(pairs, rounded=True)


PROPORTION_COLUMNS = {
    "Population": "x",
    "Lower2s0025limit": "lower_95",
    "Upper2s0025limit": "upper_95",
    "Lower3s0001limit": "lower_99_8",
    "Upper3s0001limit": "upper_99_8",
    "Baseline": "baseline",
}


def _proportion_inputs(*, below: float | None = None) -> tuple[list[float], list[float]]:
    rows = [
        row
        for row in raw_table("testdata_funnel_prop_inputs.csv")
        if below is None or float(row["denominator"]) < below
    ]
    return [float(row["numerator"]) for row in rows], [float(row["denominator"]) for row in rows]


def test_proportion_funnel_reproduces_testdata_funnel_prop_outputs() -> None:
    limits = proportion_funnel_limits(*_proportion_inputs(), multiplier=100)
    assert (limits.statistic, limits.method) == ("proportion", "Wilson")
    assert _compare(limits, raw_table("testdata_funnel_prop_outputs.csv"), PROPORTION_COLUMNS) == []


def test_proportion_funnel_with_a_narrow_range_reproduces_the_axis_variation_output() -> None:
    # testFunnels.R keeps denominators under 31,000 so the x axis no longer starts at zero.
    limits = proportion_funnel_limits(*_proportion_inputs(below=31_000), multiplier=100)
    expected = raw_table("testdata_funnel_prop_outputs_with_axis_variation.csv")
    assert _compare(limits, expected, PROPORTION_COLUMNS) == []


def test_proportion_significance_reproduces_the_inputs_significance_column() -> None:
    rows = raw_table("testdata_funnel_prop_inputs.csv")
    result = proportion_funnel_significance(*_proportion_inputs())
    assert [value.value for value in result] == [row["significance"] for row in rows]


def _ratio_columns(suffix: str) -> dict[str, str]:
    columns = {"Observed_events": "x"}
    for prefix, key in (
        ("lower_2s", "lower_95"),
        ("upper_2s", "upper_95"),
        ("lower_3s", "lower_99_8"),
        ("upper_3s", "upper_99_8"),
    ):
        columns[f"{prefix}_exp_events"] = f"{key}_denominator"
        columns[f"{prefix}_{suffix}"] = key
    return columns


@pytest.mark.parametrize("ratio_type", [RatioType.COUNT, RatioType.ISR])
def test_ratio_funnel_reproduces_testdata_funnel_ratio_outputs(ratio_type: RatioType) -> None:
    rows = raw_table("testdata_funnel_ratio_inputs.csv")
    limits = ratio_funnel_limits(
        [float(row["obs"]) for row in rows], [float(row["expected"]) for row in rows], ratio_type=ratio_type
    )
    assert (limits.statistic, limits.method, limits.baseline) == (f"ratio ({ratio_type})", "Poisson", None)
    assert (
        _compare(limits, raw_table("testdata_funnel_ratio_outputs.csv"), _ratio_columns(ratio_type.value))
        == []
    )


def test_ratio_significance_reproduces_the_inputs_significance_column() -> None:
    rows = raw_table("testdata_funnel_ratio_inputs.csv")
    result = ratio_funnel_significance(
        [float(row["obs"]) for row in rows], [float(row["expected"]) for row in rows]
    )
    assert [value.value for value in result] == [row["significance"] for row in rows]


RATE_COLUMNS = {
    "Events": "x",
    "lower_2s_population_1_year": "lower_95_denominator",
    "lower_2s_limit": "lower_95",
    "upper_2s_population_1_year": "upper_95_denominator",
    "upper_2s_limit": "upper_95",
    "lower_3s_population_1_year": "lower_99_8_denominator",
    "lower_3s_limit": "lower_99_8",
    "upper_3s_population_1_year": "upper_99_8_denominator",
    "upper_3s_limit": "upper_99_8",
    "baseline": "baseline",
}


def _rate_inputs() -> tuple[list[int], list[float], list[float]]:
    rows = raw_table("testdata_funnel_rate_input_funnels.csv")
    return (
        [int(row["ev"]) for row in rows],
        [float(row["rate"]) for row in rows],
        [float(row["pop"]) for row in rows],
    )


def test_dsr_funnel_reproduces_testdata_funnel_rate_outputs() -> None:
    events, rates, _ = _rate_inputs()
    limits = rate_funnel_limits(events, rates, rate_type=RateType.DSR, multiplier=1e5, years_of_data=3)
    expected = raw_table("testdata_funnel_rate_outputs.csv")
    assert {(row["statistic"], row["method"]) for row in expected} == {(limits.statistic, limits.method)}
    assert _compare(limits, expected, RATE_COLUMNS) == []


def test_crude_rate_funnel_with_a_small_count_reproduces_testdata_funnel_rate_outputs_2() -> None:
    events, rates, _ = _rate_inputs()
    largest = max(events)
    events = [5 if count == largest else count for count in events]  # as testFunnels.R does
    limits = rate_funnel_limits(events, rates, rate_type=RateType.CRUDE, multiplier=1e5, years_of_data=3)
    expected = raw_table("testdata_funnel_rate_outputs_2.csv")
    assert {(row["statistic"], row["method"]) for row in expected} == {(limits.statistic, limits.method)}
    assert _compare(limits, expected, RATE_COLUMNS) == []


def test_crude_rate_funnel_with_zero_events_and_denominators_reproduces_testdata_funnel_rate_outputs_3() -> (
    None
):
    events, rates, _ = _rate_inputs()
    largest = max(events)
    populations = [1e5 * count / value for count, value in zip(events, rates, strict=True)]
    kept = [index for index, population in enumerate(populations) if population > max(populations) / 2]
    limits = rate_funnel_limits(
        [0 if events[index] == largest else events[index] for index in kept],
        [0.0 if events[index] == largest else rates[index] for index in kept],
        rate_type=RateType.CRUDE,
        multiplier=1e5,
        years_of_data=3,
        denominators=[populations[index] for index in kept],
    )
    assert _compare(limits, raw_table("testdata_funnel_rate_outputs_3.csv"), RATE_COLUMNS) == []


@pytest.mark.parametrize(
    ("rate_type", "set_largest_to", "years", "with_denominators", "columns"),
    [
        (RateType.DSR, 5, 3, False, ("rate_chart", "denominator_derived")),
        (RateType.CRUDE, None, 3, False, ("rate_chart_crude", "denominator_derived_crude")),
        (RateType.CRUDE, 0, 5, True, ("rate_chart_crude_with_denom", "denominator_derived_crude_with_denom")),
    ],
)
def test_rate_chart_points_reproduce_testdata_funnel_rate_input_funnels(
    rate_type, set_largest_to, years, with_denominators, columns
) -> None:
    rows = raw_table("testdata_funnel_rate_input_funnels.csv")
    events, rates, populations = _rate_inputs()
    if set_largest_to is not None:
        largest = max(events)
        events = [set_largest_to if count == largest else count for count in events]
    points = rate_funnel_points(
        events,
        rates,
        rate_type=rate_type,
        multiplier=1e5,
        years_of_data=years,
        denominators=populations if with_denominators else None,
    )
    pairs = []
    for index, (point, row) in enumerate(zip(points, rows, strict=True)):
        pairs += [
            (f"row {index + 1} rate", point.rate, row[columns[0]]),
            (f"row {index + 1} population", point.population_per_year, row[columns[1]]),
        ]
    assert disagreements(pairs, rounded=True) == []


@pytest.mark.parametrize(
    ("rate_column", "rate_type", "multiplier", "significance_column", "drop_zero_events"),
    [
        ("rate_dsr", RateType.DSR, 1e5, "dsr_per_100000_with_0", False),
        ("rate_dsr", RateType.DSR, 1e5, "dsr_per_100000_without_0", True),
        ("rate_dsr", RateType.DSR, 100, "dsr_per_100_without_0", True),
        ("rate_crude_per_100", RateType.CRUDE, 100, "crude_per_100_with_0", False),
        ("rate_crude_per_100000", RateType.CRUDE, 1e5, "crude_per_100000_with_0", False),
        ("rate_crude_per_100000", RateType.CRUDE, 1e5, "crude_per_100000_without_0", True),
        ("rate_crude_per_100", RateType.CRUDE, 100, "crude_per_100_without_0", True),
    ],
)
def test_rate_significance_reproduces_testdata_funnel_rate_dsr_inputs(
    rate_column, rate_type, multiplier, significance_column, drop_zero_events
) -> None:
    rows = [
        row
        for row in raw_table("testdata_funnel_rate_dsr_inputs.csv")
        if not (drop_zero_events and row["count"] == "0")
    ]
    result = rate_funnel_significance(
        [int(row["count"]) for row in rows],
        [number(row[rate_column]) for row in rows],
        rate_type=rate_type,
        multiplier=multiplier,
        denominators=[float(row["pop"]) for row in rows],
    )
    assert [value.value for value in result] == [row[significance_column] for row in rows]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: proportion_funnel_significance([65, 80, 30], [100, 100, 0]),
            "Every denominator must be greater than zero.",
        ),
        (
            lambda: proportion_funnel_significance([65, -80, 30], [100, 100, 200]),
            "Every numerator must be zero or more.",
        ),
        (
            lambda: proportion_funnel_significance([65, 80, 30], [100, 100, 20]),
            "A numerator is larger than its denominator; proportions cannot exceed 1.",
        ),
        (
            lambda: rate_funnel_limits(
                [0, 12], [0.0, 3.0], rate_type=RateType.CRUDE, multiplier=1e5, years_of_data=1
            ),
            "An area with no events needs its denominator: a zero rate does not show the population.",
        ),
        (
            lambda: rate_funnel_significance([12], [None], rate_type=RateType.DSR, multiplier=1e5),
            "Every area with events needs its rate.",
        ),
        (lambda: ratio_funnel_limits([], []), "A funnel plot needs at least one area."),
    ],
)
def test_bad_input_raises_a_plain_statistics_error(call, message) -> None:
    with pytest.raises(StatisticsInputError) as raised:
        call()
    assert str(raised.value) == message
