"""Who may vote, how one voter is recognised across online and paper ballots, and the results chart."""

from __future__ import annotations

import datetime
import re

import pytest

from commonweal.budgeting.core.rounds.chart import ChartRow, results_chart
from commonweal.budgeting.core.rounds.voters import (
    Eligibility,
    age_on,
    age_refusal,
    normalised_name,
    voter_key,
)

CLOSES = datetime.date(2026, 3, 31)


def test_age_counts_whole_years_and_a_leap_day_birthday_comes_on_the_first_of_march():
    assert age_on(datetime.date(2010, 3, 31), CLOSES) == 16
    assert age_on(datetime.date(2010, 4, 1), CLOSES) == 15
    assert age_on(datetime.date(2008, 2, 29), datetime.date(2026, 2, 28)) == 17
    assert age_on(datetime.date(2008, 2, 29), datetime.date(2026, 3, 1)) == 18


def test_a_voter_under_the_minimum_age_on_the_closing_day_is_refused_with_their_age():
    rules = Eligibility(minimum_age=16)
    assert age_refusal(rules, datetime.date(2010, 3, 31), CLOSES) is None
    assert age_refusal(rules, datetime.date(2010, 4, 1), CLOSES) == (
        "Voters must be aged 16 or over on 31 March 2026, when voting closes; on that day this voter is 15."
    )
    young = Eligibility(minimum_age=11, maximum_age=25)
    assert age_refusal(young, datetime.date(2000, 1, 1), CLOSES) == (
        "Voters must be aged 11 to 25 on 31 March 2026, when voting closes; on that day this voter is 26."
    )


def test_one_voter_has_one_key_however_their_name_and_postcode_are_typed():
    born = datetime.date(1970, 5, 4)
    key = voter_key("Rosa Amberbrook", born, "WA15 6FJ")
    assert voter_key("  rosa  AMBERBROOK ", born, "wa156fj") == key
    assert voter_key("Róša Amber-brook", born, "WA15 6FJ") == key
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert voter_key("Rosa Amberbrook", datetime.date(1970, 5, 5), "WA15 6FJ") != key
    assert voter_key("Rosa Amberbrook", born, "WA15 6FH") != key
    assert voter_key("Rose Amberbrook", born, "WA15 6FJ") != key
    assert normalised_name("Mary O'Neil") == normalised_name("mary oneil") == "maryoneil"


def test_the_chart_draws_one_labelled_bar_per_project_and_says_funded_in_words():
    svg = results_chart(
        [ChartRow("Lit walking routes", 412, True), ChartRow("Community fridge", 98, False)],
        title="Votes for each project",
        description="2 projects; 1 funded.",
        chart_id="results",
        unit="votes",
    )
    assert svg.startswith('<svg class="cw-chart"')
    assert 'aria-labelledby="results-title results-desc"' in svg
    assert svg.count("<rect ") == 2
    assert "412 votes, funded</text>" in svg
    assert "98 votes</text>" in svg
    # The axis ends at a round number above the largest score: 500.
    assert ">500</text>" in svg
    with pytest.raises(ValueError):
        results_chart([], title="t", description="d", chart_id="c", unit="votes")


def test_a_long_project_name_is_shortened_on_the_chart_but_escaped():
    svg = results_chart(
        [ChartRow("A <very> long project name that goes on and on and on", 3, False)],
        title="T",
        description="D",
        chart_id="c",
        unit="points",
    )
    assert "A &lt;very&gt; long project name that…" in svg
