"""Where a user may run assemblies and steering groups: the places their organiser or administrator
roles are held in, and every place inside them."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from commonweal.accounts.models import Role, User
from commonweal.accounts.permissions import Capability, can
from commonweal.assemblies.models import Body
from commonweal.places.models import Area

_RUNNING_ROLES = (Role.COMMUNITY_ORGANISER, Role.ADMINISTRATOR)


def managed_place_ids(user: User | AnonymousUser) -> frozenset[int]:
    """Return the places in which the user runs assemblies and steering groups, with all places inside."""
    if not isinstance(user, User) or not can(user, Capability.RUN_ASSEMBLIES):
        return frozenset()
    roots: set[int] = set()
    for area_id, organisation_area_id in user.role_assignments.filter(role__in=_RUNNING_ROLES).values_list(
        "area_id", "organisation__area_id"
    ):
        # A role held in an organisation reaches the place that organisation serves.
        for found in (area_id, organisation_area_id):
            if found is not None:
                roots.add(found)
    reached = set(roots)
    frontier = set(roots)
    while frontier:
        frontier = set(Area.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - reached
        reached |= frontier
    return frozenset(reached)


def managed_places(user: User | AnonymousUser) -> list[Area]:
    """Return the places the user may run bodies in, broadest first."""
    return list(Area.objects.filter(pk__in=managed_place_ids(user)).order_by("kind", "name"))


def body_to_manage(request: HttpRequest, pk: int, *, kind: str | None = None) -> Body:
    """Load a body the signed-in user runs; 404 if there is none, 403 if it is outside their places."""
    queryset = Body.objects.select_related("place", "responsible_organisation")
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    body = get_object_or_404(queryset, pk=pk)
    if body.place_id not in managed_place_ids(request.user):
        raise PermissionDenied("You do not run assemblies or steering groups in this place.")
    return body
