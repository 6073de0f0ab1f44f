"""Test data for the journey: a team with its people, directory services, and open cases."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role, User
from commonweal.directory.models import DirectoryOrganisation, Service
from commonweal.organisations.models import Organisation
from commonweal.people.models import Person
from commonweal.referrals import actions
from commonweal.referrals.models import Referral, ReferralReason, ReferralSource, TeamSupervisor
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, make_persona


@dataclass
class World:
    """Alice the link worker, Bea her colleague, Sam who supervises them, Dr Gill who refers,
    Otto at the walking group, Olga at the food club, Carl in another team, and Rosa, a resident."""

    places: Any
    team: Organisation
    link_worker: User
    colleague: User
    supervisor: User
    referrer: User
    member: User
    other_member: User
    outsider_worker: User
    resident: User
    rosa: Person
    walking: Service
    food: Service
    other_vcse: Organisation


def make_service(owner: Organisation, name: str, **fields: Any) -> Service:
    """A directory service kept by a Commonweal organisation."""
    directory_organisation, _ = DirectoryOrganisation.objects.get_or_create(
        name=owner.name, defaults={"organisation": owner}
    )
    return Service.objects.create(organisation=directory_organisation, owner=owner, name=name, **fields)


def build_world(places: Any) -> World:
    team = places.practice
    link_worker = make_persona(Role.LINK_WORKER, places, full_name="Alice Linkworker")
    colleague = make_persona(Role.LINK_WORKER, places, full_name="Bea Colleague")
    supervisor = make_persona(Role.LINK_WORKER, places, full_name="Sam Supervisor")
    TeamSupervisor.objects.create(team=team, user=supervisor)
    referrer = make_persona(Role.REFERRER, places, full_name="Dr Gill Referrer")
    member = make_persona(Role.ORGANISATION_MEMBER, places, full_name="Otto Walker")
    other_vcse = OrganisationFactory.create(name="Test Food Club")
    other_member = UserFactory.create(full_name="Olga Foodclub")
    grant_role(user=other_member, role=Role.ORGANISATION_MEMBER, organisation=other_vcse, by=None)
    other_team = OrganisationFactory.create(kind=Organisation.Kind.PCN, name="Other PCN")
    outsider_worker = UserFactory.create(full_name="Carl Otherteam")
    grant_role(user=outsider_worker, role=Role.LINK_WORKER, organisation=other_team, by=None)
    resident = make_persona(Role.RESIDENT, places, full_name="Rosa Resident")
    rosa = PersonFactory.create(
        given_name="Rosa",
        family_name="Resident",
        nhs_number="9434765919",
        user=resident,
        date_of_birth=datetime.date(1950, 4, 2),
        gp_practice=places.practice,
        phone="0161 496 0000",
        what_matters="Getting back to my allotment and seeing people",
        interests=["gardening", "walking"],
    )
    walking = make_service(places.vcse, "Sale Walking Group", description="Friendly walks in the park")
    food = make_service(other_vcse, "Stretford Food Club", description="Cook and eat together")
    return World(
        places,
        team,
        link_worker,
        colleague,
        supervisor,
        referrer,
        member,
        other_member,
        outsider_worker,
        resident,
        rosa,
        walking,
        food,
        other_vcse,
    )


def referral_for(world: World, person: Person | None = None, **fields: Any) -> Referral:
    """A referral from the test GP waiting for triage."""
    return actions.make_referral(
        person=person or world.rosa,
        team=world.team,
        source=ReferralSource.GP,
        reasons=fields.pop("reasons", [ReferralReason.LONELINESS]),
        referring_organisation=world.places.practice,
        by=world.referrer,
        **fields,
    )


def open_case(world: World, person: Person | None = None, link_worker: User | None = None) -> Referral:
    """A referral accepted onto a link worker's caseload."""
    referral = referral_for(world, person)
    return actions.accept_referral(
        referral=referral, link_worker=link_worker or world.link_worker, by=world.link_worker
    )


def connection_for(
    world: World, referral: Referral, service: Service | None = None, shared: list[str] | None = None
):
    """A connection requested by the case's link worker."""
    return actions.connect(
        person=referral.person,
        service=service or world.walking,
        shared_fields=shared if shared is not None else ["what_matters"],
        referral=referral,
        note="Would love company on walks",
        by=referral.link_worker or world.link_worker,
    )


def now() -> datetime.datetime:
    return timezone.now()
