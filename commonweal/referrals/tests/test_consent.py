"""Consent: "codes only" means no free text reaches the GP; organisations see only what was shared."""

from __future__ import annotations

import json

import pytest

from commonweal.people import actions as people_actions
from commonweal.referrals import actions
from commonweal.referrals.actions import JourneyError
from commonweal.referrals.message_back import CODES_ONLY_KEYS
from commonweal.referrals.models import Connection, MessageBack
from commonweal.referrals.tests.factories import connection_for, open_case

SECRETS = {
    "phone": "0161 496 0000",
    "email": "rosa@example.org",
    "address": "12 Orchard Lane",
    "what_matters": "Getting back to my allotment and seeing people",
    "interests": "gardening",
    "strengths": "Green fingers",
    "accessibility": "Hearing loop",
    "language": "Polish",
    "note": "Would love company on walks",
    "nhs_number": "9434765919",
    "safeguarding": "Neighbour worried about financial abuse",
}


def _rosa_with_everything(world):
    rosa = world.rosa
    people_actions.update_record(
        person=rosa,
        by=world.link_worker,
        email=SECRETS["email"],
        address=SECRETS["address"],
        strengths=SECRETS["strengths"],
        accessibility_needs=["hearing_loop"],
        language=SECRETS["language"],
    )
    people_actions.record_safeguarding_concern(
        person=rosa, concern=SECRETS["safeguarding"], by=world.link_worker
    )
    people_actions.set_goal(person=rosa, description="Feel less alone on Sundays", by=world.link_worker)
    return rosa


def _closed_case_message(world, gp_sharing):
    referral = open_case(world)
    rosa = _rosa_with_everything(world)
    people_actions.update_record(person=rosa, by=world.link_worker, gp_sharing=gp_sharing)
    connection = connection_for(world, referral)
    actions.move_connection(connection=connection, to_status="accepted", by=world.member)
    actions.close_referral(
        referral=referral, reason="goals_met", note="Joined the walking group", by=world.link_worker
    )
    return referral, MessageBack.objects.get(referral=referral, event="closed")


@pytest.mark.django_db
def test_a_codes_only_message_back_carries_no_free_text_anywhere(world, client_for):
    referral, message = _closed_case_message(world, "codes_only")
    assert message.codes_only is True
    assert set(message.document) == CODES_ONLY_KEYS
    text = json.dumps(message.document)
    for phrase in [
        SECRETS["what_matters"],
        "Feel less alone on Sundays",
        "Sale Walking Group",
        "Joined the walking group",
        "Loneliness or isolation",
        SECRETS["safeguarding"],
    ]:
        assert phrase not in text
    assert [code["code"] for code in message.document["snomed_ct_codes"]] == [
        "871691000000100",
        "871731000000106",
        "1362721000000106",
    ]
    gp = client_for(world.referrer)
    page = gp.get(f"/referrals/{referral.pk}/messages/{message.pk}/").content.decode()
    assert (
        "The person chose to share only the codes for their GP record, so this message holds no details."
        in page
    )
    for phrase in [
        SECRETS["what_matters"],
        "Feel less alone on Sundays",
        "Sale Walking Group",
        "Joined the walking group",
    ]:
        assert phrase not in page
    assert gp.get(f"/referrals/{referral.pk}/messages/{message.pk}.json").json() == message.document


@pytest.mark.django_db
def test_a_full_summary_tells_the_gp_what_matters_activities_and_outcomes(world, client_for):
    _referral, message = _closed_case_message(world, "full_summary")
    document = message.document
    assert document["what_matters_to_me"] == SECRETS["what_matters"]
    assert document["activities"] == [
        {
            "service": "Sale Walking Group",
            "organisation": "Test Walking Group",
            "status": "Accepted",
            "sessions_attended": 0,
        }
    ]
    assert document["outcomes"] == {
        "summary": "Goals met or connected to ongoing support: Joined the walking group",
        "goals": [{"goal": "Feel less alone on Sundays", "progress": "Not started yet"}],
    }
    assert SECRETS["safeguarding"] not in json.dumps(document)


def _organisation_view(world, client_for, shared):
    referral = open_case(world)
    _rosa_with_everything(world)
    connection = connection_for(world, referral, shared=shared)
    return connection, client_for(world.member).get(f"/connections/{connection.pk}/").content.decode()


@pytest.mark.django_db
def test_an_organisation_sees_only_the_name_when_nothing_else_is_shared(world, client_for):
    _connection, page = _organisation_view(world, client_for, shared=[])
    assert "Rosa Resident" in page
    for key, phrase in SECRETS.items():
        assert phrase not in page, key
    assert "2 April 1950" not in page


@pytest.mark.django_db
def test_an_organisation_sees_exactly_the_fields_the_person_shared(world, client_for):
    _connection, page = _organisation_view(world, client_for, shared=["what_matters", "accessibility"])
    assert SECRETS["what_matters"] in page
    assert SECRETS["accessibility"] in page
    for key in [
        "phone",
        "email",
        "address",
        "interests",
        "strengths",
        "language",
        "note",
        "nhs_number",
        "safeguarding",
    ]:
        assert SECRETS[key] not in page, key
    assert "2 April 1950" not in page


@pytest.mark.django_db
def test_sharing_everything_still_never_shows_the_nhs_number_or_safeguarding(world, client_for):
    _connection, page = _organisation_view(
        world,
        client_for,
        shared=["contact", "age", "what_matters", "interests", "accessibility", "language", "note"],
    )
    for key in [
        "phone",
        "email",
        "address",
        "what_matters",
        "interests",
        "strengths",
        "accessibility",
        "language",
        "note",
    ]:
        assert SECRETS[key] in page, key
    assert "2 April 1950" in page
    assert SECRETS["nhs_number"] not in page
    assert SECRETS["safeguarding"] not in page


@pytest.mark.django_db
def test_an_organisation_cannot_open_the_record_or_the_case(world, client_for):
    referral = open_case(world)
    connection_for(world, referral)
    client = client_for(world.member)
    assert client.get(f"/people/{world.rosa.pk}/").status_code == 403
    assert client.get(f"/referrals/{referral.pk}/").status_code == 403
    inbox = client.get("/inbox/").content.decode()
    assert "Rosa Resident" in inbox
    assert SECRETS["phone"] not in inbox


@pytest.mark.django_db
def test_contact_details_cannot_be_shared_when_the_person_said_organisations_may_not_contact_them(world):
    referral = open_case(world)
    people_actions.update_record(person=world.rosa, by=world.link_worker, organisations_may_contact=False)
    with pytest.raises(JourneyError) as raised:
        connection_for(world, referral, shared=["contact"])
    assert str(raised.value) == (
        "Rosa Resident has asked that community organisations do not contact them, so their contact details "
        "cannot be shared. Change their consent first if they agree."
    )
    assert Connection.objects.count() == 0


@pytest.mark.django_db
def test_the_person_never_sees_staff_safeguarding_notes_in_their_record_or_download(world, client_for):
    open_case(world)
    _rosa_with_everything(world)
    client = client_for(world.resident)
    for path in ["/me/", "/me/download/"]:
        assert SECRETS["safeguarding"] not in client.get(path).content.decode()
    document = client.get("/me/download.json").json()
    assert SECRETS["safeguarding"] not in json.dumps(document)
    assert document["record"]["what_matters_to_me"] == SECRETS["what_matters"]
    staff_page = client_for(world.link_worker).get(f"/people/{world.rosa.pk}/").content.decode()
    assert SECRETS["safeguarding"] in staff_page
