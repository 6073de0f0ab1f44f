"""Budgeting rounds built through the actions, and voters who live where a round is, for the tests."""

from __future__ import annotations

import datetime
from dataclasses import replace
from typing import Any

from django.utils import timezone

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role, User
from commonweal.budgeting import actions
from commonweal.budgeting.models import BudgetRound, Proposal
from commonweal.people.models import Person
from commonweal.places.models import Area, Postcode
from tests.factories import PersonFactory, UserFactory

SETTINGS = actions.RoundSettings(
    name="North Trafford Healthy Communities Fund",
    description="Small projects that help people in North Trafford stay well.",
    budget=10_000,
    ballot_kind="approval",
    min_projects=1,
    max_projects=3,
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
PROJECTS = [
    ("Lit walking route in the park", 4_000),
    ("Community fridge", 3_000),
    ("Chair yoga for older people", 2_500),
    ("Youth football coaching", 5_000),
]


def today() -> datetime.date:
    return timezone.localdate()


def postcode_in(area: Area, index: int = 0) -> Postcode:
    """Return a real postcode inside a place (the index-th in postcode order)."""
    return Postcode.objects.filter(lsoa__in=area.lsoas.all()).order_by("postcode")[index]


def postcode_outside(area: Area) -> Postcode:
    """Return a real postcode that is not inside a place."""
    return Postcode.objects.exclude(lsoa__in=area.lsoas.all()).order_by("postcode")[0]


def make_voter(
    area: Area,
    *,
    index: int = 0,
    born: datetime.date = datetime.date(1980, 6, 1),
    postcode: str | None = None,
) -> User:
    """A resident with an account, whose record gives a date of birth and a postcode in `area`."""
    user = UserFactory.create()
    grant_role(user=user, role=Role.RESIDENT, area=area, by=None)
    found = postcode_in(area, index) if postcode is None else Postcode.objects.get(postcode=postcode)
    PersonFactory.create(user=user, date_of_birth=born, postcode=found.postcode, lsoa=found.lsoa)
    return user


def make_round(place: Area, organiser: User, **changes: Any) -> BudgetRound:
    """A round in its ideas phase."""
    return actions.create_round(place=place, settings=replace(SETTINGS, **changes), by=organiser)


def ballot_ready(
    place: Area, organiser: User, *, projects: list[tuple[str, int]] = PROJECTS, **changes: Any
) -> BudgetRound:
    """A round with the given projects, all feasible, its ideas answered, ready to open voting."""
    budget_round = make_round(place, organiser, **changes)
    idea = actions.submit_idea(
        budget_round=budget_round,
        title="Lights in the park",
        description="It is dark after four.",
        by=organiser,
    )
    actions.start_development(budget_round=budget_round, by=organiser)
    made = []
    for title, cost in projects:
        proposal = actions.save_proposal(
            budget_round=budget_round,
            title=title,
            description=f"{title}, for a year.",
            cost=cost,
            by=organiser,
        )
        actions.review_feasibility(proposal=proposal, decision="feasible", note="", by=organiser)
        made.append(proposal)
    actions.answer_idea(idea=idea, status="taken_forward", response="", proposal=made[0], by=organiser)
    budget_round.refresh_from_db()
    return budget_round


def voting_round(place: Area, organiser: User, **changes: Any) -> BudgetRound:
    """A round open for voting until the end of tomorrow, with ties broken by a lot drawn from seed 11.

    Tomorrow, not today: a test that runs across midnight must still find the round open (one that
    closed "today" refused the fixture's own ballots when CI crossed midnight on 7 December 2026).
    """
    budget_round = ballot_ready(place, organiser, **changes)
    actions.open_voting(
        budget_round=budget_round,
        voting_closes_on=today() + datetime.timedelta(days=1),
        by=organiser,
        seed=11,
    )
    budget_round.refresh_from_db()
    return budget_round


def pass_closing_day(budget_round: BudgetRound) -> None:
    """Let the closing day pass: the round's closing date becomes yesterday (and opening the day before)."""
    BudgetRound.objects.filter(pk=budget_round.pk).update(
        voting_closes_on=today() - datetime.timedelta(days=1),
        voting_opened_at=timezone.now() - datetime.timedelta(days=2),
    )
    budget_round.refresh_from_db()


def numbers(budget_round: BudgetRound) -> dict[str, Proposal]:
    """Return the round's projects by title."""
    return {proposal.title: proposal for proposal in budget_round.proposals.all()}


def person_of(user: User) -> Person:
    return Person.objects.get(user=user)
