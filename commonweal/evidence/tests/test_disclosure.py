"""Small-number suppression: small counts hidden as "<5", and no hidden small count can be worked out.

The attack checked is the one a careful reader can make with the published page: every shown count,
every published sum (total rows, period totals, a total shared by several breakdowns), every ordering
they know (a later funnel step is never larger than an earlier one), and what the display says (a "<5"
count is 0 to 4; a "suppressed" one is at least 5). The oracle is independent of the module's linear
programme: an integer programme (scipy's MILP) asks whether the hidden count could be anything other
than its true value, and small cases are enumerated by brute force.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from commonweal.evidence.disclosure import (
    TOTAL,
    AtMost,
    DisclosureError,
    Grid,
    Status,
    Sum,
    feasible_ranges,
    grid_values,
    is_small,
    protect,
)

K = TypeVar("K", bound=Hashable)


def _could_be_otherwise(
    key: K,
    values: Mapping[K, int],
    status: Mapping[K, Status],
    sums: Sequence[Sum[K]],
    order: Sequence[tuple[K, K] | AtMost[K]],
) -> bool:
    """Integer programme: is there a whole-number table consistent with the page where `key` differs?"""
    hidden = [cell for cell in values if status[cell] is not Status.SHOWN]
    index = {cell: position for position, cell in enumerate(hidden)}
    rows, lower, upper = [], [], []
    for relation in sums:
        row = np.zeros(len(hidden))
        known = 0.0
        for cell, sign in [(part, 1) for part in relation.parts] + [(relation.total, -1)]:
            if cell in index:
                row[index[cell]] += sign
            else:
                known -= sign * values[cell]
        if row.any():
            rows.append(row)
            lower.append(known)
            upper.append(known)
    for item in order:
        parts, larger = (item.parts, item.total) if isinstance(item, AtMost) else ((item[0],), item[1])
        row = np.zeros(len(hidden))
        limit = 0.0
        for cell, sign in [(part, 1) for part in parts] + [(larger, -1)]:
            if cell in index:
                row[index[cell]] += sign
            else:
                limit -= sign * values[cell]
        if row.any():
            rows.append(row)
            lower.append(-np.inf)
            upper.append(limit)
    low = [0 if values[cell] < 5 else 5 for cell in hidden]
    high = [4 if values[cell] < 5 else 10_000 for cell in hidden]
    true_value = values[key]
    for bound_low, bound_high in ((low[index[key]], true_value - 1), (true_value + 1, high[index[key]])):
        if bound_low > bound_high:
            continue
        cell_low, cell_high = list(low), list(high)
        cell_low[index[key]], cell_high[index[key]] = bound_low, bound_high
        constraints = [LinearConstraint(np.array(rows), lower, upper)] if rows else []
        result = milp(
            np.zeros(len(hidden)),
            constraints=constraints,
            integrality=np.ones(len(hidden)),
            bounds=Bounds(cell_low, cell_high),
        )
        if result.success:
            return True
    return False


def _assert_no_small_count_recoverable(
    values: Mapping[K, int],
    status: Mapping[K, Status],
    sums: Sequence[Sum[K]],
    order: Sequence[tuple[K, K] | AtMost[K]] = (),
) -> None:
    for key, state in status.items():
        if state is Status.PRIMARY:
            assert _could_be_otherwise(key, values, status, sums, order), f"{key} can be worked out"


def _funnel_order(
    rows: Sequence[str], columns: Sequence[str]
) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    return [
        ((row, later), (row, earlier))
        for row in [*rows, TOTAL]
        for earlier, later in itertools.pairwise(columns)
    ]


def test_counts_from_one_to_four_are_shown_as_under_five_and_zero_and_five_are_shown() -> None:
    protected = protect({"none": 0, "one": 1, "four": 4, "five": 5, "many": 120})
    assert [protected.shown(key) for key in ("none", "one", "four", "five", "many")] == [
        "0",
        "<5",
        "<5",
        "5",
        "120",
    ]
    assert [is_small(value) for value in (0, 1, 4, 5)] == [False, True, True, False]
    assert protected.hidden == frozenset({"one", "four"})
    assert protected.shown_value("five") == 5
    assert protected.shown_value("one") is None


def test_a_lone_small_count_in_a_column_takes_the_smallest_other_count_with_it() -> None:
    grid = Grid(rows=("a", "b", "c"), columns=("people",), cells=((3,), (40,), (12,)))
    values, sums = grid_values(grid)
    protected = protect(values, sums)
    assert protected.status == {
        ("a", "people"): Status.PRIMARY,
        ("b", "people"): Status.SHOWN,
        ("c", "people"): Status.SECONDARY,
        (TOTAL, "people"): Status.SHOWN,
    }
    assert [protected.shown((row, "people")) for row in ("a", "b", "c", TOTAL)] == [
        "<5",
        "40",
        "suppressed",
        "55",
    ]
    _assert_no_small_count_recoverable(values, protected.status, sums)


def test_a_zero_beside_a_lone_small_count_is_hidden_as_under_five_instead_of_a_larger_count() -> None:
    grid = Grid(rows=("a", "b", "c", "d"), columns=("people",), cells=((3,), (40,), (12,), (0,)))
    values, sums = grid_values(grid)
    protected = protect(values, sums)
    assert [protected.shown((row, "people")) for row in ("a", "b", "c", "d", TOTAL)] == [
        "<5",
        "40",
        "12",
        "<5",
        "55",
    ]
    assert protected.status[("d", "people")] is Status.SECONDARY
    ranges = feasible_ranges(values, protected.status, sums)
    assert (ranges[("a", "people")].lowest, ranges[("a", "people")].highest) == (0, 3)
    _assert_no_small_count_recoverable(values, protected.status, sums)


def test_nothing_is_hidden_when_no_count_is_small() -> None:
    grid = Grid(rows=("a", "b"), columns=("x", "y"), cells=((5, 0), (9, 30)), has_total_column=True)
    values, sums = grid_values(grid)
    assert protect(values, sums).hidden == frozenset()


def test_the_bounds_the_display_reveals_are_used_one_plus_five_in_a_total_of_five_plus_one() -> None:
    # "suppressed" means at least 5, so with a total of 6 the "<5" count is 0 or 1: not pinned.
    values = {"small": 1, "other": 5, "total": 6}
    sums = [Sum("total", ("small", "other"))]
    protected = protect(values, sums)
    assert protected.status == {"small": Status.PRIMARY, "other": Status.SECONDARY, "total": Status.SHOWN}
    ranges = feasible_ranges(values, protected.status, sums)
    assert (ranges["small"].lowest, ranges["small"].highest) == (0, 1)
    assert (ranges["other"].lowest, ranges["other"].highest) == (5, 6)
    _assert_no_small_count_recoverable(values, protected.status, sums)


def test_two_fours_in_a_total_of_eight_would_be_pinned_at_four_so_a_third_count_is_hidden() -> None:
    # Two "<5" counts (each at most 4) adding up to 8 are both 4; hiding the zero beside them breaks that.
    values = {"a": 4, "b": 4, "c": 0, "total": 8}
    sums = [Sum("total", ("a", "b", "c"))]
    protected = protect(values, sums)
    assert protected.status == {
        "a": Status.PRIMARY,
        "b": Status.PRIMARY,
        "c": Status.SECONDARY,
        "total": Status.SHOWN,
    }
    assert [protected.shown(key) for key in ("a", "b", "c", "total")] == ["<5", "<5", "<5", "8"]
    _assert_no_small_count_recoverable(values, protected.status, sums)


def test_four_ones_in_a_total_of_four_cannot_be_worked_out_because_under_five_includes_zero() -> None:
    values = {"a": 1, "b": 1, "c": 1, "d": 1, "total": 4}
    sums = [Sum("total", ("a", "b", "c", "d"))]
    protected = protect(values, sums)
    assert protected.hidden == frozenset(values)
    _assert_no_small_count_recoverable(values, protected.status, sums)


def test_a_total_shared_by_two_breakdowns_is_hidden_in_both_or_neither() -> None:
    # One page: the same 30 people by sex and by age band. The total is one count, shown once.
    values = {"total": 30, "female": 27, "male": 3, "young": 14, "old": 16}
    sums = [Sum("total", ("female", "male")), Sum("total", ("young", "old"))]
    protected = protect(values, sums)
    assert protected.status["male"] is Status.PRIMARY
    assert protected.is_hidden("female") or protected.is_hidden("total")
    _assert_no_small_count_recoverable(values, protected.status, sums)


def test_a_funnel_table_with_its_total_row_and_the_funnel_order_is_protected() -> None:
    columns = ("offered", "referred", "seen", "connected", "attended")
    rows = ("1", "2", "3", "4", "5")
    grid = Grid(
        rows=rows,
        columns=columns,
        cells=(
            (40, 30, 20, 10, 3),
            (12, 10, 8, 3, 2),
            (3, 3, 2, 1, 0),
            (7, 6, 5, 5, 5),
            (100, 90, 80, 70, 60),
        ),
    )
    values, sums = grid_values(grid)
    order = _funnel_order(rows, columns)
    protected = protect(values, sums, order=order)
    shown = {row: [protected.shown((row, column)) for column in columns] for row in [*rows, TOTAL]}
    assert shown["1"][4] == "<5"
    assert shown["3"] == ["<5", "<5", "<5", "<5", "0"]
    assert shown["5"] == ["100", "90", "80", "70", "60"]
    for column in columns:
        in_column = [protected.status[(row, column)] for row in [*rows, TOTAL]]
        assert in_column.count(Status.SHOWN) != len(in_column) - 1, column
    _assert_no_small_count_recoverable(values, protected.status, sums, order)


def test_with_a_total_column_the_rows_are_protected_as_well_as_the_columns() -> None:
    grid = Grid(
        rows=("a", "b", "c"),
        columns=("x", "y", "z"),
        cells=((2, 30, 18), (25, 1, 40), (33, 27, 9)),
        has_total_column=True,
    )
    values, sums = grid_values(grid)
    protected = protect(values, sums)
    for relation in sums:
        hidden = [key for key in (relation.total, *relation.parts) if protected.is_hidden(key)]
        assert not (len(hidden) == 1 and protected.status[hidden[0]] is Status.PRIMARY), relation
    _assert_no_small_count_recoverable(values, protected.status, sums)


def test_a_small_total_is_itself_hidden() -> None:
    values = {"total": 3, "a": 3, "b": 0}
    sums = [Sum("total", ("a", "b"))]
    protected = protect(values, sums)
    assert protected.shown("total") == "<5"
    assert protected.shown("a") == "<5"
    assert protected.shown("b") == "0"
    _assert_no_small_count_recoverable(values, protected.status, sums)


def test_a_bound_on_separate_groups_is_used_by_the_reader_and_so_by_the_protection() -> None:
    # Group 2: 10 requested, 5 accepted, so at most 5 turned away at capacity. With 6 turned away in all
    # and group 1's 1 hidden, group 2's count would be 5 exactly, and group 1's 1 exactly.
    values = {
        ("g1", "requested"): 9,
        ("g1", "accepted"): 8,
        ("g1", "capacity"): 1,
        ("g2", "requested"): 10,
        ("g2", "accepted"): 5,
        ("g2", "capacity"): 5,
        ("all", "requested"): 19,
        ("all", "accepted"): 13,
        ("all", "capacity"): 6,
    }
    sums = [
        Sum(("all", column), (("g1", column), ("g2", column)))
        for column in ("requested", "accepted", "capacity")
    ]
    order = [
        AtMost(((group, "accepted"), (group, "capacity")), (group, "requested"))
        for group in ("g1", "g2", "all")
    ]
    protected = protect(values, sums, order=order)
    assert protected.shown(("g1", "capacity")) == "<5"
    assert protected.is_hidden(("g2", "capacity"))
    assert protected.hidden == frozenset({("g1", "capacity"), ("g2", "capacity"), ("all", "capacity")})
    _assert_no_small_count_recoverable(values, protected.status, sums, order)
    # Without the bound the column alone would have been enough.
    assert protect(values, sums).hidden == frozenset({("g1", "capacity"), ("g2", "capacity")})


def test_sums_that_do_not_add_up_are_refused() -> None:
    with pytest.raises(DisclosureError, match="do not add up"):
        protect({"total": 10, "a": 3, "b": 4}, [Sum("total", ("a", "b"))])


def test_negative_counts_and_unknown_cells_are_refused() -> None:
    with pytest.raises(DisclosureError, match="zero or more"):
        protect({"a": -1})
    with pytest.raises(DisclosureError, match="not in the table"):
        protect({"a": 1}, [Sum("total", ("a",))])
    with pytest.raises(DisclosureError, match="at most"):
        protect({"a": 6, "b": 5}, order=[("a", "b")])


def test_a_grid_needs_one_count_per_column() -> None:
    with pytest.raises(DisclosureError, match="one count for each column"):
        grid_values(Grid(rows=("a",), columns=("x", "y"), cells=((1,),)))


def _brute_force_values(
    values: Mapping[str, int], status: Mapping[str, Status], total: str
) -> dict[str, set[int]]:
    """Every assignment of a single published sum's hidden parts, enumerated; the total may be hidden."""
    parts = [key for key in values if key != total]
    hidden = [key for key in parts if status[key] is not Status.SHOWN]
    shown_sum = sum(values[key] for key in parts if status[key] is Status.SHOWN)
    cap = sum(values.values()) + 10
    domains = [range(0, 5) if values[key] < 5 else range(5, cap) for key in hidden]
    seen: dict[str, set[int]] = {key: set() for key in hidden}
    for assignment in itertools.product(*domains):
        grand = shown_sum + sum(assignment)
        if status[total] is Status.SHOWN and grand != values[total]:
            continue
        if status[total] is not Status.SHOWN and values[total] < 5 and grand > 4:
            continue
        if status[total] is not Status.SHOWN and values[total] >= 5 and grand < 5:
            continue
        for key, value in zip(hidden, assignment, strict=True):
            seen[key].add(value)
    return seen


