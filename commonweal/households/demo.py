"""The demo's community health workers: three patches of about 200 households in the most deprived demo
neighbourhood, a year of visits with refusals and nobody in, a GP extract with gaps, and a supervisor.

Deterministic from the demo seed and idempotent (a second run finds the patches and changes nothing).
Built through the actions at the demo's fixed dates: the patches, the households (in one batch), the
year's visits as a programme's earlier records (`import_visit_history`), the GP extract through its
importer, and the last fortnight's visits with needs found through `record_visit`, so that their
referrals reach the link-worker team as a real visit's would. Lean: a few seconds on SQLite.

The demo's community health worker login (Cora) holds the first patch and supervises all three; the two
other workers have no login of their own.
"""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from django.db.models import Avg

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role, User
from commonweal.demokit import AS_OF, REFERENCE_DATE, REFERENCE_TIME, moved
from commonweal.demokit.population import fictional_residents
from commonweal.households import actions
from commonweal.households.actions import HouseholdRow, MemberSeen, PastVisit
from commonweal.households.models import Household, Member, Patch, VisitOutcome
from commonweal.people.models import Person
from commonweal.places.models import Area
from commonweal.places.queries import lsoa_ids_of, postcodes_in

if TYPE_CHECKING:
    from commonweal.demokit import DemoContext

HOUSEHOLDS_PER_PATCH = 200
# The people living in the demo's households, beyond the borough's 2,000 residents: a fixed number, so
# the demo's counts are known (about 2.3 a household, as in the 2021 census for England). A smaller demo
# (the tests' borough of 200 residents) gets patches in proportion: 20 households and 140 people each.
HOUSEHOLD_PEOPLE = 1400
FULL_DEMO_RESIDENTS = 2000


def demo_size(residents: int) -> tuple[int, int]:
    """Return the households per patch and the people in households for a demo of `residents` residents."""
    share = min(1.0, residents / FULL_DEMO_RESIDENTS)
    return max(10, round(HOUSEHOLDS_PER_PATCH * share)), max(30, round(HOUSEHOLD_PEOPLE * share))


START = moved(datetime.datetime(2025, 11, 20, 9, 0, tzinfo=datetime.UTC))
EXTRACT_AT = moved(datetime.datetime(2026, 10, 1, 9, 0, tzinfo=datetime.UTC))
RECENT = AS_OF
OTHER_WORKERS = (("Priya Ashdown", "chw.priya"), ("Tomasz Reedley", "chw.tomasz"))
STREETS = (
    "Alder Street",
    "Brook Lane",
    "Canal Row",
    "Dovecote Road",
    "Elmfield Avenue",
    "Foundry Street",
    "Gorse Close",
    "Hawthorn Terrace",
    "Ivy Bank",
    "Juniper Walk",
    "Kestrel Road",
    "Lime Grove",
    "Mill Lane",
    "Nettle Street",
    "Orchard Way",
    "Poplar Road",
    "Quarry Bank",
    "Rowan Close",
    "Sycamore Drive",
    "Tanner Street",
    "Union Road",
    "Vale Terrace",
    "Weaver Street",
    "Yew Tree Lane",
)
HOUSE_NAMES = ("Rose Cottage", "The Laurels", "Ivy House", "Holly Lodge", "The Nook", "Primrose Villa")
SIZES = (1, 2, 3, 4, 5)
SIZE_WEIGHTS = (30, 34, 16, 13, 7)
RELATIONSHIPS = ("head", "partner", "child", "child", "parent")


def _most_deprived(context: DemoContext) -> tuple[Area, list[str]]:
    ranked = sorted(
        context.neighbourhoods,
        key=lambda area: (area.lsoas.aggregate(mean=Avg("imd_decile"))["mean"] or 11, area.pk),
    )
    neighbourhood = ranked[0]
    codes = sorted(postcodes_in(neighbourhood.lsoas.all()).values_list("postcode", flat=True))
    return neighbourhood, codes


