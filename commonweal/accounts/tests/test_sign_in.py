import re

import pytest
from django.conf import settings
from django.core import mail

from commonweal.accounts.models import Role
from tests.factories import TEST_PASSWORD


@pytest.mark.django_db
def test_a_resident_without_two_step_sign_in_signs_in_with_email_and_password(client, persona):
    # Staff give a second factor too (test_two_step.py); a resident who has not turned it on does not.
    user = persona(Role.RESIDENT, email="lena@example.org")
    response = client.post("/sign-in/", {"username": "lena@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/home/"
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_a_wrong_password_gets_a_clear_message_and_keeps_the_email(client, persona):
    persona(Role.LINK_WORKER, email="lena@example.org")
    response = client.post("/sign-in/", {"username": "lena@example.org", "password": "wrong"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a correct e-mail address and password." in page
    assert 'value="lena@example.org"' in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_empty_sign_in_asks_for_both_fields(client, places):
    page = client.post("/sign-in/", {"username": "", "password": ""}).content.decode()
    assert "Enter your e-mail address" in page
    assert "Enter your password" in page


@pytest.mark.django_db
@pytest.mark.argon2
def test_passwords_are_hashed_with_argon2(persona):
    assert persona(Role.RESIDENT).password.startswith("argon2")


@pytest.mark.django_db
def test_sign_out_ends_the_session(signed_in_client):
    client = signed_in_client(Role.RESIDENT)
    response = client.post("/sign-out/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    # The browser is asked to drop the pages it cached for this person (a shared device).
    assert response["Clear-Site-Data"] == '"cache"'


@pytest.mark.django_db
def test_the_session_ends_after_30_idle_minutes(signed_in_client):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    client = signed_in_client(Role.RESIDENT)
    client.get("/home/")
    assert client.session.get_expiry_age() == 30 * 60


@pytest.mark.django_db
def test_a_password_is_reset_through_an_emailed_link(client, persona):
    user = persona(Role.RESIDENT, email="rosa@example.org")
    response = client.post("/password-reset/", {"email": "rosa@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your Commonweal password"
    link = re.search(r"http://testserver(/password-reset/\S+/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a brand new secret 42", "new_password2": "a brand new secret 42"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a brand new secret 42")


@pytest.mark.django_db
def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, places):
    response = client.post("/password-reset/", {"email": "nobody@example.org"}, follow=True)
    assert "Check your e-mail" in response.content.decode()
    assert mail.outbox == []
