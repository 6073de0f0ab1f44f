"""The ballot page carries what its running total adds up (frontend/ballot-total.js fills it in): the
budget and each project's cost on a knapsack ballot, the most projects on an approval ballot with a
limit, the points on a points ballot; and nothing where no limit applies."""

from __future__ import annotations

import json
import re

import pytest

from commonweal.budgeting.tests.budgeting_helpers import make_voter, voting_round
from commonweal.budgeting.tests.test_budgeting_pages import _client

pytestmark = pytest.mark.django_db

TOTAL = re.compile(
    r'<div class="cw-ballot-total" data-module="cw-ballot-total"(?P<attributes>[^>]*)>(?P<inside>.*?)</div>',
    re.S,
)


def _ballot_page(places, organiser, **changes) -> str:
    budget_round = voting_round(places.north, organiser, **changes)
    client = _client(make_voter(places.north, index=3))
    response = client.get(f"/participation/budgets/{budget_round.pk}/vote/")
    assert response.status_code == 200
    return response.content.decode()


def _total(page: str) -> dict[str, str]:
    found = TOTAL.search(page)
    assert found is not None, "the ballot has no running total"
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', found["attributes"]))
    assert re.search(r"\shidden(\s|$)", found["attributes"]), "without scripts the total stays hidden"
    # The live region a screen reader reads after each change, politely and whole.
    assert 'id="ballot-total" role="status" aria-live="polite" aria-atomic="true"' in found["inside"]
    return attributes


def test_a_knapsack_ballot_carries_the_budget_and_each_projects_cost(places, organiser):
    page = _ballot_page(places, organiser, ballot_kind="knapsack", max_projects=None, budget=7_000)
    total = _total(page)
    assert (total["data-counts"], total["data-limit"]) == ("cost", "7000")
    assert total["data-costs"] == "ballot-costs"
    costs = re.search(r'<script id="ballot-costs" type="application/json">(.*?)</script>', page)
    assert costs is not None
    assert json.loads(costs[1]) == {"1": 4_000, "2": 3_000, "3": 2_500, "4": 5_000}
    # The boxes the costs are looked up by: one per project, valued by its number.
    assert re.findall(r'name="projects" type="checkbox" value="(\d)"', page) == ["1", "2", "3", "4"]
    # The total follows the boxes, before the button that sends the ballot.
    assert page.index('name="projects"') < page.index("cw-ballot-total") < page.index("Cast your vote")


def test_an_approval_ballot_with_a_most_carries_it_and_one_without_a_most_has_no_total(places, organiser):
    total = _total(_ballot_page(places, organiser, ballot_kind="approval", max_projects=3))
    assert (total["data-counts"], total["data-limit"]) == ("projects", "3")
    assert "data-costs" not in total
    unlimited = _ballot_page(places, organiser, ballot_kind="approval", max_projects=None, name="No most")
    assert "Cast your vote" in unlimited
    assert "cw-ballot-total" not in unlimited and "ballot-costs" not in unlimited


def test_a_points_ballot_carries_the_points_and_a_ranked_ballot_has_no_total(places, organiser):
    total = _total(_ballot_page(places, organiser, ballot_kind="cumulative", points=10))
    assert (total["data-counts"], total["data-limit"]) == ("points", "10")
    # A ranked ballot's choices stop at its most already: nothing to add up.
    ranked = _ballot_page(places, organiser, ballot_kind="ranked", max_projects=3, name="Ranked")
    assert "Cast your vote" in ranked
    assert "cw-ballot-total" not in ranked
