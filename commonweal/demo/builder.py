"""Builds the demo borough: a fictional Trafford on the real LSOAs and postcodes, from a seed."""

from __future__ import annotations

import csv
import hashlib
import importlib
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role, User
from commonweal.demokit import DEMO_EMAIL_DOMAIN, REFERENCE_DATE, REFERENCE_TIME, DemoContext, DemoStep
from commonweal.demokit.population import fictional_residents
from commonweal.organisations.models import Organisation
from commonweal.people.models import Person
from commonweal.places.loading import POSTCODES_FILE, load_geography
from commonweal.places.models import Area, Lsoa, Postcode

DEMO_PASSWORD = "commonweal-demo"  # noqa: S105 - printed for the demo; never used outside it
TRAFFORD = "E08000009"

LOCALITY_NEIGHBOURHOODS = {
    "North": "North Trafford",
    "Central": "Central Trafford",
    "South": "South Trafford",
    "West": "West Trafford",
}

VCSE_ACTIVITIES = [
    "Community Garden",
    "Walking Group",
    "Men's Shed",
    "Carers' Circle",
    "Food Club",
    "Singing for the Brain",
    "Knit and Natter",
    "Youth Club",
    "Digital Drop-in",
    "Bereavement Café",
    "Money Advice Hub",
    "Tai Chi Group",
    "Refugee Welcome",
    "Allotment Society",
    "Parkrun Volunteers",
    "Arts Collective",
    "Dementia Friends",
    "Parents' Group",
    "Chess Club",
    "Repair Café",
]


@dataclass(frozen=True)
class DemoLogin:
    """A demo account to sign in with."""

    role: Role
    email: str
    full_name: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(Role.RESIDENT, f"resident@{DEMO_EMAIL_DOMAIN}", "Rosa Amberbrook"),
    DemoLogin(Role.LINK_WORKER, f"link.worker@{DEMO_EMAIL_DOMAIN}", "Lena Kettleshaw"),
    DemoLogin(Role.REFERRER, f"referrer@{DEMO_EMAIL_DOMAIN}", "Dr Ravi Mossfield"),
    DemoLogin(Role.ORGANISATION_MEMBER, f"organisation@{DEMO_EMAIL_DOMAIN}", "Otis Fernwick"),
    DemoLogin(Role.COMMUNITY_HEALTH_WORKER, f"chw@{DEMO_EMAIL_DOMAIN}", "Cora Hazelmere"),
    DemoLogin(Role.FACILITATOR, f"facilitator@{DEMO_EMAIL_DOMAIN}", "Finn Larkstead"),
    DemoLogin(Role.COMMUNITY_ORGANISER, f"organiser@{DEMO_EMAIL_DOMAIN}", "Noor Quillgate"),
    DemoLogin(Role.COMMISSIONER, f"commissioner@{DEMO_EMAIL_DOMAIN}", "Cal Oakthwaite"),
    DemoLogin(Role.ADMINISTRATOR, f"admin@{DEMO_EMAIL_DOMAIN}", "Ada Willowdale"),
    DemoLogin(Role.VOLUNTEER_COORDINATOR, f"volunteer.coordinator@{DEMO_EMAIL_DOMAIN}", "Vera Thistlewood"),
    DemoLogin(Role.SAFEGUARDING_LEAD, f"safeguarding@{DEMO_EMAIL_DOMAIN}", "Sunita Brackenridge"),
)


@dataclass(frozen=True)
class DemoReport:
    """What the demo holds: row counts and a checksum of the residents' table."""

    already_loaded: bool
    counts: dict[str, int]
    residents_checksum: str


def residents_checksum() -> str:
    """Return the SHA-256 of every resident row in creation order (the key values themselves are left out,
    because PostgreSQL never reuses a sequence number, so a rebuilt database numbers rows differently)."""
    digest = hashlib.sha256()
    fields = [
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "ethnicity",
        "nhs_number",
        "postcode",
        "lsoa__code",
        "user__email",
        "created_at",
    ]
    for row in Person.objects.order_by("pk").values_list(*fields):
        digest.update(repr(tuple(str(value) for value in row)).encode("utf-8"))
    return digest.hexdigest()


