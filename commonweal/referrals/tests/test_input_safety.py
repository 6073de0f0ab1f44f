"""Issue 12: bad or hostile input on the journey's forms, and what an organisation sees after a
connection ends (findings 2, 10, 17 and 18)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from commonweal.people.models import Person
from commonweal.referrals.models import Referral


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