@pytest.mark.parametrize(
    "parts",
    [
        (1, 5),
        (4, 4, 0),
        (1, 1, 7),
        (1, 1, 1, 1),
        (2, 9, 30),
        (3, 5, 5),
        (1, 2, 3),
        (4, 0, 0, 6),
        (1, 6, 6, 6),
    ],
)
def test_one_published_sum_enumerated_by_brute_force(parts: tuple[int, ...]) -> None:
    values = {f"p{index}": value for index, value in enumerate(parts)} | {"total": sum(parts)}
    sums = [Sum("total", tuple(f"p{index}" for index in range(len(parts))))]
    protected = protect(values, sums)
    possible = _brute_force_values(values, protected.status, "total")
    for key, state in protected.status.items():
        if state is Status.PRIMARY and key != "total":
            assert values[key] in possible[key]
            assert len(possible[key]) >= 2, (key, possible[key])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda rows: st.integers(min_value=1, max_value=3).flatmap(
            lambda columns: st.tuples(
                st.just(rows),
                st.just(columns),
                st.lists(
                    st.lists(st.integers(min_value=0, max_value=14), min_size=columns, max_size=columns),
                    min_size=rows,
                    max_size=rows,
                ),
                st.booleans(),
            )
        )
    )
)
def test_no_hidden_small_count_in_any_table_can_be_worked_out_from_its_totals(
    table: tuple[int, int, list[list[int]], bool],
) -> None:
    row_count, column_count, cells, total_column = table
    grid = Grid(
        rows=tuple(f"r{index}" for index in range(row_count)),
        columns=tuple(f"c{index}" for index in range(column_count)),
        cells=tuple(tuple(row) for row in cells),
        has_total_column=total_column,
    )
    values, sums = grid_values(grid)
    protected = protect(values, sums)
    for key, value in values.items():
        assert (protected.status[key] is Status.PRIMARY) == (0 < value < 5)
        assert protected.status[key] is not Status.SECONDARY or value == 0 or value >= 5
    _assert_no_small_count_recoverable(values, protected.status, sums)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=20), min_size=4, max_size=4).map(
            lambda steps: sorted(steps, reverse=True)
        ),
        min_size=2,
        max_size=5,
    )
)
def test_no_hidden_small_count_in_a_funnel_can_be_worked_out_using_the_funnel_order(
    rows: list[list[int]],
) -> None:
    columns = ("offered", "referred", "seen", "connected")
    names = tuple(f"group{index}" for index in range(len(rows)))
    grid = Grid(rows=names, columns=columns, cells=tuple(tuple(row) for row in rows))
    values, sums = grid_values(grid)
    order = _funnel_order(names, columns)
    protected = protect(values, sums, order=order)
    _assert_no_small_count_recoverable(values, protected.status, sums, order)
