"""Who may do what with assemblies and steering groups.

Organisers and administrators run bodies in the places their roles are held in and in every place
inside them (a role held in an organisation reaches the place that organisation serves). Actions check
these predicates and raise PermissionDenied; views call the same ones for an early refusal.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from commonweal.accounts.models import Role, User
from commonweal.accounts.permissions import Capability, can
from commonweal.accounts.queries import place_ids_of
from commonweal.assemblies.models import Body
from commonweal.places.models import Area

_RUNNING_ROLES = (Role.COMMUNITY_ORGANISER, Role.ADMINISTRATOR)


def managed_place_ids(user: User | AnonymousUser | None) -> frozenset[int]:
    """Return the places in which the user runs assemblies and steering groups, with all places inside."""
    if user is None or not can(user, Capability.RUN_ASSEMBLIES):
        return frozenset()
    return place_ids_of(user, *_RUNNING_ROLES)


def may_run_in_place(user: User | AnonymousUser | None, place: Area) -> bool:
    """May the user set up an assembly or a steering group in this place?"""
    return place.pk in managed_place_ids(user)


def may_run_body(user: User | AnonymousUser | None, body: Body) -> bool:
    """May the user run this assembly or steering group: recruit, select, add members, record its work?"""
    return body.place_id in managed_place_ids(user)
