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
