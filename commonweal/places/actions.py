"""Write use cases for places."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from commonweal.audit.actions import record_event
from commonweal.places import rules
from commonweal.places.models import Area, Lsoa

if TYPE_CHECKING:  # the user model is reached through settings.AUTH_USER_MODEL, never imported
    from commonweal.accounts.models import User


class NeighbourhoodError(ValueError):
    """A neighbourhood could not be saved as drawn; the message says why."""


def _unique_code(name: str) -> str:
    base = slugify(name)[:50] or "neighbourhood"
    code, suffix = base, 2
    while Area.objects.filter(code=code).exists():
        code, suffix = f"{base}-{suffix}", suffix + 1
    return code


@transaction.atomic
def draw_neighbourhood(
    *,
    borough: Area,
    name: str,
    lsoas: Iterable[Lsoa],
    description: str = "",
    by: User,
    neighbourhood: Area | None = None,
) -> Area:
    """Create or redraw a neighbourhood as a named set of the borough's LSOAs."""
    if not rules.may_draw_neighbourhoods(by):
        raise PermissionDenied("Only a community organiser or an administrator can draw neighbourhoods.")
    chosen = list(lsoas)
    if borough.kind != Area.Kind.BOROUGH:
        raise NeighbourhoodError("A neighbourhood must be drawn inside a borough.")
    if not chosen:
        raise NeighbourhoodError("Choose at least one area (LSOA) for the neighbourhood.")
    outside = [lsoa.code for lsoa in chosen if not borough.lsoas.filter(pk=lsoa.pk).exists()]
    if outside:
        raise NeighbourhoodError(f"These areas are not in {borough.name}: {', '.join(outside)}.")
    if neighbourhood is None:
        neighbourhood = Area.objects.create(
            kind=Area.Kind.NEIGHBOURHOOD,
            name=name,
            code=_unique_code(name),
            parent=borough,
            description=description,
        )
        action = "places.create_neighbourhood"
    else:
        neighbourhood.name, neighbourhood.description = name, description
        neighbourhood.save(update_fields=["name", "description"])
        action = "places.redraw_neighbourhood"
    neighbourhood.lsoas.set(chosen)
    record_event(by=by, action=action, target=neighbourhood, lsoas=sorted(lsoa.code for lsoa in chosen))
    return neighbourhood
