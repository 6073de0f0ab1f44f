"""A suggestion, or an entry added directly, sent twice with the form's one-time token is recorded once."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from commonweal.accounts.models import Role
from commonweal.directory.models import Service, Suggestion
from commonweal.ui.idempotency import ALREADY_SENT
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


def test_an_entry_added_twice_by_a_steward_is_one_entry(entries, places):
    client = Client()
    client.force_login(make_persona(Role.COMMUNITY_ORGANISER, places, full_name="Sam Steward"))
    assert 'name="form_token"' in client.get("/directory/services/new/").content.decode()
    data = {
        "organisation_name": "Stretford Singers",
        "name": "Singing for the brain",
        "accepting_referrals": Service.Referrals.choices[0][0],
        "status": Service.Status.ACTIVE,
        "form_token": "a-one-time-token-from-the-form",
    }
    first = client.post("/directory/services/new/", data)
    second = client.post("/directory/services/new/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert ALREADY_SENT in [str(message) for message in get_messages(second.wsgi_request)]
    assert Service.objects.filter(name="Singing for the brain").count() == 1
