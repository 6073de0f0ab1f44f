import pytest

from commonweal.referrals.tests.factories import build_world


@pytest.fixture
def world(places):
    return build_world(places)
