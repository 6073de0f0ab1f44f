"""Quota targets from population shares, the file readers and the `select` command."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest

from commonweal.assemblies.core.cli import main
from commonweal.assemblies.core.pool import FeatureQuota, SelectionInputError
from commonweal.assemblies.core.quotas import (
    PopulationShare,
    check_feasibility,
    parse_population_shares,
    quotas_from_population_shares,
)
from commonweal.assemblies.core.replication_format import (
    read_problem,
    read_quotas,
    read_volunteers,
    replication_instance,
    sortition_foundation_fixture,
)
from commonweal.reference_data import shared_data_dir


def test_quota_targets_are_the_floor_and_ceiling_of_the_proportional_seats() -> None:
    shares = (
        PopulationShare("sex", "female", 0.35),
        PopulationShare("sex", "male", 0.65),
        PopulationShare("age", "16-29", 1 / 3),
        PopulationShare("age", "30+", 2 / 3),
    )
    assert quotas_from_population_shares(shares, 20) == (
        FeatureQuota("sex", "female", 7, 7),
        FeatureQuota("sex", "male", 13, 13),
        FeatureQuota("age", "16-29", 6, 7),
        FeatureQuota("age", "30+", 13, 14),
    )
    assert quotas_from_population_shares(shares, 20, tolerance_seats=1)[0] == FeatureQuota(
        "sex", "female", 6, 8
    )


def test_shares_that_do_not_add_up_to_one_are_refused() -> None:
    shares = (PopulationShare("sex", "female", 0.5), PopulationShare("sex", "male", 0.45))
    with pytest.raises(SelectionInputError) as caught:
        quotas_from_population_shares(shares, 20)
    assert str(caught.value) == "The shares of sex add up to 0.95, not 1."


def test_population_shares_are_read_as_fractions_or_percentages() -> None:
    rows = [
        {"feature": "sex", "value": "female", "share": "51%"},
        {"feature": "sex", "value": "male", "share": "0.49"},
    ]
    assert parse_population_shares(rows) == (
        PopulationShare("sex", "female", 0.51),
        PopulationShare("sex", "male", 0.49),
    )
    with pytest.raises(SelectionInputError) as caught:
        parse_population_shares([{"feature": "sex", "value": "female", "share": "half"}])
    assert str(caught.value) == "Row 2: the share 'half' is not a number."


def test_the_published_instances_are_feasible() -> None:
    for files in (replication_instance("example_small_20"), sortition_foundation_fixture()):
        report = check_feasibility(read_problem(files.categories, files.respondents, files.panel_size))
        assert report.feasible
        assert report.shortfalls == ()


def test_both_quota_layouts_are_read() -> None:
    replication = read_quotas(replication_instance("example_small_20").categories)
    assert replication[0] == FeatureQuota("gender", "female", 9, 20)
    foundation = read_quotas(sortition_foundation_fixture().categories)
    assert foundation[0] == FeatureQuota("Gender", "Female", 11, 12)
    assert len(foundation) == 20


def test_respondents_get_row_numbers_as_ids_when_the_file_has_none() -> None:
    files = replication_instance("example_small_20")
    problem = read_problem(files.categories, files.respondents, files.panel_size)
    assert problem.volunteers[0].volunteer_id == "1"
    assert problem.volunteers[0].features == (("gender", "female"), ("leaning", "conservative"))
    assert len(problem.volunteers) == 200


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_respondent_value_without_a_quota_is_named(tmp_path: Path) -> None:
    categories = _write(tmp_path / "c.csv", "category,feature,min,max\nsex,f,1,1\nsex,m,1,1\n")
    respondents = _write(tmp_path / "r.csv", "sex\nf\nm\nx\n")
    with pytest.raises(SelectionInputError) as caught:
        read_problem(categories, respondents, 2)
    assert str(caught.value) == "Volunteer '3' has sex = 'x', which has no quota."


def test_a_bound_that_is_not_a_number_is_named_with_its_line(tmp_path: Path) -> None:
    categories = _write(tmp_path / "c.csv", "category,feature,min,max\nsex,f,1,one\n")
    with pytest.raises(
        SelectionInputError, match=r"c.csv, line 2: max must be a whole number \(found 'one'\)."
    ):
        read_quotas(categories)


def test_a_file_with_the_wrong_columns_is_refused(tmp_path: Path) -> None:
    categories = _write(tmp_path / "c.csv", "name,low,high\nsex,1,2\n")
    with pytest.raises(SelectionInputError, match="expected the columns category,feature,min,max"):
        read_quotas(categories)


def test_select_writes_every_probability_and_prints_the_panel(tmp_path: Path) -> None:
    files = replication_instance("example_small_20")
    out, err = io.StringIO(), io.StringIO()
    output = tmp_path / "probabilities.csv"
    arguments = ["select", "--categories", str(files.categories), "--respondents", str(files.respondents)]
    arguments += ["--panel-size", "20", "--method", "leximin", "--seed", "42", "--probabilities", str(output)]
    assert main(arguments, out=out, err=err) == 0
    assert err.getvalue() == ""
    with output.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 200
    assert all(abs(float(row["probability"]) - 0.1) < 1e-4 for row in rows)
    assert sum(int(row["selected"]) for row in rows) == 20
    printed = out.getvalue()
    assert "seed: 42" in printed
    assert "minimum selection probability: 0.100000" in printed
    assert "quotas met: yes" in printed
    panel_lines = printed.split("panel:\n", 1)[1].splitlines()
    assert len(panel_lines) == 20
    # The same seed prints the same panel.
    again = io.StringIO()
    assert main(arguments, out=again, err=io.StringIO()) == 0
    assert again.getvalue() == printed


def test_select_reports_a_missing_file_without_a_traceback(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    arguments = [
        "select",
        "--categories",
        str(tmp_path / "nope.csv"),
        "--respondents",
        str(tmp_path / "r.csv"),
    ]
    arguments += ["--panel-size", "5", "--probabilities", str(tmp_path / "p.csv")]
    assert main(arguments, out=out, err=err) == 2
    assert err.getvalue() == f"error: {tmp_path / 'nope.csv'}: no such file.\n"
    assert not (tmp_path / "p.csv").exists()


def test_select_names_the_quotas_that_make_a_panel_impossible(tmp_path: Path) -> None:
    files = sortition_foundation_fixture()
    err = io.StringIO()
    arguments = ["select", "--categories", str(files.categories), "--respondents", str(files.respondents)]
    arguments += ["--panel-size", "30", "--probabilities", str(tmp_path / "p.csv")]
    assert main(arguments, out=io.StringIO(), err=err) == 2
    assert err.getvalue().startswith(
        "error: No panel can meet every quota. The smallest change that would allow one:\n"
    )
    assert "Traceback" not in err.getvalue()


def test_select_refuses_an_unknown_method() -> None:
    err = io.StringIO()
    arguments = ["select", "--categories", "c", "--respondents", "r", "--panel-size", "2"]
    arguments += ["--method", "dictator", "--probabilities", "p"]
    assert main(arguments, out=io.StringIO(), err=err) == 2
    assert err.getvalue().startswith("error: argument --method: invalid choice: 'dictator'")


def _sf_e_marginals() -> dict[str, dict[str, float]]:
    """Population shares of each feature value of the paper's sf_e instance, summed from its intersections."""
    path = (
        shared_data_dir()
        / "assemblies"
        / "citizensassemblies-replication"
        / "data"
        / "sf_e_110"
        / "intersections.csv"
    )
    # Each row is the share of one pair of values; summing over the other feature gives one value's share.
    sums: dict[tuple[str, str, str], dict[str, float]] = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            pairing = (row["category 1"], row["category 2"])
            for side in (1, 2):
                key = (row[f"category {side}"], *pairing)
                shares = sums.setdefault(key, {})
                value = row[f"feature {side}"]
                shares[value] = shares.get(value, 0.0) + float(row["population share"])
    marginals: dict[str, dict[str, float]] = {}
    agreeing: Counter[str] = Counter()
    for (category, *_), shares in sorted(sums.items()):
        # Some pairings leave out small cells, so only pairings that sum to 1 give the marginal shares.
        if abs(sum(shares.values()) - 1.0) > 1e-9:
            continue
        known = marginals.setdefault(category, shares)
        assert known.keys() == shares.keys()
        for value, share in shares.items():
            assert known[value] == pytest.approx(share, abs=1e-9)
        agreeing[category] += 1
    # Every feature has a complete pairing (feature e has exactly one; the others agree across several).
    assert min(agreeing.values()) >= 1
    return marginals


