"""Quantile assignment against PHEindicatormethods' testdata_Quantiles.xlsx (testdata_Quantiles sheet).

The sheet's QuantileInGrp column is the expected quantile. As in testQuantiles.R: "IndSexReg" rows are
ranked within indicator and region into deciles with each indicator's polarity; "IndSex" rows within
indicator into septiles; "None" rows all together into quartiles, highest values first; the
"BadPolarity" rows mix polarities within one group and must be refused.
"""

from __future__ import annotations

import pytest

from commonweal.evidence.statistics import (
    GroupedValue,
    StatisticsInputError,
    assign_quantiles,
    assign_quantiles_in_groups,
)
from commonweal.evidence.tests.reference_tables import number, table

# "Low is good" ranks the highest (worst) values first, as LoadTestdata.R maps it to invert = TRUE.
_HIGHEST_FIRST = {"RAG - Low is good": True, "RAG - High is good": False, "True": True, "False": False}


def _rows(test_prefix: str, group_set: str) -> list[dict[str, str]]:
    return [
        row
        for row in table("testdata_Quantiles__testdata_Quantiles.csv")
        if row["Test"].startswith(test_prefix) and row["GroupSet"] == group_set
    ]


def _expected(rows: list[dict[str, str]]) -> list[int | None]:
    return [
        None if number(row["QuantileInGrp"]) is None else int(float(row["QuantileInGrp"])) for row in rows
    ]


@pytest.mark.parametrize(
    ("group_set", "number_of_quantiles", "group_by_region"),
    [("IndSexReg", 10, True), ("IndSex", 7, False)],
    ids=["deciles within indicator and region", "septiles within indicator"],
)
def test_grouped_quantiles_reproduce_the_sheet(
    group_set: str, number_of_quantiles: int, group_by_region: bool
) -> None:
    rows = _rows("Good", group_set)
    values = [
        GroupedValue(
            (row["IndSexRef"], row["ParentCode"]) if group_by_region else row["IndSexRef"],
            number(row["Value"]),
            _HIGHEST_FIRST[row["Polarity"]],
        )
        for row in rows
    ]
    assert assign_quantiles_in_groups(values, number_of_quantiles=number_of_quantiles) == tuple(
        _expected(rows)
    )


def test_ungrouped_quartiles_reproduce_the_sheet() -> None:
    rows = _rows("Good", "None")
    assert len(rows) == 491
    result = assign_quantiles([number(row["Value"]) for row in rows], number_of_quantiles=4)
    assert result.quantiles == tuple(_expected(rows))
    assert result.notes == ()


def test_a_group_with_both_polarities_is_refused() -> None:
    rows = _rows("BadPolarity", "IndSex")
    values = [
        GroupedValue(row["IndSexRef"], number(row["Value"]), _HIGHEST_FIRST[row["Polarity"]]) for row in rows
    ]
    with pytest.raises(StatisticsInputError) as raised:
        assign_quantiles_in_groups(values, number_of_quantiles=7)
    assert str(raised.value) == (
        "Group '11111Female' mixes 'highest values first' and 'lowest values first'; "
        "one group must be ranked in one direction."
    )


def test_too_few_areas_get_no_quantile_and_a_note() -> None:
    result = assign_quantiles([3.0, 1.0, None, 2.0], number_of_quantiles=5)
    assert result.quantiles == (None, None, None, None)
    assert result.notes == (
        "Only 3 areas have a value, fewer than the 5 quantiles asked for, so no quantiles were assigned.",
    )


@pytest.mark.parametrize(
    ("values", "count", "message"),
    [
        ([1.0, 2.0], 1, "The number of quantiles must be a whole number from 2; got 1."),
        ([1.0, float("nan")], 2, "Values to rank must be finite numbers or missing; got nan."),
    ],
)
def test_bad_input_is_refused_plainly(values, count, message) -> None:
    with pytest.raises(StatisticsInputError) as raised:
        assign_quantiles(values, number_of_quantiles=count)
    assert str(raised.value) == message
