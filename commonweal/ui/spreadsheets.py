"""CSV written so that a spreadsheet never runs a cell as a formula (OWASP, "CSV Injection").

Every CSV the product writes goes through `writer` or `dict_writer`. A text cell that begins with
=, +, -, @, a tab or a carriage return gets a leading single quote, which spreadsheets show as text;
a cell that is plainly a number (e.g. -3.5 or +44) is left alone, since no spreadsheet runs it. Pure
Python: no Django, so the algorithm cores may use it too.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any

# What a spreadsheet may take for the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?", flags=re.ASCII)


def safe_cell(value: Any) -> Any:
    """Return the value as a spreadsheet will take it as text: quoted when it could start a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose every cell goes through safe_cell."""

    def __init__(self, handle: Any, **options: Any) -> None:
        """Write to the handle, with csv.writer's options."""
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row."""
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write many rows."""
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """csv.DictWriter whose every value goes through safe_cell (the header is ours and left alone)."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        """Write one row."""
        return super().writerow({key: safe_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        """Write many rows."""
        for row in rowdicts:
            self.writerow(row)


def writer(handle: Any, **options: Any) -> SafeWriter:
    """Return a CSV writer for the handle that neutralises formulas."""
    return SafeWriter(handle, **options)


def dict_writer(handle: Any, fieldnames: list[str], **options: Any) -> SafeDictWriter:
    """Return a CSV dict writer for the handle that neutralises formulas."""
    return SafeDictWriter(handle, fieldnames=fieldnames, **options)
