"""Life expectancy (Chiang II, Silcocks limits) against PHEindicatormethods' testLifeExpectancy.R.

The table csv/testLifeExpectancy__df1_answer1.csv holds the df1 input (20 age bands) and answer1, the
expected life expectancy at each start age with 95% limits, printed to ten significant figures.
PHEindicatormethods' test compares them to 4 decimal places. The expected limits were produced with
z = 1.96 (as in the PHE Life Expectancy Calculator) rather than the exact normal quantile 1.959964 that
phe_life_expectancy and we use, so they differ from ours by about 5e-6: we show that the table's limits
are our value ± 1.96 × our standard error to every printed figure, and that our own limits agree with
them to the 4 decimal places PHEindicatormethods asserts.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from commonweal.evidence.statistics import AgeBandDeaths, StatisticsInputError, life_expectancy
from commonweal.evidence.tests.reference_tables import disagreements, table

TABLE = "testLifeExpectancy__df1_answer1.csv"


def _bands() -> list[AgeBandDeaths]:
    return [
        AgeBandDeaths(int(row["startage"]), float(row["pops"]), float(row["deaths"])) for row in table(TABLE)
    ]


def test_life_expectancy_reproduces_answer1_to_every_printed_figure() -> None:
    rows = table(TABLE)
    results = life_expectancy(_bands())
    assert [result.start_age for result in results] == [int(row["startage"]) for row in rows]
    pairs = []
    for row, result in zip(rows, results, strict=True):
        assert result.value is not None
        age = row["startage"]
        pairs += [
            (f"{age} value", result.value, row["expected_le"]),
            (f"{age} lower (z=1.96)", result.value - 1.96 * result.standard_error, row["expected_lower95"]),
            (f"{age} upper (z=1.96)", result.value + 1.96 * result.standard_error, row["expected_upper95"]),
        ]
    assert disagreements(pairs, rounded=True) == []


def test_life_expectancy_limits_agree_with_answer1_to_four_decimal_places() -> None:
    for row, result in zip(table(TABLE), life_expectancy(_bands()), strict=True):
        interval = result.interval(0.95)
        assert interval.lower == pytest.approx(float(row["expected_lower95"]), abs=5e-5)
        assert interval.upper == pytest.approx(float(row["expected_upper95"]), abs=5e-5)
        assert result.note is None


def test_cumulative_population_and_deaths_are_those_from_each_start_age() -> None:
    rows = table(TABLE)
    for index, result in enumerate(life_expectancy(_bands())):
        assert result.population_used == sum(float(row["pops"]) for row in rows[index:])
        assert result.deaths_used == sum(float(row["deaths"]) for row in rows[index:])


def test_an_interval_wider_than_twenty_years_suppresses_the_value_but_keeps_the_limits() -> None:
    bands = _bands()
    bands[-1] = replace(bands[-1], deaths=1)  # one death among 11,936 people aged 90+
    oldest = life_expectancy(bands)[-1]
    assert oldest.value is None
    assert oldest.note == "Suppressed: the 95% confidence interval is wider than 20 years."
    assert oldest.intervals[0].lower is not None and oldest.intervals[0].upper is not None


def test_a_total_population_of_5000_or_fewer_is_not_calculated() -> None:
    bands = [AgeBandDeaths(band.start_age, 250, min(band.deaths, 50)) for band in _bands()]
    results = life_expectancy(bands)
    assert {result.value for result in results} == {None}
    assert results[0].note == "Not calculated: the total population is 5,000 or fewer."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda bands: bands.__setitem__(3, replace(bands[3], deaths=-1)),
            "The deaths for ages 10+ are negative (-1).",
        ),
        (
            lambda bands: bands.__setitem__(4, replace(bands[4], population=0)),
            "The population for ages 15+ must be more than zero; got 0.",
        ),
        (
            lambda bands: bands.__setitem__(1, replace(bands[1], deaths=40000)),
            "The deaths for ages 1+ (40000) exceed the population (35059).",
        ),
        (lambda bands: bands.pop(5), "Life expectancy needs every age band: missing bands starting at 20."),
        (
            lambda bands: bands.__setitem__(19, replace(bands[19], deaths=0)),
            "The final open age band (90+) needs at least one death for life expectancy.",
        ),
        (
            lambda bands: bands.append(AgeBandDeaths(95, 100, 10)),
            "Life expectancy needs every age band: unexpected bands starting at 95.",
        ),
    ],
)
def test_invalid_bands_raise_a_plain_statistics_error(change, message) -> None:
    bands = _bands()
    change(bands)
    with pytest.raises(StatisticsInputError) as raised:
        life_expectancy(bands)
    assert str(raised.value) == message
