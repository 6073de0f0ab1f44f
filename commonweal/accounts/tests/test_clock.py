"""The accounts actions write the time they are given (`at=`), and their audit events carry it."""

from __future__ import annotations

import datetime

import pytest

from commonweal.accounts.actions import create_api_token, grant_role, revoke_api_token
from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GRANTED = datetime.datetime(2025, 2, 3, 9, 0, tzinfo=datetime.UTC)
REVOKED = datetime.datetime(2025, 4, 5, 17, 30, tzinfo=datetime.UTC)


def test_a_role_granted_at_a_given_time_is_dated_then(places):
    user = UserFactory.create()
    assignment = grant_role(
        user=user, role=Role.LINK_WORKER, organisation=places.practice, by=None, at=GRANTED
    )
    assignment.refresh_from_db()
    assert assignment.granted_at == GRANTED
    assert AuditEvent.objects.get(action="accounts.grant_role", target_id=user.pk).occurred_at == GRANTED


def test_a_token_issued_and_revoked_at_given_times_is_dated_then(persona):
    user = persona(Role.REFERRER)  # staff, who may issue their own tokens
    token, _ = create_api_token(user=user, name="Reports", by=user, at=GRANTED)
    revoke_api_token(token=token, by=user, at=REVOKED)
    token.refresh_from_db()
    assert (token.created_at, token.revoked_at) == (GRANTED, REVOKED)
    assert list(
        AuditEvent.objects.filter(target_id=token.pk, action__contains="api_token")
        .order_by("pk")
        .values_list("action", "occurred_at")
    ) == [("accounts.create_api_token", GRANTED), ("accounts.revoke_api_token", REVOKED)]
