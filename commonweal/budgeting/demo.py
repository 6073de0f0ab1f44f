"""The demo's participatory budgeting: a neighbourhood round in its results phase, with realistic projects
and a few hundred ballots from demo residents; a borough-wide round open for voting, so that the demo
resident can vote; and a small round whose voting closed the day before the demo's "as of", so that the
organiser can close and count it. Deterministic from the demo's seed and "as of", and idempotent: a second
run finds the rounds and changes nothing.

Every record is made through the actions, as a real round would be. Actions are bound to today's date
(voting opens until today or later and closes after its closing day), so the finished rounds are then
dated back to days before the demo's "as of", the way the other demo steps date their stories. The open
round is the one exception: it closes four weeks after the demo is built, so that it is open to vote in.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, replace
from typing import Any

from django.utils import timezone

from commonweal.accounts.models import Role, User
from commonweal.budgeting import actions
from commonweal.budgeting.core.rounds.voters import age_on, voter_key
from commonweal.budgeting.models import (
    Ballot,
    BudgetResult,
    BudgetRound,
    Idea,
    PaperBallot,
    PaperEntry,
    Proposal,
)
from commonweal.demokit import AS_OF, REFERENCE_DATE, DemoContext, moved
from commonweal.demokit.population import fictional_residents
from commonweal.people.models import Person
from commonweal.places.models import Area
from commonweal.places.queries import postcodes_in

RESULTS_ROUND = f"Old Trafford and Gorse Hill Community Chest {moved(datetime.date(2025, 10, 31)).year}"
VOTING_ROUND = f"Healthy Trafford Fund {AS_OF.year}"
# A round whose voting closed the day before the demo's "as of", for the organiser to close and count.
READY_ROUND = "Gorse Hill Winter Warmth Fund"
READY_BALLOTS = 60
# Paper ballots: up to MOST_FROM_RECORDS from demo residents of the neighbourhood, the rest (to BALLOTS in
# all) from residents Commonweal holds no record for.
BALLOTS = 320
MOST_FROM_RECORDS = 170


@dataclass(frozen=True)
class DemoProject:
    title: str
    description: str
    cost: int
    feasible: bool = True
    note: str = ""


CHEST_PROJECTS = (
    DemoProject(
        "Lit walking loop in Gorse Hill Park",
        "Solar lights and mile markers on a 1.5 km loop, so that people can walk safely after dark "
        "in winter.",
        18_000,
        note="The council's parks team will fit and maintain the lights.",
    ),
    DemoProject(
        "Community fridge and cooking sessions",
        "A community fridge at the Old Trafford hub, and a weekly cook-and-eat session for a year.",
        7_500,
    ),
    DemoProject(
        "Chair-based exercise for people over 65",
        "A weekly class in two sheltered housing schemes, led by a trained instructor, for a year.",
        4_800,
    ),
    DemoProject(
        "Friday night football and mentoring",
        "Floodlit five-a-side and a youth worker on Friday nights for young people aged 11 to 18.",
        12_000,
    ),
    DemoProject(
        "Men's Shed workshop fit-out",
        "Tools, benches and dust extraction for the Men's Shed in the old bowling pavilion.",
        9_500,
    ),
    DemoProject(
        "Family cycling lessons and a bike library",
        "Free lessons on Saturdays and thirty bikes to borrow, with child seats and helmets.",
        11_000,
    ),
    DemoProject(
        "Accessible community garden",
        "Raised beds at wheelchair height and firm paths in the community garden behind the library.",
        14_000,
    ),
    DemoProject(
        "Mental health first aid for volunteers",
        "Two-day training for sixty volunteers from local groups, faith groups and sports clubs.",
        6_000,
    ),
    DemoProject(
        "Warm space: winter evenings at the library",
        "The library open until 8pm on weekdays from November to March, with hot drinks and company.",
        8_200,
    ),
    DemoProject(
        "Health information in community languages",
        "Monthly sessions in Urdu, Polish, Somali and Arabic with a nurse and an interpreter.",
        5_500,
    ),
    DemoProject(
        "New swimming pool",
        "A public swimming pool in Gorse Hill.",
        2_500_000,
        feasible=False,
        note="A pool costs far more than this round's budget; the idea is passed to the council's "
        "leisure review.",
    ),
)
# Projects that groups of voters tend to support together (by position in CHEST_PROJECTS), with how many
# voters in a hundred are in each group.
CHEST_GROUPS = (
    ((3, 5, 0), 24),
    ((2, 8, 4), 20),
    ((6, 4, 2), 14),
    ((7, 9, 1), 14),
    ((0, 3, 8), 16),
    ((1, 9, 7), 12),
)
CHEST_IDEAS = (
    (
        "Lights in the park",
        "Gorse Hill Park is pitch dark after four in winter. I would walk more if it were lit.",
        0,
    ),
    ("Somewhere warm to go", "Heating is too dear. Could the library stay open later in winter?", 8),
    ("Cooking together", "A place to learn to cook cheaply and eat with others.", 1),
    ("Football on Friday nights", "Something for teenagers to do on Friday nights.", 3),
    ("A swimming pool", "The nearest pool is two buses away.", 10),
    ("More CCTV", "Cameras on every street corner.", None),
)

WARMTH_PROJECTS = (
    DemoProject(
        "Warm packs for people living alone",
        "Blankets, flasks and thermometers, delivered with a chat by volunteers, for 150 people.",
        4_500,
    ),
    DemoProject(
        "Hot lunch club at the community centre",
        "A hot lunch and company twice a week through the winter.",
        6_000,
    ),
    DemoProject(
        "Energy advice drop-ins",
        "A fortnightly drop-in with an energy adviser to cut bills and claim grants.",
        3_000,
    ),
    DemoProject(
        "Draught-proofing by volunteers",
        "Volunteers fit draught excluders and radiator panels in fifty homes.",
        5_000,
    ),
)
WARMTH_GROUPS = (((0, 1), 40), ((2, 3), 30), ((1, 3), 30))
WARMTH_IDEAS = (
    ("Nobody cold this winter", "Some of my neighbours sit in their coats all day.", 0),
    ("Somewhere to eat together", "A hot meal with other people, not alone.", 1),
)

FUND_PROJECTS = (
    DemoProject(
        "Link worker hours in Partington",
        "Two extra days a week of social prescribing in Partington, the borough's most cut-off estate.",
        42_000,
    ),
    DemoProject(
        "Walking for health across the borough",
        "Trained walk leaders and a weekly led walk in every neighbourhood for two years.",
        18_000,
    ),
    DemoProject(
        "Food clubs in four community centres",
        "A weekly food club with a cooking session in Stretford, Old Trafford, Sale West and Partington.",
        36_000,
    ),
    DemoProject(
        "Dementia-friendly cinema screenings",
        "Monthly relaxed screenings with a carers' café in Altrincham and Urmston.",
        9_000,
    ),
    DemoProject(
        "Young carers' breaks",
        "Short breaks and a monthly club for young carers aged 8 to 18.",
        24_000,
    ),
    DemoProject(
        "Digital help for older people",
        "Drop-in help with phones, tablets and online GP services in six libraries.",
        15_000,
    ),
    DemoProject(
        "Outdoor gym in Seymour Park",
        "Eight pieces of outdoor gym equipment and free sessions with an instructor.",
        28_000,
    ),
    DemoProject(
        "Free swimming for children",
        "Free swimming for every child in the borough in the school holidays.",
        400_000,
        feasible=False,
        note="It would cost more than twice the whole fund; the council is costing it for its own budget.",
    ),
)
FUND_IDEAS = (
    ("More link workers where it is hardest", "Partington has one bus an hour and no GP at weekends.", 0),
    ("Led walks", "Walking groups that keep going through winter.", 1),
    (
        "Cinema for people with dementia",
        "My dad loved the cinema. A relaxed screening would mean the world.",
        3,
    ),
    ("Free swimming", "Free swimming for children in the holidays.", 7),
)


def _place(context: DemoContext, role: Role) -> Area:
    area = context.users[role].role_assignments.get(role=role).area
    assert area is not None
    return area


def _set_up(
    place: Area,
    name: str,
    description: str,
    budget: int,
    projects: tuple[DemoProject, ...],
    ideas: tuple[tuple[str, str, int | None], ...],
    by: User,
    idea_author: User,
    **settings: Any,
) -> BudgetRound:
    """A round through ideas and feasibility review, ready to open voting."""
    base = actions.RoundSettings(
        name=name,
        description=description,
        budget=budget,
        ballot_kind="approval",
        min_projects=1,
        max_projects=None,
        points=None,
        max_points_per_project=None,
        rule="mes-cost-add1u",
        minimum_score=None,
        tie_breaking="cost-votes-lot",
        minimum_age=16,
        maximum_age=None,
        weight_by_deprivation=False,
        ideas_close_on=None,
    )
    budget_round = actions.create_round(place=place, settings=replace(base, **settings), by=by)
    submitted = [
        actions.submit_idea(budget_round=budget_round, title=title, description=text, by=idea_author)
        for title, text, _ in ideas
    ]
    actions.start_development(budget_round=budget_round, by=by)
    made: list[Proposal] = []
    for project in projects:
        proposal = actions.save_proposal(
            budget_round=budget_round,
            title=project.title,
            description=project.description,
            cost=project.cost,
            by=by,
        )
        actions.review_feasibility(
            proposal=proposal,
            decision="feasible" if project.feasible else "not_feasible",
            note=project.note,
            by=by,
        )
        made.append(proposal)
    for idea, (_, _, position) in zip(submitted, ideas, strict=True):
        if position is None:
            actions.answer_idea(
                idea=idea,
                status=Idea.Status.NOT_TAKEN_FORWARD,
                response="Cameras are a police and council matter; this fund is for health and wellbeing.",
                proposal=None,
                by=by,
            )
        else:
            actions.answer_idea(
                idea=idea,
                status=Idea.Status.TAKEN_FORWARD,
                response="" if projects[position].feasible else projects[position].note,
                proposal=made[position],
                by=by,
            )
    return budget_round


def _choices(
    rng: random.Random, groups: tuple[tuple[tuple[int, ...], int], ...], projects: int
) -> dict[str, int]:
    """One voter's approval ballot: most of their group's projects, sometimes one more of their own."""
    favourites = rng.choices([group for group, _ in groups], weights=[weight for _, weight in groups])[0]
    chosen = {position for position in favourites if rng.random() < 0.8} or {favourites[0]}
    if rng.random() < 0.35:
        chosen.add(rng.randrange(projects))
    return {str(position + 1): 1 for position in sorted(chosen)}


def _results_round(context: DemoContext, rng: random.Random) -> None:
    organiser = context.users[Role.COMMUNITY_ORGANISER]
    administrator = context.users[Role.ADMINISTRATOR]
    place = _place(context, Role.COMMUNITY_ORGANISER)
    budget_round = _set_up(
        place,
        RESULTS_ROUND,
        "£60,000 for projects that help people in Old Trafford and Gorse Hill stay well, chosen by "
        "residents.",
        60_000,
        CHEST_PROJECTS,
        CHEST_IDEAS,
        by=organiser,
        idea_author=organiser,
        max_projects=4,
    )
    actions.open_voting(
        budget_round=budget_round,
        voting_closes_on=timezone.localdate(),
        by=organiser,
        seed=rng.randrange(2**32),
    )
    feasible = sum(1 for project in CHEST_PROJECTS if project.feasible)
    opened, closes = (
        REFERENCE_DATE - datetime.timedelta(days=92),
        REFERENCE_DATE - datetime.timedelta(days=62),
    )
    # The voters: demo residents of the neighbourhood (old enough on any day the demo may be built), and
    # residents the service holds no record for, at the neighbourhood's postcodes.
    on_record = [
        (person.full_name, person.date_of_birth, person.postcode)
        for person in Person.objects.filter(lsoa__in=place.lsoas.all()).order_by("pk")
        if age_on(person.date_of_birth, closes) >= 17
    ][:MOST_FROM_RECORDS]
    postcodes = list(postcodes_in(place.lsoas.all()).order_by("postcode").values_list("postcode", flat=True))
    needed = BALLOTS - len(on_record)
    drawn = fictional_residents(rng, 2 * needed, postcodes, closes)
    others = [
        (f"{resident.given_name} {resident.family_name}", resident.date_of_birth, resident.postcode)
        for resident in drawn
        if age_on(resident.date_of_birth, closes) >= 17
    ][:needed]
    keyers = (organiser, administrator)
    # One ballot per voter: a fictional resident who happens to share a record's name, birthday and
    # postcode would be the same voter.
    voters = list({voter_key(*voter): voter for voter in on_record + others}.values())
    for number, (full_name, born, postcode) in enumerate(voters, start=1):
        keying = actions.PaperKeying(
            reference=f"OT-{number:04d}",
            full_name=full_name,
            date_of_birth=born,
            postcode=postcode,
            choices=_choices(rng, CHEST_GROUPS, feasible),
        )
        first = number % 2
        actions.key_paper_ballot(budget_round=budget_round, keying=keying, by=keyers[first])
        actions.key_paper_ballot(budget_round=budget_round, keying=keying, by=keyers[1 - first])
    _date_back(budget_round, rng, opened=opened, closes=closes)
    budget_round.refresh_from_db()
    result = actions.close_voting(budget_round=budget_round, by=organiser)
    counted = _at(closes + datetime.timedelta(days=3), 10)
    BudgetResult.objects.filter(pk=result.pk).update(counted_at=counted)
    BudgetRound.objects.filter(pk=budget_round.pk).update(voting_closed_at=counted)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=datetime.UTC)


def _date_back(
    budget_round: BudgetRound, rng: random.Random, *, opened: datetime.date, closes: datetime.date
) -> None:
    """Put the finished round's history on fixed days: ideas in the summer, ballots through October."""
    created = _at(opened - datetime.timedelta(days=75), 9)
    BudgetRound.objects.filter(pk=budget_round.pk).update(
        created_at=created, voting_opened_at=_at(opened, 9), voting_closes_on=closes
    )
    for index, idea in enumerate(budget_round.ideas.order_by("pk")):
        Idea.objects.filter(pk=idea.pk).update(
            submitted_at=created + datetime.timedelta(days=3 + 4 * index),
            reviewed_at=created + datetime.timedelta(days=40),
        )
    budget_round.proposals.update(
        created_at=created + datetime.timedelta(days=35), reviewed_at=created + datetime.timedelta(days=55)
    )
    days = (closes - opened).days
    for paper in budget_round.paper_ballots.order_by("pk"):
        when = _at(
            opened + datetime.timedelta(days=rng.randrange(days + 1)), rng.randrange(9, 20), rng.randrange(60)
        )
        PaperBallot.objects.filter(pk=paper.pk).update(created_at=when)
        PaperEntry.objects.filter(paper=paper).update(keyed_at=when + datetime.timedelta(days=1))
        Ballot.objects.filter(paper=paper).update(cast_at=when)


