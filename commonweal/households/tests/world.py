"""A small world for the households tests: two patches, their workers and supervisors, households."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.utils import timezone

from commonweal.accounts.models import Role, User
from commonweal.households import actions
from commonweal.households.models import Household, Patch
from commonweal.people.models import Person
from tests.factories import PersonFactory, Places, UserFactory, make_persona

T0 = timezone.make_aware(datetime.datetime(2026, 11, 2, 10, 0))


def nhs_number(stem: int) -> str:
    """A valid NHS number from a nine-digit stem (the modulus 11 check digit appended), or '' if none."""
    digits = f"{stem:09d}"
    total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return "" if check == 10 else digits + str(check)


def valid_nhs_numbers(count: int, start: int = 943476500) -> list[str]:
    found: list[str] = []
    stem = start
    while len(found) < count:
        number = nhs_number(stem)
        if number:
            found.append(number)
        stem += 1
    return found


@dataclass
class World:
    places: Places
    chw: User
    other_chw: User
    supervisor: User
    other_supervisor: User
    administrator: User
    link_worker: User
    resident: User
    ash: Patch
    birch: Patch
    home: Household
    away: Household
    alice: Person
    bob: Person
    carol: Person


def build_world(places: Places) -> World:
    chw = make_persona(Role.COMMUNITY_HEALTH_WORKER, places, full_name="Chris Worker")
    other_chw = make_persona(Role.COMMUNITY_HEALTH_WORKER, places, full_name="Dana Worker")
    supervisor = make_persona(Role.COMMUNITY_HEALTH_WORKER, places, full_name="Sam Supervisor")
    other_supervisor = make_persona(Role.COMMUNITY_HEALTH_WORKER, places, full_name="Tess Supervisor")
    administrator = make_persona(Role.ADMINISTRATOR, places)
    link_worker = make_persona(Role.LINK_WORKER, places)  # the practice's team takes referrals
    resident = UserFactory.create(full_name="Alice Resident")
    make_persona(Role.RESIDENT, places)
    from commonweal.accounts.actions import grant_role

    grant_role(user=resident, role=Role.RESIDENT, by=None, area=places.north)
    numbers = valid_nhs_numbers(3)
    alice = PersonFactory.create(
        given_name="Alice", nhs_number=numbers[0], user=resident, gp_practice=places.practice
    )
    bob = PersonFactory.create(given_name="Bob", nhs_number=numbers[1], gp_practice=places.practice)
    carol = PersonFactory.create(given_name="Carol", nhs_number=numbers[2], gp_practice=places.practice)
    ash = actions.create_patch(name="Ash", chw=chw, supervisor=supervisor, by=administrator, at=T0)
    birch = actions.create_patch(
        name="Birch", chw=other_chw, supervisor=other_supervisor, by=administrator, at=T0
    )
    home = actions.register_household(
        reference="H1",
        address="Rose Cottage, 1 Ash Lane",
        street="Ash Lane",
        postcode="m33 7aa",
        patch=ash,
        members=[(alice, "head"), (bob, "partner")],
        by=administrator,
        at=T0,
    )
    away = actions.register_household(
        reference="H2",
        address="The Birches, 2 Birch Road",
        street="Birch Road",
        postcode="M33 7AA",
        patch=birch,
        members=[(carol, "head")],
        by=administrator,
        at=T0,
    )
    return World(
        places,
        chw,
        other_chw,
        supervisor,
        other_supervisor,
        administrator,
        link_worker,
        resident,
        ash,
        birch,
        home,
        away,
        alice,
        bob,
        carol,
    )


def client_for(user: Any) -> Client:
    """A test client signed in as the user."""
    client = Client()
    client.force_login(user)
    return client
