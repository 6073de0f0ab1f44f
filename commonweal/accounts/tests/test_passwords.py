"""Passwords as the NCSC advises: a minimum length and a deny-list, no composition rules, passphrases."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from commonweal.accounts.models import User


def refusals(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return [str(message) for message in error.messages]
    return []


@pytest.mark.parametrize(
    "password",
    [
        "tangerine lighthouse",  # lower case only: no composition rules
        "marmalade on the 7.15 to Altrincham",
        " ".join(["a long passphrase of many plain words"] * 5),  # 194 characters
        "x" * 9 + "y" * 119,  # 128 characters
    ],
)
def test_long_and_plain_passphrases_are_welcome(password):
    assert refusals(password) == []


def test_short_passwords_are_refused():
    assert refusals("Sh0rt!pw") == ["This password is too short. It must contain at least 10 characters."]


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop", "1234567890a"])
def test_common_passwords_are_refused(password):
    assert "This password is too common." in refusals(password)


@pytest.mark.parametrize("password", ["commonweal2024", "MyCommonWeal!!", "common weal rocks"])
def test_the_services_own_name_is_refused(password):
    assert any("name of this service" in message for message in refusals(password))


def test_a_password_like_the_persons_e_mail_is_refused():
    user = User(email="rosa.amberbrook@example.org", full_name="Rosa Amberbrook")
    assert any("too similar" in message for message in refusals("rosa.amberbrook", user))


def test_a_password_too_long_to_hash_cheaply_gets_a_clear_message():
    assert refusals("a" * 2000) == ["Your password is too long: use at most 1024 characters."]


@pytest.mark.django_db
def test_a_long_passphrase_can_be_set_through_the_reset_form(client, persona):
    import re

    from django.core import mail

    from commonweal.accounts.models import Role

    user = persona(Role.RESIDENT, email="rosa@example.org")
    client.post("/password-reset/", {"email": "rosa@example.org"})
    link = re.search(r"http://testserver(/password-reset/\S+/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    passphrase = "the quiet heron waits by the canal at dawn " * 5
    response = client.post(form_url, {"new_password1": passphrase, "new_password2": passphrase})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(passphrase)
