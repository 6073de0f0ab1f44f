"""The demo's community power: a citizens' assembly recruited, selected and published in the organiser's
neighbourhood, and a steering group with a recommendation, a response and delivery. Deterministic from
the demo's seed, and idempotent: a second run finds the assembly and changes nothing."""

from __future__ import annotations

import datetime
from collections import Counter

from commonweal.accounts.models import Role
from commonweal.assemblies import actions as assembly_actions
from commonweal.assemblies import actions as deliberation
from commonweal.assemblies.core.features import deprivation_value
from commonweal.assemblies.models import Body, Membership
from commonweal.demokit import REFERENCE_DATE, DemoContext
from commonweal.demokit.population import AGE_BANDS, ETHNICITY_SHARES, fictional_residents
from commonweal.places.models import Area
from commonweal.places.queries import postcodes_in

ASSEMBLY_NAME = "Old Trafford and Gorse Hill Health Assembly"
STEERING_GROUP_NAME = "Old Trafford and Gorse Hill Steering Group"
PANEL_SIZE = 20
POSTCODES_TO_DRAW = 400
LETTERS_PER_POSTCODE = 2
VOLUNTEERS = 120
# A fictional borough: these shares are the demo population's, not a statistic about Trafford.
DISABLED_SHARE = 0.2
FEMALE_SHARE = 0.51

# NHS ethnic category codes grouped as the Census 2021 high-level groups for England (which count
# Chinese as Asian).
ETHNIC_GROUP_OF_CODE = {
    **dict.fromkeys("ABC", "white"),
    **dict.fromkeys("DEFG", "mixed"),
    **dict.fromkeys("HJKLR", "asian"),
    **dict.fromkeys("MNP", "black"),
    "S": "other",
}


def _age_band(born: datetime.date) -> str:
    age = (
        REFERENCE_DATE.year
        - born.year
        - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (born.month, born.day))
    )
    for low, high in ((16, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74)):
        if low <= age <= high:
            return f"{low}-{high}"
    return "75+"


def _ethnic_group_shares() -> dict[str, float]:
    totals: dict[str, float] = {}
    for code, share in ETHNICITY_SHARES:
        if code in ETHNIC_GROUP_OF_CODE:
            group = ETHNIC_GROUP_OF_CODE[code]
            totals[group] = totals.get(group, 0.0) + share
    stated = sum(totals.values())
    return {group: share / stated for group, share in sorted(totals.items())}


def _population_table(place: Area) -> list[dict[str, str]]:
    """The demo's population shares: age, sex and ethnicity as the fictional residents are drawn,
    disability as stated above, and deprivation as the share of the place's postcodes in each quintile."""
    rows: list[dict[str, str]] = []
    age: dict[str, float] = {}
    for low, high, share in AGE_BANDS:
        band = "75+" if low >= 75 else f"{low}-{high}"
        age[band] = age.get(band, 0.0) + share
    rows += [{"feature": "age", "value": band, "share": repr(share)} for band, share in age.items()]
    rows += [
        {"feature": "sex", "value": "female", "share": repr(FEMALE_SHARE)},
        {"feature": "sex", "value": "male", "share": repr(1 - FEMALE_SHARE)},
    ]
    rows += [
        {"feature": "ethnicity", "value": group, "share": repr(share)}
        for group, share in _ethnic_group_shares().items()
    ]
    rows += [
        {"feature": "disability", "value": "yes", "share": repr(DISABLED_SHARE)},
        {"feature": "disability", "value": "no", "share": repr(1 - DISABLED_SHARE)},
    ]
    deciles = Counter(
        deprivation_value("deprivation_quintile", decile)
        for decile in postcodes_in(place.lsoas.all()).values_list("lsoa__imd_decile", flat=True)
    )
    total = sum(deciles.values())
    rows += [
        {"feature": "deprivation_quintile", "value": value, "share": repr(count / total)}
        for value, count in sorted(deciles.items())
    ]
    return rows


