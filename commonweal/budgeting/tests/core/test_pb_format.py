"""The `.pb` reader and writer: lossless on every shared pabulib file; exports pabulib's checker accepts."""

from __future__ import annotations

import contextlib
import io
from fractions import Fraction
from pathlib import Path

import pytest
from pabulib.checker import Checker  # type: ignore[import-untyped]

from commonweal.budgeting.core.election import VoteType
from commonweal.budgeting.core.pb_format import (
    PbFormatError,
    PbLayout,
    election_from_pb,
    format_number,
    format_pb,
    parse_pb,
    pb_from_election,
    read_pb,
    selected_projects,
)
from commonweal.budgeting.core.voting_rules import Rule, RuleOptions, tally
from commonweal.reference_data import shared_data_dir

BUDGETING = shared_data_dir() / "budgeting"
SHARED_FILES = [
    *sorted((BUDGETING / "pabulib").glob("*.pb")),
    *sorted((BUDGETING / "equalshares-compute-tool").glob("*.pb")),
]


def test_the_shared_collection_is_the_one_described_in_its_sources() -> None:
    # 126 pabulib files (SOURCES.md) and the Wieliczka file of the equalshares compute tool.
    assert len(SHARED_FILES) == 127


@pytest.mark.parametrize("path", SHARED_FILES, ids=lambda path: path.name)
def test_every_shared_file_is_written_back_byte_for_byte(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    parsed = parse_pb(text)
    written = format_pb(parsed)
    assert written == text
    assert parse_pb(written) == parsed
    # Every shared file is a valid election.
    election = election_from_pb(parsed)
    assert len(election.projects) == int(parsed.meta_values()["num_projects"])
    assert len(election.ballots) == int(parsed.meta_values()["num_votes"])


def test_mixed_line_endings_and_a_missing_final_line_break_are_kept() -> None:
    # Wieliczka's pabulib file is CRLF except for one META line; many files end without a line break.
    path = BUDGETING / "pabulib" / "Poland_Wieliczka_2023_Green_Budget.pb"
    parsed = read_pb(path)
    assert parsed.layout.line_ending == "\r\n"
    assert parsed.layout.other_line_endings == ((11, "\n"),)
    assert parsed.meta.rows[9] == ("rule", "equalshares/add1-comparison")


def test_quoted_cells_are_unquoted_and_requoted() -> None:
    path = BUDGETING / "pabulib" / "Poland_Krakow_2020_Podgorze.pb"
    parsed = read_pb(path)
    names = dict((row[0], row[4]) for row in parsed.projects.rows)
    assert names["44"] == 'Zielone ,,SERCE" Podgórza'
    assert 'Zielone ,,SERCE"" Podgórza' in format_pb(parsed)


def test_unknown_columns_are_kept_in_their_order() -> None:
    parsed = read_pb(BUDGETING / "pabulib" / "Switzerland_Zurich_S5R.pb")
    assert parsed.votes.header == (
        "voter_id",
        "vote",
        "topic_preference_transport",
        "topic_preference_culture",
        "topic_preference_nature",
        "district_preference",
        "time_taken_seconds",
        "format_easiness",
        "format_expressiveness",
        "format_rank",
    )


def test_layout_quirks_of_hand_typed_files_survive_a_round_trip() -> None:
    text = (
        "\ufeffMETA\r\nkey;value\r\nbudget;100\r\nvote_type;approval\r\n\r\n"
        'PROJECTS\nproject_id;cost;name\n1;60;"plain"\n2;50;"semi;colon"\n3;40;say "hi"\n'
        "VOTES\r\nvoter_id;vote\r\n1;1,2\r\n2;3"
    )
    parsed = parse_pb(text)
    assert format_pb(parsed) == text
    assert parsed.layout == PbLayout(
        line_ending="\r\n",
        other_line_endings=((5, "\n"), (6, "\n"), (7, "\n"), (8, "\n"), (9, "\n")),
        final_line_ending=False,
        byte_order_mark=True,
        blank_lines=((4, ""),),
        quoted_cells=((7, 2),),
        bare_cells=((9, 2),),
    )
    assert [row[2] for row in parsed.projects.rows] == ["plain", "semi;colon", 'say "hi"']


def test_a_cell_may_hold_a_line_break_inside_quotes() -> None:
    text = (
        'META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost;name\n1;5;"two\nlines"\n'
        "VOTES\nvoter_id;vote\n7;1\n"
    )
    parsed = parse_pb(text)
    assert parsed.projects.rows == (("1", "5", "two\nlines"),)
    assert format_pb(parsed) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        ("META\nkey;value\nbudget;1\n", "The file has no PROJECTS section."),
        ("key;value\n", "line 1: expected a section title (META, PROJECTS or VOTES), found 'key;value'."),
        (
            "META\nkey;value\nbudget;1\nPROJECTS\nproject_id;cost\n1;2;3\nVOTES\nvoter_id;vote\n",
            "line 6: 3 cells, but the PROJECTS header has 2 columns.",
        ),
        ('META\nkey;value\nbudget;"1\n', "line 3: a quoted cell is never closed."),
        ("META\nkey;value\nbudget;1\nMETA\n", "line 4: a second META section."),
    ],
)
def test_unreadable_files_are_refused_with_the_line_named(text: str, message: str) -> None:
    with pytest.raises(PbFormatError) as error:
        parse_pb(text)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("META\nkey;value\nbudget;lots\n", "The budget in META is 'lots', which is not a number."),
        (
            "META\nkey;value\nbudget;9\nvote_type;stars\n",
            "META vote_type 'stars' is not one of approval, choose-1, cumulative, scoring, ordinal.",
        ),
        ("META\nkey;value\nbudget;9\n", None),
    ],
)
def test_elections_with_bad_values_are_refused_with_a_clear_message(body: str, message: str | None) -> None:
    text = body + "PROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\n7;2\n"
    with pytest.raises(PbFormatError) as error:
        election_from_pb(parse_pb(text))
    assert str(error.value) == (message or "Voter 7 voted for project 2, which is not in PROJECTS.")


