"""Issue 12, finding 11: 1 MiB of text in a directory suggestion is refused clearly, nothing stored."""

from __future__ import annotations

import pytest
from django.test import Client

from commonweal.accounts.models import Role
from commonweal.directory import actions
from commonweal.directory.actions import EntryError
from commonweal.directory.models import Suggestion
from tests.factories import make_persona

pytestmark = pytest.mark.django_db

MEBIBYTE = "A friendly group. " + "x" * (1 << 20)


def test_a_mebibyte_suggestion_is_refused_on_the_page_keeping_the_name(places):
    client = Client()
    client.force_login(make_persona(Role.RESIDENT, places))
    response = client.post(
        "/directory/suggest/",
        {
            "organisation_name": "Canal Friends",
            "name": "Canal clean-up",
            "description": MEBIBYTE,
            "sessions": "Tuesday 18:00-20:00\n" * 200,
            "note": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Ensure this value has at most 5000 characters" in page
    assert "Ensure this value has at most 3000 characters" in page
    assert 'value="Canal clean-up"' in page
    assert Suggestion.objects.count() == 0


def test_the_action_refuses_a_mebibyte_suggestion_too(places):
    with pytest.raises(EntryError, match="5,000 characters or fewer"):
        actions.suggest(
            by=make_persona(Role.RESIDENT, places),
            kind=Suggestion.Kind.NEW,
            fields={"name": "Canal clean-up", "description": MEBIBYTE},
        )
    assert Suggestion.objects.count() == 0
