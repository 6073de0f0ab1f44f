"""Small-number suppression for published tables, with secondary suppression (no Django).

Primary suppression: a count from 1 to 4 (below `threshold`) is shown as "<5". A zero is shown as 0
where it gives nothing away, as in NHS England's (formerly NHS Digital's) disclosure control.

Secondary suppression: a published table also publishes sums — a total row, a period total, the same
total on several breakdowns of one page. A small count hidden alone in such a sum could be worked out
by subtraction, and even two hidden counts can give each other away through the bounds the display
itself reveals ("<5" is 0 to 4; "suppressed" is 5 or more). So, cell by cell, more cells are hidden
until no small count can be pinned to a single value by anyone who knows every shown number, every
published sum, every known ordering (a later funnel step never exceeds an earlier one) and this rule.
Whether a hidden count can be pinned is decided exactly: its smallest and largest values consistent
with all of that are found by linear programming; the sums of a table with margins form a network
(totally unimodular) system, so those bounds are whole numbers that can be reached.

Complementary cells are chosen so as to hide as little as possible: a zero in a sum that includes the
exposed cell first (it is then shown as "<5", which is true, and costs the reader nothing), then the
smallest shown count there ("suppressed"), else that sum's total.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

import highspy
import numpy as np

Key = TypeVar("Key", bound=Hashable)

THRESHOLD = 5
# Slack for floating point in the linear programmes' bounds, far below one person.
_EPSILON = 1e-6


class DisclosureError(ValueError):
    """A table that cannot be protected as given (for example, its sums do not add up)."""


class Status(StrEnum):
    """Whether a count is shown, hidden because it is small, or hidden to protect a small count."""

    SHOWN = "shown"
    PRIMARY = "primary"  # 1 to threshold − 1: hidden for its own sake
    SECONDARY = "secondary"  # hidden to protect a small count


@dataclass(frozen=True)
class Sum(Generic[Key]):
    """A published relation: the count `total` is the sum of the counts `parts`."""

    total: Key
    parts: tuple[Key, ...]


@dataclass(frozen=True)
class AtMost(Generic[Key]):
    """A known bound: the counts `parts` add up to no more than the count `total` (for example, the
    connections accepted and those rejected are separate groups of the connections requested)."""

    parts: tuple[Key, ...]
    total: Key


Ordering = tuple[Key, Key] | AtMost[Key]


def _bounds(order: Sequence[Ordering[Key]]) -> list[AtMost[Key]]:
    return [item if isinstance(item, AtMost) else AtMost((item[0],), item[1]) for item in order]


@dataclass(frozen=True)
class Protected(Generic[Key]):
    """The outcome: each count's status, and how to show it."""

    values: Mapping[Key, int]
    status: Mapping[Key, Status]
    threshold: int

    def is_hidden(self, key: Key) -> bool:
        """Tell whether the count is not shown."""
        return self.status[key] is not Status.SHOWN

    def shown(self, key: Key) -> str:
        """Return the text to publish for a count: the number, "<5" (0 to 4), or "suppressed" (5 or more)."""
        if self.status[key] is Status.SHOWN:
            return str(self.values[key])
        return f"<{self.threshold}" if self.values[key] < self.threshold else "suppressed"

    def shown_value(self, key: Key) -> int | None:
        """Return the count when it is shown, else None."""
        return None if self.is_hidden(key) else self.values[key]

    @property
    def hidden(self) -> frozenset[Key]:
        """Every hidden count."""
        return frozenset(key for key, status in self.status.items() if status is not Status.SHOWN)


@dataclass(frozen=True)
class Range:
    """The smallest and largest whole values a hidden count can take, given everything published."""

    lowest: int
    highest: int

    @property
    def is_pinned(self) -> bool:
        """Tell whether only one value is possible (the count would be disclosed)."""
        return self.lowest >= self.highest


def is_small(value: int, threshold: int = THRESHOLD) -> bool:
    """Tell whether a count must be hidden for its own sake (1 to threshold − 1)."""
    return 0 < value < threshold


def _check(values: Mapping[Key, int], sums: Sequence[Sum[Key]], order: Sequence[AtMost[Key]]) -> None:
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise DisclosureError(f"Counts must be whole numbers of zero or more; {key!r} is {value!r}.")
    for relation in sums:
        for key in (relation.total, *relation.parts):
            if key not in values:
                raise DisclosureError(f"A sum names {key!r}, which is not in the table.")
        if sum(values[part] for part in relation.parts) != values[relation.total]:
            raise DisclosureError(f"The parts of {relation.total!r} do not add up to it.")
    for bound in order:
        for key in (*bound.parts, bound.total):
            if key not in values:
                raise DisclosureError(f"An ordering names a count that is not in the table: {key!r}.")
        if sum(values[part] for part in bound.parts) > values[bound.total]:
            raise DisclosureError(
                f"{bound.parts!r} are said to be at most {bound.total!r}, but they are more."
            )


