"""A small system with known figures for the evidence pages, and clients for each role."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from commonweal.accounts.models import Role, User
from commonweal.evidence.summaries import refresh_summaries
from commonweal.evidence.tests.builders import (
    Journey,
    add_connection,
    add_person,
    add_referral,
    add_response,
    at,
    build_journey,
    ucla3,
)
from commonweal.places.models import Lsoa
from tests.factories import make_persona

ALLOWED = frozenset({Role.COMMISSIONER, Role.ADMINISTRATOR})
REFUSED = [role for role in Role if role not in ALLOWED]


@dataclass
class System:
    """Who was referred, and what became of it.

    North Trafford, IMD decile 9: 10 women of White ethnicity referred in January 2025 who came to a
    session; 6 men referred in February who were connected; 6 women of Asian ethnicity referred in
    March who were seen. South Trafford, IMD decile 3: 3 women of Black ethnicity referred in March,
    accepted at triage and not yet seen. Eight connection requests to the food club were turned away
    at capacity. The 10 January women answered UCLA-3 twice: five went from 8 to 6, five from 8 to 7.
    """

    journey: Journey
    north_9: Lsoa
    south_3: Lsoa
    commissioner: User


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def system(places: Any) -> System:
    journey = build_journey(places)
    north_9, south_3 = journey.lsoa(places.north, 9), journey.lsoa(places.south, 3)
    january = []
    for index in range(10):
        person = add_person(north_9, sex="female", ethnicity="A", born=datetime.date(1950 + index, 3, 1))
        january.append(add_referral(journey, person, at(2025, 1, 10 + index), reached="attended"))
    for index in range(6):
        person = add_person(north_9, sex="male", ethnicity="A", born=datetime.date(1980, 5, 1))
        referral = add_referral(journey, person, at(2025, 2, 3 + index), reached="connected")
        add_connection(
            journey, referral, service=journey.food, to=("rejected",), rejection_reason="at-capacity"
        )
    for index in range(6):
        person = add_person(north_9, sex="female", ethnicity="H", born=datetime.date(1990, 7, 1))
        referral = add_referral(journey, person, at(2025, 3, 3 + index), reached="seen")
        if index < 2:
            add_connection(
                journey, referral, service=journey.food, to=("rejected",), rejection_reason="at-capacity"
            )
    for index in range(3):
        person = add_person(south_3, sex="female", ethnicity="M", born=datetime.date(1970, 1, 1))
        add_referral(journey, person, at(2025, 3, 20 + index), reached="referred")
    for index, referral in enumerate(january):
        add_response(referral.person, "ucla-3", ucla3(8), at(2025, 2, 1))
        add_response(referral.person, "ucla-3", ucla3(6 if index < 5 else 7), at(2025, 4, 1))
    refresh_summaries(by=None)
    return System(journey, north_9, south_3, make_persona(Role.COMMISSIONER, places))


@pytest.fixture
def commissioner_client(system: System) -> Client:
    client = Client()
    client.force_login(system.commissioner)
    return client
