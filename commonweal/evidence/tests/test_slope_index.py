"""Slope and relative index of inequality against PHEindicatormethods' testdata_SII.xlsx (testdata_SII sheet).

Each test case of the sheet is a block of rows for two areas; the first row of each area holds the
expected SII, RII, intercept and limits. The parameters of each block are those testSII.R passes for it.
The SII, RII and intercept are deterministic and must agree to the sheet's precision. The limits come
from simulation, so they can only agree within the tolerance PHEindicatormethods' own tests allow:
testSII.R compares each case with expect_equal(..., tolerance = 0.05), which for every column of the
result takes the mean absolute difference over the areas divided by the mean absolute expected value
(R's all.equal) and requires it to be at most 0.05. `_r_mean_relative_difference` reproduces that.
Our draws come from a seeded numpy Generator, not R's generator, so the simulated limits differ from
R's by simulation noise. Every case is simulated with 100,000 repetitions (the sheet's own count, or
more: testSII.R also runs the sheet's "10,000 repetitions" block with 100,000). A separate test checks
that the simulation converges on the exact limits where these are known.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

from commonweal.evidence.statistics import (
    IndicatorType,
    QuantileData,
    StatisticsInputError,
    slope_index_of_inequality,
)
from commonweal.evidence.tests.reference_tables import disagreements, number, table

SHEET = "testdata_SII__testdata_SII.csv"
SIMULATION_TOLERANCE = 0.05
REPETITIONS = 100_000


@dataclass(frozen=True)
class Case:
    """The phe_sii arguments testSII.R uses for one block of the sheet."""

    description: str
    confidence: tuple[float, ...] = (0.95,)
    multiplier: float = 1
    transform: bool = False
    with_standard_errors: tuple[bool, ...] = (True, False)


CASES = [
    Case("default (e.g. life expectancy) - default parameters"),
    Case("default - testing 99% confidence", confidence=(0.99,)),
    Case("default - testing 10,000 repetitions"),
    Case("default - testing quintiles"),
    Case("rate (e.g. infant mortality) - default parameters"),
    Case("proportion (e.g. child obesity) - default parameters"),
    Case("proportion - testing multiplier (x 100)", multiplier=100, with_standard_errors=(False,)),
    Case("proportion - testing multiplier (x -100)", multiplier=-100, with_standard_errors=(False,)),
    Case("default (e.g. life expectancy) - multiple CIs", confidence=(0.95, 0.99)),
    Case("default (e.g. life expectancy) - intercept", with_standard_errors=(False,)),
    Case("rate (e.g. infant mortality) - intercept", with_standard_errors=(False,)),
    Case("proportion (e.g. child obesity) - intercept", with_standard_errors=(False,)),
    Case(
        "rate (e.g. infant mortality) - log transform with intercept",
        transform=True,
        with_standard_errors=(False,),
    ),
    Case(
        "proportion (e.g. child obesity) - logit transform with intercept",
        transform=True,
        with_standard_errors=(False,),
    ),
    Case(
        "proportion (e.g. child obesity) - logit transform with negative multiplier",
        multiplier=-1,
        transform=True,
        with_standard_errors=(False,),
    ),
    Case(
        "rate (e.g. infant mortality) - log transform with multiple Cis (95 and 98)",
        confidence=(0.95, 0.98),
        transform=True,
        with_standard_errors=(False,),
    ),
    Case(
        "rate (e.g. infant mortality) - log transform with negative multiplier",
        multiplier=-1,
        transform=True,
        with_standard_errors=(False,),
    ),
    Case(
        "rate (e.g. infant mortality) - log transform with 98% CI",
        confidence=(0.98,),
        transform=True,
        with_standard_errors=(False,),
    ),
    Case(
        "rate (e.g. infant mortality) - log transform without rii",
        transform=True,
        with_standard_errors=(False,),
    ),
    Case(
        "proportion (e.g. child obesity) - logit transform without rii",
        transform=True,
        with_standard_errors=(False,),
    ),
    Case(
        "proportion (e.g. child obesity) - logit transform with 98% cis",
        confidence=(0.98,),
        transform=True,
        with_standard_errors=(False,),
    ),
    Case(
        "proportion (e.g. child obesity) - logit transform with 95% and 98% cis",
        confidence=(0.95, 0.98),
        transform=True,
        with_standard_errors=(False,),
    ),
]
_TYPES = {"0": IndicatorType.NORMAL, "1": IndicatorType.RATE, "2": IndicatorType.PROPORTION}


def _block(description: str) -> dict[str, list[dict[str, str]]]:
    areas: dict[str, list[dict[str, str]]] = {}
    for row in table(SHEET):
        if row["TestDescription"] == description:
            areas.setdefault(row["Area"], []).append(row)
    return areas


def _quantiles(rows: list[dict[str, str]], *, standard_errors: bool) -> list[QuantileData]:
    return [
        QuantileData(
            quantile=int(row["Quantile"]),
            population=number(row["Population"]),
            value=number(row["Value"]),
            count=number(row["Count"]),
            standard_error=number(row["StandardError"]) if standard_errors else None,
            lower_cl=None if standard_errors else number(row["LowerCL"]),
            upper_cl=None if standard_errors else number(row["UpperCL"]),
        )
        for row in rows
    ]


def test_every_calculation_block_of_the_sheet_is_covered() -> None:
    descriptions = {row["TestDescription"] for row in table(SHEET)}
    calculations = {text for text in descriptions if not text.startswith(("error", "warning"))}
    assert calculations == {case.description for case in CASES}


def _r_mean_relative_difference(pairs: list[tuple[float, float]], tolerance: float) -> float:
    """R's all.equal: mean |ours - expected| over mean |expected| (absolute when that mean is tiny)."""
    difference = sum(abs(ours - expected) for ours, expected in pairs) / len(pairs)
    scale = sum(abs(expected) for _, expected in pairs) / len(pairs)
    return difference / scale if scale > tolerance else difference