def _workers(context: DemoContext, neighbourhood: Area) -> list[User]:
    workers = [context.users[Role.COMMUNITY_HEALTH_WORKER]]
    for full_name, local in OTHER_WORKERS:
        user = User.objects.create(email=f"{local}@demo.commonweal.invalid", full_name=full_name)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        grant_role(user=user, role=Role.COMMUNITY_HEALTH_WORKER, by=None, area=neighbourhood)
        workers.append(user)
    return workers


def _people(context: DemoContext, rng: random.Random, count: int, postcodes: list[str]) -> list[Person]:
    team = context.organisations["pcn"][0]
    practices = [org for org in context.organisations["practice"] if org.parent_id == team.pk] or [team]
    used = set(Person.objects.exclude(nhs_number="").values_list("nhs_number", flat=True))
    drawn = [
        r for r in fictional_residents(rng, count + 50, postcodes, REFERENCE_DATE) if r.nhs_number not in used
    ]
    lsoa_ids = lsoa_ids_of(postcodes)
    people = [
        Person(
            given_name=r.given_name,
            family_name=r.family_name,
            sex=r.sex,
            date_of_birth=r.date_of_birth,
            ethnicity=r.ethnicity,
            nhs_number=r.nhs_number,
            postcode=r.postcode,
            lsoa_id=lsoa_ids[r.postcode],
            gp_practice=practices[index % len(practices)],
            created_at=START,
        )
        for index, r in enumerate(drawn[:count])
    ]
    Person.objects.bulk_create(people, batch_size=1000)
    return list(Person.objects.filter(nhs_number__in=[p.nhs_number for p in people]).order_by("pk"))


def _history(
    rng: random.Random, households: list[Household], members: dict[int, list[int]]
) -> list[PastVisit]:
    """A year of monthly rounds: most visits done, some nobody in (tried again), a few refusals."""
    visits = []
    for household in households:
        patch = household.patch
        assert patch is not None
        month = 0
        while month < 12:
            day = START + datetime.timedelta(days=30 * month + rng.randint(0, 20), hours=rng.randint(0, 7))
            roll = rng.random()
            outcome = (
                VisitOutcome.DONE
                if roll < 0.76
                else VisitOutcome.NOBODY_IN
                if roll < 0.94
                else VisitOutcome.REFUSED
            )
            reasons = ("registration",) if month == 0 else ("periodic",)
            seen = (
                tuple(p for p in members[household.pk] if rng.random() < 0.6)
                if outcome == VisitOutcome.DONE
                else ()
            )
            visits.append(PastVisit(household.pk, patch.chw_id or 0, patch.pk, day, outcome, reasons, seen))
            if outcome == VisitOutcome.NOBODY_IN and rng.random() < 0.5:
                retry = day + datetime.timedelta(days=rng.randint(2, 6))
                visits.append(
                    PastVisit(
                        household.pk, patch.chw_id or 0, patch.pk, retry, VisitOutcome.DONE, reasons, seen
                    )
                )
            month += 4 if outcome == VisitOutcome.REFUSED else 1
    return [visit for visit in visits if visit.visited_at < RECENT]


def _gp_extract(rng: random.Random, people: list[Person]) -> str:
    """A GP extract: screening, vaccinations and health checks, with realistic gaps in a deprived area."""
    lines = ["nhs_number,programme,status,due_date"]
    for person in people:
        age = (REFERENCE_DATE - person.date_of_birth).days // 365
        offers = []
        if person.sex == "female" and 25 <= age <= 64:
            offers.append(("cervical_screening", 0.32))
        if person.sex == "female" and 50 <= age <= 70:
            offers.append(("breast_screening", 0.35))
        if 60 <= age <= 74:
            offers.append(("bowel_screening", 0.40))
        if age < 5:
            offers.append(("childhood_vaccinations", 0.15))
        if 40 <= age <= 74:
            offers.append(("nhs_health_check", 0.55))
        for programme, gap_rate in offers:
            status = "overdue" if rng.random() < gap_rate else "up_to_date"
            due = REFERENCE_DATE + datetime.timedelta(days=rng.randint(-300, 200))
            lines.append(f"{person.nhs_number},{programme},{status},{due.isoformat()}")
    return "\n".join(lines) + "\n"


