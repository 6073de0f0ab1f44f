"""Wilson, Byar's, proportions, rates and means against PHEindicatormethods' test tables.

Tables: testdata_Byars_Wilson.xlsx (testdata_B_W), testdata_Proportion.xlsx (testdata_Prop,
testdata_Prop_g), testdata_Rate.xlsx (testdata_Rate, testdata_Rate_g) and testdata_Mean.xlsx
(testdata_Mean, testdata_Mean_results), read in place from shared/data/statistics/csv.
"""

from __future__ import annotations

import pytest

from commonweal.evidence.statistics import (
    StatisticsInputError,
    byars_limits,
    mean,
    proportion,
    rate,
    wilson_limits,
)
from commonweal.evidence.statistics.intervals import format_confidence
from commonweal.evidence.tests.reference_tables import disagreements, number, table


def _sum(first: float | None, second: float | None) -> float | None:
    return None if first is None or second is None else first + second


def _grouped(rows: tuple[dict[str, str], ...]) -> dict[str, tuple[float | None, float | None]]:
    # PHEindicatormethods sums numerators and denominators per area with sum(), so a missing value
    # anywhere in the group makes the group's total missing.
    totals: dict[str, tuple[float | None, float | None]] = {}
    for row in rows:
        numerator, denominator = number(row["Numerator"]), number(row["Denominator"])
        if row["Area"] in totals:
            numerator = _sum(totals[row["Area"]][0], numerator)
            denominator = _sum(totals[row["Area"]][1], denominator)
        totals[row["Area"]] = (numerator, denominator)
    return totals


def test_byars_and_wilson_limits_reproduce_testdata_b_w() -> None:
    rows = table("testdata_Byars_Wilson__testdata_B_W.csv")
    assert len(rows) == 13
    pairs: list[tuple[str, float | None, str]] = []
    for row in rows:
        level = float(row["confidence"].rstrip("%"))
        if row["method"] == "Byars":
            lower, upper = byars_limits(float(row["x"]), level)
        else:
            assert row["method"] == "Wilson"
            lower, upper = wilson_limits(float(row["x"]), float(row["n"]), level)
        label = f"{row['method']} x={row['x']} n={row['n']} {row['confidence']}"
        pairs += [(f"{label} lower", lower, row["lowercl"]), (f"{label} upper", upper, row["uppercl"])]
    assert disagreements(pairs) == []
    # The last row is Byar's lower limit for one event at 99.8%: the approximation goes negative,
    # and the table (like our function) gives no lower limit.
    assert rows[-1]["lowercl"] == ""
    assert byars_limits(1, 99.8)[0] is None


def test_proportions_reproduce_testdata_prop() -> None:
    rows = table("testdata_Proportion__testdata_Prop.csv")
    assert len(rows) == 19
    pairs: list[tuple[str, float | None, str]] = []
    for row in rows:
        result = proportion(
            number(row["Numerator"]),
            number(row["Denominator"]),
            confidence=(0.95, 0.998),
            multiplier=float(row["multiplier"]),
        )
        label = f"{row['Area']} x{row['multiplier']}"
        pairs += [
            (f"{label} value", result.value, row["value"]),
            (f"{label} lower 95", result.interval(0.95).lower, row["lower95_0cl"]),
            (f"{label} upper 95", result.interval(0.95).upper, row["upper95_0cl"]),
            (f"{label} lower 99.8", result.interval(99.8).lower, row["lower99_8cl"]),
            (f"{label} upper 99.8", result.interval(99.8).upper, row["upper99_8cl"]),
        ]
        assert (result.statistic, result.method) == (row["statistic"], row["method"]), label
    assert disagreements(pairs) == []


def test_grouped_proportions_reproduce_testdata_prop_g() -> None:
    expected = table("testdata_Proportion__testdata_Prop_g.csv")
    totals = _grouped(table("testdata_Proportion__testdata_Prop.csv"))
    assert [row["Area"] for row in expected] == list(totals)
    pairs: list[tuple[str, float | None, str]] = []
    for row in expected:
        numerator, denominator = totals[row["Area"]]
        assert (numerator, denominator) == (number(row["Numerator"]), number(row["Denominator"]))
        result = proportion(numerator, denominator, confidence=0.95, multiplier=float(row["multiplier"]))
        interval = result.intervals[0]
        pairs += [
            (f"{row['Area']} value", result.value, row["value"]),
            (f"{row['Area']} lower", interval.lower, row["lowercl"]),
            (f"{row['Area']} upper", interval.upper, row["uppercl"]),
        ]
        assert format_confidence(interval.confidence) == row["confidence"]
        assert (result.statistic, result.method) == (row["statistic"], row["method"])
    assert disagreements(pairs) == []


