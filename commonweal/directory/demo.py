"""The demo borough's community directory: about 300 realistic services across the taxonomy.

Deterministic from the demo seed (its own random stream) and idempotent: a second run sees the demo
services and changes nothing. Services are placed at real Trafford postcodes and owned by the demo's
VCSE organisations; schedules, costs, access, languages and capacity vary as they do in real life.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models

from commonweal.demokit import AS_OF, moved
from commonweal.directory import oruk
from commonweal.directory.models import (
    Accessibility,
    Contact,
    CostOption,
    DirectoryOrganisation,
    Language,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceTerm,
    ServiceVersion,
    TaxonomyTerm,
)
from commonweal.directory.search_index import index_services
from commonweal.directory.taxonomy import ensure_builtin_taxonomies
from commonweal.organisations.models import Organisation
from commonweal.places.queries import postcodes_of_local_authority

if TYPE_CHECKING:
    from commonweal.demokit import DemoContext

DEMO_SOURCE = "Commonweal demo"
TARGET_SERVICES = 300


def _christmas_closure(as_of: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The Christmas and New Year closure (24 December to 2 January) that has not yet ended on `as_of`."""
    year = as_of.year - 1 if as_of <= datetime.date(as_of.year, 1, 2) else as_of.year
    return datetime.date(year, 12, 24), datetime.date(year + 1, 1, 2)


CHRISTMAS_CLOSURE = _christmas_closure(AS_OF.date())
# Entries were last checked in the 400 days before this day: about one in eleven is over a year old, so
# the demo shows out-of-date entries beside current ones.
REFERENCE_TIME = moved(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC))

