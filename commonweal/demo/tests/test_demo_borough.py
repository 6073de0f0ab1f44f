"""The demo borough, built once for these tests (the `demo_borough` fixture): a second run adds nothing,
and every demo login works."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from commonweal.accounts.models import User
from commonweal.demo.builder import DEMO_LOGINS, DEMO_PASSWORD

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
        assert list(user.role_assignments.values_list("role", flat=True)) == [login.role.value]
    resident = User.objects.get(email="resident@demo.commonweal.invalid")
    assert (resident.person.given_name, resident.person.family_name) == ("Rosa", "Amberbrook")
