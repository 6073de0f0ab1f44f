"""Django's permission API answers from roles, so apps below accounts can guard pages without importing it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from commonweal.accounts.models import Role
from commonweal.accounts.permissions import ROLE_CAPABILITIES, Capability

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_has_perm_grants_exactly_the_capabilities_of_the_role(persona, role):
    user = persona(role)
    for capability in Capability:
        assert user.has_perm(f"commonweal.{capability.value}") is (capability in ROLE_CAPABILITIES[role])


def test_unknown_or_foreign_permissions_are_refused(persona):
    admin = persona(Role.ADMINISTRATOR)
    assert admin.has_perm("commonweal.launch_rockets") is False
    assert admin.has_perm("places.draw_neighbourhoods") is False


def test_an_inactive_user_holds_no_permission(persona):
    admin = persona(Role.ADMINISTRATOR)
    admin.is_active = False
    assert admin.has_perm("commonweal.manage_access") is False


def test_a_signed_out_visitor_holds_no_permission():
    assert AnonymousUser().has_perm("commonweal.view_organisations") is False
