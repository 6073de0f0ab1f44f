import pytest

from commonweal.accounts.models import Role
from commonweal.accounts.permissions import Capability, capabilities_of, navigation_for

C = Capability

# The reviewed table of who may do what. It is written out again here, not derived from the code, so a
# capability granted to a role by mistake fails this test until someone reviews and adds it.
STAFF = {C.VIEW_ORGANISATIONS, C.USE_API_TOKENS}
EXPECTED = {
    Role.RESIDENT: {C.VIEW_OWN_RECORD, C.MANAGE_OWN_PLAN, C.ANSWER_OWN_MEASURES, C.USE_TIMEBANK},
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
        C.USE_TIMEBANK,
    },
    Role.COMMUNITY_HEALTH_WORKER: STAFF
    | {C.BREAK_GLASS, C.MAKE_REFERRALS, C.VISIT_HOUSEHOLDS, C.SUPERVISE_HOUSEHOLDS},
    Role.FACILITATOR: {C.VIEW_OWN_ORGANISATION, C.VOLUNTEER},
    Role.VOLUNTEER_COORDINATOR: STAFF | {C.VIEW_OWN_ORGANISATION, C.COORDINATE_VOLUNTEERS},
    Role.SAFEGUARDING_LEAD: STAFF | {C.VIEW_OWN_ORGANISATION, C.RECEIVE_SAFEGUARDING_CONCERNS},
    Role.COMMUNITY_ORGANISER: STAFF
    | {
        C.DRAW_NEIGHBOURHOODS,
        C.VIEW_DEPRIVATION_PROFILE,
        C.STEWARD_DIRECTORY,
        C.RUN_ASSEMBLIES,
        C.RUN_BUDGETING,
        C.RUN_TIMEBANK,
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
        C.RUN_TIMEBANK,
        C.ANALYSE_EVIDENCE,
        C.MANAGE_HOUSEHOLDS,
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
        "My household",
        "Timebank",
        "Community directory",
        "Participatory budgeting",
        "You said, we did",
        "Places",
        "Postcode lookup",
    ]
    labels = [item.label for item in navigation_for(persona(Role.ADMINISTRATOR))]
    assert labels == [
        "Home",
        "Households",
        "Assemblies",
        "Budgeting rounds",
        "Directory review",
        "Evidence",
        "People and access",
        "Break-glass reviews",
        "Erasure requests",
        "Timebank coordination",
        "Community directory",
        "Participatory budgeting",
        "You said, we did",
        "Organisations",
        "Places",
        "Postcode lookup",
    ]


# What each role does every day: it comes right after Home, so it shows in the header without "More".
DAILY_WORK = {
    Role.RESIDENT: ["My record", "My wellbeing", "My household"],
    Role.REFERRER: ["Refer someone", "My referrals"],
    Role.LINK_WORKER: ["Caseload", "Triage", "Safety alerts"],
    Role.COMMUNITY_HEALTH_WORKER: ["My agenda"],
    Role.COMMUNITY_ORGANISER: ["Assemblies", "Budgeting rounds"],
    Role.FACILITATOR: ["My volunteering"],
    Role.VOLUNTEER_COORDINATOR: ["Volunteers"],
    Role.ORGANISATION_MEMBER: ["Connections inbox", "My organisation"],
    Role.COMMISSIONER: ["Evidence"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(DAILY_WORK), ids=str)
def test_each_roles_daily_work_comes_first_in_its_navigation(persona, role):
    labels = [item.label for item in navigation_for(persona(role))]
    assert labels[1 : 1 + len(DAILY_WORK[role])] == DAILY_WORK[role]


def test_an_anonymous_visitor_has_no_capabilities_and_no_navigation():
    from django.contrib.auth.models import AnonymousUser

    assert capabilities_of(AnonymousUser()) == frozenset()
    assert navigation_for(AnonymousUser()) == []