def _ready_to_count_round(context: DemoContext, rng: random.Random) -> None:
    """A small round whose voting closed the day before the demo's "as of": the organiser counts it."""
    organiser = context.users[Role.COMMUNITY_ORGANISER]
    administrator = context.users[Role.ADMINISTRATOR]
    place = _place(context, Role.COMMUNITY_ORGANISER)
    budget_round = _set_up(
        place,
        READY_ROUND,
        "£12,000 to keep people in Gorse Hill warm and well this winter, chosen by residents.",
        12_000,
        WARMTH_PROJECTS,
        WARMTH_IDEAS,
        by=organiser,
        idea_author=organiser,
        max_projects=3,
    )
    actions.open_voting(
        budget_round=budget_round,
        voting_closes_on=timezone.localdate(),
        by=organiser,
        seed=rng.randrange(2**32),
    )
    opened, closes = AS_OF.date() - datetime.timedelta(days=15), AS_OF.date() - datetime.timedelta(days=1)
    postcodes = list(postcodes_in(place.lsoas.all()).order_by("postcode").values_list("postcode", flat=True))
    drawn = [
        resident
        for resident in fictional_residents(rng, 2 * READY_BALLOTS, postcodes, closes)
        if age_on(resident.date_of_birth, closes) >= 17
    ]
    voters = list(
        {voter_key(f"{r.given_name} {r.family_name}", r.date_of_birth, r.postcode): r for r in drawn}.values()
    )[:READY_BALLOTS]
    keyers = (organiser, administrator)
    for number, resident in enumerate(voters, start=1):
        keying = actions.PaperKeying(
            reference=f"GW-{number:03d}",
            full_name=f"{resident.given_name} {resident.family_name}",
            date_of_birth=resident.date_of_birth,
            postcode=resident.postcode,
            choices=_choices(rng, WARMTH_GROUPS, len(WARMTH_PROJECTS)),
        )
        first = number % 2
        actions.key_paper_ballot(budget_round=budget_round, keying=keying, by=keyers[first])
        actions.key_paper_ballot(budget_round=budget_round, keying=keying, by=keyers[1 - first])
    _date_back(budget_round, rng, opened=opened, closes=closes)


def _voting_round(context: DemoContext, rng: random.Random) -> None:
    administrator = context.users[Role.ADMINISTRATOR]
    budget_round = _set_up(
        context.borough,
        VOTING_ROUND,
        "£150,000 across Trafford for projects that help people live well for longer. Shares are weighted "
        "towards the areas where health is worst.",
        150_000,
        FUND_PROJECTS,
        FUND_IDEAS,
        by=administrator,
        idea_author=context.users[Role.RESIDENT],
        ballot_kind="knapsack",
        weight_by_deprivation=True,
    )
    actions.open_voting(
        budget_round=budget_round,
        voting_closes_on=timezone.localdate() + datetime.timedelta(days=28),
        by=administrator,
        seed=rng.randrange(2**32),
    )


def build_budgeting(context: DemoContext) -> bool:
    """Add the demo's budgeting rounds; return False when they are already there."""
    if BudgetRound.objects.filter(name=RESULTS_ROUND).exists():
        return False
    rng = context.rng("budgeting")
    _results_round(context, rng)
    _voting_round(context, rng)
    _ready_to_count_round(context, rng)
    return True