# A hidden count larger than this is as good as unlimited; a finite cap keeps every programme bounded.
_CAP = 1e9


class _Model(Generic[Key]):
    """What a reader knows about the hidden counts, as linear programmes over every count of the table.

    One HiGHS programme is built per table: a shown count is a column fixed at its value, a hidden one
    ranges over what the display says ("<5" is 0 to threshold − 1, "suppressed" at least threshold).
    Hiding another count only changes its column's bounds and each question only changes the objective,
    so HiGHS starts from the last answer's basis instead of solving afresh.

    Questions about many counts are batched: hidden counts that share no sum or bound (different
    connected components) are independent, so one programme can push one count of each component at
    once and read off every answer.
    """

    def __init__(
        self,
        values: Mapping[Key, int],
        sums: Sequence[Sum[Key]],
        order: Sequence[AtMost[Key]],
        threshold: int,
    ) -> None:
        self.values = values
        self.threshold = threshold
        self.keys = list(values)
        self.column = {key: index for index, key in enumerate(self.keys)}
        self.truth = np.array([float(values[key]) for key in self.keys])
        self.rows: list[list[int]] = []
        constructor: Any = highspy.Highs  # highspy's stub leaves Highs.__init__ unannotated
        self.highs = constructor()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("threads", 1)
        self.highs.setOptionValue("random_seed", 0)
        # The programmes are small and each starts from the last basis: presolving them costs more.
        self.highs.setOptionValue("presolve", "off")
        self.count = len(self.keys)
        self.all_columns = np.arange(self.count, dtype=np.int32)
        if self.count:
            self.highs.addVars(self.count, self.truth, self.truth)
        lower: list[float] = []
        upper: list[float] = []
        starts: list[int] = []
        indices: list[int] = []
        coefficients: list[float] = []
        relations = [(relation.parts, relation.total, True) for relation in sums]
        relations += [(bound.parts, bound.total, False) for bound in order]
        for parts, total, equality in relations:
            # The parts add up to the total (or to no more than it): parts − total = 0 (or ≤ 0).
            terms: dict[int, float] = {}
            for key, sign in [(part, 1.0) for part in parts] + [(total, -1.0)]:
                terms[self.column[key]] = terms.get(self.column[key], 0.0) + sign
            terms = {index: value for index, value in terms.items() if value}
            if not terms:
                continue
            lower.append(0.0 if equality else -highspy.kHighsInf)
            upper.append(0.0)
            starts.append(len(indices))
            indices.extend(terms)
            coefficients.extend(terms.values())
            self.rows.append(list(terms))
        if self.rows:
            self.highs.addRows(
                len(self.rows),
                np.array(lower),
                np.array(upper),
                len(indices),
                np.array(starts, dtype=np.int32),
                np.array(indices, dtype=np.int32),
                np.array(coefficients, dtype=np.float64),
            )
        self.hidden: list[int] = []
        self.component_of: dict[int, int] = {}

    def show(self, status: Mapping[Key, Status]) -> None:
        """Set what the display says: which counts are hidden, and each hidden count's possible values."""
        lower = self.truth.copy()
        upper = self.truth.copy()
        self.hidden = [index for index, key in enumerate(self.keys) if status[key] is not Status.SHOWN]
        for index in self.hidden:
            small = self.truth[index] < self.threshold
            lower[index] = 0.0 if small else float(self.threshold)
            upper[index] = float(self.threshold - 1) if small else _CAP
        if self.count:
            self.highs.changeColsBounds(self.count, self.all_columns, lower, upper)
        # Hidden counts are linked through a sum or bound they share; shown counts are constants there.
        hidden = set(self.hidden)
        parent = {index: index for index in self.hidden}

        def find(index: int) -> int:
            while parent[index] != index:
                parent[index] = parent[parent[index]]
                index = parent[index]
            return index

        for row in self.rows:
            linked = [index for index in row if index in hidden]
            for other in linked[1:]:
                parent[find(other)] = find(linked[0])
        self.component_of = {index: find(index) for index in self.hidden}

    def _solve(self, objective: Any) -> Any:
        self.highs.changeColsCost(self.count, self.all_columns, np.asarray(objective, dtype=np.float64))
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise DisclosureError("The published figures are inconsistent.")
        return np.asarray(self.highs.getSolution().col_value, dtype=np.float64)

    def extreme(self, key: Key, *, largest: bool) -> float:
        """Return the smallest (or largest) value the hidden count can take (_CAP: no limit)."""
        objective = np.zeros(self.count)
        objective[self.column[key]] = -1.0 if largest else 1.0
        return float(self._solve(objective)[self.column[key]])

    def range_of(self, key: Key) -> Range:
        """Return the whole values the hidden count can take."""
        lowest = math.ceil(self.extreme(key, largest=False) - _EPSILON)
        highest = self.extreme(key, largest=True)
        return Range(lowest, _UNBOUNDED if highest >= _CAP - 1 else math.floor(highest + _EPSILON))

    def _moved(self, solution: Any, indices: Sequence[int]) -> set[int]:
        return {index for index in indices if abs(solution[index] - self.truth[index]) >= 1 - _EPSILON}

    def first_pinned(self, keys: Sequence[Key], free: set[Key]) -> Key | None:
        """Return the first of `keys` that can take only its true value, adding those that can take
        another to `free`."""
        wanted = [self.column[key] for key in keys if key not in free and key in self.column]
        wanted = [index for index in wanted if index in self.component_of]
        if not wanted:
            return None
        # Push every hidden count up together, then down: most free counts move in one of the two.
        weights = np.zeros(self.count)
        for position, index in enumerate(self.hidden):
            weights[index] = 1.0 + (position * 7919 % 97) / 97
        moved = self._moved(self._solve(-weights), wanted) | self._moved(self._solve(weights), wanted)
        free.update(self.keys[index] for index in moved)
        left = [index for index in wanted if index not in moved]
        # Then one count of each component at a time: the components do not constrain each other.
        by_component: dict[int, list[int]] = {}
        for index in left:
            by_component.setdefault(self.component_of[index], []).append(index)
        pinned: set[int] = set()
        while any(by_component.values()):
            batch = [indices.pop(0) for indices in by_component.values() if indices]
            objective = np.zeros(self.count)
            objective[batch] = 1.0
            lower = self._moved(self._solve(objective), batch)
            rest = [index for index in batch if index not in lower]
            upper: set[int] = set()
            if rest:
                objective = np.zeros(self.count)
                objective[rest] = -1.0
                upper = self._moved(self._solve(objective), rest)
            free.update(self.keys[index] for index in lower | upper)
            pinned |= {index for index in rest if index not in upper}
        for key in keys:
            if key in self.column and self.column[key] in pinned:
                return key
        return None

    def is_pinned(self, key: Key) -> bool:
        """Tell whether the hidden count can take only its true value."""
        return self.first_pinned([key], set()) is not None


