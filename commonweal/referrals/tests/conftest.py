import pytest
from django.test import Client

from commonweal.referrals.tests.factories import build_world


@pytest.fixture
def world(places):
    return build_world(places)


@pytest.fixture
def client_for():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every test makes several users; Argon2 is deliberately slow, and hashing strength is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
