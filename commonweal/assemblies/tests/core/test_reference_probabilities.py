"""LEXIMIN against the published outputs of Flanigan et al. (2021) and the Sortition Foundation's package."""

from __future__ import annotations

import csv
from functools import cache

import pytest
from sortition_algorithms.committee_generation.maximin import find_distribution_maximin
from sortition_algorithms.features import read_in_features
from sortition_algorithms.people import read_in_people
from sortition_algorithms.settings import Settings

from commonweal.assemblies.core.pool import SelectionProblem
from commonweal.assemblies.core.replication_format import (
    SORTITION_FOUNDATION_PANEL_SIZE,
    read_problem,
    replication_instance,
    replication_reference_curve,
    sortition_foundation_fixture,
)
from commonweal.assemblies.core.selection import Method, SelectionResult, find_distribution
from commonweal.reference_data import shared_data_dir


@cache
def _problem(name: str) -> SelectionProblem:
    files = sortition_foundation_fixture() if name == "fixture" else replication_instance(name)
    return read_problem(files.categories, files.respondents, files.panel_size)


@cache
def _leximin(name: str) -> SelectionResult:
    return find_distribution(_problem(name), Method.LEXIMIN)


def _reference_table_minimum(name: str) -> float:
    path = shared_data_dir() / "assemblies" / "reference_table_flanigan2021.csv"
    with path.open(newline="") as handle:
        row = next(row for row in csv.DictReader(handle) if row["instance"] == name)
    return float(row["leximin_min_csv"])


@pytest.mark.parametrize("name", ["example_small_20", "example_large_200"])
def test_leximin_minimum_probability_equals_the_papers(name: str) -> None:
    assert _reference_table_minimum(name) == 0.1
    assert _leximin(name).minimum_probability == pytest.approx(_reference_table_minimum(name), abs=1e-4)


@pytest.mark.parametrize("name", ["example_small_20", "example_large_200"])
def test_sorted_leximin_probabilities_match_the_papers_curve_at_every_percentile(name: str) -> None:
    reference = replication_reference_curve(name, "LexiMin")
    ours = sorted(entry.probability for entry in _leximin(name).probabilities)
    # One reference row per pool member: row i is the i-th smallest probability (percentile 100 i / n).
    assert len(reference) == len(ours)
    for index, point in enumerate(reference):
        assert point.percentile == pytest.approx(100 * index / len(ours))
        assert ours[index] == pytest.approx(point.probability, abs=1e-3), point


def test_person_level_leximin_agrees_with_the_grouped_one_on_example_small_20() -> None:
    person_level = find_distribution(
        _problem("example_small_20"), Method.LEXIMIN, merge_interchangeable=False
    )
    assert len(person_level.distribution.groups) == 200
    assert person_level.minimum_probability == pytest.approx(0.1, abs=1e-4)
    grouped = _leximin("example_small_20").probability_by_id()
    for entry in person_level.probabilities:
        assert entry.probability == pytest.approx(grouped[entry.volunteer_id], abs=1e-6)


def test_leximin_minimum_equals_sortition_algorithms_maximin_on_its_fixture() -> None:
    files = sortition_foundation_fixture()
    with files.categories.open(newline="") as handle:
        reader = csv.DictReader(handle)
        features, _, _ = read_in_features(list(reader.fieldnames or []), list(reader))
    settings = Settings(
        id_column="nationbuilder_id",
        columns_to_keep=[],
        check_same_address=False,
        check_same_address_columns=[],
        selection_algorithm="maximin",
        solver_backend="highspy",
    )
    with files.respondents.open(newline="") as handle:
        reader = csv.DictReader(handle)
        people, _ = read_in_people(list(reader.fieldnames or []), list(reader), features, settings)
    # The open HiGHS backend: the package's maximin runs without a commercial solver (its LEXIMIN does not).
    committees, probabilities, _ = find_distribution_maximin(
        features, people, SORTITION_FOUNDATION_PANEL_SIZE, [], solver_backend="highspy"
    )
    marginals = dict.fromkeys(people, 0.0)
    for committee, probability in zip(committees, probabilities, strict=True):
        for person in committee:
            marginals[person] += probability
    theirs = min(marginals.values())

    assert _leximin("fixture").minimum_probability == pytest.approx(theirs, abs=1e-4)
    assert find_distribution(_problem("fixture"), Method.MAXIMIN).minimum_probability == pytest.approx(
        theirs, abs=1e-4
    )
