"""Only organisers and administrators draw neighbourhoods: the action itself refuses everyone else."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.places.actions import draw_neighbourhood
from commonweal.places.models import Area
from commonweal.places.rules import may_draw_neighbourhoods

pytestmark = pytest.mark.django_db

MAY_DRAW = {Role.COMMUNITY_ORGANISER, Role.ADMINISTRATOR}


@pytest.mark.parametrize("role", list(Role))
def test_only_organisers_and_administrators_may_draw_neighbourhoods(persona, role):
    assert may_draw_neighbourhoods(persona(role)) is (role in MAY_DRAW)


@pytest.mark.parametrize("role", sorted(set(Role) - MAY_DRAW))
def test_drawing_a_neighbourhood_as_another_role_is_refused_and_changes_nothing(persona, places, role):
    user = persona(role)
    lsoas_before = set(places.north.lsoas.values_list("pk", flat=True))
    areas_before = Area.objects.count()
    with pytest.raises(PermissionDenied):
        draw_neighbourhood(
            borough=places.borough,
            name="Renamed",
            lsoas=list(places.borough.lsoas.all()[:3]),
            neighbourhood=places.north,
            by=user,
        )
    places.north.refresh_from_db()
    assert places.north.name == "North Trafford"
    assert set(places.north.lsoas.values_list("pk", flat=True)) == lsoas_before
    assert Area.objects.count() == areas_before
    assert not AuditEvent.objects.filter(action__startswith="places.").exists()


def test_a_signed_out_visitor_may_not_draw(places):
    from django.contrib.auth.models import AnonymousUser

    assert may_draw_neighbourhoods(AnonymousUser()) is False