# (term codes, name pattern, description, usual day/time, usual cost in pounds or None for free)
TEMPLATES: list[tuple[tuple[str, ...], str, str, tuple[str, int, int], Decimal | None]] = [
    (
        ("community-gardens", "social-connection"),
        "{place} Community Garden",
        "Grow vegetables and flowers together, learn from each other and share a cuppa. "
        "No experience needed; tools and gloves provided.",
        ("WE", 10, 13),
        None,
    ),
    (
        ("community-gardens", "volunteering"),
        "{place} Allotment Buddies",
        "Help tend a shared allotment plot with friendly volunteers. Gentle tasks for all abilities.",
        ("SA", 10, 12),
        None,
    ),
    (
        ("conservation", "volunteering"),
        "{place} Green Volunteers",
        "Litter picks, tree planting and looking after local parks and the canal towpath.",
        ("SU", 10, 13),
        None,
    ),
    (
        ("health-walks", "social-connection"),
        "{place} Health Walk",
        "A short, friendly walk at an easy pace with trained walk leaders, finishing with a chat over tea.",
        ("TU", 10, 11),
        None,
    ),
    (
        ("gentle-exercise", "older-people"),
        "{place} Chair-Based Exercise",
        "Seated strength and balance exercises to keep you moving and steady on your feet.",
        ("TH", 14, 15),
        Decimal("2.50"),
    ),
    (
        ("gentle-exercise",),
        "{place} Tai Chi",
        "Slow, flowing movements for balance, breathing and calm.",
        ("MO", 11, 12),
        Decimal("3.00"),
    ),
    (
        ("dance", "social-connection"),
        "{place} Tea Dance",
        "Ballroom and sequence dancing to live music, with tea and cake.",
        ("FR", 14, 16),
        Decimal("3.50"),
    ),
    (
        ("sports-clubs",),
        "{place} Walking Football",
        "Football at walking pace for people over 50. All abilities welcome.",
        ("WE", 18, 19),
        Decimal("3.00"),
    ),
    (
        ("swimming",),
        "{place} Adult Swim Lessons",
        "Small-group swimming lessons for adult beginners and nervous swimmers.",
        ("TU", 19, 20),
        Decimal("6.00"),
    ),
    (
        ("community-cafes", "social-connection"),
        "{place} Community Café",
        "A warm, welcoming drop-in for a hot drink, a chat and some company.",
        ("TH", 10, 13),
        None,
    ),
    (
        ("befriending", "older-people"),
        "{place} Telephone Befriending",
        "A friendly volunteer phones you each week for a chat.",
        ("MO", 10, 16),
        None,
    ),
    (
        ("lunch-clubs", "older-people"),
        "{place} Lunch Club",
        "A hot two-course lunch in good company. Transport can be arranged.",
        ("WE", 12, 14),
        Decimal("5.00"),
    ),
    (
        ("mens-sheds", "social-connection"),
        "{place} Men's Shed",
        "Woodwork, repairs and conversation in a friendly workshop. Everyone is welcome.",
        ("TU", 10, 15),
        Decimal("2.00"),
    ),
    (
        ("music-and-singing", "social-connection"),
        "{place} Community Choir",
        "Sing together for fun. No auditions and no need to read music.",
        ("TH", 19, 21),
        Decimal("3.00"),
    ),
    (
        ("crafts", "social-connection"),
        "{place} Knit and Natter",
        "Bring your knitting or crochet, or learn from the group.",
        ("MO", 13, 15),
        None,
    ),
    (
        ("arts-and-culture",),
        "{place} Art Club",
        "Painting and drawing for beginners, with materials provided.",
        ("FR", 10, 12),
        Decimal("4.00"),
    ),
    (
        ("food-banks", "food"),
        "{place} Food Club",
        "Affordable fresh food and store cupboard staples each week, and a friendly chat.",
        ("FR", 13, 15),
        Decimal("3.50"),
    ),
    (
        ("food",),
        "{place} Community Kitchen",
        "Cook and eat a healthy meal together on a budget.",
        ("WE", 17, 19),
        None,
    ),
    (
        ("learning-and-skills",),
        "{place} English Conversation Class",
        "Practise speaking English in a relaxed, friendly group (ESOL).",
        ("TU", 13, 15),
        None,
    ),
    (
        ("digital-skills", "older-people"),
        "{place} Digital Drop-in",
        "Help with phones, tablets, e-mail and getting online.",
        ("TH", 10, 12),
        None,
    ),
    (
        ("employment",),
        "{place} Jobs Club",
        "Help with CVs, applications and interviews, one to one or in a group.",
        ("MO", 9, 12),
        None,
    ),
    (
        ("money-and-debt",),
        "{place} Money Advice",
        "Free, confidential advice on debt, benefits, energy bills and budgeting.",
        ("TU", 9, 13),
        None,
    ),
    (
        ("housing",),
        "{place} Housing Advice Surgery",
        "Advice on renting, repairs, eviction and homelessness.",
        ("WE", 10, 13),
        None,
    ),
    (
        ("carers", "peer-support"),
        "{place} Carers' Circle",
        "Support, information and a break for people who look after someone.",
        ("TH", 13, 15),
        None,
    ),
    (
        ("talking-support", "mental-wellbeing"),
        "{place} Listening Service",
        "A trained volunteer listens, in confidence, when life feels hard.",
        ("MO", 18, 20),
        None,
    ),
    (
        ("peer-support", "mental-wellbeing"),
        "{place} Wellbeing Peer Support Group",
        "Share experiences and coping ideas with people who understand anxiety and low mood.",
        ("WE", 18, 20),
        None,
    ),
    (
        ("long-term-conditions",),
        "{place} Living Well with Diabetes",
        "A friendly group to learn and share how to live well with diabetes.",
        ("TU", 14, 16),
        None,
    ),
    (
        ("dementia", "music-and-singing"),
        "{place} Memory Café",
        "Music, activities and support for people living with dementia and their carers.",
        ("FR", 14, 16),
        None,
    ),
    (
        ("bereavement", "social-connection"),
        "{place} Bereavement Café",
        "A gentle space to talk about someone who has died, over a cup of tea.",
        ("SA", 10, 12),
        None,
    ),
    (
        ("families-and-children",),
        "{place} Stay and Play",
        "Play, songs and stories for babies and toddlers with their grown-ups.",
        ("WE", 9, 11),
        Decimal("1.50"),
    ),
    (
        ("young-people",),
        "{place} Youth Club",
        "Games, sport, art and trips for 11 to 18 year olds.",
        ("TH", 18, 21),
        Decimal("1.00"),
    ),
    (
        ("disability", "social-connection"),
        "{place} Inclusive Social Club",
        "Activities and friendship for adults with learning disabilities.",
        ("SA", 13, 16),
        Decimal("2.00"),
    ),
    (
        ("alcohol-and-drugs", "peer-support"),
        "{place} Recovery Café",
        "Peer support for people in recovery from alcohol or drugs, and their families.",
        ("SU", 12, 15),
        None,
    ),
    (
        ("volunteering",),
        "{place} Volunteer Hub",
        "Find a volunteering role that suits you, with support to get started.",
        ("MO", 10, 14),
        None,
    ),
]
PLACES = [
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
    "Ashton upon Mersey",
    "Sale Moor",
]
VENUES = [
    "Community Centre",
    "Library",
    "Methodist Church Hall",
    "Leisure Centre",
    "Park Pavilion",
    "Village Hall",
]
STREETS = ["High Street", "Church Road", "Park Lane", "School Road", "Station Road"]
LANGUAGES = ["Polish", "Urdu", "Punjabi", "Arabic", "Somali", "Romanian", "Bengali"]
ACCESS = [feature for feature, _ in Accessibility.Feature.choices]
# Sure-to-be-there entries near M33 7AA (Sale), so the demo shows what a resident's search finds.
ANCHORS = [
    ("Sale Community Garden", 0, "M33 7AA"),
    ("Sale Moor Friendship Café", 9, "M33 7AB"),
    ("Sale Water Park Health Walk", 3, "M33 7AD"),
]


