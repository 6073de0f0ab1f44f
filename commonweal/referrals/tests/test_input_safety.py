"""Issue 12: bad or hostile input on the journey's forms, and what an organisation sees after a
connection ends (findings 2, 10, 17 and 18)."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache, caches
from django.test import Client
from django.utils import timezone

from commonweal.people.models import Person
from commonweal.referrals import actions, rules
from commonweal.referrals.models import Connection, Referral, SelfReferralAttempt
from commonweal.referrals.tests.factories import connection_for, open_case


def _referral(world, **changes):
    data = {
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
        "reasons": ["loneliness"],
        "reason_detail": "",
        "urgency": "routine",
        "person_agreed": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


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
        "reason_detail": "",
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


# ------------------------------------------------------------------ finding 2: one number, one person

FOUR_SPELLINGS = ["4010232137", "401 ０２３ 2137", "４０１０２３２１３７", "٤٠١٠٢٣٢١٣٧"]


@pytest.mark.django_db
def test_one_nhs_number_typed_four_ways_on_refer_is_one_person_stored_as_ascii(world, client_for):
    client = client_for(world.referrer)
    first, *others = FOUR_SPELLINGS
    assert client.post("/refer/", _referral(world, nhs_number=first)).status_code == 302
    for typed in others:
        # The same person is found, and their open referral is not made twice.
        response = client.post("/refer/", _referral(world, nhs_number=typed))
        assert response.status_code == 400
        assert "Ivan Brookhouse already has a referral with" in response.content.decode()
    person = Person.objects.get(family_name="Brookhouse")
    assert person.nhs_number == "4010232137"
    assert Referral.objects.count() == 1


@pytest.mark.django_db
def test_a_self_referral_with_a_full_width_nhs_number_is_stored_as_ascii(world):
    response = Client().post("/refer/yourself/", _self_referral(nhs_number="４０１０２３２１３７"))
    assert response.status_code == 302
    assert Person.objects.get(given_name="Wren").nhs_number == "4010232137"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["0000000000", "000 000 0000", "５５５５５５５５５５"])
def test_an_nhs_number_of_one_repeated_digit_is_refused_on_the_page(world, client_for, typed):
    response = client_for(world.referrer).post("/refer/", _referral(world, nhs_number=typed))
    page = response.content.decode()
    assert response.status_code == 400
    assert "no number is one digit repeated" in page
    assert 'value="Ivan"' in page
    assert Person.objects.filter(family_name="Brookhouse").count() == 0


# --------------------------------------------- finding 17: phone numbers, invisible names, bidi controls


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["abc", "0161 496 OOOO", "call me after 6"])
def test_a_phone_number_with_letters_is_refused_keeping_what_was_typed(world, client_for, phone):
    response = client_for(world.referrer).post("/refer/", _referral(world, phone=phone))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a phone number using numbers only" in page
    assert f'value="{phone}"' in page
    assert Person.objects.filter(family_name="Brookhouse").count() == 0


@pytest.mark.django_db
def test_a_uk_phone_number_given_with_plus_44_is_stored_in_one_form(world, client_for):
    response = client_for(world.referrer).post("/refer/", _referral(world, phone="+44 (0)161 496-0001"))
    assert response.status_code == 302
    assert Person.objects.get(family_name="Brookhouse").phone == "0161 496 0001"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["\u200b\u200b\u200b", "\u202e", "\u2066\u2069 \ufeff", "\u00a0"])
def test_a_name_of_invisible_characters_is_refused_as_empty(world, client_for, name):
    response = client_for(world.referrer).post("/refer/", _referral(world, given_name=name))
    assert response.status_code == 400
    assert "Enter the person&#x27;s first name" in response.content.decode()
    assert Person.objects.filter(family_name="Brookhouse").count() == 0


@pytest.mark.django_db
def test_a_self_referral_name_of_zero_width_characters_is_refused(world):
    response = Client().post("/refer/yourself/", _self_referral(family_name="\u200b\u200c\u200d"))
    assert response.status_code == 400
    assert "Enter your last name" in response.content.decode()
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_bidi_overrides_and_controls_are_taken_out_of_every_person_field(world, client_for):
    response = client_for(world.referrer).post(
        "/refer/",
        _referral(
            world,
            given_name="I\u202evan",
            family_name="Brook\u2066house\u2069",
            reason_detail="Line one\u202e\nLine two\x00\x1b[31m",
        ),
    )
    assert response.status_code == 302
    person = Person.objects.get(family_name="Brookhouse")
    assert person.given_name == "Ivan"
    assert Referral.objects.get(person=person).reason_detail == "Line one\nLine two[31m"


@pytest.mark.django_db
def test_joiners_that_scripts_need_are_kept_in_names(world, client_for):
    persian = "\u0645\u06cc\u200c\u0631\u0636\u0627"  # a name written with a zero-width non-joiner
    response = client_for(world.referrer).post("/refer/", _referral(world, given_name=persian))
    assert response.status_code == 302
    assert Person.objects.get(family_name="Brookhouse").given_name == persian


@pytest.mark.django_db
def test_the_record_contact_page_refuses_letters_in_the_phone_and_a_network_name_of_nothing(
    world, client_for
):
    open_case(world)
    client = client_for(world.link_worker)
    response = client.post(
        f"/people/{world.rosa.pk}/edit/contact/",
        {"language": "English", "contact_methods": ["phone"], "phone": "abc"},
    )
    assert response.status_code == 400
    assert "Enter a phone number using numbers only" in response.content.decode()
    world.rosa.refresh_from_db()
    assert world.rosa.phone == "0161 496 0000"
    response = client.post(
        f"/people/{world.rosa.pk}/network/", {"kind": "friend", "name": "\u200b\u202e", "note": ""}
    )
    assert response.status_code == 400
    assert "Enter their name" in response.content.decode()
    assert world.rosa.network.count() == 0


# ------------------------------------- finding 18: an ended connection no longer shows who the person was

ROSA_DETAILS = ["Rosa", "Resident", "0161 496 0000", "Getting back to my allotment", "Would love company"]


def _ended_connection(world, status, reason):
    connection = connection_for(world, open_case(world), shared=["contact", "what_matters", "note"])
    Connection.objects.filter(pk=connection.pk).update(
        status=status, status_reason=reason, rejection_reason="at-capacity" if status == "rejected" else ""
    )
    return connection


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["rejected", "failed", "cancelled", "entered-in-error"])
def test_the_organisation_sees_no_personal_data_once_a_connection_ended_unserved(world, client_for, status):
    connection = _ended_connection(world, status, "Rosa said on 0161 496 0000 she could not come")
    member = client_for(world.member)
    response = member.get(f"/connections/{connection.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Connection {connection.pk} has ended" in page
    assert "Requested" in page and "ended" in page
    for detail in ROSA_DETAILS:
        assert detail not in page
    inbox = member.get("/inbox/?view=finished").content.decode()
    assert f"Ended: connection {connection.pk}" in inbox
    assert "Rosa" not in inbox
    # The link worker who asked still sees everything.
    requester_page = client_for(world.link_worker).get(f"/connections/{connection.pk}/").content.decode()
    assert all(detail in requester_page for detail in ROSA_DETAILS)


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["requested", "accepted", "in-progress", "on-hold", "completed"])
def test_the_organisation_still_sees_what_was_shared_while_it_serves_the_person(world, client_for, status):
    connection = _ended_connection(world, status, "")
    page = client_for(world.member).get(f"/connections/{connection.pk}/").content.decode()
    assert all(detail in page for detail in ROSA_DETAILS)


# ------------------------------- finding 10: the self-referral limit is shared by workers and restarts


def _forget_in_process_state():
    """What a second web worker, or the same one after a restart, starts with: no in-memory state."""
    cache.clear()
    for alias in caches:
        caches[alias].clear()


@pytest.mark.django_db
def test_the_self_referral_limit_holds_across_workers_and_restarts(world):
    for number in range(5):
        worker = Client(REMOTE_ADDR="203.0.113.9")  # each request on a "different worker"
        response = worker.post("/refer/yourself/", _self_referral(given_name=f"Wren{number}"))
        assert response.status_code == 302
        _forget_in_process_state()
    restarted = Client(REMOTE_ADDR="203.0.113.9")
    response = restarted.post("/refer/yourself/", _self_referral(given_name="Sixth"))
    assert response.status_code == 429
    assert 'value="Sixth"' in response.content.decode()
    assert Referral.objects.count() == 5
    # The address is not stored as such.
    assert not SelfReferralAttempt.objects.filter(client__contains="203.0.113.9").exists()


@pytest.mark.django_db
def test_attempts_older_than_an_hour_no_longer_count_and_are_cleared(world):
    start = timezone.now() - datetime.timedelta(hours=2)
    for minute in range(5):
        actions.count_self_referral("203.0.113.9", start + datetime.timedelta(minutes=minute))
    assert not rules.may_self_refer_from("203.0.113.9", start + datetime.timedelta(minutes=30))
    later = start + datetime.timedelta(minutes=65)
    assert rules.may_self_refer_from("203.0.113.9", later)
    actions.count_self_referral("203.0.113.9", later)
    assert SelfReferralAttempt.objects.count() == 1
