"""A suggestion sent twice with the form's one-time token is recorded once."""

from __future__ import annotations

import pytest
from django.test import Client

from commonweal.accounts.models import Role
from commonweal.directory.models import Suggestion
from tests.factories import make_persona

pytestmark = pytest.mark.django_db


def test_a_suggested_change_sent_twice_is_one_suggestion(entries, places):
    client = Client()
    client.force_login(make_persona(Role.RESIDENT, places, full_name="Rosa Resident"))
    dance = entries["dance"]
    form = client.get(f"/directory/services/{dance.pk}/suggest/").context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, [])}
    data.update(organisation_name="ignored", cost="0", note="It became free in January")
    data["terms"] = form.initial["terms"]
    data["form_token"] = "a-one-time-token-from-the-form"
    first = client.post(f"/directory/services/{dance.pk}/suggest/", data)
    second = client.post(f"/directory/services/{dance.pk}/suggest/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Suggestion.objects.count() == 1
