"""The demo borough, built once for these tests (the `demo_borough` fixture): a second run adds nothing,
and every demo login works."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from commonweal.accounts.models import Role, User
from commonweal.demo.builder import DEMO_LOGINS, DEMO_PASSWORD
from commonweal.households.demo import demo_size
from commonweal.people.models import Person
from tests.demo_database import DEMO_RESIDENTS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_borough")]


def _report() -> dict[str, object]:
    out = StringIO()
    call_command("demo", "--report", stdout=out)
    return json.loads(out.getvalue())


def test_a_second_run_changes_nothing_and_says_so():
    before = _report()
    out = StringIO()
    call_command("demo", stdout=out)
    assert "The demo borough was already loaded; nothing changed." in out.getvalue()
    assert _report() == before


def test_every_demo_login_has_its_role_and_the_published_password():
    for login in DEMO_LOGINS:
        user = User.objects.get(email=login.email)
        assert user.check_password(DEMO_PASSWORD)
        roles = list(user.role_assignments.values_list("role", flat=True))
        # One role each; the volunteering demo's coordinator and safeguarding lead hold theirs for both
        # of its organisations.
        scopes = 2 if login.role in {Role.VOLUNTEER_COORDINATOR, Role.SAFEGUARDING_LEAD} else 1
        assert roles == [login.role.value] * scopes, login.email
    resident = User.objects.get(email="resident@demo.commonweal.invalid")
    assert (resident.person.given_name, resident.person.family_name) == ("Rosa", "Amberbrook")


def test_every_demo_staff_login_signs_in_with_the_password_and_its_demo_code():
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from commonweal.accounts.models import Role

    for login in DEMO_LOGINS:
        client = Client()
        response = client.post("/sign-in/", {"username": login.email, "password": DEMO_PASSWORD})
        if login.role == Role.RESIDENT:
            assert response["Location"] == "/home/"
            assert not TOTPDevice.objects.filter(user__email=login.email).exists()
            continue
        assert response["Location"] == "/sign-in/verify/", login.email
        out = StringIO()
        call_command("demo_code", login.email.split("@")[0], stdout=out)
        code = out.getvalue().strip()
        assert len(code) == 6 and code.isdigit()
        assert client.post("/sign-in/verify/", {"code": code})["Location"] == "/home/", login.email


@pytest.mark.parametrize(
    ("login", "message"),
    [
        ("resident", "has no demo authenticator"),
        ("someone@example.org", "is not one of the demo's logins"),
        ("nobody", "is not one of the demo's logins"),
    ],
)
def test_demo_code_refuses_accounts_the_demo_did_not_enrol(login, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("demo_code", login, stdout=StringIO())


def test_demo_code_refuses_a_demo_address_whose_authenticator_is_not_the_demos():
    from django.core.management.base import CommandError
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user__email="admin@demo.commonweal.invalid").update(key="ab" * 20)
    with pytest.raises(CommandError, match="has no demo authenticator"):
        call_command("demo_code", "admin", stdout=StringIO())


def test_demo_residents_have_realistic_mixes_of_age_sex_and_ethnicity():
    people = list(Person.objects.values_list("sex", "ethnicity", "date_of_birth", "nhs_number"))
    # The tests' demo borough (tests/demo_database.py), and the people of its community health workers'
    # households, drawn from the same fictional population.
    assert len(people) == DEMO_RESIDENTS + demo_size(DEMO_RESIDENTS)[1]
    sexes = {sex for sex, _, _, _ in people}
    assert {"female", "male"} <= sexes
    assert len({ethnicity for _, ethnicity, _, _ in people}) >= 5
    years = sorted(born.year for _, _, born, _ in people)
    assert years[0] <= 1946 and years[-1] >= 2005
    # NHS numbers from the test range that starts with 999, which is never issued to real patients.
    assert all(number.startswith("999") for _, _, _, number in people)
