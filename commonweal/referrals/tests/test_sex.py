"""Both referral forms ask sex with the NHS Data Dictionary's four person stated gender codes, and the
FHIR export tells each as the administrative gender HL7 UK maps it to."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from commonweal.people.models import Person, Sex
from commonweal.referrals import fhir, queries
from commonweal.referrals.tests.factories import referral_for
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

OPTIONS = [
    ("male", "Male"),
    ("female", "Female"),
    ("indeterminate", "Indeterminate (cannot be classified as male or female)"),
    ("not_known", "Not known"),
]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _radios(page: str) -> list[tuple[str, str]]:
    return re.findall(
        r'<input class="nhsuk-radios__input" id="id_sex_\d+" name="sex" type="radio" value="([^"]*)">\s*'
        r'<label class="nhsuk-label nhsuk-radios__label" for="id_sex_\d+">([^<]*)</label>',
        page,
    )


def _referral(world, *, nhs_number: str, sex: str) -> dict[str, object]:
    return {
        "nhs_number": nhs_number,
        "given_name": "Ash",
        "family_name": "Fernhill",
        "date_of_birth": "1984-02-29",
        "sex": sex,
        "postcode": "M33 7AA",
        "phone": "",
        "email": "",
        "gp_practice": world.places.practice.pk,
        "team": world.team.pk,
        "source": "gp",
        "reasons": ["loneliness"],
        "reason_detail": "",
        "urgency": "routine",
        "person_agreed": "on",
    }


def test_the_referrers_form_offers_the_four_codes_with_a_hint(world, client_for):
    page = client_for(world.referrer).get("/refer/").content.decode()
    assert _radios(page) == OPTIONS
    assert "As recorded by the person&#x27;s GP. Choose &#x27;Not known&#x27; if you do not know." in page


def test_the_self_referral_form_offers_the_four_codes_with_a_hint():
    page = Client().get("/refer/yourself/").content.decode()
    assert _radios(page) == OPTIONS
    assert "As recorded by your GP surgery. If you are not sure, choose &#x27;Not known&#x27;." in page


@pytest.mark.parametrize(
    ("nhs_number", "answer", "stored", "code"),
    [
        ("9990000018", "male", "male", "1"),
        ("9990000026", "female", "female", "2"),
        ("9990000034", "indeterminate", "indeterminate", "9"),
        ("9990000042", "not_known", "", "X"),
    ],
)
def test_the_referrers_form_accepts_each_code(world, client_for, nhs_number, answer, stored, code):
    response = client_for(world.referrer).post("/refer/", _referral(world, nhs_number=nhs_number, sex=answer))
    assert (response.status_code, response["Location"]) == (302, "/referrals/mine/")
    person = Person.objects.get(nhs_number=nhs_number)
    assert (person.sex, Sex.of(person.sex).data_dictionary_code) == (stored, code)


def test_a_self_referral_that_does_not_know_is_stored_as_not_recorded(world):
    data = {
        "given_name": "Wren",
        "family_name": "Hollowmere",
        "date_of_birth": "1988-03-09",
        "sex": "not_known",
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
    response = Client().post("/refer/yourself/", data)
    assert (response.status_code, response.get("Location")) == (302, "/refer/yourself/sent/")
    assert Person.objects.get(given_name="Wren").sex == ""


def test_an_answer_that_is_no_code_is_refused(world, client_for):
    page = client_for(world.referrer).post("/refer/", _referral(world, nhs_number="9990000050", sex="9"))
    assert "Select a valid choice. 9 is not one of the available choices." in page.content.decode()
    assert not Person.objects.filter(nhs_number="9990000050").exists()


def test_a_referral_that_knows_the_sex_fills_in_a_record_where_it_was_not_known(world, client_for):
    PersonFactory.create(nhs_number="9990000050", date_of_birth="1984-02-29", sex="")
    response = client_for(world.referrer).post(
        "/refer/", _referral(world, nhs_number="9990000050", sex="female")
    )
    assert (response.status_code, response["Location"]) == (302, "/referrals/mine/")
    assert Person.objects.get(nhs_number="9990000050").sex == "female"


@pytest.mark.parametrize(
    ("sex", "gender"),
    [("male", "male"), ("female", "female"), ("indeterminate", "other"), ("", "unknown")],
)
def test_the_fhir_patient_gender_is_the_mapped_administrative_gender(world, sex, gender):
    person = PersonFactory.create(sex=sex)
    bundle = fhir.referral_bundle(queries.referral_facts(referral_for(world, person)))
    patient = bundle["entry"][0]["resource"]
    assert (patient["resourceType"], patient["gender"]) == ("Patient", gender)
