"""Who may see and add organisations: the rules, and the action refusing everyone but administrators."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.organisations.actions import register_organisation
from commonweal.organisations.models import Organisation
from commonweal.organisations.rules import may_list_organisations, may_view_organisation

pytestmark = pytest.mark.django_db

STAFF = {
    Role.LINK_WORKER,
    Role.REFERRER,
    Role.COMMUNITY_HEALTH_WORKER,
    Role.COMMUNITY_ORGANISER,
    Role.COMMISSIONER,
    Role.ADMINISTRATOR,
    # Staff of the volunteering organisations (accounts/permissions.py: _STAFF_BASICS).
    Role.VOLUNTEER_COORDINATOR,
    Role.SAFEGUARDING_LEAD,
}


@pytest.mark.parametrize("role", list(Role))
def test_staff_see_every_organisation_and_members_only_their_own(persona, places, role):
    user = persona(role)
    assert may_list_organisations(user) is (role in STAFF)
    assert may_view_organisation(user, places.icb) is (role in STAFF)
    own = role in STAFF or role in {Role.ORGANISATION_MEMBER, Role.FACILITATOR}
    assert may_view_organisation(user, places.vcse) is own


def test_a_signed_out_visitor_sees_no_organisation(places):
    assert may_list_organisations(AnonymousUser()) is False
    assert may_view_organisation(AnonymousUser(), places.vcse) is False


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.ADMINISTRATOR}))
def test_registering_an_organisation_as_another_role_is_refused_and_changes_nothing(persona, places, role):
    user = persona(role)
    before = Organisation.objects.count()
    with pytest.raises(PermissionDenied):
        register_organisation(by=user, name="Uninvited Trust", kind=Organisation.Kind.VCSE)
    assert Organisation.objects.count() == before
    assert not Organisation.objects.filter(name="Uninvited Trust").exists()
    assert not AuditEvent.objects.filter(action="organisations.register").exists()


def test_an_administrator_registers_an_organisation_and_it_is_recorded(persona, places):
    admin = persona(Role.ADMINISTRATOR)
    made = register_organisation(by=admin, name="Invited Trust", kind=Organisation.Kind.VCSE)
    assert Organisation.objects.get(name="Invited Trust") == made
    assert AuditEvent.objects.get(action="organisations.register").actor == admin
