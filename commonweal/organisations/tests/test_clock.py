"""Registering an organisation at a given time (`at=`) is audited at that time."""

from __future__ import annotations

import datetime

import pytest

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.organisations.actions import register_organisation
from commonweal.organisations.models import Organisation

pytestmark = pytest.mark.django_db

REGISTERED = datetime.datetime(2025, 1, 20, 10, 0, tzinfo=datetime.UTC)


def test_an_organisation_registered_at_a_given_time_is_audited_then(places, persona):
    admin = persona(Role.ADMINISTRATOR)
    organisation = register_organisation(
        by=admin, at=REGISTERED, kind=Organisation.Kind.VCSE, name="Sale Knitting Circle"
    )
    event = AuditEvent.objects.get(action="organisations.register", target_id=organisation.pk)
    assert (event.actor, event.occurred_at, event.detail) == (
        admin,
        REGISTERED,
        {"name": "Sale Knitting Circle"},
    )