@pytest.mark.parametrize("case", CASES, ids=[case.description for case in CASES])
def test_sii_rii_and_limits_reproduce_the_sheet(case: Case) -> None:
    for standard_errors in case.with_standard_errors:
        columns: dict[str, list[tuple[float, float]]] = {}
        for area, rows in _block(case.description).items():
            first = rows[0]
            result = slope_index_of_inequality(
                _quantiles(rows, standard_errors=standard_errors),
                indicator_type=_TYPES[first["ValueType"]],
                multiplier=case.multiplier,
                confidence=case.confidence,
                repetitions=max(REPETITIONS, int(first["Repetitions"])),
                transform=case.transform,
                seed=2024,
            )
            label = f"{area} ({'standard errors' if standard_errors else '95% limits'})"
            exact = [(f"{label} sii", result.sii, first["sii"])]
            if first["rii"]:
                exact.append((f"{label} rii", result.rii, first["rii"]))
            if first["Intercept"]:
                exact.append((f"{label} intercept", result.intercept, first["Intercept"]))
            assert disagreements(exact) == []
            for index, level in enumerate(case.confidence, start=1):
                simulated = [
                    (f"sii_lowercl_{index}", result.interval(level).lower),
                    (f"sii_uppercl_{index}", result.interval(level).upper),
                    (f"rii_lowercl_{index}", result.rii_interval(level).lower),
                    (f"rii_uppercl_{index}", result.rii_interval(level).upper),
                ]
                for column, ours in simulated:
                    expected = number(first[column])
                    if expected is None:
                        continue  # the sheet gives no limit here (quintiles; RII not requested)
                    assert ours is not None
                    columns.setdefault(column, []).append((ours, expected))
        assert case.description.endswith("quintiles") or columns
        for column, pairs in columns.items():
            difference = _r_mean_relative_difference(pairs, SIMULATION_TOLERANCE)
            assert difference <= SIMULATION_TOLERANCE, (column, standard_errors, pairs)


def test_simulated_limits_converge_on_the_exact_limits_of_a_normal_indicator() -> None:
    # For a normal indicator the SII is a weighted sum of normal draws, so its percentiles are known
    # exactly: SII ± z × its standard error. The simulation must land on them.
    rows = _block("default (e.g. life expectancy) - default parameters")["area1"]
    quantiles = _quantiles(rows, standard_errors=True)
    result = slope_index_of_inequality(quantiles, repetitions=200_000, seed=11)
    populations = np.array([q.population for q in quantiles])
    errors = np.array([q.standard_error for q in quantiles])
    shares = populations / populations.sum()
    ranks = np.cumsum(shares) - shares / 2
    design = np.vstack([np.sqrt(shares), ranks * np.sqrt(shares)])
    weights = np.linalg.solve(design @ design.T, design)[1] * np.sqrt(shares)
    standard_error = float(np.sqrt(np.sum((weights * errors) ** 2)))
    z = float(stats.norm.ppf(0.975))
    width = 2 * z * standard_error
    assert result.intervals[0].lower == pytest.approx(result.sii - z * standard_error, abs=0.01 * width)
    assert result.intervals[0].upper == pytest.approx(result.sii + z * standard_error, abs=0.01 * width)


