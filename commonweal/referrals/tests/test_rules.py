"""Each step of the journey refuses someone who may not take it, and then nothing has changed.

The personas are the World's (see factories): Alice works Rosa's case, Bea is her colleague in the
team, Sam supervises the team, Dr Gill refers, Otto runs the walking group, Carl is a link worker of
another team, and Rosa is the resident.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from commonweal.audit.models import AuditEvent
from commonweal.people.models import Person
from commonweal.referrals import actions, rules
from commonweal.referrals.models import (
    Attendance,
    Connection,
    ConnectionTransition,
    ContactLogEntry,
    Conversation,
    JourneyCode,
    MessageBack,
    Referral,
    SmallSum,
    SmallSumBudget,
)
from commonweal.referrals.tests.factories import connection_for, open_case, referral_for


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _snapshot():
    models = (
        Person,
        Referral,
        JourneyCode,
        MessageBack,
        ContactLogEntry,
        Conversation,
        SmallSum,
        SmallSumBudget,
        Connection,
        ConnectionTransition,
        Attendance,
        AuditEvent,
    )
    return {
        "counts": {model.__name__: model.objects.count() for model in models},
        "referrals": sorted(
            Referral.objects.values_list("pk", "status", "link_worker_id", "next_action", "open_alerts")
        ),
        "connections": sorted(Connection.objects.values_list("pk", "status", "needs_attention")),
        "small_sums": sorted(SmallSum.objects.values_list("pk", "status", "decided_by_id")),
    }


def _refused(call):
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        call()
    assert _snapshot() == before
    return before


# --------------------------------------------------------------------------------- referrals in


@pytest.mark.django_db
def test_a_community_group_member_cannot_make_a_referral(world):
    before = _refused(
        lambda: actions.make_referral(
            person=world.rosa, team=world.team, source="gp", reasons=["loneliness"], by=world.member
        )
    )
    assert before["counts"]["Referral"] == 0


@pytest.mark.django_db
def test_a_community_group_member_cannot_refer_someone_new(world):
    before = _refused(
        lambda: actions.refer(
            nhs_number="",
            date_of_birth=datetime.date(1990, 1, 1),
            details={"given_name": "Ava", "family_name": "New", "sex": "female"},
            team=world.team,
            source="other",
            reasons=["loneliness"],
            by=world.member,
        )
    )
    assert (before["counts"]["Person"], before["counts"]["Referral"]) == (1, 0)


@pytest.mark.django_db
def test_the_public_form_refuses_a_sixth_self_referral_from_one_address_in_an_hour(world):
    # The limit is counted in the database (issue 12, finding 10): fill this hour's count.
    for _ in range(rules.SELF_REFERRALS_PER_HOUR):
        actions.count_self_referral("203.0.113.9")
    _refused(
        lambda: actions.self_refer(
            nhs_number="",
            date_of_birth=datetime.date(1988, 3, 9),
            details={"given_name": "Wren", "family_name": "Hollowmere", "sex": "female", "postcode": ""},
            reasons=["loneliness"],
            client_address="203.0.113.9",
        )
    )
    assert Person.objects.filter(given_name="Wren").count() == 0


@pytest.mark.django_db
def test_a_link_worker_of_another_team_cannot_accept_or_decline_a_referral(world):
    referral = referral_for(world)
    _refused(
        lambda: actions.accept_referral(
            referral=referral, link_worker=world.outsider_worker, by=world.outsider_worker
        )
    )
    _refused(
        lambda: actions.decline_referral(
            referral=referral, reason="person_declined", by=world.outsider_worker
        )
    )
    assert Referral.objects.get().status == "awaiting_triage"


@pytest.mark.django_db
def test_the_person_cannot_triage_their_own_referral(world):
    referral = referral_for(world)
    _refused(
        lambda: actions.accept_referral(referral=referral, link_worker=world.link_worker, by=world.resident)
    )


@pytest.mark.django_db
def test_someone_outside_the_team_cannot_send_a_message_back(world):
    referral = open_case(world)
    before = _refused(
        lambda: actions.send_message_back(
            referral=referral, event=MessageBack.Event.ACCEPTED, by=world.member
        )
    )
    assert before["counts"]["MessageBack"] == 1


# ------------------------------------------------------------------------------------- the case


@pytest.mark.django_db
def test_a_colleague_who_does_not_hold_the_case_cannot_work_it(world):
    referral = open_case(world)
    colleague = world.colleague
    now = timezone.now()
    for step in [
        lambda: actions.reassign_referral(referral=referral, link_worker=colleague, by=colleague),
        lambda: actions.set_next_action(referral=referral, next_action="Call", due=None, by=colleague),
        lambda: actions.log_contact(
            referral=referral, kind="call", outcome="spoke", happened_at=now, by=colleague
        ),
        lambda: actions.record_conversation(
            referral=referral,
            kind=1,
            held_on=timezone.localdate(),
            participants="Rosa",
            summary="Talked",
            by=colleague,
        ),
        lambda: actions.request_small_sum(
            referral=referral, amount=Decimal("20"), purpose="Meter top-up", by=colleague
        ),
        lambda: actions.close_referral(referral=referral, reason="goals_met", by=colleague),
    ]:
        _refused(step)
    assert Referral.objects.get().link_worker == world.link_worker


@pytest.mark.django_db
def test_only_a_supervisor_sets_the_budget_and_decides_small_sums(world):
    referral = open_case(world)
    small_sum = actions.request_small_sum(
        referral=referral, amount=Decimal("20"), purpose="Meter top-up", by=world.link_worker
    )
    today = timezone.localdate()
    before = _refused(
        lambda: actions.set_small_sum_budget(
            team=world.team, starts_on=today, ends_on=today, amount=Decimal("500"), by=world.colleague
        )
    )
    _refused(
        lambda: actions.decide_small_sum(small_sum=small_sum, approve=False, note="No", by=world.colleague)
    )
    assert before["small_sums"] == [(small_sum.pk, "requested", None)]


@pytest.mark.django_db
def test_someone_outside_the_journey_cannot_refer_a_closed_case_again(world):
    referral = actions.close_referral(referral=open_case(world), reason="goals_met", by=world.link_worker)
    before = _refused(
        lambda: actions.rerefer(referral=referral, reason_detail="Lonely again", by=world.outsider_worker)
    )
    assert before["counts"]["Referral"] == 1


# ----------------------------------------------------------------------------------- connections


@pytest.mark.django_db
def test_a_colleague_cannot_connect_someone_elses_case_and_a_member_cannot_connect_anyone(world):
    referral = open_case(world)
    for by, case in [(world.colleague, referral), (world.member, None)]:
        _refused(
            lambda by=by, case=case: actions.connect(
                person=world.rosa, service=world.walking, shared_fields=[], referral=case, by=by
            )
        )
    assert Connection.objects.count() == 0


@pytest.mark.django_db
def test_only_the_organisation_records_attendance_and_only_the_requester_clears_an_alert(world):
    referral = open_case(world)
    connection = connection_for(world, referral)
    actions.move_connection(connection=connection, to_status="accepted", by=world.member)
    # A session the organisation itself could record (on the day the connection was made): only the
    # rule about who records it refuses it.
    made_on = timezone.localdate(connection.requested_at)
    _refused(
        lambda: actions.record_attendance(
            connection=connection, session_on=made_on, attended=True, by=world.other_member
        )
    )
    actions.move_connection(
        connection=connection, to_status="cancelled", note="Closed for winter", by=world.member
    )
    before = _refused(lambda: actions.acknowledge_connection(connection=connection, by=world.member))
    assert before["connections"] == [(connection.pk, "cancelled", True)]
    assert Attendance.objects.count() == 0


@pytest.mark.django_db
def test_someone_who_is_not_a_party_cannot_move_a_connection(world):
    connection = connection_for(world, open_case(world))
    _refused(
        lambda: actions.move_connection(connection=connection, to_status="accepted", by=world.other_member)
    )
    assert Connection.objects.get().status == "requested"


@pytest.mark.django_db
def test_only_the_person_asks_to_join_a_service_for_themselves(world):
    referral = open_case(world)
    _refused(
        lambda: actions.connect_myself(
            person=world.rosa, service=world.walking, shared_fields=[], by=world.link_worker
        )
    )
    connection = actions.connect_myself(
        person=world.rosa, service=world.walking, shared_fields=[], by=world.resident
    )
    assert (connection.referral_id, connection.requested_by_id) == (referral.pk, world.resident.pk)