# Stands for "no upper limit" in a Range.
_UNBOUNDED = 2**62


def feasible_ranges(
    values: Mapping[Key, int],
    status: Mapping[Key, Status],
    sums: Sequence[Sum[Key]],
    *,
    order: Sequence[Ordering[Key]] = (),
    threshold: int = THRESHOLD,
) -> dict[Key, Range]:
    """Return, for each hidden count, the whole values a reader could still believe it has.

    The reader knows every shown count, every sum, every ordering, and that a "<5" count is 0 to
    threshold − 1 and a "suppressed" one is at least threshold.
    """
    model = _Model(values, sums, _bounds(order), threshold)
    model.show(status)
    return {key: model.range_of(key) for key in values if status[key] is not Status.SHOWN}


# How many candidate complements are tried, smallest first, before settling for the smallest.
_TRIALS = 12


def _smallest(candidates: Sequence[Key], values: Mapping[Key, int], position: Mapping[Key, int]) -> list[Key]:
    unique = list(dict.fromkeys(candidates))
    return sorted(unique, key=lambda key: (values[key], position[key]))


def _close(
    status: dict[Key, Status],
    sums: Sequence[Sum[Key]],
    values: Mapping[Key, int],
    position: Mapping[Key, int],
) -> None:
    """Hide a partner for every count hidden alone in a sum (alone, it is known by subtraction)."""
    changed = True
    while changed:
        changed = False
        for relation in sums:
            cells = (*relation.parts, relation.total)
            if sum(status[key] is not Status.SHOWN for key in cells) == 1:
                shown = [key for key in cells if status[key] is Status.SHOWN]
                status[_smallest(shown, values, position)[0]] = Status.SECONDARY
                changed = True


