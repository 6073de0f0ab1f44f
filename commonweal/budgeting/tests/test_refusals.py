"""Every budgeting action an organiser takes refuses a user who does not run the round's place: an
organiser from another place and a resident each get PermissionDenied, and nothing changes."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.budgeting import actions
from commonweal.budgeting.models import Milestone, PaperBallot
from commonweal.budgeting.tests.budgeting_helpers import SETTINGS, ballot_ready, postcode_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)


def database_snapshot():
    """Every row of every budgeting table, and the audit log, as plain values."""
    tables = {
        model.__name__: list(model._default_manager.order_by("pk").values())
        for model in apps.get_app_config("budgeting").get_models()
    }
    tables["AuditEvent"] = list(AuditEvent.objects.order_by("pk").values())
    return tables


@pytest.fixture
def world(places, organiser):
    """A round ready to open voting, with its projects and an answered idea.

    The paper ballot and the milestone are not saved: the rule is checked before the action reads or
    writes anything, and only their round matters to it.
    """
    budget_round = ballot_ready(places.north, organiser)
    proposal = budget_round.proposals.order_by("number").first()
    return {
        "place": places.north,
        "round": budget_round,
        "idea": budget_round.ideas.get(),
        "proposal": proposal,
        "paper": PaperBallot(round=budget_round, reference="P1"),
        "milestone": Milestone(proposal=proposal, title="Order the lights"),
        "keying": actions.PaperKeying(
            reference="P1",
            full_name="Pat Paper",
            date_of_birth=datetime.date(1970, 1, 1),
            postcode=postcode_in(places.north).postcode,
            choices={str(proposal.number): 1},
        ),
    }


ACTIONS: dict[str, Callable[[dict[str, Any], Any], object]] = {
    "create_round": lambda w, by: actions.create_round(place=w["place"], settings=SETTINGS, by=by),
    "change_round": lambda w, by: actions.change_round(budget_round=w["round"], settings=SETTINGS, by=by),
    "answer_idea": lambda w, by: actions.answer_idea(
        idea=w["idea"], status="not_taken_forward", response="Too dear.", proposal=None, by=by
    ),
    "save_proposal": lambda w, by: actions.save_proposal(
        budget_round=w["round"], title="Benches", description="Three benches.", cost=900, by=by
    ),
    "review_feasibility": lambda w, by: actions.review_feasibility(
        proposal=w["proposal"], decision="not_feasible", note="No.", by=by
    ),
    "start_development": lambda w, by: actions.start_development(budget_round=w["round"], by=by),
    "open_voting": lambda w, by: actions.open_voting(
        budget_round=w["round"], voting_closes_on=DAY, by=by, seed=1
    ),
    "key_paper_ballot": lambda w, by: actions.key_paper_ballot(
        budget_round=w["round"], keying=w["keying"], by=by
    ),
    "resolve_paper_ballot": lambda w, by: actions.resolve_paper_ballot(
        paper=w["paper"], keying=w["keying"], note="", by=by
    ),
    "close_voting": lambda w, by: actions.close_voting(budget_round=w["round"], by=by),
    "start_delivery": lambda w, by: actions.start_delivery(budget_round=w["round"], by=by),
    "add_milestone": lambda w, by: actions.add_milestone(
        proposal=w["proposal"], title="Order the lights", due_on=None, note="", by=by
    ),
    "complete_milestone": lambda w, by: actions.complete_milestone(
        milestone=w["milestone"], done_on=DAY, by=by
    ),
    "record_spend": lambda w, by: actions.record_spend(
        proposal=w["proposal"], amount=Decimal("100.00"), spent_on=DAY, description="Lights", by=by
    ),
}


@pytest.fixture(params=["organiser elsewhere", "resident", "nobody"])
def refused(request, places, persona):
    """A user who must be refused: an organiser of another place, a resident, or no signed-in user."""
    if request.param == "organiser elsewhere":
        outsider = UserFactory()
        grant_role(user=outsider, role=Role.COMMUNITY_ORGANISER, area=places.south, by=None)
        return outsider
    if request.param == "resident":
        return persona(Role.RESIDENT)
    return None


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_an_organisers_action_refuses_a_user_who_does_not_run_the_place_and_changes_nothing(
    world, refused, name
):
    before = database_snapshot()
    with pytest.raises(PermissionDenied) as caught:
        ACTIONS[name](world, refused)
    assert str(caught.value) == "You do not run budgeting rounds in this place."
    assert database_snapshot() == before


def test_every_action_that_changes_something_is_checked_here_or_is_the_residents_own():
    # Residents' own actions follow the round's rules of who may take part (shown on the form), not these.
    residents = {"submit_idea", "cast_online_ballot", "change_online_ballot"}
    writers = {
        name
        for name, value in vars(actions).items()
        if callable(value)
        and getattr(value, "__module__", "") == actions.__name__
        and hasattr(value, "__wrapped__")
    }
    assert writers - residents == set(ACTIONS)
