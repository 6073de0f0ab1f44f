"""Reusable reads about accounts and the scopes of their roles."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from commonweal.accounts.models import Role, User
from commonweal.places.queries import descendant_ids


def place_ids_of(user: User | AnonymousUser | None, *roles: Role) -> frozenset[int]:
    """Return the places where the user holds any of the roles, with every place inside them.

    A role held in a place reaches that place; a role held in an organisation reaches the place the
    organisation serves.
    """
    if not isinstance(user, User):
        return frozenset()
    rows = user.role_assignments.filter(role__in=roles).values_list("area_id", "organisation__area_id")
    return descendant_ids({place_id for row in rows for place_id in row if place_id is not None})