def test_rates_reproduce_testdata_rate() -> None:
    rows = table("testdata_Rate__testdata_Rate.csv")
    assert len(rows) == 20
    pairs: list[tuple[str, float | None, str]] = []
    for row in rows:
        result = rate(
            number(row["Numerator"]),
            number(row["Denominator"]),
            confidence=(95, 99.8),
            multiplier=float(row["multiplier"]),
        )
        label = f"{row['Area']} x{row['multiplier']}"
        pairs += [
            (f"{label} value", result.value, row["value"]),
            (f"{label} lower 95", result.interval(0.95).lower, row["lower95_0cl"]),
            (f"{label} upper 95", result.interval(0.95).upper, row["upper95_0cl"]),
            (f"{label} lower 99.8", result.interval(0.998).lower, row["lower99_8cl"]),
            (f"{label} upper 99.8", result.interval(0.998).upper, row["upper99_8cl"]),
        ]
        assert result.statistic == row["statistic"], label
        assert (result.method or "") == row["method"], label
    assert disagreements(pairs) == []


def test_grouped_rates_reproduce_testdata_rate_g() -> None:
    expected = table("testdata_Rate__testdata_Rate_g.csv")
    totals = _grouped(table("testdata_Rate__testdata_Rate.csv"))
    assert [row["Area"] for row in expected] == list(totals)
    pairs: list[tuple[str, float | None, str]] = []
    for row in expected:
        numerator, denominator = totals[row["Area"]]
        result = rate(numerator, denominator, multiplier=float(row["multiplier"]))
        pairs += [
            (f"{row['Area']} value", result.value, row["value"]),
            (f"{row['Area']} lower", result.intervals[0].lower, row["lowercl"]),
            (f"{row['Area']} upper", result.intervals[0].upper, row["uppercl"]),
        ]
        assert format_confidence(result.intervals[0].confidence) == row["confidence"]
        assert (result.statistic, result.method or "") == (row["statistic"], row["method"])
    assert disagreements(pairs) == []


def test_means_reproduce_testdata_mean_results() -> None:
    values = table("testdata_Mean__testdata_Mean.csv")
    expected = table("testdata_Mean__testdata_Mean_results.csv")
    groups = {
        "Area1": [float(row["values"]) for row in values if row["area"] == "Area1"],
        "Area2": [float(row["values"]) for row in values if row["area"] == "Area2"],
        "No grouping": [float(row["values"]) for row in values],
    }
    assert [row["area"] for row in expected] == list(groups)
    pairs: list[tuple[str, float | None, str]] = []
    for row in expected:
        result = mean(groups[row["area"]], confidence=(0.95, 0.998))
        assert str(result.count) == row["value_count"]
        assert (result.method, row["statistic"]) == (row["method"], "mean")
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


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: proportion(-1, 100), "Numerators must be zero or more; got -1."),
        (lambda: proportion(1, 0), "Denominators must be greater than zero; got 0."),
        (
            lambda: proportion(12, 10),
            "The numerator (12) is larger than the denominator (10); a proportion cannot be more than 1.",
        ),
        (lambda: rate(5, -10), "Denominators must be greater than zero; got -10."),
        (lambda: rate(5, 10, multiplier=0), "The multiplier must be greater than zero; got 0."),
        (lambda: mean([4.0]), "A mean with confidence limits needs at least two values; got 1."),
        (
            lambda: proportion(1, 100, confidence=0.74),
            "The confidence level must be at least 0.9 and below 1 (or from 90 to below 100); got 0.74.",
        ),
        (
            lambda: rate(1, 100, confidence=1000),
            "The confidence level must be at least 0.9 and below 1 (or from 90 to below 100); got 1000.",
        ),
        (lambda: rate(1, 100, confidence=(0.95, 95)), "Each confidence level may be requested only once."),
        (lambda: proportion(1, 100).interval(0.998), "No 99.8% interval was calculated for this estimate."),
    ],
)
def test_bad_input_raises_a_plain_statistics_error(call, message) -> None:
    with pytest.raises(StatisticsInputError) as raised:
        call()
    assert str(raised.value) == message
