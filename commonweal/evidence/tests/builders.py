"""Journey and measures records for the evidence tests, written directly so every date and step is exact.

`Journey` holds a social prescribing team, two community organisations with a service each (with
taxonomy terms), and a link worker. `add_referral` writes a referral with the SNOMED CT codes, the
connection and its transitions, and the attendance that a real journey would have recorded up to a
given step; a separate test drives the journey's own actions to check that the two agree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from commonweal.accounts.models import Role, User
from commonweal.directory.models import DirectoryOrganisation, Service, ServiceTerm, Taxonomy, TaxonomyTerm
from commonweal.evidence.breakdowns import DECLINED_CODE, OFFERED_CODE, REFERRED_CODE, SEEN_CODE
from commonweal.measures.models import Response
from commonweal.organisations.models import Organisation
from commonweal.people.models import Person
from commonweal.places.models import Area, Lsoa
from commonweal.referrals.models import (
    Attendance,
    Connection,
    ConnectionTransition,
    JourneyCode,
    Referral,
    ReferralStatus,
)
from tests.factories import OrganisationFactory, PersonFactory, make_persona

STEPS = ("offered", "referred", "seen", "connected", "attended")


@dataclass
class Journey:
    places: Any
    team: Organisation
    other_team: Organisation
    walking_group: Organisation
    food_club: Organisation
    walking: Service
    food: Service
    walks_term: TaxonomyTerm
    food_term: TaxonomyTerm
    worker: User

    def lsoa(self, place: Area, decile: int) -> Lsoa:
        """An LSOA of a neighbourhood with the given IMD decile."""
        found = place.lsoas.filter(imd_decile=decile).order_by("code").first()
        assert found is not None, f"{place} has no LSOA in decile {decile}"
        return found


def at(year: int, month: int, day: int = 15, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC)


def build_journey(places: Any) -> Journey:
    team = OrganisationFactory.create(kind=Organisation.Kind.PCN, name="Riverside Test PCN")
    other_team = OrganisationFactory.create(kind=Organisation.Kind.PCN, name="Meadows Test PCN")
    walking_group = places.vcse
    food_club = OrganisationFactory.create(name="Test Food Club")
    taxonomy = Taxonomy.objects.create(name="Test taxonomy")
    walks_term = TaxonomyTerm.objects.create(taxonomy=taxonomy, code="walks", name="Health walks")
    food_term = TaxonomyTerm.objects.create(taxonomy=taxonomy, code="food", name="Food and cooking")
    walking = _service(walking_group, "Sale Walking Group", [walks_term])
    food = _service(food_club, "Stretford Food Club", [food_term, walks_term])
    worker = make_persona(Role.LINK_WORKER, places, full_name="Alice Linkworker")
    return Journey(
        places, team, other_team, walking_group, food_club, walking, food, walks_term, food_term, worker
    )


def _service(owner: Organisation, name: str, terms: list[TaxonomyTerm]) -> Service:
    directory_organisation = DirectoryOrganisation.objects.create(name=owner.name, organisation=owner)
    service = Service.objects.create(organisation=directory_organisation, owner=owner, name=name)
    for term in terms:
        ServiceTerm.objects.create(service=service, term=term)
    return service


def add_person(
    lsoa: Lsoa | None,
    *,
    sex: str = "female",
    ethnicity: str = "A",
    born: datetime.date = datetime.date(1960, 6, 15),
) -> Person:
    return PersonFactory.create(lsoa=lsoa, sex=sex, ethnicity=ethnicity, date_of_birth=born)


def add_referral(
    journey: Journey,
    person: Person,
    received: datetime.datetime,
    *,
    reached: str = "attended",
    source: str = "gp",
    team: Organisation | None = None,
    declined: bool = False,
    service: Service | None = None,
) -> Referral:
    """A referral that got as far as `reached` along the funnel (or was declined by the person)."""
    depth = STEPS.index(reached)
    status = ReferralStatus.OPEN if depth >= 1 else ReferralStatus.AWAITING_TRIAGE
    extra: dict[str, Any] = {}
    if declined:
        status, extra = ReferralStatus.DECLINED, {"decline_reason": "person_declined"}
    referral = Referral.objects.create(
        person=person,
        team=team or journey.team,
        source=source,
        reasons=["loneliness"],
        received_at=received,
        status=status,
        link_worker=journey.worker if status == ReferralStatus.OPEN else None,
        **extra,
    )
    if source != "self":
        JourneyCode.objects.create(referral=referral, event="offered", code=OFFERED_CODE, term="offered")
    if declined:
        JourneyCode.objects.create(referral=referral, event="declined", code=DECLINED_CODE, term="declined")
        return referral
    if depth >= 1:
        JourneyCode.objects.create(referral=referral, event="referred", code=REFERRED_CODE, term="referred")
    if depth >= 2:
        JourneyCode.objects.create(referral=referral, event="seen", code=SEEN_CODE, term="seen")
    if depth >= 3:
        connection = add_connection(journey, referral, service=service, to=("accepted", "in-progress"))
        if depth >= 4:
            Attendance.objects.create(
                connection=connection,
                session_on=received.date() + datetime.timedelta(days=7),
                attended=True,
                recorded_by=journey.worker,
            )
            Connection.objects.filter(pk=connection.pk).update(sessions_attended=1)
    return referral


def add_connection(
    journey: Journey,
    referral: Referral,
    *,
    service: Service | None = None,
    to: tuple[str, ...] = ("accepted",),
    rejection_reason: str = "",
    requested: datetime.datetime | None = None,
) -> Connection:
    """A connection of the referral's person, moved through the given statuses."""
    service = service or journey.walking
    assert service.owner is not None
    connection = Connection.objects.create(
        person=referral.person,
        referral=referral,
        service=service,
        organisation=service.owner,
        requested_by=journey.worker,
        requested_at=requested or referral.received_at + datetime.timedelta(days=3),
        status=to[-1] if to else "requested",
        rejection_reason=rejection_reason,
    )
    previous = ""
    for status in ("requested", *to):
        ConnectionTransition.objects.create(
            connection=connection,
            from_status=previous,
            to_status=status,
            party="target" if status != "requested" else "requester",
            actor=journey.worker,
        )
        previous = status
    return connection


def add_response(
    person: Person,
    instrument: str,
    answers: dict[str, str],
    submitted: datetime.datetime,
    *,
    corrects: Response | None = None,
) -> Response:
    """A submitted questionnaire response (a correction when `corrects` is given)."""
    return Response.objects.create(
        person=person,
        instrument_code=instrument,
        instrument_version="1.0",
        status=Response.Status.SUBMITTED,
        mode=Response.Mode.CORRECTION if corrects else Response.Mode.CONVERSATION,
        answers=answers,
        started_at=submitted,
        submitted_at=submitted,
        version=corrects.version + 1 if corrects else 1,
        corrects=corrects,
        correction_reason="Typed the wrong answer" if corrects else "",
    )


def ucla3(total: int) -> dict[str, str]:
    """UCLA-3 answers (each item 1 to 3) adding up to `total` (3 to 9)."""
    first = min(3, total - 2)
    second = min(3, total - first - 1)
    return {
        "lack_companionship": str(first),
        "left_out": str(second),
        "isolated": str(total - first - second),
    }
