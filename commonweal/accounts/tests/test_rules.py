"""Only administrators grant and take away roles; staff issue tokens only for themselves; a token's holder
revokes it. The actions refuse everyone else and change nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from commonweal.accounts.actions import create_api_token, grant_role, revoke_api_token, revoke_role
from commonweal.accounts.models import ApiToken, Role, RoleAssignment
from commonweal.audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOT_ADMINISTRATORS = sorted(set(Role) - {Role.ADMINISTRATOR})


def _state() -> tuple:
    return (
        sorted(RoleAssignment.objects.values_list("pk", "user_id", "role", "organisation_id", "area_id")),
        sorted(ApiToken.objects.values_list("pk", "user_id", "revoked_at")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_granting_a_role_as_anyone_but_an_administrator_is_refused(persona, places, role):
    actor, someone = persona(role), UserFactory.create()
    before = _state()
    with pytest.raises(PermissionDenied, match="Only administrators grant roles"):
        grant_role(user=someone, role=Role.ADMINISTRATOR, area=places.ics, by=actor)
    assert _state() == before


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_taking_a_role_away_as_anyone_but_an_administrator_is_refused(persona, places, role):
    actor, holder = persona(role), persona(Role.LINK_WORKER)
    before = _state()
    with pytest.raises(PermissionDenied, match="Only administrators take roles away"):
        revoke_role(assignment=holder.role_assignments.get(), by=actor)
    assert _state() == before


def test_an_administrator_grants_and_takes_away_a_role(persona, places):
    admin, someone = persona(Role.ADMINISTRATOR), UserFactory.create()
    assignment = grant_role(user=someone, role=Role.REFERRER, organisation=places.practice, by=admin)
    revoke_role(assignment=assignment, by=admin)
    assert not someone.role_assignments.exists()
    assert list(AuditEvent.objects.filter(target_id=someone.pk).values_list("action", "actor_id")) == [
        ("accounts.revoke_role", admin.pk),
        ("accounts.grant_role", admin.pk),
    ]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.ORGANISATION_MEMBER, Role.FACILITATOR])
def test_a_role_without_api_access_cannot_issue_a_token(persona, role):
    user = persona(role)
    before = _state()
    with pytest.raises(PermissionDenied, match="for themselves only"):
        create_api_token(user=user, name="Mine", by=user)
    assert _state() == before


def test_nobody_issues_a_token_for_someone_else(persona):
    admin, referrer = persona(Role.ADMINISTRATOR), persona(Role.REFERRER)
    before = _state()
    with pytest.raises(PermissionDenied, match="for themselves only"):
        create_api_token(user=referrer, name="For you", by=admin)
    assert _state() == before


def test_only_the_holder_revokes_a_token(persona):
    holder, admin = persona(Role.REFERRER), persona(Role.ADMINISTRATOR)
    token, _secret = create_api_token(user=holder, name="Reports", by=holder)
    before = _state()
    with pytest.raises(PermissionDenied, match="holder revokes it"):
        revoke_api_token(token=token, by=admin)
    assert _state() == before
    revoke_api_token(token=token, by=holder)
    token.refresh_from_db()
    assert token.revoked_at is not None
