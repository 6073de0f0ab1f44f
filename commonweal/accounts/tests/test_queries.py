"""The places a user's roles reach: the place a role is held in, or the place its organisation serves,
and every place inside."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role
from commonweal.accounts.queries import place_ids_of
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_role_held_in_a_place_reaches_it_and_every_place_inside(places):
    user = UserFactory.create()
    grant_role(user=user, role=Role.COMMUNITY_ORGANISER, area=places.borough, by=None)
    assert place_ids_of(user, Role.COMMUNITY_ORGANISER) == {
        places.borough.pk,
        places.north.pk,
        places.south.pk,
    }


def test_a_role_held_in_an_organisation_reaches_the_place_it_serves(places):
    user = UserFactory.create()
    serving_north = OrganisationFactory.create(name="North Trafford Together", area=places.north)
    grant_role(user=user, role=Role.ADMINISTRATOR, organisation=serving_north, by=None)
    assert place_ids_of(user, Role.ADMINISTRATOR) == {places.north.pk}


def test_only_the_roles_asked_for_count(places):
    user = UserFactory.create()
    grant_role(user=user, role=Role.RESIDENT, area=places.north, by=None)
    assert place_ids_of(user, Role.COMMUNITY_ORGANISER, Role.ADMINISTRATOR) == frozenset()
    assert place_ids_of(AnonymousUser(), Role.RESIDENT) == frozenset()
    assert place_ids_of(None, Role.RESIDENT) == frozenset()
