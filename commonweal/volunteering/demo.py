"""The demo's volunteering: two organisations, about 60 volunteers in every state of the pipeline, 20
active buddy matches with their contacts (one overdue), a DBS check expiring next month and a
safeguarding concern.

Deterministic (its own random stream, dates counted from the journey's "as of" day) and idempotent (a
second run finds the volunteers and changes nothing). Everything goes through the actions, as the demo's
coordinator, link worker and volunteers (`by=`) at fixed dates (`at=`). Volunteers other than the
facilitator login have no account: the coordinator keeps their records, as for most real volunteers.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role
from commonweal.demokit import moved
from commonweal.demokit.population import fictional_residents
from commonweal.people.models import FreeTime
from commonweal.places.queries import postcodes_of_local_authority
from commonweal.referrals.demo import AS_OF
from commonweal.referrals.models import Referral, ReferralStatus
from commonweal.volunteering import actions
from commonweal.volunteering.models import Contact, Enrolment, PipelineStatus, Volunteer
from commonweal.volunteering.roles import ROLES

if TYPE_CHECKING:
    from commonweal.demokit import DemoContext

TRAFFORD = "E08000009"
VOLUNTEERS = 60
MATCHES = 20
# How many volunteers stop at each point of the pipeline (the rest are active).
STOPPED_AT = {
    PipelineStatus.APPLIED: 7,
    PipelineStatus.REFERENCES: 6,
    PipelineStatus.INDUCTION: 6,
    PipelineStatus.PAUSED: 4,
    PipelineStatus.LEFT: 4,
}
PATH = [PipelineStatus.REFERENCES, PipelineStatus.INDUCTION, PipelineStatus.ACTIVE]
SKILLS = ["shopping", "confidence", "form filling", "walking", "digital skills", "cooking", "transport"]
INTERESTS = ["gardening", "walking", "singing", "cooking", "knitting", "football", "reading", "crafts"]
LANGUAGES = ["Urdu", "Polish", "Punjabi", "Arabic", "Somali"]
TIMES = list(FreeTime.values)


def _at(days_before: int, hour: int = 10) -> datetime.datetime:
    return (AS_OF - datetime.timedelta(days=days_before)).replace(hour=hour)


def build_volunteering(context: DemoContext) -> bool:
    """Build the volunteering demo once; return False when it is already there."""
    if Volunteer.objects.exists():
        return False
    rng = context.rng("volunteering")
    coordinator = context.users[Role.VOLUNTEER_COORDINATOR]
    lead = context.users[Role.SAFEGUARDING_LEAD]
    link_worker = context.users[Role.LINK_WORKER]
    facilitator = context.users[Role.FACILITATOR]
    home, second = context.organisations["vcse"][1], context.organisations["vcse"][0]
    for user, role in ((coordinator, Role.VOLUNTEER_COORDINATOR), (lead, Role.SAFEGUARDING_LEAD)):
        grant_role(user=user, role=role, organisation=second, by=None)

    postcodes = list(postcodes_of_local_authority(TRAFFORD).values_list("postcode", flat=True))
    drawn = fictional_residents(rng, VOLUNTEERS, postcodes, AS_OF.date())
    stops = [status for status, n in STOPPED_AT.items() for _ in range(n)]
    stops += [PipelineStatus.ACTIVE] * (VOLUNTEERS - len(stops))
    rng.shuffle(stops)
    stops[0] = PipelineStatus.ACTIVE  # the facilitator login volunteers and has a match
    active: list[Volunteer] = []
    for index, (resident, stop) in enumerate(zip(drawn, stops, strict=True)):
        organisation = home if index % 3 else second
        if index == 0:
            organisation = home
        joined = _at(400 - index * 3)
        speaks = ["English"] + ([rng.choice(LANGUAGES)] if rng.random() < 0.3 else [])
        volunteer = actions.register_volunteer(
            user=facilitator if index == 0 else None,
            full_name=facilitator.full_name
            if index == 0
            else f"{resident.given_name} {resident.family_name}",
            organisation=organisation,
            by=coordinator,
            at=joined,
            sex=resident.sex,
            date_of_birth=max(resident.date_of_birth, moved(datetime.date(2008, 1, 1))),
            ethnicity=resident.ethnicity,
            postcode=resident.postcode,
            skills=rng.sample(SKILLS, 2),
            languages=speaks,
            interests=rng.sample(INTERESTS, 3),
            availability=rng.sample(TIMES, 2),
            lived_experience="Was supported by a buddy after my stroke" if index % 11 == 0 else "",
        )
        enrolment = Enrolment.objects.get(volunteer=volunteer)
        path = (
            [] if stop == PipelineStatus.APPLIED else PATH[: PATH.index(stop) + 1] if stop in PATH else PATH
        )
        for step, status in enumerate(path):
            enrolment = actions.move_pipeline(
                enrolment=enrolment,
                to_status=status,
                reason="",
                by=coordinator,
                at=joined + datetime.timedelta(days=14 * (step + 1)),
            )
        if stop in (PipelineStatus.PAUSED, PipelineStatus.LEFT):
            reason = (
                "Caring for a relative for a few months" if stop == PipelineStatus.PAUSED else "Moved away"
            )
            actions.move_pipeline(
                enrolment=enrolment, to_status=stop, reason=reason, by=coordinator, at=_at(60)
            )
        if stop != PipelineStatus.ACTIVE:
            continue
        _vet(
            volunteer,
            organisation,
            coordinator,
            joined + datetime.timedelta(days=30),
            expiring=len(active) == 5,
        )
        actions.assign_role(
            volunteer=volunteer, organisation=organisation, role="buddy", by=coordinator, at=_at(200 - index)
        )
        active.append(volunteer)

    _matches(context, rng, active, home, second, coordinator, link_worker)
    _hours_and_expenses(rng, active[:12], coordinator)
    actions.raise_concern(
        organisation=home,
        about="Mr K, a person I befriend",
        details="He said a new 'friend' has been taking him to the cash machine and keeping his card.",
        by=facilitator,
        at=_at(1, 15),
    )
    actions.sweep_no_contact(at=AS_OF)
    actions.send_dbs_reminders(at=AS_OF)
    return True


def _vet(volunteer: Volunteer, organisation, coordinator, at: datetime.datetime, expiring: bool) -> None:  # type: ignore[no-untyped-def]
    day = at.date()
    # One check is due for renewal next month (the demo's reminder); the rest last three years.
    expires = (
        (AS_OF + datetime.timedelta(days=32)).date() if expiring else day + datetime.timedelta(days=3 * 365)
    )
    actions.record_dbs_certificate(
        volunteer=volunteer,
        organisation=organisation,
        level=ROLES["buddy"].dbs_level or "basic",
        clear=True,
        issued_on=min(day, expires - datetime.timedelta(days=365 * 3)),
        expires_on=expires,
        certificate_number=f"{1000_0000_0000 + volunteer.pk:012d}",
        by=coordinator,
        at=at,
    )
    for course in ROLES["buddy"].training:
        actions.record_training(
            volunteer=volunteer,
            organisation=organisation,
            course=course,
            completed_on=day,
            by=coordinator,
            at=at,
        )


def _matches(context, rng, active, home, second, coordinator, link_worker) -> None:  # type: ignore[no-untyped-def]
    cases = list(
        Referral.objects.filter(status=ReferralStatus.OPEN, link_worker=link_worker)
        .select_related("person")
        .order_by("pk")[:MATCHES]
    )
    for number, case in enumerate(cases):
        person = case.person
        organisation = home if number % 3 else second
        started = 90 - number * 3
        request = actions.request_buddy(
            person=person,
            organisation=organisation,
            person_consented=True,
            consent_note="First name, interests and when they are free",
            needs=rng.sample(["shopping", "confidence", "walking", "digital skills"], 1),
            by=link_worker,
            at=_at(started + 7),
        )
        ranking, _ = actions.ranking_for(request, _at(started + 6).date())
        if not ranking.ranked:
            continue
        ranked_ids = [row.volunteer_id for row in ranking.ranked]
        # The facilitator login (the first volunteer) gets the second match, so it has one to look at.
        chosen = active[0].pk if number == 1 and active[0].pk in ranked_ids else ranked_ids[0]
        volunteer = next(v for v in active if v.pk == chosen)
        match = actions.propose_match(
            request=request, volunteer=volunteer, by=coordinator, at=_at(started + 6)
        )
        if person.user is None:
            # The person agreed on the phone; the demo people have no accounts, so their answer is
            # recorded directly as the person's (the one write here that skips its action's rule).
            match.status = match.Status.ACTIVE
            match.agreed_at = _at(started + 5)
            match.start_on = _at(started + 5).date()
            match.review_on = match.start_on + datetime.timedelta(weeks=6)
            match.end_on = match.start_on + datetime.timedelta(weeks=12)
            match.save()
            request.status = request.Status.MATCHED
            request.save(update_fields=["status"])
        else:
            actions.answer_proposal(match=match, accept=True, by=person.user, at=_at(started + 5))
        # One match has gone quiet: its last contact was three weeks ago (the overdue alert).
        last = 21 if number == 0 else rng.randint(1, 6)
        day = started + 3
        while day >= last:
            actions.log_contact(
                match=match,
                happened_on=_at(day).date(),
                minutes=rng.choice([30, 45, 60, 90]),
                medium=rng.choice(Contact.Medium.values),
                notes="",
                by=coordinator,
                at=_at(day, 17),
            )
            day -= rng.randint(6, 9)


def _hours_and_expenses(rng, volunteers, coordinator) -> None:  # type: ignore[no-untyped-def]
    for volunteer in volunteers:
        organisation = volunteer.enrolments.first().organisation
        for week in range(4):
            actions.log_hours(
                volunteer=volunteer,
                organisation=organisation,
                worked_on=_at(7 * week + 2).date(),
                hours=Decimal(rng.choice(["1.5", "2", "3"])),
                description="Buddy visits",
                by=coordinator,
                at=_at(7 * week + 1),
            )
        actions.claim_expense(
            volunteer=volunteer,
            organisation=organisation,
            kind="mileage",
            incurred_on=_at(10).date(),
            description="Driving to visits",
            miles=Decimal(rng.randint(8, 40)),
            by=coordinator,
            at=_at(9),
        )
