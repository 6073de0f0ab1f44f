"""A form that makes something for an assembly or a steering group, sent twice with its one-time token
(a double click, the form sent again), makes it once; the second submit is shown the first result. A
volunteer's registration sent again from the same browser with a new token (after the back button)
is recorded once too."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from commonweal.assemblies import actions
from commonweal.assemblies.models import (
    Body,
    DeliveryUpdate,
    EvidenceItem,
    InvitationRound,
    Membership,
    Recommendation,
    Registration,
    Response,
    Session,
)
from commonweal.assemblies.tests.conftest import answers_for
from commonweal.assemblies.tests.test_deliberation_pages import group, recommendation  # noqa: F401
from commonweal.ui.idempotency import ALREADY_SENT, SAME_ANSWERS_SENT

pytestmark = pytest.mark.django_db
TOKEN = {"form_token": "a-one-time-token-from-the-form"}
RECOMMENDATION = "/participation/bodies/{group}/recommendations/{recommendation}/"

# Every organiser's form that makes a record: (the page with the form, where it is sent, what it sends,
# the records it makes).
CREATE_FORMS = {
    "assembly": (
        "/participation/assemblies/new/",
        "/participation/assemblies/new/",
        {
            "name": "Sale Health Assembly",
            "place": "{place}",
            "remit": "How should we spend the prevention budget?",
            "panel_size": "24",
            "quota_features": ["age", "sex"],
            "people_per_letter": "2",
        },
        lambda names: Body.objects.filter(name="Sale Health Assembly"),
    ),
    "steering group": (
        "/participation/steering-groups/new/",
        "/participation/steering-groups/new/",
        {"name": "Sale Steering Group", "place": "{place}", "remit": "Health priorities"},
        lambda names: Body.objects.filter(name="Sale Steering Group"),
    ),
    "invitations": (
        "/participation/bodies/{assembly}/invitations/",
        "/participation/bodies/{assembly}/invitations/",
        {"postcodes": "5", "letters_per_postcode": "1"},
        lambda names: InvitationRound.objects.filter(assembly_id=names["assembly"]),
    ),
    "member": (
        "/participation/bodies/{group}/members/",
        "/participation/bodies/{group}/members/",
        {"full_name": "Noor Q", "role": "member", "affiliation": "Tenants", "joined_on": "2026-01-10"},
        lambda names: Membership.objects.filter(full_name="Noor Q"),
    ),
    "session": (
        "/participation/bodies/{group}/sessions/new/",
        "/participation/bodies/{group}/sessions/new/",
        {"title": "Session 2: choices", "held_on": "2026-02-20", "venue": "Library", "agenda": "Options"},
        lambda names: Session.objects.filter(title="Session 2: choices"),
    ),
    "evidence": (
        "/participation/bodies/{group}/sessions/{session}/",
        "/participation/bodies/{group}/sessions/{session}/evidence/",
        {"evidence-title": "Local health profile", "evidence-presented_by": "Public health team"},
        lambda names: EvidenceItem.objects.filter(title="Local health profile"),
    ),
    "recommendation": (
        "/participation/bodies/{group}/recommendations/new/",
        "/participation/bodies/{group}/recommendations/new/",
        {"title": "More benches", "text": "Benches on every walk", "made_on": "2026-02-02", "session": ""},
        lambda names: Recommendation.objects.filter(title="More benches"),
    ),
    "response": (
        RECOMMENDATION,
        RECOMMENDATION + "response/",
        {
            "decision": "accepted",
            "reasons": "We will fund walks in every park.",
            "responder": "Jo Bloggs",
            "responded_on": "2026-03-01",
        },
        lambda names: Response.objects.filter(recommendation_id=names["recommendation"]),
    ),
    "delivery": (
        RECOMMENDATION,
        RECOMMENDATION + "delivery/",
        {"status": "in_progress", "note": "Two walks running.", "reported_on": "2026-05-01"},
        lambda names: DeliveryUpdate.objects.filter(recommendation_id=names["recommendation"]),
    ),
}


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("name", CREATE_FORMS)
def test_every_form_that_makes_a_record_sent_twice_makes_one(
    organiser,
    places,
    make_assembly,
    group,  # noqa: F811
    recommendation,  # noqa: F811
    name,
):
    session = actions.record_session(
        body=group,
        title="Session 1",
        held_on=datetime.date(2026, 1, 20),
        venue="",
        agenda="",
        notes="",
        by=organiser,
    )
    if name == "delivery":
        actions.record_response(
            recommendation=recommendation,
            decision="accepted",
            reasons="Yes.",
            responder="Jo Bloggs",
            responded_on=datetime.date(2026, 3, 1),
            by=organiser,
        )
    names = {
        "place": places.north.pk,
        "assembly": make_assembly().pk if name == "invitations" else 0,
        "group": group.pk,
        "session": session.pk,
        "recommendation": recommendation.pk,
    }
    page, path, data, made = CREATE_FORMS[name]
    data = {key: value.format(**names) if isinstance(value, str) else value for key, value in data.items()}
    client = Client()
    client.force_login(organiser)
    assert 'name="form_token"' in client.get(page.format(**names)).content.decode()
    path = path.format(**names)
    first, second = client.post(path, {**data, **TOKEN}), client.post(path, {**data, **TOKEN})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert ALREADY_SENT in _messages(second)
    assert made(names).count() == 1


def test_a_registration_sent_again_from_the_same_browser_makes_one_volunteer(make_assembly, fill_pool):
    # Two people may register with one letter, so a second registration of the same person would count.
    assembly = make_assembly(people_per_letter=2)
    fill_pool(assembly, 1)
    invitation = assembly.invitations.order_by("pk").first()
    path = f"/participation/assemblies/{assembly.pk}/register/"
    data = {
        "code": invitation.display_code,
        "postcode": invitation.postcode.postcode,
        "full_name": "Ada Volunteer",
        "email": "ada@example.org",
        "phone": "",
        **answers_for(5),
        "consent": "on",
    }
    browser = Client()
    assert 'name="form_token"' in browser.get(path).content.decode()
    first = browser.post(path, {**data, **TOKEN})
    second = browser.post(path, {**data, **TOKEN})
    # The back button fetched the form again (a new token) and the browser put back what was typed.
    third = browser.post(path, {**data, "form_token": "the-token-of-the-page-again"})
    assert first.status_code == second.status_code == third.status_code == 302
    assert first["Location"] == second["Location"] == third["Location"]
    assert ALREADY_SENT in _messages(second)
    assert SAME_ANSWERS_SENT in _messages(third)
    assert Registration.objects.filter(full_name="Ada Volunteer").count() == 1