def _uuid(rng_value: int) -> uuid.UUID:
    return uuid.UUID(int=rng_value, version=4)


def _owner_for(activity: str, name: str, owners: list[Organisation], index: int) -> Organisation | None:
    """Pick the demo group that runs this kind of activity in this place; else one in three go to a group."""
    place = name.removesuffix(activity).strip()
    for owner in owners:
        if owner.name == f"{place} {activity}":
            return owner
    words = {word for word in activity.lower().replace("'", "").split() if len(word) > 3} - {"community"}
    matching = [owner for owner in owners if words & set(owner.name.lower().replace("'", "").split())]
    for owner in matching:
        if owner.name.startswith(place):
            return owner
    # A group also runs its kind of activity in other places; otherwise the entry has no owner group yet.
    return matching[index % len(matching)] if matching else None


def _plan(rng: random.Random) -> list[tuple[str, int, tuple]]:
    """Return each demo service's name, template and postcode row: the anchors, then random ones."""
    postcodes = list(
        postcodes_of_local_authority("E08000009").values_list("postcode", "latitude", "longitude", "lsoa_id")
    )
    by_postcode = {row[0]: row for row in postcodes}
    names: set[str] = set()
    plan: list[tuple[str, int, tuple]] = []
    for name, template_index, postcode in ANCHORS:
        plan.append((name, template_index, by_postcode.get(postcode) or postcodes[0]))
        names.add(name)
    wards = dict(postcodes_of_local_authority("E08000009").values_list("postcode", "ward_name"))
    local_to: dict[str, list[tuple]] = {}  # each place's postcodes, found once
    while len(plan) < TARGET_SERVICES:
        template_index = rng.randrange(len(TEMPLATES))
        place = rng.choice(PLACES)
        name = TEMPLATES[template_index][1].format(place=place)
        if name in names:
            continue
        names.add(name)
        # Put it where its name says: a postcode in a ward named after the place, when there is one.
        if place not in local_to:
            word = place.split(" ")[0].lower()
            local_to[place] = [row for row in postcodes if word in wards.get(row[0], "").lower()]
        local = local_to[place]
        plan.append((name, template_index, rng.choice(local or postcodes)))
    return plan


def _service_rows(
    rows: dict[type[models.Model], list[Any]],
    rng: random.Random,
    *,
    name: str,
    template_index: int,
    postcode_row: tuple,
    organisation: DirectoryOrganisation,
    owner: Organisation | None,
    terms: dict[str, TaxonomyTerm],
) -> Service:
    """Add one demo service and its location, sessions, cost, languages, contact and terms to `rows`."""
    codes, _, description, (day, opens, closes), cost = TEMPLATES[template_index]
    linked: set[int] = set()
    checked = REFERENCE_TIME - datetime.timedelta(days=rng.randrange(0, 400))
    roll = rng.random()
    accepting, band = (
        (Service.Referrals.YES, "")
        if roll < 0.75
        else (Service.Referrals.WAITING_LIST, rng.choice(list(Service.WaitingBand.values)))
        if roll < 0.92
        else (Service.Referrals.NO, "")
    )
    service = Service(
        oruk_id=_uuid(rng.getrandbits(128)),
        organisation=organisation,
        owner=owner,
        name=name,
        description=description,
        status=Service.Status.ACTIVE,
        accepting_referrals=accepting,
        waiting_list_band=band,
        minimum_age=11 if "young-people" in codes else (None if "families-and-children" in codes else 18),
        maximum_age=18 if "young-people" in codes else None,
        last_checked_at=checked,
        source=DEMO_SOURCE,
        created_at=checked,
        last_modified=checked,
    )
    rows[Service].append(service)
    _, latitude, longitude, lsoa_id = postcode_row
    venue = f"{name.split(' ')[0]} {rng.choice(VENUES)}"
    location = Location(
        oruk_id=_uuid(rng.getrandbits(128)),
        name=venue,
        address_1=f"{rng.randrange(1, 200)} {rng.choice(STREETS)}",
        city=name.split(" ")[0] if name.split(" ")[0] in PLACES else "Trafford",
        state_province="Greater Manchester",
        postal_code=postcode_row[0],
        country="GB",
        latitude=latitude,
        longitude=longitude,
        lsoa_id=lsoa_id,
    )
    rows[Location].append(location)
    link = ServiceAtLocation(oruk_id=_uuid(rng.getrandbits(128)), service=service, location=location)
    rows[ServiceAtLocation].append(link)
    for feature in sorted(rng.sample(ACCESS, rng.randrange(0, 4))):
        rows[Accessibility].append(
            Accessibility(
                oruk_id=_uuid(rng.getrandbits(128)),
                location=location,
                feature=feature,
                description=Accessibility.Feature(feature).label,
            )
        )
    shift = rng.choice([0, 0, 0, 1])
    rows[Schedule].append(
        Schedule(
            oruk_id=_uuid(rng.getrandbits(128)),
            service_at_location=link,
            freq=Schedule.Freq.MONTHLY if rng.random() < 0.1 else Schedule.Freq.WEEKLY,
            interval=1,
            byday=day,
            opens_at=datetime.time(opens + shift, 0),
            closes_at=datetime.time(min(closes + shift, 23), 0),
        )
    )
    if rng.random() < 0.15:
        rows[Schedule].append(
            Schedule(
                oruk_id=_uuid(rng.getrandbits(128)),
                service=service,
                valid_from=CHRISTMAS_CLOSURE[0],
                valid_to=CHRISTMAS_CLOSURE[1],
                description="Closed over Christmas and New Year",
                is_closure=True,
            )
        )
    amount = Decimal(0) if cost is None else cost
    rows[CostOption].append(
        CostOption(
            oruk_id=_uuid(rng.getrandbits(128)),
            service=service,
            amount=amount,
            option="Free" if amount == 0 else "Per session",
        )
    )
    rows[Language].append(
        Language(oruk_id=_uuid(rng.getrandbits(128)), service=service, name="English", code="en")
    )
    if rng.random() < 0.2:
        rows[Language].append(
            Language(oruk_id=_uuid(rng.getrandbits(128)), service=service, name=rng.choice(LANGUAGES))
        )
    rows[Contact].append(
        Contact(
            oruk_id=_uuid(rng.getrandbits(128)),
            phone_oruk_id=_uuid(rng.getrandbits(128)),
            service=service,
            name="Group coordinator",
            phone=f"0161 496 {rng.randrange(0, 10000):04d}",
        )
    )
    for code in codes:
        term = terms.get(code) or terms.get("food")
        if term is not None and term.pk not in linked:
            linked.add(term.pk)
            rows[ServiceTerm].append(
                ServiceTerm(service=service, term=term, oruk_id=_uuid(rng.getrandbits(128)))
            )
    return service


