"""Means from summed values reproduce PHEindicatormethods' mean table, as the core's `mean` does."""

from __future__ import annotations

import pytest

from commonweal.evidence.moments import Moments, mean_from_moments, moments_of
from commonweal.evidence.statistics import StatisticsInputError
from commonweal.evidence.tests.reference_tables import disagreements, table


def test_means_from_moments_reproduce_testdata_mean_results() -> None:
    values = table("testdata_Mean__testdata_Mean.csv")
    expected = table("testdata_Mean__testdata_Mean_results.csv")
    area_one = moments_of([float(row["values"]) for row in values if row["area"] == "Area1"])
    area_two = moments_of([float(row["values"]) for row in values if row["area"] == "Area2"])
    # "No grouping" is built by adding the two groups' moments, as the dashboards add groups in SQL.
    groups = {"Area1": area_one, "Area2": area_two, "No grouping": area_one + area_two}
    assert [row["area"] for row in expected] == list(groups)
    pairs: list[tuple[str, float | None, str]] = []
    for row in expected:
        result = mean_from_moments(groups[row["area"]], confidence=(0.95, 0.998))
        assert str(result.count) == row["value_count"]
        assert result.method == row["method"]
        pairs += [
            (f"{row['area']} sum", result.total, row["value_sum"]),
            (f"{row['area']} stdev", result.standard_deviation, row["stdev"]),
            (f"{row['area']} value", result.value, row["value"]),
            (f"{row['area']} lower 95", result.interval(95).lower, row["lower95_0cl"]),
            (f"{row['area']} upper 95", result.interval(95).upper, row["upper95_0cl"]),
            (f"{row['area']} lower 99.8", result.interval(99.8).lower, row["lower99_8cl"]),
            (f"{row['area']} upper 99.8", result.interval(99.8).upper, row["upper99_8cl"]),
        ]
    assert disagreements(pairs) == []


def test_identical_values_have_no_spread_and_a_zero_width_interval() -> None:
    result = mean_from_moments(moments_of([-2.0, -2.0, -2.0]))
    assert (result.value, result.standard_deviation) == (-2.0, 0.0)
    assert (result.interval(0.95).lower, result.interval(0.95).upper) == (-2.0, -2.0)


@pytest.mark.parametrize(
    ("moments", "message"),
    [
        (Moments(1, 3.0, 9.0), "A mean with confidence limits needs at least two values; got 1."),
        (Moments(3, float("nan"), 9.0), "The sum must be a finite number; got nan."),
        (Moments(3, 3.0, float("inf")), "The sum of squares must be a finite number; got inf."),
    ],
)
def test_too_few_values_or_broken_sums_are_refused_with_a_message(moments: Moments, message: str) -> None:
    with pytest.raises(StatisticsInputError) as raised:
        mean_from_moments(moments)
    assert str(raised.value) == message