def _related(exposed: Key, sums: Sequence[Sum[Key]], bounds: Sequence[AtMost[Key]]) -> list[Key]:
    """The counts that share a sum or a bound with `exposed`."""
    related: list[Key] = []
    for relation in sums:
        if exposed in (relation.total, *relation.parts):
            related.extend((*relation.parts, relation.total))
    for bound in bounds:
        if exposed in (*bound.parts, bound.total):
            related.extend((*bound.parts, bound.total))
    return related


def protect(
    values: Mapping[Key, int],
    sums: Sequence[Sum[Key]] = (),
    *,
    order: Sequence[Ordering[Key]] = (),
    threshold: int = THRESHOLD,
) -> Protected[Key]:
    """Hide small counts, then hide as few others as needed so that none can be worked out.

    `sums` are the published relations (a total and its parts); `order` lists what else a reader
    knows: pairs (a, b) with a ≤ b, such as a later funnel step and an earlier one for the same group,
    and AtMost bounds (separate groups of one count add up to no more than it).
    """
    if threshold < 2:
        raise DisclosureError("The threshold must be at least 2.")
    bounds = _bounds(order)
    _check(values, sums, bounds)
    position = {key: index for index, key in enumerate(values)}
    status: dict[Key, Status] = {
        key: Status.PRIMARY if is_small(value, threshold) else Status.SHOWN for key, value in values.items()
    }
    # No hidden count may stand alone in a sum; then the bounds are checked exactly.
    _close(status, sums, values, position)
    # Hiding more only widens what a reader can believe, so a count once shown to be free stays free.
    free: set[Key] = set()
    model = _Model(values, sums, bounds, threshold)
    while True:
        model.show(status)
        exposed = model.first_pinned([key for key in values if status[key] is Status.PRIMARY], free)
        if exposed is None:
            return Protected(dict(values), dict(status), threshold)
        candidates = _smallest(
            [key for key in _related(exposed, sums, bounds) if status[key] is Status.SHOWN], values, position
        )
        if not candidates:
            candidates = _smallest(
                [
                    key
                    for relation in sums
                    if any(status[key] is not Status.SHOWN for key in (relation.total, *relation.parts))
                    for key in (relation.total, *relation.parts)
                    if status[key] is Status.SHOWN
                ],
                values,
                position,
            )
        if not candidates:
            # Every count near it is hidden and it can still be worked out (through orderings alone):
            # the caller must not publish this table.
            raise DisclosureError("A small count in this table cannot be protected; do not publish it.")
        # The smallest candidate that frees it (with the partners its hiding needs), else the smallest.
        chosen: dict[Key, Status] | None = None
        for candidate in candidates[:_TRIALS]:
            trial = dict(status)
            trial[candidate] = Status.SECONDARY
            _close(trial, sums, values, position)
            model.show(trial)
            if not model.is_pinned(exposed):
                chosen = trial
                break
        if chosen is None:
            chosen = dict(status)
            chosen[candidates[0]] = Status.SECONDARY
            _close(chosen, sums, values, position)
        status = chosen


@dataclass(frozen=True)
class Grid:
    """A table of counts: body rows × columns, with the published total row (the sum of each column)."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]
    has_total_row: bool = True
    has_total_column: bool = False


TOTAL = "__total__"


def grid_values(grid: Grid) -> tuple[dict[tuple[str, str], int], list[Sum[tuple[str, str]]]]:
    """Return a grid's counts keyed by (row, column), with its total row/column, and its sums."""
    if len(grid.cells) != len(grid.rows) or any(len(row) != len(grid.columns) for row in grid.cells):
        raise DisclosureError("Every row of the table needs one count for each column.")
    values: dict[tuple[str, str], int] = {}
    for row, counts in zip(grid.rows, grid.cells, strict=True):
        for column, count in zip(grid.columns, counts, strict=True):
            values[(row, column)] = count
    sums: list[Sum[tuple[str, str]]] = []
    all_rows = list(grid.rows)
    if grid.has_total_column:
        for row, counts in zip(grid.rows, grid.cells, strict=True):
            values[(row, TOTAL)] = sum(counts)
            sums.append(Sum((row, TOTAL), tuple((row, column) for column in grid.columns)))
    if grid.has_total_row:
        columns = list(grid.columns) + ([TOTAL] if grid.has_total_column else [])
        for column in columns:
            values[(TOTAL, column)] = sum(values[(row, column)] for row in all_rows)
            sums.append(Sum((TOTAL, column), tuple((row, column) for row in all_rows)))
        if grid.has_total_column:
            sums.append(Sum((TOTAL, TOTAL), tuple((TOTAL, column) for column in grid.columns)))
    return values, sums