def test_the_simulation_is_reproducible_from_its_seed() -> None:
    rows = _block("rate (e.g. infant mortality) - default parameters")["area1"]
    quantiles = _quantiles(rows, standard_errors=False)
    first = slope_index_of_inequality(quantiles, indicator_type=IndicatorType.RATE, repetitions=5000, seed=7)
    again = slope_index_of_inequality(quantiles, indicator_type=IndicatorType.RATE, repetitions=5000, seed=7)
    other = slope_index_of_inequality(quantiles, indicator_type=IndicatorType.RATE, repetitions=5000, seed=8)
    assert again == first
    assert other.intervals != first.intervals
    assert other.sii == first.sii
    assert (first.seed, first.repetitions, first.method) == (7, 5000, "simulation 5000 reps")


def test_more_than_ten_quantiles_are_accepted_with_a_note() -> None:
    rows = [row for row in table(SHEET) if 211 <= int(row["RecordNo"]) <= 225]
    result = slope_index_of_inequality(_quantiles(rows, standard_errors=False), repetitions=1000)
    assert result.notes == ("Small values can make the SII unstable when more than 10 quantiles are used.",)


def _records(first: int, last: int) -> list[dict[str, str]]:
    return [row for row in table(SHEET) if first <= int(row["RecordNo"]) <= last]


@pytest.mark.parametrize(
    ("first", "last", "keywords", "message"),
    [
        # The sheet's "error handling" and "warning handling" blocks, with testSII.R's arguments.
        (151, 160, {"standard_errors": True}, "Quantile 2 needs a population greater than zero."),
        (161, 165, {"standard_errors": True}, "Quantile 3 needs a standard error of zero or more."),
        (
            166,
            170,
            {"standard_errors": True, "without_values": True, "indicator_type": IndicatorType.PROPORTION},
            "Quantile 8 needs a count greater than zero to work out its proportion.",
        ),
        (
            171,
            175,
            {"indicator_type": IndicatorType.PROPORTION},
            "Quantile 4's upper limit is 11; proportions must be between 0 and 1 (exclusive).",
        ),
        (
            176,
            180,
            {"indicator_type": IndicatorType.PROPORTION},
            "Quantile 7's lower limit is 8; proportions must be between 0 and 1 (exclusive).",
        ),
        (181, 190, {}, "Quantile 1 has no value."),
        (191, 200, {"standard_errors": True}, "Quantile 1 needs a standard error of zero or more."),
        (191, 200, {}, "Quantile 1 needs both 95% confidence limits, or a standard error."),
        # PHEindicatormethods drops an area with missing data and warns; for one area we refuse it.
        (201, 210, {}, "Quantile 5 needs a population greater than zero."),
        (
            1,
            10,
            {"indicator_type": IndicatorType.PROPORTION, "standard_errors": True},
            "Quantile 1's value is 75.9335; proportions must be between 0 and 1 (exclusive).",
        ),
        (1, 3, {}, "The SII needs between 5 and 100 quantiles; got 3."),
        (
            1,
            10,
            {"transform": True},
            "Only rates (log scale) and proportions (logit scale) can be transformed; this one is normal.",
        ),
        (
            71,
            80,
            {"transform": True, "standard_errors": True, "indicator_type": IndicatorType.RATE},
            "A transformed SII derives standard errors from the 95% limits; leave the standard errors out.",
        ),
        (
            1,
            10,
            {"repetitions": 999},
            "The number of repetitions must be a whole number of at least 1000; got 999.",
        ),
        (
            1,
            10,
            {"confidence": 0.35},
            "The confidence level must be at least 0.9 and below 1 (or from 90 to below 100); got 0.35.",
        ),
        (
            1,
            10,
            {"confidence": 135},
            "The confidence level must be at least 0.9 and below 1 (or from 90 to below 100); got 135.",
        ),
    ],
)
def test_invalid_data_raises_a_plain_statistics_error(
    first: int, last: int, keywords: dict, message: str
) -> None:
    options = dict(keywords)
    quantiles = _quantiles(_records(first, last), standard_errors=options.pop("standard_errors", False))
    if options.pop("without_values", False):
        quantiles = [
            QuantileData(q.quantile, q.population, None, q.count, q.standard_error) for q in quantiles
        ]
    with pytest.raises(StatisticsInputError) as raised:
        slope_index_of_inequality(quantiles, **options)
    assert str(raised.value) == message
