"""Each change to a person's record refuses someone who may not make it, and then changes nothing.

Rosa is a resident with her own account; Lena is a link worker with no relationship to her (she may
only break glass to read); Gill refers; Otto runs a community group.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.people import actions, rules
from commonweal.people.models import Goal, GoalReview, NetworkMember, Person, Plan, SafeguardingConcern
from tests.factories import PersonFactory


@pytest.fixture
def rosa(persona):
    user = persona(Role.RESIDENT, full_name="Rosa Resident")
    person = PersonFactory(
        given_name="Rosa", family_name="Resident", nhs_number="9434765919", user=user, phone="0161 496 0000"
    )
    actions.add_network_member(person=person, kind="family", name="Dee", by=user)
    actions.update_plan(person=person, summary="Back to the allotment", by=user)
    actions.set_goal(person=person, description="Walk on Sundays", by=user)
    return person


@pytest.fixture
def lena(persona):
    return persona(Role.LINK_WORKER, full_name="Lena Linkworker")


def _snapshot():
    return {
        "counts": [
            model.objects.count()
            for model in (Person, NetworkMember, SafeguardingConcern, Plan, Goal, GoalReview, AuditEvent)
        ],
        "people": sorted(Person.objects.values_list("pk", "phone", "what_matters", "updated_at")),
        "plans": sorted(Plan.objects.values_list("pk", "summary", "updated_at")),
        "goals": sorted(Goal.objects.values_list("pk", "progress", "steps", "updated_at")),
    }


def _refused(call):
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        call()
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_community_group_member_cannot_add_a_person(persona):
    member = persona(Role.ORGANISATION_MEMBER)
    _refused(
        lambda: actions.create_person(
            by=member,
            given_name="Ava",
            family_name="New",
            date_of_birth=datetime.date(1980, 1, 1),
            sex="female",
        )
    )
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_a_referrer_cannot_break_glass(persona, rosa):
    referrer = persona(Role.REFERRER)
    _refused(
        lambda: actions.break_glass(person=rosa, reason="Curious about her care plan today", by=referrer)
    )
    assert AuditEvent.objects.filter(action="people.break_glass").count() == 0


@pytest.mark.django_db
def test_staff_without_rosa_on_their_caseload_cannot_change_her_record(lena, rosa):
    _refused(lambda: actions.update_record(person=rosa, by=lena, phone="0161 496 9999"))
    assert Person.objects.get().phone == "0161 496 0000"


@pytest.mark.django_db
def test_staff_without_rosa_on_their_caseload_cannot_add_to_her_network(lena, rosa):
    _refused(lambda: actions.add_network_member(person=rosa, kind="friend", name="Moira", by=lena))
    assert NetworkMember.objects.count() == 1


@pytest.mark.django_db
def test_staff_without_rosa_on_their_caseload_cannot_write_her_plan(lena, rosa):
    _refused(lambda: actions.update_plan(person=rosa, summary="Something else", by=lena))
    assert Plan.objects.get().summary == "Back to the allotment"


@pytest.mark.django_db
def test_staff_without_rosa_on_their_caseload_cannot_set_her_a_goal(lena, rosa):
    _refused(lambda: actions.set_goal(person=rosa, description="Join a choir", by=lena))
    assert Goal.objects.count() == 1


@pytest.mark.django_db
def test_staff_without_rosa_on_their_caseload_cannot_review_her_goal(lena, rosa):
    goal = Goal.objects.get()
    _refused(lambda: actions.update_goal(goal=goal, progress="achieved", by=lena))
    assert (Goal.objects.get().progress, GoalReview.objects.count()) == ("not_started", 0)


@pytest.mark.django_db
def test_neither_rosa_nor_staff_without_her_on_their_caseload_record_a_safeguarding_concern(lena, rosa):
    for by in (rosa.user, lena):
        _refused(lambda by=by: actions.record_safeguarding_concern(person=rosa, concern="Worried", by=by))
    assert SafeguardingConcern.objects.count() == 0


@pytest.mark.django_db
def test_rosa_may_change_her_own_record_and_a_link_worker_may_break_glass_but_not_edit(lena, rosa):
    assert rules.may_edit_person(rosa.user, rosa) is True
    assert rules.may_record_safeguarding_concern(rosa.user, rosa) is False
    assert rules.may_break_glass(lena, rosa) is True
    assert rules.may_break_glass(rosa.user, rosa) is False
    assert rules.may_edit_person(lena, rosa) is False