def demo_counts() -> dict[str, int]:
    """Return row counts of the tables the demo fills."""
    return {
        "areas": Area.objects.count(),
        "lsoas": Lsoa.objects.count(),
        "postcodes": Postcode.objects.count(),
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "residents": Person.objects.count(),
    }


def _localities(geo_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Map each LSOA 2021 to the locality and the MSOA name most of its postcodes are in."""
    locality_votes: dict[str, Counter[str]] = defaultdict(Counter)
    msoa_votes: dict[str, Counter[str]] = defaultdict(Counter)
    with (geo_dir / POSTCODES_FILE).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            locality_votes[row["lsoa_code"]][row["locality"]] += 1
            msoa_votes[row["lsoa_code"]][row["msoa_hcl_name"]] += 1
    # most_common breaks ties by first appearance, which is the file's fixed order: deterministic.
    return (
        {code: votes.most_common(1)[0][0] for code, votes in locality_votes.items()},
        {code: votes.most_common(1)[0][0] for code, votes in msoa_votes.items()},
    )


def _places(geo_dir: Path) -> tuple[Area, Area, list[Area]]:
    ics = Area.objects.create(kind=Area.Kind.ICS, name="Greater Manchester", code="greater-manchester")
    borough = Area.objects.create(kind=Area.Kind.BOROUGH, name="Trafford", code="trafford", parent=ics)
    trafford_lsoas = list(
        Lsoa.objects.filter(vintage=Lsoa.Vintage.CENSUS_2021, local_authority_code=TRAFFORD)
    )
    borough.lsoas.set(trafford_lsoas)
    ics.lsoas.set(trafford_lsoas)
    locality_of, msoa_of = _localities(geo_dir)
    neighbourhoods = []
    for locality, name in LOCALITY_NEIGHBOURHOODS.items():
        area = Area.objects.create(
            kind=Area.Kind.NEIGHBOURHOOD,
            name=name,
            code=name.lower().replace(" ", "-"),
            parent=borough,
            description=f"Trafford's {locality} locality.",
        )
        area.lsoas.set([lsoa for lsoa in trafford_lsoas if locality_of.get(lsoa.code) == locality])
        neighbourhoods.append(area)
    # One neighbourhood as residents drew it, cutting across the official localities.
    drawn = Area.objects.create(
        kind=Area.Kind.NEIGHBOURHOOD,
        name="Old Trafford and Gorse Hill",
        code="old-trafford-and-gorse-hill",
        parent=borough,
        description="Drawn by residents at a community conversation in the demo.",
    )
    drawn.lsoas.set(
        [lsoa for lsoa in trafford_lsoas if msoa_of.get(lsoa.code) in {"Old Trafford", "Gorse Hill"}]
    )
    neighbourhoods.append(drawn)
    return ics, borough, neighbourhoods


def _organisations(
    rng: random.Random, ics: Area, borough: Area, neighbourhoods: list[Area]
) -> dict[str, list[Organisation]]:
    made: dict[str, list[Organisation]] = defaultdict(list)
    # Fictional codes use the "ZZ" prefix, which no real ODS code has, so they cannot be mistaken.
    icb = Organisation.objects.create(
        kind=Organisation.Kind.ICB, name="Demo Integrated Care Board", ods_code="ZZB01", area=ics
    )
    made["icb"].append(icb)
    pcn_names = ["Riverside Demo PCN", "Meadows Demo PCN"]
    practice_names = [
        "Willowbank Medical Practice",
        "Canal Street Surgery",
        "Larkfield Health Centre",
        "Orchard Family Practice",
        "Kettlebrook Surgery",
    ]
    for index, name in enumerate(pcn_names, start=1):
        pcn = Organisation.objects.create(
            kind=Organisation.Kind.PCN, name=name, ods_code=f"ZZU0{index}", parent=icb, area=borough
        )
        made["pcn"].append(pcn)
    for index, name in enumerate(practice_names, start=1):
        made["practice"].append(
            Organisation.objects.create(
                kind=Organisation.Kind.GP_PRACTICE,
                name=f"{name} (demo)",
                ods_code=f"ZZ{index:04d}",
                parent=made["pcn"][(index - 1) % 2],
                area=neighbourhoods[(index - 1) % 4],
            )
        )
    for name in ["Demo Council Social Prescribing Team", "Demo Council Housing Options Team"]:
        made["council"].append(
            Organisation.objects.create(kind=Organisation.Kind.COUNCIL_TEAM, name=name, area=borough)
        )
    made["agency"].append(
        Organisation.objects.create(
            kind=Organisation.Kind.OTHER_AGENCY, name="Demo Fire and Rescue Service", area=borough
        )
    )
    places = [
        "Sale",
        "Stretford",
        "Urmston",
        "Altrincham",
        "Partington",
        "Timperley",
        "Old Trafford",
        "Hale",
        "Davyhulme",
        "Flixton",
    ]
    names = sorted({f"{place} {activity}" for place in places for activity in VCSE_ACTIVITIES})
    for index, name in enumerate(rng.sample(names, 40)):
        made["vcse"].append(
            Organisation.objects.create(
                kind=Organisation.Kind.VCSE,
                name=name,
                charity_number=f"DEMO{index + 1:04d}",
                area=neighbourhoods[index % len(neighbourhoods)],
                description="A fictional community group.",
            )
        )
    return made


def _staff(
    ics: Area, borough: Area, neighbourhoods: list[Area], organisations: dict[str, list[Organisation]]
) -> dict[Role, User]:
    scope: dict[Role, dict[str, Organisation | Area]] = {
        Role.RESIDENT: {"area": neighbourhoods[0]},
        Role.LINK_WORKER: {"organisation": organisations["pcn"][0]},
        Role.REFERRER: {"organisation": organisations["practice"][0]},
        Role.ORGANISATION_MEMBER: {"organisation": organisations["vcse"][0]},
        Role.COMMUNITY_HEALTH_WORKER: {"area": neighbourhoods[0]},
        Role.FACILITATOR: {"organisation": organisations["vcse"][1]},
        Role.COMMUNITY_ORGANISER: {"area": neighbourhoods[4]},
        Role.COMMISSIONER: {"organisation": organisations["icb"][0]},
        Role.ADMINISTRATOR: {"area": ics},
        # The volunteering demo makes the facilitator's organisation and the first one its two
        # volunteering organisations; these two logins act for both.
        Role.VOLUNTEER_COORDINATOR: {"organisation": organisations["vcse"][1]},
        Role.SAFEGUARDING_LEAD: {"organisation": organisations["vcse"][1]},
    }
    users: dict[Role, User] = {}
    password_user = User(email="x@x.invalid")
    password_user.set_password(DEMO_PASSWORD)  # hash once; every demo login shares this password
    for login in DEMO_LOGINS:
        if User.objects.filter(email=login.email).exists():  # a login added after the demo was built
            continue
        user = User.objects.create(
            email=login.email,
            full_name=login.full_name,
            password=password_user.password,
            date_joined=REFERENCE_TIME,
        )
        grant_role(user=user, role=login.role, by=None, **scope[login.role])  # type: ignore[arg-type]
        users[login.role] = user
    return users


def _residents(rng: random.Random, count: int, resident_user: User) -> None:
    postcodes = list(
        Postcode.objects.filter(local_authority_code=TRAFFORD)
        .order_by("postcode")
        .values_list("postcode", "lsoa_id")
    )
    lsoa_of = dict(postcodes)
    drawn = fictional_residents(rng, count, [code for code, _ in postcodes], REFERENCE_DATE)
    people = [
        Person(
            given_name=resident.given_name,
            family_name=resident.family_name,
            sex=resident.sex,
            date_of_birth=resident.date_of_birth,
            ethnicity=resident.ethnicity,
            nhs_number=resident.nhs_number,
            postcode=resident.postcode,
            lsoa_id=lsoa_of[resident.postcode],
            created_at=REFERENCE_TIME,
        )
        for resident in drawn
    ]
    first = people[0]
    first.given_name, first.family_name = resident_user.full_name.split(" ", 1)
    first.user = resident_user
    Person.objects.bulk_create(people, batch_size=1000)


def is_loaded() -> bool:
    """Tell whether the demo borough is already in the database."""
    return User.objects.filter(email=DEMO_LOGINS[0].email).exists()


DEMO_STEPS: list[tuple[str, str]] = [
    # (name, "module:function") — imported lazily so the demo app depends on the others only here.
    ("directory", "commonweal.directory.demo:build_directory"),
    ("journey", "commonweal.referrals.demo:build_journey"),
    # Before the steps that sample residents (assemblies, budgeting, the timebank): it adds the
    # households' members to the population.
    ("households", "commonweal.households.demo:build_households"),  # after the journey: its referral team
    ("assemblies", "commonweal.assemblies.demo:build_assemblies"),
    ("budgeting", "commonweal.budgeting.demo:build_budgeting"),
    ("measures", "commonweal.measures.demo:build_measures"),  # after the journey: it needs caseloads
    ("volunteering", "commonweal.volunteering.demo:build_volunteering"),  # after measures: wellbeing
    ("timebank", "commonweal.timebank.demo:build_timebank"),
    ("evidence", "commonweal.evidence.demo:build_evidence"),  # last: it summarises what the others made
    # Staff sign in in two steps: each demo staff login gets an authenticator (`commonweal demo_code`).
    ("second factors", "commonweal.demo.second_factors:enrol_demo_staff"),
]


def _context(seed: int) -> DemoContext:
    """Load the core demo records built earlier."""
    ics = Area.objects.get(code="greater-manchester")
    borough = Area.objects.get(code="trafford")
    neighbourhoods = list(Area.objects.filter(kind=Area.Kind.NEIGHBOURHOOD, parent=borough).order_by("pk"))
    organisations: dict[str, list[Organisation]] = defaultdict(list)
    kinds = {
        Organisation.Kind.ICB: "icb",
        Organisation.Kind.PCN: "pcn",
        Organisation.Kind.GP_PRACTICE: "practice",
        Organisation.Kind.COUNCIL_TEAM: "council",
        Organisation.Kind.OTHER_AGENCY: "agency",
        Organisation.Kind.VCSE: "vcse",
    }
    demo_organisations = Organisation.objects.filter(
        Q(ods_code__startswith="ZZ") | Q(name__startswith="Demo ") | Q(charity_number__startswith="DEMO")
    ).order_by("pk")
    for organisation in demo_organisations:
        organisations[kinds[Organisation.Kind(organisation.kind)]].append(organisation)
    if User.objects.filter(email__in=[login.email for login in DEMO_LOGINS]).count() < len(DEMO_LOGINS):
        _staff(ics, borough, neighbourhoods, dict(organisations))  # logins added by a newer version
    users = {login.role: User.objects.get(email=login.email) for login in DEMO_LOGINS}
    return DemoContext(seed, ics, borough, neighbourhoods, dict(organisations), users)


def _run_steps(seed: int) -> list[str]:
    """Run every later step; return the names of those that added data."""
    context = _context(seed)
    added = []
    for name, target in DEMO_STEPS:
        module_name, function_name = target.split(":")
        step: DemoStep = getattr(importlib.import_module(module_name), function_name)
        with transaction.atomic():
            if step(context):
                added.append(name)
    return added


def build_demo(*, geo_dir: Path, seed: int = 2019, residents: int = 2000) -> DemoReport:
    """Build the demo borough; a second call adds only what is missing and otherwise changes nothing."""
    core_loaded = is_loaded()
    if not core_loaded:
        if not Postcode.objects.filter(local_authority_code=TRAFFORD).exists():
            load_geography(geo_dir)
        rng = random.Random(seed)
        with transaction.atomic():
            ics, borough, neighbourhoods = _places(geo_dir)
            organisations = _organisations(rng, ics, borough, neighbourhoods)
            users = _staff(ics, borough, neighbourhoods, organisations)
            _residents(rng, residents, users[Role.RESIDENT])
    added = _run_steps(seed)
    return DemoReport(
        already_loaded=core_loaded and not added,
        counts=demo_counts(),
        residents_checksum=residents_checksum(),
    )