def test_quotas_from_the_sf_e_population_shares_bracket_the_proportional_seats() -> None:
    marginals = _sf_e_marginals()
    assert sorted(marginals) == ["a", "b", "c", "d", "e", "f", "g"]
    shares = tuple(
        PopulationShare(feature, value, share)
        for feature, values in marginals.items()
        for value, share in sorted(values.items())
    )
    quotas = quotas_from_population_shares(shares, 110)
    assert len(quotas) == len(shares)
    for quota, share in zip(quotas, shares, strict=True):
        seats = 110 * share.share
        assert quota.minimum <= seats + 1e-9 and seats - 1e-9 <= quota.maximum
        assert quota.maximum - quota.minimum <= 1
    for feature in marginals:
        minimum = sum(quota.minimum for quota in quotas if quota.feature == feature)
        maximum = sum(quota.maximum for quota in quotas if quota.feature == feature)
        assert minimum <= 110 <= maximum
    # A value nobody in the population has (a3) can have no seat.
    assert next(quota for quota in quotas if quota.key == ("a", "a3")) == FeatureQuota("a", "a3", 0, 0)


@pytest.mark.parametrize(
    ("features", "message"),
    [
        (["age"], "respondents.csv: missing column age."),
        (["age", "gender"], "respondents.csv: missing columns age, gender."),
    ],
)
def test_a_missing_column_is_named_in_the_singular_or_the_plural(
    tmp_path: Path, features: list[str], message: str
) -> None:
    path = tmp_path / "respondents.csv"
    path.write_text("area\nnorth\n", encoding="utf-8")
    with pytest.raises(SelectionInputError) as refusal:
        read_volunteers(path, features)
    assert str(refusal.value) == message
