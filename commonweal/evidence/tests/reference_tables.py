"""Reading PHEindicatormethods' test tables in place, and comparing to the precision they are printed with.

The tables are GPL-3 test data of PHEindicatormethods (UKHSA; snapshot 093fd288, v2.1.0), kept under
shared/data/statistics with their SOURCES.md and LICENSE; they are read from there, never copied.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path

from commonweal.reference_data import shared_data_dir

# The worksheets in csv/ hold the spreadsheets' cached doubles, printed in shortest round-trip form,
# so a cell such as 0.01 is that double exactly. Their last two or three digits are rounding noise of
# Excel's (or R's) own functions, so agreement with them is asserted to 12 significant figures.
# Tables whose numbers were rounded when they were written (the life expectancy answers, the
# non-independent DSR results, the funnel CSVs) must agree to half a unit in their last printed place.
FULL_PRECISION_RELATIVE = 1e-12


def statistics_dir() -> Path:
    """Return the folder of the PHEindicatormethods test data."""
    return shared_data_dir() / "statistics"


@cache
def _read(path: Path) -> tuple[dict[str, str], ...]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [{key.strip(): value.strip() for key, value in row.items()} for row in csv.DictReader(handle)]
    return tuple(rows)


def table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a worksheet extracted to csv/ (file name without folder)."""
    return _read(statistics_dir() / "csv" / name)


def raw_table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of one of PHEindicatormethods' own CSV test files in raw/."""
    return _read(statistics_dir() / "raw" / name)


def number(cell: str) -> float | None:
    """A cell as a number; empty and NA cells are missing."""
    return None if cell in ("", "NA") else float(cell)


def tolerance(cell: str, *, rounded: bool = False) -> float:
    """The absolute difference a value may have from a table cell and still agree with it."""
    value = Decimal(cell)
    if not rounded:
        return abs(float(value)) * FULL_PRECISION_RELATIVE
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    # Half a unit in the last printed place, plus float representation slack.
    return 0.5 * 10.0**exponent + abs(float(value)) * 1e-15


def agrees(ours: float | None, cell: str, *, rounded: bool = False) -> bool:
    """Whether our value agrees with a table cell to the precision the cell gives."""
    expected = number(cell)
    if expected is None or ours is None:
        return expected is None and ours is None
    return math.isfinite(ours) and abs(ours - expected) <= tolerance(cell, rounded=rounded)


def disagreements(pairs: Sequence[tuple[str, float | None, str]], *, rounded: bool = False) -> list[str]:
    """Describe every (label, ours, cell) that does not agree; an empty list means all agree."""
    return [
        f"{label}: ours {ours!r}, table {cell!r}"
        for label, ours, cell in pairs
        if not agrees(ours, cell, rounded=rounded)
    ]
