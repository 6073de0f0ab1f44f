"""A ballot, an idea, a round, a project, a milestone or spending sent twice with the form's one-time
token is recorded once; the second submit is shown the first result instead of an error."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from commonweal.budgeting.models import Ballot, BudgetRound, Idea, Milestone, Proposal, Spend
from commonweal.budgeting.tests.budgeting_helpers import make_voter, today
from commonweal.budgeting.tests.test_budgeting_pages import _client, organiser, subjects  # noqa: F401
from commonweal.ui.idempotency import ALREADY_SENT

pytestmark = pytest.mark.django_db
TOKEN = {"form_token": "a-one-time-token-from-the-form"}


def test_a_ballot_sent_twice_is_cast_once_and_the_second_submit_shows_it(places, subjects):  # noqa: F811
    client = _client(make_voter(places.north, index=7))
    path = f"/participation/budgets/{subjects['voting_round']}/vote/"
    data = {"projects": ["1", "2"], **TOKEN}
    first, second = client.post(path, data), client.post(path, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert ALREADY_SENT in [str(message) for message in get_messages(second.wsgi_request)]
    assert Ballot.objects.filter(round_id=subjects["voting_round"]).count() == 1


def test_an_idea_sent_twice_is_published_once(places, subjects):  # noqa: F811
    client = _client(make_voter(places.north, index=8))
    path = f"/participation/budgets/{subjects['ideas_round']}/ideas/new/"
    data = {"title": "Canal benches", "description": "By the canal", **TOKEN}
    first, second = client.post(path, data), client.post(path, data)
    assert first["Location"] == second["Location"]
    assert Idea.objects.filter(title="Canal benches").count() == 1


# The organisers' forms that make a record: (path, data, the records it makes).
CREATE_FORMS = {
    "round": (
        "/participation/budgeting/new/",
        {
            "name": "North Trafford Fund",
            "place": "{place}",
            "description": "For health.",
            "budget": "20000",
            "ballot_kind": "approval",
            "min_projects": "1",
            "rule": "mes-cost-add1u",
            "tie_breaking": "cost-votes-lot",
            "minimum_age": "16",
        },
        BudgetRound.objects.filter(name="North Trafford Fund"),
    ),
    "project": (
        "/participation/budgeting/{ideas_round}/projects/",
        {"title": "Canal benches", "description": "Six benches by the canal.", "cost": "900"},
        Proposal.objects.filter(title="Canal benches"),
    ),
    "milestone": (
        "/participation/budgeting/{delivery_round}/delivery/{funded}/milestones/",
        {"milestone-title": "Benches ordered"},
        Milestone.objects.filter(title="Benches ordered"),
    ),
    "spending": (
        "/participation/budgeting/{delivery_round}/delivery/{funded}/spend/",
        {"spend-amount": "600", "spend-spent_on": "{today}", "spend-description": "Benches"},
        Spend.objects.filter(description="Benches"),
    ),
}


@pytest.mark.parametrize("name", CREATE_FORMS)
def test_every_organisers_form_that_makes_a_record_sent_twice_makes_one(organiser, subjects, name):  # noqa: F811
    path, data, made = CREATE_FORMS[name]
    names = {**subjects, "today": today().isoformat()}
    path = path.format(**names)
    data = {key: value.format(**names) for key, value in data.items()}
    client = _client(organiser)
    form_page = path.replace("/milestones/", "/").replace("/spend/", "/")
    assert 'name="form_token"' in client.get(form_page).content.decode()
    first, second = client.post(path, {**data, **TOKEN}), client.post(path, {**data, **TOKEN})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert ALREADY_SENT in [str(message) for message in get_messages(second.wsgi_request)]
    assert made.count() == 1