def _first_versions() -> None:
    """Store each demo service's first version, as if its organisation had listed it."""
    versions = []
    for service in oruk.full_services(Service.objects.filter(source=DEMO_SOURCE)):
        versions.append(
            ServiceVersion(
                service=service,
                number=1,
                via=ServiceVersion.Via.CREATED,
                document=oruk.service_document(service),
                changed_fields=[],
                changed_at=service.created_at,
                note="Listed by the organisation",
            )
        )
    ServiceVersion.objects.bulk_create(versions, batch_size=500)


def build_directory(context: DemoContext) -> bool:
    """Add the demo's community services; return False when they are already there.

    A bulk loader: it writes the rows directly (about 300 services with several thousand locations,
    schedules, costs, languages, contacts and terms), not through `actions.create_service`. That action
    takes an entry form's fields, which carry neither the open referral identifiers the demo draws from its
    random stream nor more than one location or schedule, and it re-indexes each entry as it is saved,
    where this indexes them all once at the end.
    """
    if Service.objects.filter(source=DEMO_SOURCE).exists():
        return False
    ensure_builtin_taxonomies()
    rng = context.rng("directory")
    terms = {term.code: term for term in TaxonomyTerm.objects.filter(taxonomy__is_builtin=True)}
    owners = context.organisations.get("vcse", [])
    plan = _plan(rng)
    made: list[Service] = []
    providers: dict[str, DirectoryOrganisation] = {}
    rows: dict[type[models.Model], list[Any]] = defaultdict(list)
    for index, (name, template_index, postcode_row) in enumerate(plan):
        pattern = TEMPLATES[template_index][1]
        owner = _owner_for(pattern.replace("{place} ", ""), name, owners, index)
        provider = owner.name if owner else f"{name.split(' ')[0]} Community Association"
        organisation = providers.get(provider)
        if organisation is None:
            organisation = providers[provider] = DirectoryOrganisation.objects.create(
                name=provider,
                oruk_id=_uuid(rng.getrandbits(128)),
                description="A community group in the demo borough.",
                organisation=owner,
            )
        service = _service_rows(
            rows,
            rng,
            name=name,
            template_index=template_index,
            postcode_row=postcode_row,
            organisation=organisation,
            owner=owner,
            terms=terms,
        )
        made.append(service)
    # Parents first, so each child's key is known when it is written.
    for model in (
        Service,
        Location,
        ServiceAtLocation,
        Accessibility,
        Schedule,
        CostOption,
        Language,
        Contact,
        ServiceTerm,
    ):
        model.objects.bulk_create(rows[model], batch_size=500)
    _first_versions()
    index_services([service.pk for service in made])
    return True
