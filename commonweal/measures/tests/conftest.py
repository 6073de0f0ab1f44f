"""Personas for the measures tests.

Rosa is a resident with an account. Lena is her link worker (Rosa's case is open on Lena's caseload in
the test team), Sam supervises that team, Owen is another link worker in the team, and Vic is a link
worker in another team who has nothing to do with Rosa.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role, User
from commonweal.organisations.models import Organisation
from commonweal.people.models import Person
from commonweal.referrals.models import Referral, ReferralStatus, TeamSupervisor
from tests.factories import OrganisationFactory, PersonFactory, UserFactory


@dataclass(frozen=True)
class Cast:
    team: Organisation
    rosa: Person
    lena: User
    sam: User
    owen: User
    vic: User
    case: Referral


def link_worker(team: Organisation, name: str, email: str) -> User:
    user: User = UserFactory.create(full_name=name, email=email)
    grant_role(user=user, role=Role.LINK_WORKER, organisation=team, by=None)
    return user


def open_case(person: Person, worker: User, team: Organisation) -> Referral:
    return Referral.objects.create(
        person=person,
        team=team,
        source="gp",
        reasons=["low_mood"],
        status=ReferralStatus.OPEN,
        link_worker=worker,
    )


@pytest.fixture
def cast(persona, places) -> Cast:
    team = places.practice
    rosa_user = persona(Role.RESIDENT, full_name="Rosa Resident", email="rosa@example.org")
    rosa = PersonFactory.create(
        given_name="Rosa", family_name="Resident", nhs_number="9434765919", user=rosa_user
    )
    lena = link_worker(team, "Lena Linkworker", "lena@example.org")
    sam = link_worker(team, "Sam Supervisor", "sam@example.org")
    TeamSupervisor.objects.create(team=team, user=sam)
    owen = link_worker(team, "Owen Otherworker", "owen@example.org")
    other_team = OrganisationFactory.create(name="Another Social Prescribing Team")
    vic = link_worker(other_team, "Vic Elsewhere", "vic@example.org")
    case = open_case(rosa, lena, team)
    return Cast(team=team, rosa=rosa, lena=lena, sam=sam, owen=owen, vic=vic, case=case)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# PHQ-9 answers with item 9 at zero, and the same with item 9 above zero (a risk).
PHQ9_SAFE = {f"phq9_{n}": 1 for n in range(1, 10)} | {"phq9_9": 0}
PHQ9_RISK = PHQ9_SAFE | {"phq9_9": 2}