def build_households(context: DemoContext) -> bool:
    """Add the demo's patches, households, a year of visits and a GP extract (False if already there)."""
    if Patch.objects.exists():
        return False
    rng = context.rng("households")
    administrator = context.users[Role.ADMINISTRATOR]
    # The borough's residents, as the core demo made them (every one at the reference time).
    per_patch, people_wanted = demo_size(Person.objects.filter(created_at=REFERENCE_TIME).count())
    neighbourhood, postcodes = _most_deprived(context)
    workers = _workers(context, neighbourhood)
    supervisor = workers[0]
    patches = [
        actions.create_patch(
            name=f"{neighbourhood.name} {index + 1}",
            chw=worker,
            supervisor=supervisor,
            area=neighbourhood,
            monthly_goal=170,
            by=administrator,
            at=START,
        )
        for index, worker in enumerate(workers)
    ]
    sizes = [rng.choices(SIZES, weights=SIZE_WEIGHTS)[0] for _ in range(per_patch * len(patches))]
    people = _people(context, rng, people_wanted, postcodes)
    rows, cursor = [], 0
    for index, size in enumerate(sizes):
        household_people = people[cursor : cursor + size]
        cursor += size
        if not household_people:
            break
        street = STREETS[index % len(STREETS)]
        number = index // len(STREETS) + 1
        address = (
            f"{rng.choice(HOUSE_NAMES)}, {number} {street}" if rng.random() < 0.15 else f"{number} {street}"
        )
        rows.append(
            HouseholdRow(
                reference=f"DEMO-{index + 1:04d}",
                address=address,
                street=street,
                postcode=household_people[0].postcode,
                patch=patches[index % len(patches)],
                consents_to_visits=rng.random() > 0.03,
                members=tuple(
                    (p.pk, RELATIONSHIPS[min(i, len(RELATIONSHIPS) - 1)])
                    for i, p in enumerate(household_people)
                ),
            )
        )
    resident = context.users[Role.RESIDENT]
    rosa = Person.objects.filter(user=resident).first()
    if rosa is not None and rosa.postcode:
        rows.append(
            HouseholdRow(
                "DEMO-ROSA",
                f"Bramble Cottage, 1 {STREETS[0]}",
                STREETS[0],
                rosa.postcode,
                patches[0],
                True,
                ((rosa.pk, "head"),),
            )
        )
    households = actions.register_households(rows=rows, by=administrator, at=START)
    members: dict[int, list[int]] = {}
    for household_id, person_id in Member.objects.filter(household__in=households).values_list(
        "household_id", "person_id"
    ):
        members.setdefault(household_id, []).append(person_id)
    visiting = [household for household in households if household.consents_to_visits]
    actions.import_visit_history(visits=_history(rng, visiting, members), by=administrator, at=RECENT)
    actions.import_gp_extract(text=_gp_extract(rng, people), by=administrator, at=EXTRACT_AT)
    # The last fortnight, visit by visit: needs found become referrals to the link-worker team.
    for offset, household in enumerate(rng.sample(visiting, min(12, len(visiting) // 4))):
        worker = next(p.chw for p in patches if p.pk == household.patch_id)
        assert worker is not None
        seen_id = members[household.pk][0]
        refer = offset % 2 == 0
        actions.record_visit(
            household=household,
            outcome=VisitOutcome.DONE,
            reasons=["periodic"],
            seen=[
                MemberSeen(
                    seen_id,
                    {"lonely": "Often or always", "life_satisfaction": "3"},
                    need_found=True,
                    need_note="Lonely and low since a bereavement",
                    refer=refer,
                    consents_to_referral=refer,
                )
            ],
            # In the six days before the "as of": the demo is built at least a day after it.
            visited_at=RECENT - datetime.timedelta(days=6 - offset // 2, hours=-(offset % 5)),
            by=worker,
            at=RECENT - datetime.timedelta(days=6 - offset // 2, hours=-8),
        )
    muted = rng.sample(visiting, 4)
    actions.set_status(
        household=muted[0],
        status="muted",
        reason="Family in hospital: asked for a pause",
        by=supervisor,
        at=RECENT,
    )
    actions.set_status(
        household=muted[1], status="moved", reason="Moved out of the area", by=supervisor, at=RECENT
    )
    return True
