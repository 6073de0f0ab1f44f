"""The journey through the pages, one user per step, with the records each step leaves."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from commonweal.audit.models import RecordAccess
from commonweal.people.models import Goal, Person
from commonweal.referrals import actions
from commonweal.referrals.models import (
    Attendance,
    Connection,
    ConnectionTransition,
    ContactLogEntry,
    Conversation,
    JourneyCode,
    MessageBack,
    Referral,
)
from commonweal.referrals.tests.factories import connection_for, open_case, referral_for
from tests.factories import PersonFactory


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_a_gp_refers_a_new_person_and_they_wait_for_triage(world, client_for):
    client = client_for(world.referrer)
    response = client.post(
        "/refer/",
        {
            "nhs_number": "401 023 2137",
            "given_name": "Ivan",
            "family_name": "Brookhouse",
            "date_of_birth": "1961-07-14",
            "sex": "male",
            "postcode": "M33 7AA",
            "phone": "0161 496 0001",
            "email": "",
            "gp_practice": world.places.practice.pk,
            "team": world.team.pk,
            "source": "gp",
            "reasons": ["loneliness", "money"],
            "reason_detail": "Recently bereaved, struggling with bills",
            "urgency": "soon",
            "person_agreed": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/referrals/mine/"
    person = Person.objects.get(nhs_number="4010232137")
    assert (person.given_name, person.family_name, person.gp_practice) == (
        "Ivan",
        "Brookhouse",
        world.places.practice,
    )
    referral = Referral.objects.get(person=person)
    assert (referral.status, referral.team, referral.referred_by, referral.urgency) == (
        "awaiting_triage",
        world.team,
        world.referrer,
        "soon",
    )
    assert referral.reasons == ["loneliness", "money"]
    assert list(referral.codes.values_list("code", flat=True)) == ["871691000000100"]


@pytest.mark.django_db
def test_the_refer_form_keeps_what_was_typed_and_says_what_is_wrong(world, client_for):
    response = client_for(world.referrer).post(
        "/refer/",
        {
            "nhs_number": "9434765918",
            "given_name": "Ivan",
            "family_name": "",
            "date_of_birth": "2090-01-01",
            "sex": "male",
            "team": world.team.pk,
            "source": "gp",
            "reason_detail": "Kept text",
            "urgency": "routine",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "This is not a valid NHS number: its check digit does not match." in page
    assert "Enter the person&#x27;s last name" in page
    assert "The date of birth must be in the past" in page
    assert "Choose at least one reason for the referral" in page
    assert "Confirm that the person has agreed to this referral" in page
    assert "Kept text</textarea>" in page
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_an_nhs_number_we_hold_with_another_date_of_birth_is_refused(world, client_for):
    response = client_for(world.referrer).post(
        "/refer/",
        {
            "nhs_number": "9434765919",
            "given_name": "Rosa",
            "family_name": "Resident",
            "date_of_birth": "1951-04-02",
            "sex": "female",
            "team": world.team.pk,
            "source": "gp",
            "reasons": ["loneliness"],
            "urgency": "routine",
            "person_agreed": "on",
        },
    )
    assert (
        "The NHS number and date of birth do not match the person we hold. Check both."
        in response.content.decode()
    )
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_triage_accepts_onto_a_caseload_records_the_code_and_sends_a_message_back(world, client_for):
    referral = referral_for(world)
    client = client_for(world.link_worker)
    assert world.rosa.pk  # the queue names the person
    queue = client.get("/referrals/triage/").content.decode()
    assert "Rosa Resident" in queue
    response = client.post(
        f"/referrals/{referral.pk}/triage/", {"decision": "accept", "link_worker": world.colleague.pk}
    )
    # Alice gave the case to Bea, so Alice goes back to the queue (the case would offer her break-glass).
    assert response["Location"] == "/referrals/triage/"
    assert _messages(response) == [
        f"Triage recorded. Dr Gill Referrer (the referrer) and {world.places.practice.name} "
        "(the person's GP practice) can read the message back."
    ]
    referral.refresh_from_db()
    assert (referral.status, referral.link_worker, referral.triaged_by) == (
        "open",
        world.colleague,
        world.link_worker,
    )
    assert list(referral.codes.values_list("code", flat=True)) == ["871691000000100", "871731000000106"]
    message = MessageBack.objects.get(referral=referral)
    assert (message.event, message.codes_only, message.gp_practice) == (
        "accepted",
        True,
        world.places.practice,
    )
    access = RecordAccess.objects.filter(viewer=world.link_worker).first()
    assert (access.reason, access.subject_user) == ("referral", world.resident)


@pytest.mark.django_db
def test_triage_needs_a_link_worker_or_a_reason(world, client_for):
    referral = referral_for(world)
    client = client_for(world.link_worker)
    page = client.post(f"/referrals/{referral.pk}/triage/", {"decision": "accept"}).content.decode()
    assert "Choose the link worker who will work with the person" in page
    page = client.post(
        f"/referrals/{referral.pk}/triage/", {"decision": "decline", "note": "kept"}
    ).content.decode()
    assert "Choose why the referral does not go ahead" in page
    referral.refresh_from_db()
    assert referral.status == "awaiting_triage"
    assert MessageBack.objects.count() == 0


@pytest.mark.django_db
def test_declining_because_the_person_declined_records_the_declined_code(world, client_for):
    referral = referral_for(world)
    client_for(world.link_worker).post(
        f"/referrals/{referral.pk}/triage/", {"decision": "decline", "decline_reason": "person_declined"}
    )
    referral.refresh_from_db()
    assert referral.status == "declined"
    assert list(referral.codes.values_list("code", flat=True)) == ["871691000000100", "871711000000103"]
    assert MessageBack.objects.get(referral=referral).event == "declined"


@pytest.mark.django_db
def test_declining_goes_back_to_the_triage_queue_not_to_a_case_the_link_worker_cannot_open(world, client_for):
    referral = referral_for(world)
    response = client_for(world.link_worker).post(
        f"/referrals/{referral.pk}/triage/",
        {"decision": "decline", "decline_reason": "not_suitable"},
        follow=True,
    )
    assert response.redirect_chain == [("/referrals/triage/", 302)]
    page = response.content.decode()
    assert (
        f"Triage recorded. Dr Gill Referrer (the referrer) and {world.places.practice.name} "
        "(the person&#x27;s GP practice) can read the message back." in page
    )
    assert "break-glass" not in page.lower()
    assert Referral.objects.get(pk=referral.pk).status == "declined"


@pytest.mark.django_db
def test_triaging_a_declined_referral_again_goes_back_to_the_queue(world, client_for):
    referral = referral_for(world)
    client = client_for(world.link_worker)
    decline = {"decision": "decline", "decline_reason": "not_suitable"}
    client.post(f"/referrals/{referral.pk}/triage/", decline, follow=True)
    response = client.post(f"/referrals/{referral.pk}/triage/", decline)
    assert response["Location"] == "/referrals/triage/"
    assert _messages(response) == ["This referral has already been triaged."]
    assert MessageBack.objects.filter(referral=referral).count() == 1


@pytest.mark.django_db
def test_triaging_a_self_referral_names_the_gp_practice_and_no_referrer(world, client_for):
    referral = actions.make_referral(
        person=world.rosa, team=world.team, source="self", reasons=["loneliness"], by=None
    )
    client = client_for(world.link_worker)
    summary = client.get(f"/referrals/{referral.pk}/triage/").content.decode()
    assert (
        '>Referred by</dt><dd class="nhsuk-summary-list__value">The person referred themselves</dd>'
        in summary
    )
    response = client.post(
        f"/referrals/{referral.pk}/triage/", {"decision": "decline", "decline_reason": "not_suitable"}
    )
    assert _messages(response) == [
        "Triage recorded. The person referred themselves; their GP practice, "
        f"{world.places.practice.name}, can read the message back."
    ]


@pytest.mark.django_db
def test_the_message_back_about_a_self_referral_is_from_the_team_not_from_the_person(world, client_for):
    referral = actions.make_referral(
        person=world.rosa, team=world.team, source="self", reasons=["loneliness"], by=None
    )
    actions.accept_referral(referral=referral, link_worker=world.link_worker, by=world.link_worker)
    message = MessageBack.objects.get(referral=referral)
    page = client_for(world.referrer).get(f"/referrals/{referral.pk}/messages/{message.pk}/").content.decode()
    team = world.team.name
    assert f'<span class="nhsuk-caption-l">Message back from {team}</span>' in page
    assert f"{team} (sent by Alice Linkworker)</dd>" in page
    assert f'<dd class="nhsuk-summary-list__value">{world.places.practice.name}</dd>' in page
    assert "The person referred themselves</dd>" in page
    assert "Rosa Resident (Self-referral)" not in page
    assert '>From</dt><dd class="nhsuk-summary-list__value">Rosa Resident' not in page
    assert "the referrer" not in page


@pytest.mark.django_db
def test_the_message_back_about_a_gps_referral_names_the_referrer(world, client_for):
    referral = referral_for(world)
    actions.accept_referral(referral=referral, link_worker=world.link_worker, by=world.link_worker)
    message = MessageBack.objects.get(referral=referral)
    page = client_for(world.referrer).get(f"/referrals/{referral.pk}/messages/{message.pk}/").content.decode()
    practice = world.places.practice.name
    assert f"{practice}; the referrer, Dr Gill Referrer</dd>" in page
    assert f"Dr Gill Referrer, {practice} (GP practice)</dd>" in page


@pytest.mark.django_db
def test_triaging_a_self_referral_without_a_gp_says_nobody_else_reads_the_message_back(world, client_for):
    person = PersonFactory.create(given_name="Wren", family_name="Hollowmere")
    referral = actions.make_referral(
        person=person, team=world.team, source="self", reasons=["loneliness"], by=None
    )
    response = client_for(world.link_worker).post(
        f"/referrals/{referral.pk}/triage/", {"decision": "accept", "link_worker": world.link_worker.pk}
    )
    assert response["Location"] == f"/referrals/{referral.pk}/"
    assert _messages(response) == [
        "Triage recorded. The person referred themselves and no GP practice is known, so nobody else "
        "reads the message back: tell the person what was decided."
    ]


@pytest.mark.django_db
def test_the_link_worker_logs_contacts_and_holds_conversation_one(world, client_for):
    referral = open_case(world)
    client = client_for(world.link_worker)
    when = timezone.localtime() - datetime.timedelta(hours=2)
    response = client.post(
        f"/referrals/{referral.pk}/contacts/new/",
        {
            "kind": "call",
            "outcome": "spoke",
            "happened_at": when.strftime("%Y-%m-%dT%H:%M"),
            "note": "Booked a visit",
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.last_contact_at == when.replace(second=0, microsecond=0)
    assert JourneyCode.objects.filter(referral=referral, code="1362931000000106").count() == 1
    response = client.post(
        f"/referrals/{referral.pk}/conversations/1/new/",
        {
            "held_on": timezone.localdate().isoformat(),
            "participants": "Rosa and Alice",
            "summary": "I want to get out of the house and grow things again",
            "what_matters": "My allotment, my grandchildren",
            "strengths": "Green fingers, good cook",
            "wants_to_do": "Join a gardening group",
            "connections_made": "",
            "update_record": "on",
        },
    )
    assert response.status_code == 302
    conversation = Conversation.objects.get(referral=referral)
    assert (conversation.kind, conversation.summary) == (
        1,
        "I want to get out of the house and grow things again",
    )
    world.rosa.refresh_from_db()
    assert world.rosa.what_matters == "My allotment, my grandchildren"
    assert JourneyCode.objects.filter(referral=referral, code="1362931000000106").count() == 1


@pytest.mark.django_db
def test_a_contact_outcome_must_suit_its_kind(world, client_for):
    referral = open_case(world)
    when = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(world.link_worker).post(
        f"/referrals/{referral.pk}/contacts/new/",
        {"kind": "message", "outcome": "met", "happened_at": when, "note": "x"},
    )
    assert (
        "That outcome does not go with “Message (text, e-mail or letter)”. Choose one that does."
        in response.content.decode()
    )
    assert ContactLogEntry.objects.count() == 0


@pytest.mark.django_db
def test_connecting_rejection_at_capacity_returns_it_with_an_alert(world, client_for):
    referral = open_case(world)
    client = client_for(world.link_worker)
    response = client.post(
        f"/referrals/{referral.pk}/connect/",
        {
            "service": world.walking.pk,
            "shared_fields": ["what_matters", "contact"],
            "note": "Likes walking",
            "person_agreed": "on",
        },
    )
    assert response.status_code == 302
    connection = Connection.objects.get()
    assert (connection.status, connection.organisation, connection.shared_fields) == (
        "requested",
        world.places.vcse,
        ["contact", "what_matters"],
    )
    member = client_for(world.member)
    assert "Rosa Resident" in member.get("/inbox/").content.decode()
    response = member.post(
        f"/connections/{connection.pk}/",
        {"to_status": "rejected", "rejection_reason": "at-capacity", "note": ""},
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    referral.refresh_from_db()
    assert (connection.status, connection.rejection_reason, connection.needs_attention) == (
        "rejected",
        "at-capacity",
        True,
    )
    assert referral.open_alerts == 1
    case = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "marked the connection to Sale Walking Group rejected: At capacity" in case
    client.post(f"/connections/{connection.pk}/acknowledge/")
    referral.refresh_from_db()
    assert referral.open_alerts == 0
    transitions = list(ConnectionTransition.objects.values_list("from_status", "to_status", "party", "actor"))
    assert transitions == [
        ("", "requested", "requester", world.link_worker.pk),
        ("requested", "rejected", "target", world.member.pk),
    ]


@pytest.mark.django_db
def test_the_organisation_accepts_and_records_attendance(world, client_for):
    referral = open_case(world)
    connection = connection_for(world, referral)
    member = client_for(world.member)
    member.post(f"/connections/{connection.pk}/", {"to_status": "accepted"})
    # The first session is on the day the connection was made (in London), the earliest it can be.
    day = timezone.localdate(connection.requested_at)
    response = member.post(
        f"/connections/{connection.pk}/attendance/", {"session_on": day.isoformat(), "attended": "yes"}
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert (connection.status, connection.sessions_attended) == ("in-progress", 1)
    assert Attendance.objects.get().attended is True
    page = member.post(
        f"/connections/{connection.pk}/attendance/", {"session_on": day.isoformat(), "attended": "no"}
    )
    assert page.status_code == 400
    assert f"Attendance for {day.day} {day:%B %Y} is already recorded." in page.content.decode()


@pytest.mark.django_db
def test_the_person_updates_a_goal_and_sees_who_looked(world, client_for):
    referral = open_case(world)
    worker = client_for(world.link_worker)
    worker.post(
        f"/people/{world.rosa.pk}/goals/new/",
        {
            "description": "Get back to my allotment by spring",
            "steps": "Ask about a half plot",
            "who_helps": "Alice",
            "target_date": "2027-04-01",
        },
    )
    goal = Goal.objects.get()
    rosa = client_for(world.resident)
    response = rosa.post(f"/me/goals/{goal.pk}/", {"progress": "started", "note": "Went to see the plot"})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.progress == "started"
    assert list(goal.reviews.values_list("progress", "note", "reviewed_by")) == [
        ("started", "Went to see the plot", world.resident.pk)
    ]
    page = rosa.get("/me/").content.decode()
    assert "Get back to my allotment by spring" in page
    assert "Alice Linkworker" in page
    assert referral.pk


@pytest.mark.django_db
def test_closing_sends_the_message_back_and_a_closed_case_can_be_referred_again(world, client_for):
    referral = open_case(world)
    client = client_for(world.link_worker)
    response = client.post(f"/referrals/{referral.pk}/close/", {"reason": "goals_met", "note": "Doing well"})
    assert response["Location"] == f"/referrals/{referral.pk}/"
    assert _messages(response) == [
        f"Case closed. Dr Gill Referrer (the referrer) and {world.places.practice.name} "
        "(the person's GP practice) can read the message back."
    ]
    referral.refresh_from_db()
    assert referral.status == "closed"
    assert list(referral.codes.values_list("code", flat=True))[-1] == "1362721000000106"
    message = MessageBack.objects.filter(referral=referral, event="closed").get()
    gp = client_for(world.referrer)
    page = gp.get(f"/referrals/{referral.pk}/messages/{message.pk}/").content.decode()
    assert "Case closed: Rosa Resident" in page
    document = gp.get(f"/referrals/{referral.pk}/messages/{message.pk}.json").json()
    assert document["event"] == "closed"
    assert "what_matters_to_me" not in document
    response = gp.post(
        f"/referrals/{referral.pk}/refer-again/",
        {"reason_detail": "Lonely again since moving", "urgency": "soon"},
    )
    assert response.status_code == 302
    again = Referral.objects.get(previous_referral=referral)
    assert (again.status, again.reason_detail) == ("awaiting_triage", "Lonely again since moving")
