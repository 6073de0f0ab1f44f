"""Drawing a neighbourhood at a given time (`at=`) is audited at that time."""

from __future__ import annotations

import datetime

import pytest

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.places.actions import draw_neighbourhood

pytestmark = pytest.mark.django_db

DRAWN = datetime.datetime(2025, 9, 1, 18, 0, tzinfo=datetime.UTC)


def test_a_neighbourhood_drawn_at_a_given_time_is_audited_then(places, persona):
    organiser = persona(Role.COMMUNITY_ORGANISER)
    area = draw_neighbourhood(
        borough=places.borough,
        name="Canal Side",
        lsoas=list(places.borough.lsoas.order_by("code")[:2]),
        by=organiser,
        at=DRAWN,
    )
    event = AuditEvent.objects.get(action="places.create_neighbourhood", target_id=area.pk)
    assert (event.actor, event.occurred_at) == (organiser, DRAWN)
