"""Each journey page: it works, and bad input is answered with a clear message keeping what was typed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from commonweal.audit.models import AuditEvent, RecordAccess
from commonweal.people.models import Goal, NetworkMember, Person, SafeguardingConcern
from commonweal.people.record_sections import sections
from commonweal.referrals import actions
from commonweal.referrals.actions import JourneyError
from commonweal.referrals.models import (
    BudgetSpend,
    Conversation,
    EmergencyPlanAction,
    JourneyCode,
    Referral,
    SmallSum,
    SmallSumBudget,
)
from commonweal.referrals.tests.factories import connection_for, open_case, referral_for

TODAY = timezone.localdate


def _self_referral(**changes):
    data = {
        "given_name": "Wren",
        "family_name": "Hollowmere",
        "date_of_birth": "1988-03-09",
        "sex": "female",
        "postcode": "m33 7aa",
        "nhs_number": "",
        "phone": "07700 900456",
        "email": "",
        "contact_methods": ["phone"],
        "reasons": ["loneliness"],
        "reason_detail": "New to the area and on my own with the baby",
        "urgency": "routine",
        "privacy": "on",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


# ------------------------------------------------------------------------------ self-referral


@pytest.mark.django_db
def test_a_resident_refers_themselves_without_an_account(world):
    response = Client().post("/refer/yourself/", _self_referral(gp_practice=world.places.practice.pk))
    assert response.status_code == 302
    assert response["Location"] == "/refer/yourself/sent/"
    referral = Referral.objects.get()
    person = referral.person
    assert (person.given_name, person.postcode, person.contact_methods, person.nhs_number) == (
        "Wren",
        "M33 7AA",
        ["phone"],
        None,
    )
    assert person.lsoa is not None
    assert (referral.source, referral.referred_by, referral.team) == ("self", None, world.team)
    assert JourneyCode.objects.count() == 0


@pytest.mark.django_db
def test_the_self_referral_form_shows_the_privacy_notice_and_says_what_is_missing(world):
    page = Client().get("/refer/yourself/").content.decode()
    assert "How we use your information" in page
    response = Client().post(
        "/refer/yourself/", _self_referral(privacy=None, contact_methods=["email"], postcode="NOT A PC")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Confirm that you have read how your information will be used" in page
    assert "Enter an e-mail address, so we can e-mail you" in page
    assert "is not a valid UK postcode" in page
    assert "New to the area and on my own with the baby</textarea>" in page
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_the_self_referral_form_speaks_to_the_person_and_the_referrers_form_about_them(world, client_for):
    missing = {"given_name": "", "family_name": "", "date_of_birth": "", "sex": None}
    page = Client().post("/refer/yourself/", _self_referral(**missing)).content.decode()
    for message in (
        "Enter your first name",
        "Enter your last name",
        "Enter your date of birth",
        "Choose your sex",
    ):
        assert page.count(message) == 2  # in the error summary and beside the field
    assert "the person&#x27;s" not in page
    page = client_for(world.referrer).post("/refer/", {"reasons": ["loneliness"]}).content.decode()
    for message in (
        "Enter the person&#x27;s first name",
        "Enter the person&#x27;s last name",
        "Enter the person&#x27;s date of birth",
        "Choose the person&#x27;s sex as registered with their GP",
    ):
        assert message in page
    assert "Enter your" not in page
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_a_filled_in_hidden_field_is_thanked_and_dropped(world):
    response = Client().post("/refer/yourself/", _self_referral(website="http://spam.example"))
    assert response["Location"] == "/refer/yourself/sent/"
    assert (Referral.objects.count(), Person.objects.filter(given_name="Wren").count()) == (0, 0)


@pytest.mark.django_db
def test_more_than_five_referrals_an_hour_from_one_address_are_turned_away_keeping_what_was_typed(world):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for number in range(5):
        assert client.post("/refer/yourself/", _self_referral(given_name=f"Wren{number}")).status_code == 302
    response = client.post("/refer/yourself/", _self_referral(given_name="Sixth"))
    page = response.content.decode()
    assert response.status_code == 429
    assert "We have had several referrals from this connection in the last hour" in page
    assert 'value="Sixth"' in page
    assert Referral.objects.count() == 5
    other = Client(REMOTE_ADDR="203.0.113.10")
    assert other.post("/refer/yourself/", _self_referral()).status_code == 302


@pytest.mark.django_db
def test_a_self_referral_with_someone_elses_nhs_number_neither_links_nor_tells(world):
    response = Client().post("/refer/yourself/", _self_referral(nhs_number="943 476 5919"))
    assert response["Location"] == "/refer/yourself/sent/"
    referral = Referral.objects.get()
    assert referral.person != world.rosa
    assert referral.person.nhs_number is None


# ------------------------------------------------------------------------------------- the case


@pytest.mark.django_db
def test_the_next_action_is_set_and_an_empty_one_is_refused(world, client_for):
    referral = open_case(world)
    client = client_for(world.link_worker)
    due = TODAY() + datetime.timedelta(days=3)
    assert (
        client.post(
            f"/referrals/{referral.pk}/next-action/",
            {"next_action": "Ring Rosa", "next_action_due": due.isoformat()},
        ).status_code
        == 302
    )
    referral.refresh_from_db()
    assert (referral.next_action, referral.next_action_due) == ("Ring Rosa", due)
    response = client.post(
        f"/referrals/{referral.pk}/next-action/", {"next_action": "", "next_action_due": "soon"}
    )
    page = response.content.decode()
    assert "Say what happens next" in page
    assert "Enter the due date as a real date, for example 27 3 2026" in page
    referral.refresh_from_db()
    assert referral.next_action == "Ring Rosa"


@pytest.mark.django_db
def test_conversation_two_needs_an_emergency_plan_and_records_it(world, client_for):
    referral = open_case(world)
    client = client_for(world.link_worker)
    base = {"held_on": TODAY().isoformat(), "participants": "Rosa and Lena", "summary": "The meter ran out"}
    page = client.post(
        f"/referrals/{referral.pk}/conversations/2/new/", base | {"owner_1": "Lena"}
    ).content.decode()
    assert "Say what action 1 is" in page
    assert "Enter a review date for action 1" in page
    assert Conversation.objects.count() == 0
    review = (TODAY() + datetime.timedelta(days=7)).isoformat()
    response = client.post(
        f"/referrals/{referral.pk}/conversations/2/new/",
        base
        | {
            "immediate_risks": "No heating",
            "action_1": "Food bank voucher",
            "owner_1": "Lena",
            "review_1": review,
        },
    )
    assert response.status_code == 302
    assert list(EmergencyPlanAction.objects.values_list("action", "owner")) == [("Food bank voucher", "Lena")]


@pytest.mark.django_db
def test_conversation_three_records_a_personal_budget_and_refuses_overspending(world, client_for):
    referral = open_case(world)
    client = client_for(world.link_worker)
    base = {
        "held_on": TODAY().isoformat(),
        "participants": "Rosa",
        "summary": "I want to help at the garden",
        "long_term_plan": "Volunteer",
        "budget_amount": "100.00",
        "budget_sources": "Personal health budget",
        "spend_1": "Course",
        "spend_amount_1": "150.00",
    }
    page = client.post(f"/referrals/{referral.pk}/conversations/3/new/", base).content.decode()
    assert "The spending (£150.00) is more than the personal budget (£100.00)." in page
    assert Conversation.objects.count() == 0
    page = client.post(
        f"/referrals/{referral.pk}/conversations/3/new/", base | {"spend_amount_1": ""}
    ).content.decode()
    assert "Give both what line 1 is spent on and its amount" in page
    response = client.post(
        f"/referrals/{referral.pk}/conversations/3/new/", base | {"spend_amount_1": "60.50"}
    )
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert (conversation.budget_amount, conversation.budget_sources) == (
        Decimal("100.00"),
        "Personal health budget",
    )
    assert list(BudgetSpend.objects.values_list("description", "amount")) == [("Course", Decimal("60.50"))]


@pytest.mark.django_db
def test_a_conversation_cannot_be_dated_in_the_future(world, client_for):
    referral = open_case(world)
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    page = (
        client_for(world.link_worker)
        .post(
            f"/referrals/{referral.pk}/conversations/1/new/",
            {"held_on": tomorrow, "participants": "x", "summary": "y"},
        )
        .content.decode()
    )
    assert "The date of the conversation cannot be in the future" in page
    assert Conversation.objects.count() == 0


@pytest.mark.django_db
def test_closing_with_another_reason_needs_a_note(world, client_for):
    referral = open_case(world)
    page = (
        client_for(world.link_worker)
        .post(f"/referrals/{referral.pk}/close/", {"reason": "other"})
        .content.decode()
    )
    assert "Say why the case is closing." in page
    referral.refresh_from_db()
    assert referral.status == "open"


@pytest.mark.django_db
def test_referring_again_needs_words_and_the_person_can_ask_again_themselves(world, client_for):
    referral = open_case(world)
    actions.close_referral(referral=referral, reason="goals_met", by=world.link_worker)
    rosa = client_for(world.resident)
    page = rosa.post(
        f"/referrals/{referral.pk}/refer-again/", {"reason_detail": "", "urgency": "routine"}
    ).content.decode()
    assert "Say what has changed, so the team knows why you are coming back" in page
    assert "why the person is coming back" not in page
    assert (
        rosa.post(
            f"/referrals/{referral.pk}/refer-again/", {"reason_detail": "Low again", "urgency": "soon"}
        ).status_code
        == 302
    )
    again = Referral.objects.get(previous_referral=referral)
    assert (again.source, again.referred_by, again.status) == ("self", world.resident, "awaiting_triage")
    own = rosa.get("/me/").content.decode()
    assert "You referred yourself." in own
    assert "Self-referral (Rosa Resident)" not in own


@pytest.mark.django_db
def test_a_person_cannot_open_their_own_case_page_but_sees_it_in_their_record(world, client_for):
    referral = open_case(world)
    client = client_for(world.resident)
    assert client.get(f"/referrals/{referral.pk}/").status_code == 403
    page = client.get("/me/").content.decode()
    assert "Your link worker: Alice Linkworker, Test Surgery." in page


# ----------------------------------------------------------------------------------- small sums


@pytest.mark.django_db
def test_small_sums_are_asked_for_then_approved_within_the_budget_by_another_supervisor(world, client_for):
    referral = open_case(world)
    page = (
        client_for(world.link_worker)
        .post(f"/referrals/{referral.pk}/small-sums/new/", {"amount": "600", "purpose": "Rent"})
        .content.decode()
    )
    assert "A small sum is at most £500; for more, talk to your supervisor" in page
    client_for(world.link_worker).post(
        f"/referrals/{referral.pk}/small-sums/new/", {"amount": "40", "purpose": "Meter"}
    )
    small_sum = SmallSum.objects.get()
    supervisor = client_for(world.supervisor)
    supervisor.post(f"/small-sums/{small_sum.pk}/decide/", {"decision": "approve"}, follow=True)
    small_sum.refresh_from_db()
    assert small_sum.status == "requested"
    page = supervisor.get(f"/caseload/team/{world.team.pk}/").content.decode()
    assert "No budget is set for today." in page
    supervisor.post(
        f"/caseload/team/{world.team.pk}/budget/",
        {
            "starts_on": (TODAY() - datetime.timedelta(days=30)).isoformat(),
            "ends_on": (TODAY() + datetime.timedelta(days=300)).isoformat(),
            "amount": "50",
        },
    )
    response = supervisor.post(f"/small-sums/{small_sum.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "£40.00 approved." in response.content.decode()
    small_sum.refresh_from_db()
    assert (small_sum.status, small_sum.decided_by) == ("approved", world.supervisor)
    second = actions.request_small_sum(
        referral=referral, amount=Decimal("20"), purpose="Bus", by=world.link_worker
    )
    response = supervisor.post(f"/small-sums/{second.pk}/decide/", {"decision": "approve"}, follow=True)
    assert (
        "Approving £20.00 would take the team over its budget: £10.00 is left." in response.content.decode()
    )
    response = supervisor.post(f"/small-sums/{second.pk}/decide/", {"decision": "refuse"}, follow=True)
    assert "Say why the sum is refused, so the link worker can tell the person." in response.content.decode()
    second.refresh_from_db()
    assert second.status == "requested"
    case = client_for(world.link_worker).get(f"/referrals/{referral.pk}/").content.decode()
    assert "Running total for Rosa: £40.00 approved, £20.00 waiting for approval." in case


@pytest.mark.django_db
def test_nobody_approves_their_own_small_sum(world):
    referral = open_case(world, link_worker=world.supervisor)
    small_sum = actions.request_small_sum(
        referral=referral, amount=Decimal("10"), purpose="Food", by=world.supervisor
    )
    with pytest.raises(JourneyError) as raised:
        actions.decide_small_sum(small_sum=small_sum, approve=True, by=world.supervisor)
    assert str(raised.value) == "You asked for this sum, so another supervisor must decide on it."
    small_sum.refresh_from_db()
    assert (small_sum.status, small_sum.decided_by) == ("requested", None)


@pytest.mark.django_db
def test_a_budget_period_must_end_after_it_starts(world, client_for):
    response = client_for(world.supervisor).post(
        f"/caseload/team/{world.team.pk}/budget/",
        {"starts_on": "2026-04-01", "ends_on": "2026-03-01", "amount": "500"},
    )
    assert "The end date must be on or after the start date" in response.content.decode()
    assert SmallSumBudget.objects.count() == 0


# ------------------------------------------------------------------------------- caseload views


@pytest.mark.django_db
def test_the_caseload_sorts_filters_and_flags_overdue_and_returned(world, client_for):
    late = open_case(world)
    actions.set_next_action(
        referral=late, next_action="Call", due=TODAY() - datetime.timedelta(days=2), by=world.link_worker
    )
    from tests.factories import PersonFactory

    other = open_case(world, PersonFactory.create(given_name="Zed", family_name="Aardvark"))
    connection = connection_for(world, other)
    actions.move_connection(
        connection=connection, to_status="rejected", rejection_reason="at-capacity", by=world.member
    )
    client = client_for(world.link_worker)
    page = client.get("/caseload/?sort=name").content.decode()
    assert page.index("Zed Aardvark") < page.index("Rosa Resident")
    assert "2 open cases; 1 overdue; 1 with returned connections" in page
    overdue = client.get("/caseload/?overdue=on").content.decode()
    assert "Rosa Resident" in overdue and "Zed Aardvark" not in overdue
    alerts = client.get("/caseload/?alerts=on").content.decode()
    assert "Zed Aardvark" in alerts and "Rosa Resident" not in alerts
    assert "Zed" not in client.get("/caseload/?q=rosa").content.decode()
    assert "Rosa Resident" not in client_for(world.colleague).get("/caseload/").content.decode()


@pytest.mark.django_db
def test_the_supervisor_sees_each_link_workers_caseload(world, client_for):
    open_case(world)
    page = (
        client_for(world.supervisor)
        .get(f"/caseload/team/{world.team.pk}/?worker={world.link_worker.pk}")
        .content.decode()
    )
    assert "Alice Linkworker's cases" in page
    assert "Rosa Resident" in page
    assert "Bea Colleague" in page


@pytest.mark.django_db
def test_the_triage_queue_puts_urgent_referrals_first(world, client_for):
    from tests.factories import PersonFactory

    referral_for(world, PersonFactory.create(given_name="Routine", family_name="Person"))
    referral_for(world, PersonFactory.create(given_name="Urgent", family_name="Person"), urgency="urgent")
    page = client_for(world.link_worker).get("/referrals/triage/").content.decode()
    assert page.index("Urgent Person") < page.index("Routine Person")


# -------------------------------------------------------------------------- the record and goals


@pytest.mark.django_db
def test_the_link_worker_changes_the_record_with_the_person(world, client_for):
    open_case(world)
    client = client_for(world.link_worker)
    response = client.post(
        f"/people/{world.rosa.pk}/edit/contact/",
        {
            "phone": "0161 496 0999",
            "postcode": "wa14 1ep",
            "contact_methods": ["phone", "sms"],
            "language": "Polish",
            "needs_interpreter": "on",
            "accessibility_needs": ["hearing_loop"],
            "gp_practice": world.places.practice.pk,
        },
    )
    assert response.status_code == 302
    world.rosa.refresh_from_db()
    assert (world.rosa.phone, world.rosa.postcode, world.rosa.language, world.rosa.accessibility_needs) == (
        "0161 496 0999",
        "WA14 1EP",
        "Polish",
        ["hearing_loop"],
    )
    assert world.rosa.lsoa.code == "E01006075"
    event = AuditEvent.objects.filter(action="people.update_record").last()
    assert event.detail["fields"] == [
        "accessibility_needs",
        "contact_methods",
        "language",
        "needs_interpreter",
        "phone",
        "postcode",
    ]
    page = client.post(
        f"/people/{world.rosa.pk}/edit/contact/",
        {"language": "English", "contact_methods": ["none", "phone"], "phone": "kept 123"},
    ).content.decode()
    assert "Choose either &#x27;Please do not contact me&#x27; or ways to contact, not both" in page
    assert 'value="kept 123"' in page
    page = client.post(f"/people/{world.rosa.pk}/edit/about/", {"interests": "x" * 61}).content.decode()
    assert "Keep each interest short (60 characters or fewer), separated by commas" in page


@pytest.mark.django_db
def test_network_and_safeguarding_are_recorded_and_empty_entries_refused(world, client_for):
    open_case(world)
    client = client_for(world.link_worker)
    assert (
        "Enter their name"
        in client.post(f"/people/{world.rosa.pk}/network/", {"kind": "family"}).content.decode()
    )
    client.post(f"/people/{world.rosa.pk}/network/", {"kind": "family", "name": "Jess", "note": "Daughter"})
    assert list(NetworkMember.objects.values_list("name", "kind")) == [("Jess", "family")]
    assert (
        "Describe the concern"
        in client.post(f"/people/{world.rosa.pk}/safeguarding/", {"concern": ""}).content.decode()
    )
    client.post(f"/people/{world.rosa.pk}/safeguarding/", {"concern": "Bruising noticed"})
    assert SafeguardingConcern.objects.get().recorded_by == world.link_worker


@pytest.mark.django_db
def test_the_person_adds_and_updates_their_own_goals_and_consent(world, client_for):
    client = client_for(world.resident)
    assert (
        "Write the goal in your own words"
        in client.post("/me/goals/new/", {"description": ""}).content.decode()
    )
    client.post("/me/goals/new/", {"description": "Sing in a choir", "target_date": "2027-06-01"})
    goal = Goal.objects.get()
    assert (goal.person, goal.set_by) == (world.rosa, world.resident)
    assert (
        "Choose how far along the goal is"
        in client.post(f"/me/goals/{goal.pk}/", {"note": "kept"}).content.decode()
    )
    client.post("/me/edit/consent/", {"gp_sharing": "full_summary"})
    world.rosa.refresh_from_db()
    assert (world.rosa.gp_sharing, world.rosa.organisations_may_contact) == ("full_summary", False)
    client.post("/me/plan/", {"summary": "Sing, walk, and see Jess on Sundays"})
    assert "Sing, walk, and see Jess on Sundays" in client.get("/me/").content.decode()
    other = Goal.objects.create(
        person=Person.objects.create(given_name="A", family_name="B", date_of_birth="1980-01-01", sex="male"),
        description="Theirs",
    )
    assert client.post(f"/me/goals/{other.pk}/", {"progress": "achieved"}).status_code == 404
    other.refresh_from_db()
    assert other.progress == "not_started"


@pytest.mark.django_db
def test_the_person_downloads_everything_held_about_them(world, client_for):
    referral = open_case(world)
    connection_for(world, referral)
    client_for(world.link_worker).get(f"/people/{world.rosa.pk}/")
    response = client_for(world.resident).get("/me/download.json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-commonweal-record-')
    document = response.json()
    other_apps = {section.key for section in sections()} - {"journey"}
    assert set(document) - other_apps == {
        "exported_at",
        "about_this_file",
        "record",
        "network",
        "plan",
        "goals",
        "who_has_looked_at_my_record",
        "journey",
    }
    assert document["record"]["nhs_number"] == "9434765919"
    assert [item["who"] for item in document["who_has_looked_at_my_record"]] == ["Alice Linkworker"]
    assert document["journey"]["referrals"][0]["link_worker"] == "Alice Linkworker"
    assert document["journey"]["connections"][0]["service"] == "Sale Walking Group"
    page = client_for(world.resident).get("/me/download/").content.decode()
    assert "Everything we hold about you" in page and "Sale Walking Group" in page


# ------------------------------------------------------------------------------------ FHIR export


@pytest.mark.django_db
def test_the_fhir_export_is_a_service_request_and_task_per_referral_and_connection(world, client_for):
    referral = open_case(world)
    actions.move_connection(connection=connection_for(world, referral), to_status="accepted", by=world.member)
    world.rosa.gp_sharing = "full_summary"
    world.rosa.save()
    response = client_for(world.referrer).get(f"/referrals/{referral.pk}/fhir.json")
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    bundle = response.json()
    resources = [entry["resource"] for entry in bundle["entry"]]
    assert [resource["resourceType"] for resource in resources] == [
        "Patient",
        "ServiceRequest",
        "Task",
        "ServiceRequest",
        "Task",
    ]
    assert resources[0]["identifier"] == [
        {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}
    ]
    assert resources[1]["code"]["coding"][0]["code"] == "871731000000106"
    assert (resources[2]["status"], resources[2]["focus"]["reference"]) == (
        "in-progress",
        f"ServiceRequest/referral-{referral.pk}",
    )
    assert (resources[4]["status"], resources[4]["owner"]["display"]) == ("accepted", "Test Walking Group")
    world.rosa.gp_sharing = "codes_only"
    world.rosa.save()
    codes_only = client_for(world.referrer).get(f"/referrals/{referral.pk}/fhir.json").json()
    assert [entry["resource"]["resourceType"] for entry in codes_only["entry"]] == [
        "Patient",
        "ServiceRequest",
        "Task",
    ]
    assert "reasonCode" not in codes_only["entry"][1]["resource"]
    assert client_for(world.member).get(f"/referrals/{referral.pk}/fhir.json").status_code == 403


# ------------------------------------------------------------------------------- relationships


@pytest.mark.django_db
def test_relationships_give_reasons_and_end_with_the_case(world, client_for):
    from commonweal.people.rules import relationship_grant

    waiting = referral_for(world)
    assert relationship_grant(world.colleague, world.rosa).reason == "referral"
    assert relationship_grant(world.outsider_worker, world.rosa) is None
    referral = actions.accept_referral(referral=waiting, link_worker=world.link_worker, by=world.link_worker)
    assert relationship_grant(world.link_worker, world.rosa).reason == "caseload"
    assert relationship_grant(world.colleague, world.rosa) is None
    supervised = relationship_grant(world.supervisor, world.rosa)
    assert (supervised.reason, supervised.detail) == ("caseload", "Supervising the team's caseload")
    assert relationship_grant(world.member, world.rosa) is None
    actions.close_referral(referral=referral, reason="goals_met", by=world.link_worker)
    assert relationship_grant(world.link_worker, world.rosa) is None
    response = client_for(world.link_worker).get(f"/people/{world.rosa.pk}/")
    assert response["Location"] == f"/people/{world.rosa.pk}/break-glass/"
    assert RecordAccess.objects.filter(viewer=world.link_worker).count() == 0
