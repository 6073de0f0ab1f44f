"""Test data factories (factory_boy) and personas for every role."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import factory
from django.contrib.contenttypes.models import ContentType

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role, User
from commonweal.audit.models import RecordAccess
from commonweal.organisations.models import Organisation
from commonweal.people.models import Person
from commonweal.places.models import Area, Lsoa

TEST_PASSWORD = "a-long-test-password-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Test Person {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.VCSE
    name = factory.Sequence(lambda n: f"Test Community Group {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = "Testperson"
    date_of_birth = datetime.date(1970, 5, 17)
    sex = "female"
    ethnicity = "Z"
    postcode = "M33 7AA"


class RecordAccessFactory(factory.django.DjangoModelFactory):
    """One look at a person's record: RecordAccessFactory(person=rosa, viewer=lena, accessed_at=...)."""

    class Meta:
        model = RecordAccess
        exclude = ["person"]

    person = factory.SubFactory(PersonFactory)
    viewer = factory.SubFactory(UserFactory)
    subject_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(Person))
    subject_id = factory.SelfAttribute("person.pk")
    subject_user = factory.SelfAttribute("person.user")
    reason = RecordAccess.Reason.CASELOAD


@dataclass(frozen=True)
class Places:
    ics: Area
    borough: Area
    north: Area
    south: Area
    vcse: Organisation
    practice: Organisation
    icb: Organisation


def build_places() -> Places:
    """Create the area tree on the real (already loaded) Trafford LSOAs, and a few organisations."""
    trafford = list(Lsoa.objects.filter(vintage=2021, local_authority_code="E08000009").order_by("code"))
    ics = Area.objects.create(kind=Area.Kind.ICS, name="Greater Manchester", code="greater-manchester")
    borough = Area.objects.create(kind=Area.Kind.BOROUGH, name="Trafford", code="trafford", parent=ics)
    borough.lsoas.set(trafford)
    north = Area.objects.create(
        kind=Area.Kind.NEIGHBOURHOOD, name="North Trafford", code="north", parent=borough
    )
    north.lsoas.set(trafford[:10])
    south = Area.objects.create(
        kind=Area.Kind.NEIGHBOURHOOD, name="South Trafford", code="south", parent=borough
    )
    south.lsoas.set(trafford[10:20])
    icb = OrganisationFactory.create(kind=Organisation.Kind.ICB, name="Test ICB", ods_code="ZZB99")
    practice = OrganisationFactory.create(
        kind=Organisation.Kind.GP_PRACTICE, name="Test Surgery", ods_code="ZZ9999"
    )
    vcse = OrganisationFactory.create(name="Test Walking Group")
    return Places(ics=ics, borough=borough, north=north, south=south, vcse=vcse, practice=practice, icb=icb)


def make_persona(role: Role, places: Places, **fields: Any) -> User:
    """Create a user holding `role`, scoped the way a real deployment would scope it."""
    scope: dict[Role, dict[str, Any]] = {
        Role.RESIDENT: {"area": places.north},
        Role.LINK_WORKER: {"organisation": places.practice},
        Role.REFERRER: {"organisation": places.practice},
        Role.ORGANISATION_MEMBER: {"organisation": places.vcse},
        Role.COMMUNITY_HEALTH_WORKER: {"area": places.north},
        Role.FACILITATOR: {"organisation": places.vcse},
        Role.COMMUNITY_ORGANISER: {"area": places.north},
        Role.COMMISSIONER: {"organisation": places.icb},
        Role.ADMINISTRATOR: {"area": places.ics},
        Role.VOLUNTEER_COORDINATOR: {"organisation": places.vcse},
        Role.SAFEGUARDING_LEAD: {"organisation": places.vcse},
    }
    user = UserFactory.create(**fields)
    grant_role(user=user, role=role, by=None, **scope[role])
    return user


# Community directory (issue 3) ---------------------------------------------------------------------------


class DirectoryOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "directory.DirectoryOrganisation"

    name = factory.Sequence(lambda n: f"Directory Organisation {n}")
    description = "A community organisation."


class DirectoryServiceFactory(factory.django.DjangoModelFactory):
    """A directory entry; index it with `commonweal.directory.search_index.index_services` to search it."""

    class Meta:
        model = "directory.Service"

    organisation = factory.SubFactory(DirectoryOrganisationFactory)
    name = factory.Sequence(lambda n: f"Community Service {n}")
    description = "Meet people and try something new."