def build_assemblies(context: DemoContext) -> bool:
    """Add the demo assembly and steering group; return False when they are already there."""
    if Body.objects.filter(name=ASSEMBLY_NAME).exists():
        return False
    rng = context.rng("assemblies")
    organiser = context.users[Role.COMMUNITY_ORGANISER]
    place = organiser.role_assignments.get(role=Role.COMMUNITY_ORGANISER).area
    assert place is not None
    icb = context.organisations["icb"][0]
    assembly = assembly_actions.create_assembly(
        place=place,
        name=ASSEMBLY_NAME,
        remit="What should our neighbourhood do first to help people live longer, healthier lives?",
        panel_size=PANEL_SIZE,
        quota_features=["age", "sex", "ethnicity", "disability", "deprivation_quintile"],
        responsible_organisation=icb,
        people_per_letter=2,
        one_per_household=True,
        registration_closes_on=REFERENCE_DATE + datetime.timedelta(days=42),
        by=organiser,
    )
    mailing = assembly_actions.draw_invitations(
        assembly=assembly,
        postcodes=POSTCODES_TO_DRAW,
        letters_per_postcode=LETTERS_PER_POSTCODE,
        seed=rng.randrange(2**32),
        by=organiser,
        code_source=rng,
    )
    letters = list(mailing.invitations.select_related("postcode").order_by("code"))
    answering = rng.sample(letters, VOLUNTEERS * 5 // 6)
    # One letter in five brings two people from the same address, which the household rule must handle.
    households = answering + rng.sample(answering, VOLUNTEERS - len(answering))
    people = fictional_residents(
        rng, VOLUNTEERS, [letter.postcode.postcode for letter in letters], REFERENCE_DATE
    )
    groups = list(_ethnic_group_shares().items())
    for index, (letter, person) in enumerate(zip(households, people, strict=True)):
        group = (
            ETHNIC_GROUP_OF_CODE.get(person.ethnicity)
            or rng.choices([name for name, _ in groups], weights=[share for _, share in groups])[0]
        )
        assembly_actions.register_volunteer(
            assembly=assembly,
            code=letter.code,
            postcode=letter.postcode.postcode,
            full_name=f"{person.given_name} {person.family_name}",
            email=f"volunteer{index + 1}@example.invalid",
            phone="",
            answers={
                "age": _age_band(person.date_of_birth),
                "sex": person.sex,
                "ethnicity": group,
                "disability": "yes" if rng.random() < DISABLED_SHARE else "no",
            },
            consent=True,
        )
    assembly_actions.set_quotas(
        assembly=assembly,
        rows=_population_table(place),
        tolerance_seats=1,
        source_name="demo-population-shares.csv",
        by=organiser,
    )
    assembly_actions.close_registration(assembly=assembly, by=organiser)
    queued = assembly_actions.request_selection(
        assembly=assembly, method="leximin", seed=rng.randrange(2**32), by=organiser
    )
    finished = assembly_actions.carry_out_selection(request_id=queued.pk)
    if finished.error:
        raise RuntimeError(f"The demo assembly could not be selected: {finished.error}")
    assembly_actions.publish_panel(assembly=assembly, by=organiser)
    leaving = Membership.objects.filter(body_id=assembly.pk).order_by("registration__number").first()
    assert leaving is not None
    deliberation.end_membership(
        membership=leaving, left_on=leaving.joined_on, reason="Moved out of the area", by=organiser
    )
    assembly_actions.draw_replacements(assembly=assembly, seed=rng.randrange(2**32), by=organiser)
    deliberation.record_session(
        body=assembly.body,
        title="Session 1: what keeps us well",
        held_on=REFERENCE_DATE + datetime.timedelta(days=70),
        venue="Old Trafford Community Centre",
        agenda="Welcome and ground rules; what keeps people well here; questions for the experts.",
        notes="",
        by=organiser,
    )
    _steering_group(context, place)
    return True


def _steering_group(context: DemoContext, place: Area) -> None:
    """A steering group that met, recommended, and got a partly-accepting response being delivered."""
    organiser = context.users[Role.COMMUNITY_ORGANISER]
    icb = context.organisations["icb"][0]
    group = deliberation.create_steering_group(
        place=place,
        name=STEERING_GROUP_NAME,
        remit="Residents and local groups who decide the neighbourhood's health priorities with the ICB.",
        responsible_organisation=icb,
        by=organiser,
    )
    joined = REFERENCE_DATE + datetime.timedelta(days=7)
    members = [
        ("Amara Nettlebrook", "chair", "Resident, Gorse Hill"),
        ("Kofi Larkstead", "member", "Resident, Old Trafford"),
        ("Priya Willowdale", "member", "Resident, Old Trafford"),
        ("Ezra Fernshaw", "member", "Resident, Gorse Hill"),
        ("Maud Hazelmere", "member", context.organisations["vcse"][0].name),
        ("Omar Quillgate", "member", context.organisations["vcse"][1].name),
        ("Dr Ravi Mossfield", "member", context.organisations["practice"][0].name),
    ]
    seats = [
        deliberation.add_member(
            body=group, full_name=name, role=role, affiliation=affiliation, joined_on=joined, by=organiser
        )
        for name, role, affiliation in members
    ]
    session = deliberation.record_session(
        body=group,
        title="Where the money goes first",
        held_on=REFERENCE_DATE + datetime.timedelta(days=30),
        venue="Gorse Hill Library",
        agenda="Stories from residents; the neighbourhood's health profile; agreeing a first recommendation.",
        notes="Residents told us the parks feel unsafe after dark and that walking groups stop in winter. "
        "The group agreed one recommendation (below).",
        by=organiser,
    )
    deliberation.add_evidence(
        session=session,
        title="Neighbourhood health profile",
        presented_by="Public health team",
        link="",
        summary="Deprivation by area (IMD 2019) and how many people take part in activity.",
        by=organiser,
    )
    recommendation = deliberation.make_recommendation(
        body=group,
        title="Lit, year-round walking routes in both parks",
        text="Fund lighting on one walking route in each park and a led walk every week of the year.",
        made_on=session.held_on,
        session=session,
        by=organiser,
    )
    choices = ["for"] * 5 + ["against", "abstain"]
    deliberation.record_votes(
        recommendation=recommendation,
        choices={seat.pk: choice for seat, choice in zip(seats, choices, strict=True)},
        by=organiser,
    )
    deliberation.record_response(
        recommendation=recommendation,
        decision="partly",
        reasons="We will fund the weekly led walks all year from April. Lighting is the council's: we have "
        "asked it to cost both routes and will report back in the summer.",
        responder="Cal Oakthwaite, Head of Population Health, Demo Integrated Care Board",
        responded_on=REFERENCE_DATE + datetime.timedelta(days=75),
        by=organiser,
    )
    deliberation.record_delivery(
        recommendation=recommendation,
        status="in_progress",
        note="Weekly led walks started in both parks; lighting costs requested from the council.",
        reported_on=REFERENCE_DATE + datetime.timedelta(days=120),
        by=organiser,
    )
