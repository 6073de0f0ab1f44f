"""A volunteering world for tests: two organisations, a coordinator, a safeguarding lead, a link worker
with a person on their caseload, and volunteers built through the actions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role, User
from commonweal.organisations.models import Organisation
from commonweal.people.models import Person
from commonweal.places.queries import point_of
from commonweal.referrals.models import Referral
from commonweal.referrals.tests.factories import World, build_world, open_case
from commonweal.volunteering import actions
from commonweal.volunteering.models import Enrolment, PipelineStatus, Volunteer
from commonweal.volunteering.roles import ROLES
from tests.factories import OrganisationFactory, UserFactory, make_persona

ACTIVE_PATH = [PipelineStatus.REFERENCES, PipelineStatus.INDUCTION, PipelineStatus.ACTIVE]


@dataclass
class VolunteeringWorld:
    journey: World
    organisation: Organisation
    other_organisation: Organisation
    coordinator: User
    cover: User
    other_coordinator: User
    safeguarding_lead: User
    link_worker: User
    person: Person
    case: Referral


def build_volunteering_world(places: Any) -> VolunteeringWorld:
    journey = build_world(places)
    organisation = places.vcse
    other = OrganisationFactory.create(name="Test Befrienders")
    coordinator = make_persona(Role.VOLUNTEER_COORDINATOR, places, full_name="Cora Coordinator")
    cover = make_persona(Role.VOLUNTEER_COORDINATOR, places, full_name="Cal Cover")
    other_coordinator = UserFactory.create(full_name="Olive Otherco")
    grant_role(user=other_coordinator, role=Role.VOLUNTEER_COORDINATOR, organisation=other, by=None)
    safeguarding_lead = make_persona(Role.SAFEGUARDING_LEAD, places, full_name="Dee Safeguarding")
    case = open_case(journey)
    return VolunteeringWorld(
        journey,
        organisation,
        other,
        coordinator,
        cover,
        other_coordinator,
        safeguarding_lead,
        journey.link_worker,
        journey.rosa,
        case,
    )


def make_volunteer(
    world: VolunteeringWorld,
    name: str,
    *,
    active: bool = True,
    checked_for: str | None = "buddy",
    organisation: Organisation | None = None,
    coordinator: User | None = None,
    at: datetime.datetime | None = None,
    **profile: Any,
) -> Volunteer:
    """A volunteer applied (and by default made active, with the checks and training of a role)."""
    organisation = organisation or world.organisation
    coordinator = coordinator or world.coordinator
    at = at or timezone.now()
    user = make_persona(Role.FACILITATOR, world.journey.places, full_name=name)
    volunteer = actions.register_volunteer(user=user, organisation=organisation, by=user, at=at, **profile)
    if "latitude" not in profile:
        point = point_of("M33 7AA")
        assert point is not None
        Volunteer.objects.filter(pk=volunteer.pk).update(latitude=point.latitude, longitude=point.longitude)
        volunteer.refresh_from_db()
    if active:
        enrolment = Enrolment.objects.get(volunteer=volunteer, organisation=organisation)
        for status in ACTIVE_PATH:
            enrolment = actions.move_pipeline(
                enrolment=enrolment, to_status=status, reason="", by=coordinator, at=at
            )
    if checked_for:
        give_checks(volunteer, organisation, coordinator, checked_for, at)
    return volunteer


def give_checks(
    volunteer: Volunteer,
    organisation: Organisation,
    coordinator: User,
    role: str,
    at: datetime.datetime,
    expires_on: datetime.date | None = None,
) -> None:
    """Record a clear DBS at the role's level and each course it needs."""
    definition = ROLES[role]
    today = timezone.localtime(at).date()
    if definition.dbs_level:
        check = actions.request_dbs(
            volunteer=volunteer, organisation=organisation, level=definition.dbs_level, by=coordinator, at=at
        )
        actions.record_dbs_result(
            check=check,
            clear=True,
            issued_on=today - datetime.timedelta(days=30),
            expires_on=expires_on or today + datetime.timedelta(days=3 * 365),
            certificate_number="001234567890",
            by=coordinator,
            at=at,
        )
    for course in definition.training:
        actions.record_training(
            volunteer=volunteer,
            organisation=organisation,
            course=course,
            completed_on=today - datetime.timedelta(days=20),
            by=coordinator,
            at=at,
        )


def receipt() -> SimpleUploadedFile:
    return SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
