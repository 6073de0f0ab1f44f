"""Sessions end when they should: an absolute lifetime beside the idle timeout, sign-out everywhere, and a
changed password; API tokens end with them and expire on their own (finding 15)."""

import datetime
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.utils import timezone

from commonweal.accounts.actions import create_api_token
from commonweal.accounts.models import ApiToken, Role
from commonweal.audit.models import AuditEvent
from tests.demo_database import QUICK_PASSWORD_HASHERS as QUICK
from tests.factories import TEST_PASSWORD

API_URL = "/api/postcodes/M33%207AA"


def api(secret):
    return Client(headers={"Authorization": f"Bearer {secret}"}).get(API_URL)


@pytest.mark.django_db
def test_a_session_ends_hours_after_sign_in_however_busy(client, persona, settings):
    assert settings.SESSION_ABSOLUTE_HOURS == 12
    persona(Role.RESIDENT, email="rosa@example.org")
    client.post("/sign-in/", {"username": "rosa@example.org", "password": TEST_PASSWORD})
    assert client.get("/account/").status_code == 200
    session = client.session
    session["commonweal_signed_in_at"] -= 11.9 * 3600
    session.save()
    assert client.get("/account/").status_code == 200
    session = client.session
    session["commonweal_signed_in_at"] -= 0.2 * 3600
    session.save()
    response = client.get("/account/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/sign-in/")
    assert "signed out 12 hours after signing in" in response.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_sign_out_everywhere_ends_every_session_and_token(persona):
    user = persona(Role.REFERRER)
    here, there = Client(), Client()
    here.force_login(user)
    there.force_login(user)
    _token, secret = create_api_token(user=user, name="export", by=user)
    assert api(secret).status_code == 200
    response = here.post("/sign-out/everywhere/", follow=True)
    assert "You have signed out everywhere" in response.content.decode()
    assert there.get("/account/")["Location"].startswith("/sign-in/")
    assert here.get("/account/")["Location"].startswith("/sign-in/")
    assert api(secret).status_code == 401
    assert AuditEvent.objects.filter(action="accounts.sign_out_everywhere", target_id=user.pk).count() == 1


@pytest.mark.django_db
def test_sign_out_everywhere_takes_a_post(signed_in_client):
    assert signed_in_client(Role.RESIDENT).get("/sign-out/everywhere/").status_code == 405


@pytest.mark.django_db
def test_an_api_token_stops_working_when_the_password_is_reset(client, persona):
    user = persona(Role.REFERRER, email="ravi@example.org")
    _token, secret = create_api_token(user=user, name="export", by=user)
    assert api(secret).status_code == 200
    client.post("/password-reset/", {"email": "ravi@example.org"})
    link = re.search(r"http://testserver(/password-reset/\S+/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = "a brand new secret 42"
    assert client.post(form_url, {"new_password1": new, "new_password2": new}).status_code == 302
    assert api(secret).status_code == 401


@pytest.mark.django_db
def test_an_api_token_stops_working_when_the_password_is_changed_anywhere(persona):
    user = persona(Role.REFERRER)
    _token, secret = create_api_token(user=user, name="export", by=user)
    user.set_password("another long password")
    user.save()
    assert api(secret).status_code == 401
    _token, fresh = create_api_token(user=user, name="export again", by=user)
    assert api(fresh).status_code == 200


@pytest.mark.django_db
def test_a_password_hash_upgrade_is_not_a_change(persona, settings):
    user = persona(Role.REFERRER)
    _token, secret = create_api_token(user=user, name="export", by=user)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher", *QUICK]
    assert user.check_password(TEST_PASSWORD)  # rehashed with the new first hasher
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2")
    assert api(secret).status_code == 200


@pytest.mark.django_db
def test_an_api_token_expires_after_90_days_and_the_page_says_when(persona, settings):
    assert settings.API_TOKEN_DAYS == 90
    user = persona(Role.REFERRER)
    made = timezone.now() - datetime.timedelta(days=89)
    token, secret = create_api_token(user=user, name="export", by=user, at=made)
    assert token.expires_at == made + datetime.timedelta(days=90)
    assert api(secret).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert api(secret).status_code == 401
    client = Client()
    client.force_login(user)
    page = client.get("/account/api-tokens/").content.decode()
    assert "Expires" in page and "Expired" in page
    assert "A token works for 90 days" in page


@pytest.mark.django_db
def test_password_reset_e_mails_are_limited_per_address_and_the_page_says_the_same(client, persona):
    persona(Role.RESIDENT, email="rosa@example.org")
    pages = set()
    for _ in range(10):
        response = client.post("/password-reset/", {"email": "rosa@example.org"}, follow=True)
        pages.add(response.content.decode())
    assert len(mail.outbox) == 3
    assert len(pages) == 1
    assert "Check your e-mail" in pages.pop()
    # Another address is not held back by the first.
    persona(Role.RESIDENT, email="otis@example.org")
    client.post("/password-reset/", {"email": "otis@example.org"})
    assert len(mail.outbox) == 4
