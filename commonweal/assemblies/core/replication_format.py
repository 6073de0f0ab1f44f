"""Readers for the sortition replication format and the Sortition Foundation's CSV files (no Django).

Two quota layouts are accepted:
- Flanigan et al.'s replication data: `category,feature,min,max` (category = our feature, feature = value);
- the Sortition Foundation's: `feature,value,min,max[,min_flex,max_flex]`.
Respondents are one per row with a column per quota feature; an id column is optional.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from commonweal.assemblies.core.pool import (
    FeatureQuota,
    SelectionInputError,
    SelectionProblem,
    Volunteer,
    check_problem,
    normalise_value,
)
from commonweal.reference_data import shared_data_dir

_ID_COLUMNS = ("id", "nationbuilder_id", "volunteer_id", "respondent_id")


@dataclass(frozen=True)
class ReferencePoint:
    """One row of the paper's sorted probability curve."""

    percentile: float
    probability: float


@dataclass(frozen=True)
class InstanceFiles:
    """Where one published instance's quota and respondent files are."""

    categories: Path
    respondents: Path
    panel_size: int


def replication_instance(name: str) -> InstanceFiles:
    """Return the files of a replication instance, e.g. `example_small_20` (panel size from the name)."""
    folder = shared_data_dir() / "assemblies" / "citizensassemblies-replication" / "data" / name
    return InstanceFiles(
        categories=folder / "categories.csv",
        respondents=folder / "respondents.csv",
        panel_size=int(name.rsplit("_", 1)[1]),
    )


def replication_reference_curve(name: str, algorithm: str = "LexiMin") -> tuple[ReferencePoint, ...]:
    """Return the paper's sorted probabilities for one instance and algorithm (LexiMin or Legacy)."""
    path = (
        shared_data_dir()
        / "assemblies"
        / "citizensassemblies-replication"
        / "reference_output"
        / f"{name}_prob_allocs_data.csv"
    )
    _, rows = _read_rows(path)
    return tuple(
        ReferencePoint(float(row["percentile of pool members"]), float(row["selection probability"]))
        for _, row in rows
        if row["algorithm"] == algorithm
    )


# The Sortition Foundation's own tests select 22 from this fixture (PEOPLE_TO_SELECT in its test suite).
SORTITION_FOUNDATION_PANEL_SIZE = 22
SORTITION_FOUNDATION_HOUSEHOLD_COLUMNS = ("primary_address1", "primary_zip")


def sortition_foundation_fixture() -> InstanceFiles:
    """Return the Sortition Foundation's test fixture (150 synthetic candidates, panel of 22)."""
    folder = shared_data_dir() / "assemblies" / "sortition-algorithms-fixtures"
    return InstanceFiles(
        categories=folder / "features.csv",
        respondents=folder / "candidates.csv",
        panel_size=SORTITION_FOUNDATION_PANEL_SIZE,
    )


def read_quotas(path: Path) -> tuple[FeatureQuota, ...]:
    """Read min/max quotas per feature value from either layout."""
    fieldnames, rows = _read_rows(path)
    header = {normalise_value(name) for name in fieldnames}
    if {"category", "feature", "min", "max"} <= header:
        feature_column, value_column = "category", "feature"
    elif {"feature", "value", "min", "max"} <= header:
        feature_column, value_column = "feature", "value"
    else:
        raise SelectionInputError(
            f"{path.name}: expected the columns category,feature,min,max or feature,value,min,max."
        )
    quotas = []
    for line, row in rows:
        cells = {normalise_value(key): (value or "").strip() for key, value in row.items() if key is not None}
        if not cells[feature_column] and not cells[value_column]:
            continue
        quotas.append(
            FeatureQuota(
                feature=cells[feature_column],
                value=cells[value_column],
                minimum=_whole_number(path, line, "min", cells["min"]),
                maximum=_whole_number(path, line, "max", cells["max"]),
            )
        )
    if not quotas:
        raise SelectionInputError(f"{path.name}: there are no quota rows.")
    return tuple(quotas)


def read_volunteers(
    path: Path,
    features: Sequence[str],
    *,
    id_column: str | None = None,
    household_columns: Sequence[str] = (),
) -> tuple[Volunteer, ...]:
    """Read one volunteer per row; without an id column the id is the respondent's row number (1 = first)."""
    fieldnames, rows = _read_rows(path)
    if not rows:
        raise SelectionInputError(f"{path.name}: there are no respondents.")
    columns = {normalise_value(name): name for name in fieldnames}
    missing = [feature for feature in features if normalise_value(feature) not in columns]
    if id_column is not None and normalise_value(id_column) not in columns:
        missing.append(id_column)
    missing.extend(column for column in household_columns if normalise_value(column) not in columns)
    if missing:
        missing_words = "column" if len(missing) == 1 else "columns"
        raise SelectionInputError(f"{path.name}: missing {missing_words} {', '.join(missing)}.")
    if id_column is None:
        id_column = next((columns[name] for name in _ID_COLUMNS if name in columns), None)
    volunteers = []
    for number, (line, row) in enumerate(rows, start=1):
        volunteer_id = (
            (row.get(columns[normalise_value(id_column)]) or "").strip() if id_column else str(number)
        )
        if not volunteer_id:
            raise SelectionInputError(f"{path.name}, line {line}: the id is empty.")
        household = None
        if household_columns:
            parts = [
                (row.get(columns[normalise_value(column)]) or "").strip() for column in household_columns
            ]
            # An address left blank identifies nobody, so it must not put strangers in one household.
            household = None if not any(parts) else normalise_value("\x1f".join(parts))
        volunteers.append(
            Volunteer(
                volunteer_id=volunteer_id,
                features=tuple(
                    (feature, (row.get(columns[normalise_value(feature)]) or "").strip())
                    for feature in features
                ),
                household=household,
            )
        )
    return tuple(volunteers)


def read_problem(
    categories: Path,
    respondents: Path,
    panel_size: int,
    *,
    id_column: str | None = None,
    household_columns: Sequence[str] = (),
) -> SelectionProblem:
    """Read quotas and respondents into a checked selection problem (one per household if columns given)."""
    quotas = read_quotas(categories)
    features = tuple(dict.fromkeys(quota.feature for quota in quotas))
    volunteers = read_volunteers(
        respondents, features, id_column=id_column, household_columns=household_columns
    )
    problem = SelectionProblem(
        volunteers=volunteers,
        quotas=quotas,
        panel_size=panel_size,
        one_per_household=bool(household_columns),
    )
    check_problem(problem)
    return problem


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Return the header and (line number, row) pairs of a CSV file, with errors that name the file."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle, strict=True)
            rows = [(reader.line_num, row) for row in reader]
            if not reader.fieldnames:
                raise SelectionInputError(f"{path.name}: the file is empty.")
            return list(reader.fieldnames), rows
    except FileNotFoundError as error:
        raise SelectionInputError(f"{path}: no such file.") from error
    except IsADirectoryError as error:
        raise SelectionInputError(f"{path}: is a folder, not a CSV file.") from error
    except UnicodeDecodeError as error:
        raise SelectionInputError(f"{path.name}: not UTF-8 text; save it as CSV UTF-8.") from error
    except csv.Error as error:
        raise SelectionInputError(f"{path.name}: not valid CSV ({error}).") from error


def _whole_number(path: Path, line: int, column: str, text: str) -> int:
    """Parse a quota bound, naming the file, line and column when it is not a whole number."""
    try:
        return int(text)
    except ValueError as error:
        raise SelectionInputError(
            f"{path.name}, line {line}: {column} must be a whole number (found {text!r})."
        ) from error
