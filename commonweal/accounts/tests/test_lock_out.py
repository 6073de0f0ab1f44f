"""Finding 1: repeated wrong passwords lock the account and the client out, saying nothing about whether
the account exists."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from commonweal.accounts.models import Role
from tests.factories import TEST_PASSWORD


def sign_in(client, email, password):
    return client.post("/sign-in/", {"username": email, "password": password})


@pytest.mark.django_db
def test_thirty_wrong_passwords_then_the_right_one_is_refused(persona):
    persona(Role.RESIDENT, email="rosa@example.org")
    client = Client()
    for attempt in range(30):
        sign_in(client, "rosa@example.org", f"wrong password {attempt}")
    response = sign_in(client, "rosa@example.org", TEST_PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    assert 'value="rosa@example.org"' in response.content.decode()  # what was typed is kept
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_the_lock_out_is_per_account_whichever_client_tries(persona, settings):
    persona(Role.RESIDENT, email="rosa@example.org")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(REMOTE_ADDR=f"192.0.2.{attempt + 1}"), "rosa@example.org", "wrong password")
    response = sign_in(Client(REMOTE_ADDR="198.51.100.7"), "rosa@example.org", TEST_PASSWORD)
    assert response.status_code == 429


@pytest.mark.django_db
def test_the_lock_out_is_per_client_whichever_account_it_tries(persona, settings):
    persona(Role.RESIDENT, email="rosa@example.org")
    client = Client(REMOTE_ADDR="192.0.2.50")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"guess{attempt}@example.org", "wrong password")
    assert sign_in(client, "rosa@example.org", TEST_PASSWORD).status_code == 429
    assert sign_in(Client(REMOTE_ADDR="192.0.2.51"), "rosa@example.org", TEST_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_an_unknown_account_is_locked_out_with_the_same_page_and_words(persona, settings):
    persona(Role.RESIDENT, email="rosa@example.org")
    pages = {}
    for address, client_ip in [("rosa@example.org", "192.0.2.1"), ("nobody@example.org", "192.0.2.2")]:
        client = Client(REMOTE_ADDR=client_ip)
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            response = sign_in(client, address, "wrong password")
        assert response.status_code == 429
        page = response.content.decode()
        pages[address] = page.replace(address, "ADDRESS").split('name="csrfmiddlewaretoken" value="')[0]
    assert pages["rosa@example.org"] == pages["nobody@example.org"]


@pytest.mark.django_db
def test_the_account_opens_again_after_the_cool_off(persona, settings):
    from axes.models import AccessAttempt

    persona(Role.RESIDENT, email="rosa@example.org")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "rosa@example.org", "wrong password")
    assert sign_in(client, "rosa@example.org", TEST_PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    )
    assert sign_in(client, "rosa@example.org", TEST_PASSWORD).status_code == 302


def test_the_limit_and_cool_off_come_from_the_environment(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert datetime.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
