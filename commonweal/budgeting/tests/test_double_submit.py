"""A ballot or an idea sent twice with the form's one-time token is recorded once; the second submit
is shown the first result instead of an error."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from commonweal.budgeting.models import Ballot, Idea
from commonweal.budgeting.tests.budgeting_helpers import make_voter
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
