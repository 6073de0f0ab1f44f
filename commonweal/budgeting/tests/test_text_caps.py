"""Issue 12, finding 11: 1 MiB of text in a budget idea is refused with a clear message, nothing stored."""

from __future__ import annotations

import pytest
from django.test import Client

from commonweal.budgeting import actions
from commonweal.budgeting.actions import BudgetingError
from commonweal.budgeting.models import BudgetRound, Idea
from commonweal.budgeting.tests.budgeting_helpers import make_voter
from commonweal.budgeting.tests.test_budgeting_pages import organiser, subjects  # noqa: F401

pytestmark = pytest.mark.django_db

MEBIBYTE = "Benches by the canal. " + "x" * (1 << 20)


def test_a_mebibyte_idea_is_refused_on_the_page_keeping_the_title(places, subjects):  # noqa: F811
    client = Client()
    client.force_login(make_voter(places.north))
    before = Idea.objects.count()
    response = client.post(
        f"/participation/budgets/{subjects['ideas_round']}/ideas/new/",
        {"title": "Canal benches", "description": MEBIBYTE},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Ensure this value has at most 5000 characters" in page
    assert 'value="Canal benches"' in page
    assert Idea.objects.count() == before


def test_the_action_refuses_a_mebibyte_idea_too(places, subjects):  # noqa: F811
    budget_round = BudgetRound.objects.get(pk=subjects["ideas_round"])
    with pytest.raises(BudgetingError, match="5,000 characters or fewer"):
        actions.submit_idea(
            budget_round=budget_round, title="Canal", description=MEBIBYTE, by=make_voter(places.north)
        )
