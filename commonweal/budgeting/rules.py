"""Who may do what with participatory budgeting rounds.

Organisers and administrators run rounds in the places their roles are held in and in every place
inside them (a role held in an organisation reaches the place that organisation serves), under the
budgeting capability. Residents take part under the round's own rules of who may vote and when, which
the actions apply as the round's settings (not permissions). Actions check these predicates and raise
PermissionDenied; views call the same ones for an early refusal.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from commonweal.accounts.models import Role, User
from commonweal.accounts.permissions import Capability, can
from commonweal.accounts.queries import place_ids_of
from commonweal.budgeting.models import BudgetRound
from commonweal.places.models import Area

_RUNNING_ROLES = (Role.COMMUNITY_ORGANISER, Role.ADMINISTRATOR)


def budgeting_place_ids(user: User | AnonymousUser | None) -> frozenset[int]:
    """Return the places in which the user runs budgeting rounds, with all places inside them."""
    if user is None or not can(user, Capability.RUN_BUDGETING):
        return frozenset()
    return place_ids_of(user, *_RUNNING_ROLES)


def may_run_in_place(user: User | AnonymousUser | None, place: Area) -> bool:
    """May the user set up a budgeting round in this place?"""
    return place.pk in budgeting_place_ids(user)


def may_run_round(user: User | AnonymousUser | None, budget_round: BudgetRound) -> bool:
    """May the user run this round: its settings, ideas, projects, phases, paper ballots and delivery?"""
    return budget_round.place_id in budgeting_place_ids(user)
