"""Every volunteering form that makes a record, sent twice with its one-time token (a double click, the
form sent again), makes it once: hours or an expense paid twice, a concern sent to the safeguarding
lead twice, a buddy asked for twice. The second submit is shown what the first made."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from commonweal.ui.idempotency import ALREADY_SENT
from commonweal.volunteering.models import (
    BuddyRequest,
    Concern,
    Contact,
    Expense,
    HoursEntry,
    Opportunity,
    Shift,
)
from commonweal.volunteering.tests.test_pages import module_world, setup  # noqa: F401

TOKEN = {"form_token": "a-one-time-token-from-the-form"}

# (who sends it, the page with the form, where it is sent, what it sends, the records it makes)
CREATE_FORMS = {
    "hours": (
        "volunteer",
        "/volunteering/me/",
        "/volunteering/me/hours/",
        {"organisation": "{organisation}", "worked_on": "{today}", "hours": "1.5", "description": "Shop run"},
        HoursEntry.objects.filter(description="Shop run"),
    ),
    "expense": (
        "volunteer",
        "/volunteering/me/",
        "/volunteering/me/expenses/",
        {
            "organisation": "{organisation}",
            "kind": "mileage",
            "incurred_on": "{today}",
            "description": "Drive to the clinic",
            "miles": "12",
        },
        Expense.objects.filter(description="Drive to the clinic"),
    ),
    "concern": (
        "volunteer",
        "/volunteering/concerns/new/",
        "/volunteering/concerns/new/",
        {"organisation": "{organisation}", "about": "The man next door", "details": "Shouting at night"},
        Concern.objects.filter(about="The man next door"),
    ),
    "buddy request": (
        "link_worker",
        "/volunteering/buddy/{person}/",
        "/volunteering/buddy/{person}/",
        {
            "organisation": "{organisation}",
            "role": "buddy",
            "needs": "shopping",
            "language": "English",
            "max_distance_km": "10",
            "person_consented": "on",
            "consent_note": "Agreed on the phone on Monday",
        },
        BuddyRequest.objects.filter(consent_note="Agreed on the phone on Monday"),
    ),
    "contact": (
        "volunteer",
        "/volunteering/matches/{match}/",
        "/volunteering/matches/{match}/contacts/",
        {"happened_on": "{today}", "minutes": "30", "medium": "phone", "notes": "Walked to the shop"},
        Contact.objects.filter(notes="Walked to the shop"),
    ),
    "opportunity": (
        "coordinator",
        "/volunteering/coordinator/opportunities/",
        "/volunteering/coordinator/opportunities/",
        {
            "what": "post",
            "organisation": "{organisation}",
            "title": "Park clean-up",
            "description": "Litter picking in the park",
            "role": "community_ambassador",
        },
        Opportunity.objects.filter(title="Park clean-up"),
    ),
    "shift": (
        "coordinator",
        "/volunteering/coordinator/opportunities/",
        "/volunteering/coordinator/opportunities/",
        {
            "what": "shift",
            "opportunity": "{opportunity}",
            "starts_at": "{tomorrow}T10:00",
            "ends_at": "{tomorrow}T12:00",
            "places": "3",
        },
        Shift.objects.filter(places=3),
    ),
}


@pytest.mark.parametrize("name", CREATE_FORMS)
def test_every_form_that_makes_a_record_sent_twice_makes_one(setup, name):  # noqa: F811
    world, volunteer, _, subjects, _ = setup
    who, page, path, data, made = CREATE_FORMS[name]
    today = timezone.localdate()
    names = {
        **subjects,
        "today": today.isoformat(),
        "tomorrow": (today + datetime.timedelta(days=1)).isoformat(),
    }
    client = Client()
    client.force_login(volunteer.user if who == "volunteer" else getattr(world, who))
    assert 'name="form_token"' in client.get(page.format(**names)).content.decode()
    path = path.format(**names)
    data = {key: value.format(**names) for key, value in data.items()}
    first, second = client.post(path, {**data, **TOKEN}), client.post(path, {**data, **TOKEN})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert ALREADY_SENT in [str(message) for message in get_messages(second.wsgi_request)]
    assert made.count() == 1
