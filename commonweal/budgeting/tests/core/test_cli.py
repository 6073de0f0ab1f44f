"""`commonweal budgeting tally FILE.pb --rule RULE [--json]`: output, and one clear line for bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from commonweal import cli as commonweal_cli
from commonweal.budgeting.core.cli import main
from commonweal.budgeting.core.pb_format import election_from_pb, read_pb, selected_projects
from commonweal.reference_data import shared_data_dir

WIELICZKA = (
    shared_data_dir() / "budgeting" / "equalshares-compute-tool" / "poland_wieliczka_2023_green-budget.pb"
)
KRAKOW = shared_data_dir() / "budgeting" / "pabulib" / "Poland_Krakow_2020_Podgorze.pb"
SADUL = shared_data_dir() / "budgeting" / "pabulib" / "Poland_Warszawa_2019_Sadul.pb"


def _run(*arguments: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(arguments), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_tally_prints_the_selected_ids_one_per_line() -> None:
    code, out, err = _run("tally", str(KRAKOW), "--rule", "greedy")
    assert (code, err) == (0, "")
    assert sorted(out.splitlines()) == sorted(selected_projects(read_pb(KRAKOW)))


def test_tally_reproduces_wieliczka_with_the_official_options() -> None:
    code, out, err = _run(
        "tally",
        str(WIELICZKA),
        "--rule",
        "mes-cost-add1",
        "--no-exhaustive-stop",
        "--comparison",
        "satisfaction",
    )
    assert (code, err) == (0, "")
    assert sorted(out.splitlines()) == sorted(selected_projects(read_pb(WIELICZKA)))


def test_tally_json_gives_ids_total_cost_and_seconds() -> None:
    code, out, err = _run("tally", str(KRAKOW), "--rule", "greedy", "--json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    election = election_from_pb(read_pb(KRAKOW))
    official = selected_projects(read_pb(KRAKOW))
    assert sorted(document["selected"]) == sorted(official)
    assert document["total_cost"] == sum(p.cost for p in election.projects if p.project_id in official)
    assert document["budget"] == 1740100
    assert document["rule"] == "greedy"
    assert isinstance(document["seconds"], float)
    assert document["ties"] == []
    assert document["tie_breaking"] == "ties go to the project with lower project id (as text)"


def test_tally_explains_winners_and_losers_on_request() -> None:
    code, out, _ = _run("tally", str(SADUL), "--rule", "mes-cost", "--explain")
    election = election_from_pb(read_pb(SADUL))
    lines = out.splitlines()
    funded = [line for line in lines if line.startswith("funded ")]
    unfunded = [line for line in lines if line.startswith("not funded ")]
    assert code == 0
    assert len(funded) + len(unfunded) == len(election.projects)


def test_the_commonweal_command_dispatches_to_budgeting(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_code:
        commonweal_cli.main(["budgeting", "tally", str(SADUL), "--rule", "greedy"])
    assert exit_code.value.code == 0
    assert capsys.readouterr().out.splitlines() == list(selected_projects(read_pb(SADUL)))


def test_voter_weights_can_be_given_as_a_csv(tmp_path: Path) -> None:
    election = election_from_pb(read_pb(SADUL))
    weights = tmp_path / "weights.csv"
    weights.write_text("voter_id,weight\n" + "".join(f"{b.voter_id},1.5\n" for b in election.ballots))
    code, out, err = _run("tally", str(SADUL), "--rule", "mes-cost", "--weights", str(weights))
    plain_code, plain_out, _ = _run("tally", str(SADUL), "--rule", "mes-cost")
    assert (code, err, plain_code) == (0, "", 0)
    assert out == plain_out


def _bad(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    broken = tmp_path / "broken.pb"
    broken.write_text(
        "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;50;9\nVOTES\nvoter_id;vote\n"
    )
    weights = tmp_path / "weights.csv"
    weights.write_text("voter_id,weight\n1,heavy\n")
    return {
        "missing file": (
            ["tally", str(tmp_path / "nowhere.pb"), "--rule", "greedy"],
            f"error: {tmp_path / 'nowhere.pb'}: No such file or directory\n",
        ),
        "folder": (
            ["tally", str(tmp_path), "--rule", "greedy"],
            f"error: {tmp_path} is a folder, not a .pb file\n",
        ),
        "unknown rule": (
            ["tally", str(SADUL), "--rule", "borda"],
            "error: argument --rule: invalid choice: 'borda' (choose from 'greedy', 'greedy-threshold', "
            "'mes-cost', 'mes-cardinality', 'mes-cost-add1', 'mes-cost-add1u', 'phragmen', 'max-welfare')\n",
        ),
        "no rule": (["tally", str(SADUL)], "error: the following arguments are required: --rule\n"),
        "broken file": (
            ["tally", str(broken), "--rule", "greedy"],
            "error: line 6: 3 cells, but the PROJECTS header has 2 columns.\n",
        ),
        "no threshold": (
            ["tally", str(SADUL), "--rule", "greedy-threshold"],
            "error: greedy-threshold needs a minimum score: the file has no META "
            "min_project_score_threshold, so give one (--threshold).\n",
        ),
        "bad threshold": (
            ["tally", str(SADUL), "--rule", "greedy-threshold", "--threshold", "ten"],
            "error: --threshold must be a number, not 'ten'\n",
        ),
        "bad tie-breaking": (
            ["tally", str(SADUL), "--rule", "greedy", "--tie-breaking", "coin"],
            "error: unknown tie-breaking criterion 'coin'; use project-id, min-cost, max-cost, max-votes, "
            "lot-order\n",
        ),
        "bad weight": (
            ["tally", str(SADUL), "--rule", "greedy", "--weights", str(weights)],
            "error: the weight in weights.csv line 2 must be a number, not 'heavy'\n",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing file",
        "folder",
        "unknown rule",
        "no rule",
        "broken file",
        "no threshold",
        "bad threshold",
        "bad tie-breaking",
        "bad weight",
    ],
)
def test_bad_input_gets_one_line_on_stderr_and_exit_code_2(case: str, tmp_path: Path) -> None:
    arguments, message = _bad(tmp_path)[case]
    code, out, err = _run(*arguments)
    assert (code, out, err) == (2, "", message)


def test_a_weights_file_missing_a_voter_is_refused(tmp_path: Path) -> None:
    weights = tmp_path / "weights.csv"
    weights.write_text("voter_id,weight\nnobody,2\n")
    election = election_from_pb(read_pb(SADUL))
    code, out, err = _run("tally", str(SADUL), "--rule", "mes-cost", "--weights", str(weights))
    assert (code, out, err) == (2, "", f"error: Voter {election.ballots[0].voter_id} has no weight.\n")


UNSUPPORTED_PROJECT = """META
key;value
description;Two projects everybody supports fit together and two cheap ones nobody voted for
country;United Kingdom
unit;Test
instance;unsupported
num_projects;4
num_votes;3
budget;100
vote_type;approval
rule;equalshares
PROJECTS
project_id;cost;votes;selected
1;40;3;1
2;40;2;1
3;10;0;0
4;15;0;0
VOTES
voter_id;vote
1;1,2
2;1,2
3;1
"""


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("mes-cost-add1", ["1", "2"]), ("mes-cost-add1u", ["1", "2", "3"])],
)
def test_add1_stops_when_only_projects_nobody_voted_for_are_left(
    tmp_path: Path, rule: str, expected: list[str]
) -> None:
    # Everything costs 105 of 100, but 1 and 2 fit together; 3 and 4 fit beside them and nobody voted for
    # them, so raising the shares never changes the outcome. Add1 used to raise them for ever.
    import threading

    path = tmp_path / "unsupported.pb"
    path.write_text(UNSUPPORTED_PROJECT)
    result: list[tuple[int, str, str]] = []
    worker = threading.Thread(
        target=lambda: result.append(_run("tally", str(path), "--rule", rule)), daemon=True
    )
    worker.start()
    worker.join(timeout=30)
    assert result, "the tally did not finish"
    code, out, err = result[0]
    assert (code, err) == (0, "")
    # Add1u's utilitarian completion then fills what is left by votes and the default tie-breaking
    # (project id): 3 fits (90 of 100), 4 no longer does.
    assert out.splitlines() == expected
