"""A points ballot shows a box for the points each project gets, and a ranked ballot a rank to choose for
each, online and on the paper keying page. (They once showed no field at all: the template took the
form's list of projects for the `projects` field of the ballots that tick boxes.)"""

from __future__ import annotations

import re

import pytest

from commonweal.budgeting.tests.budgeting_helpers import make_voter, voting_round
from commonweal.budgeting.tests.test_budgeting_pages import _client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"ballot_kind": "cumulative", "points": 10}, r'name="points_(\d)"'),
        ({"ballot_kind": "ranked"}, r'name="rank_(\d)"'),
    ],
)
def test_the_ballot_shows_a_field_for_each_project(places, organiser, changes, fields):
    budget_round = voting_round(places.north, organiser, **changes)
    client = _client(make_voter(places.north, index=3))
    page = client.get(f"/participation/budgets/{budget_round.pk}/vote/").content.decode()
    assert re.findall(fields, page) == ["1", "2", "3", "4"]
    paper = _client(organiser).get(f"/participation/budgeting/{budget_round.pk}/paper/").content.decode()
    assert re.findall(fields, paper) == ["1", "2", "3", "4"]
