import pytest

from commonweal.accounts.models import Role
from commonweal.accounts.permissions import Capability, capabilities_of, navigation_for

C = Capability

# The reviewed table of who may do what. It is written out again here, not derived from the code, so a
# capability granted to a role by mistake fails this test until someone reviews and adds it.
STAFF = {C.VIEW_ORGANISATIONS, C.USE_API_TOKENS}
EXPECTED = {
    Role.RESIDENT: {C.VIEW_OWN_RECORD, C.MANAGE_OWN_PLAN, C.ANSWER_OWN_MEASURES},
    Role.LINK_WORKER: STAFF
    | {
        C.BREAK_GLASS,
        C.MAKE_REFERRALS,
        C.TRIAGE_REFERRALS,
        C.WORK_CASELOAD,
        C.RECORD_MEASURES,
        C.RESPOND_TO_SAFETY_ALERTS,
    },
    Role.REFERRER: STAFF | {C.MAKE_REFERRALS},
    Role.ORGANISATION_MEMBER: {
        C.VIEW_OWN_ORGANISATION,
        C.RESPOND_TO_CONNECTIONS,
        C.MAINTAIN_DIRECTORY_ENTRIES,
    },
    Role.COMMUNITY_HEALTH_WORKER: STAFF | {C.BREAK_GLASS, C.MAKE_REFERRALS},
    Role.FACILITATOR: {C.VIEW_OWN_ORGANISATION},
    Role.COMMUNITY_ORGANISER: STAFF
    | {
        C.DRAW_NEIGHBOURHOODS,
        C.VIEW_DEPRIVATION_PROFILE,
        C.STEWARD_DIRECTORY,
        C.RUN_ASSEMBLIES,
        C.RUN_BUDGETING,
    },
    Role.COMMISSIONER: STAFF | {C.VIEW_DEPRIVATION_PROFILE, C.ANALYSE_EVIDENCE},
    Role.ADMINISTRATOR: STAFF
    | {
        C.MANAGE_ACCESS,
        C.MANAGE_ORGANISATIONS,
        C.DRAW_NEIGHBOURHOODS,
        C.VIEW_DEPRIVATION_PROFILE,
        C.STEWARD_DIRECTORY,
        C.RUN_ASSEMBLIES,
        C.RUN_BUDGETING,
        C.ANALYSE_EVIDENCE,
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_each_role_grants_exactly_what_its_work_needs(persona, role):
    assert capabilities_of(persona(role)) == EXPECTED[role]


@pytest.mark.django_db
def test_a_user_with_two_roles_holds_both_sets_of_capabilities(persona, places):
    from commonweal.accounts.actions import grant_role

    user = persona(Role.RESIDENT)
    grant_role(user=user, role=Role.FACILITATOR, organisation=places.vcse, by=None)
    user = type(user).objects.get(pk=user.pk)
    assert capabilities_of(user) == EXPECTED[Role.RESIDENT] | EXPECTED[Role.FACILITATOR]


@pytest.mark.django_db
def test_navigation_shows_only_pages_the_role_may_open(persona):
    labels = [item.label for item in navigation_for(persona(Role.RESIDENT))]
    assert labels == [
        "Home",
        "My record",
        "My wellbeing",
        "Community directory",
        "Places",
        "Postcode lookup",
        "You said, we did",
        "Participatory budgeting",
    ]
    labels = [item.label for item in navigation_for(persona(Role.ADMINISTRATOR))]
    assert labels == [
        "Home",
        "Organisations",
        "Community directory",
        "Directory review",
        "Places",
        "Postcode lookup",
        "Assemblies and steering groups",
        "Budgeting rounds",
        "You said, we did",
        "Participatory budgeting",
        "Evidence",
        "People and access",
        "Break-glass reviews",
        "Erasure requests",
    ]


def test_an_anonymous_visitor_has_no_capabilities_and_no_navigation():
    from django.contrib.auth.models import AnonymousUser

    assert capabilities_of(AnonymousUser()) == frozenset()
    assert navigation_for(AnonymousUser()) == []