def test_points_must_match_the_projects_on_a_cumulative_ballot() -> None:
    text = (
        "META\nkey;value\nbudget;9\nvote_type;cumulative\nPROJECTS\nproject_id;cost\n1;5\n2;4\n"
        "VOTES\nvoter_id;vote;points\n7;1,2;3\n"
    )
    with pytest.raises(PbFormatError) as error:
        election_from_pb(parse_pb(text))
    assert str(error.value) == "Voter 7 lists 2 projects but 1 points."


def test_numbers_are_written_as_pabulib_writes_them() -> None:
    assert format_number(Fraction(400000)) == "400000"
    assert format_number(Fraction("2136006.63")) == "2136006.63"
    assert format_number(Fraction("0.05")) == "0.05"
    with pytest.raises(ValueError):
        format_number(Fraction(1, 3))


def _checker_result(text: str) -> dict:
    checker = Checker()
    with contextlib.redirect_stdout(io.StringIO()):
        results = checker.process_files([text])
    key = next(key for key in results if key not in ("metadata", "summary"))
    return {"valid": results["metadata"]["valid"], "results": results[key]["results"]}


EXPORT_SAMPLE = [
    ("Poland_Warszawa_2019_Ochota.pb", "greedy"),
    ("Poland_Czestochowa_2024_Dzbow.pb", "greedy"),
    ("Poland_Krakow_2020_Bronowice.pb", "greedy"),
    ("Poland_Katowice_2021_Dab.pb", "greedy-threshold"),
    ("Poland_Wroclaw_2018_Rejon_nr_11_250.pb", "greedy"),
    ("US_Stanford_Dataset_PB_Chicago_29th_Ward_2020_vote_approvals.pb", "greedy"),
]


@pytest.mark.parametrize(("name", "rule"), EXPORT_SAMPLE, ids=[name for name, _ in EXPORT_SAMPLE])
def test_an_exported_round_passes_pabulibs_checker_which_also_recounts_our_selection(
    name: str, rule: str
) -> None:
    original = read_pb(BUDGETING / "pabulib" / name)
    election = election_from_pb(original)
    meta = {key: value for key, value in original.meta_values().items() if key != "rule"}
    outcome = tally(election, Rule(rule), RuleOptions(explain=False))
    exported = pb_from_election(election, {**meta, "rule": rule}, selected=outcome.selected)
    result = _checker_result(format_pb(exported))
    # The checker recomputes the greedy rule from the file and would report any difference as an error;
    # it finds neither errors nor warnings.
    assert result == {"valid": 1, "results": {"errors": {}, "warnings": {}}}
    # And the exported file is a faithful copy of the election (unnamed projects are named by their id).
    again = election_from_pb(parse_pb(format_pb(exported)))
    assert again.ballots == election.ballots
    assert again.budget == election.budget
    assert [(p.project_id, p.cost, p.name or p.project_id) for p in election.projects] == [
        (p.project_id, p.cost, p.name) for p in again.projects
    ]
    assert selected_projects(exported) == tuple(
        p.project_id for p in election.projects if p.project_id in outcome.selected
    )


def test_an_ordinal_export_carries_rank_points_as_its_score() -> None:
    election = election_from_pb(read_pb(BUDGETING / "pabulib" / "Poland_Krakow_2020_Podgorze.pb"))
    assert election.vote_type is VoteType.ORDINAL
    exported = pb_from_election(
        election, {"description": "x", "country": "Poland", "unit": "Kraków", "instance": "2020"}
    )
    original_scores = {
        row[0]: row[3]
        for row in read_pb(BUDGETING / "pabulib" / "Poland_Krakow_2020_Podgorze.pb").projects.rows
    }
    exported_scores = {row[0]: row[3] for row in exported.projects.rows}
    assert exported_scores == original_scores
