"""The funnel as the journey itself records it: referrals moved by the journey's own actions (triage,
contacts, connections, attendance, a person declining, an 'at capacity' rejection) give the facts the
funnel definitions promise, so the test data written directly elsewhere matches real use."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from commonweal.evidence.models import ConnectionFact, ReferralFact
from commonweal.evidence.summaries import refresh_summaries
from commonweal.referrals import actions as journey
from commonweal.referrals.models import DeclineReason
from commonweal.referrals.tests.factories import build_world, connection_for, open_case, referral_for
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _steps(referral_id: int) -> tuple[bool, ...]:
    fact = ReferralFact.objects.get(pk=referral_id)
    return (fact.offered, fact.referred, fact.seen, fact.connected, fact.attended, fact.declined)


def test_the_journeys_own_actions_give_the_funnel_its_steps(places):
    world = build_world(places)
    waiting = referral_for(world)
    declined_person = PersonFactory(nhs_number="9434765870")
    declined = referral_for(world, declined_person)
    journey.decline_referral(referral=declined, reason=DeclineReason.PERSON_DECLINED, by=world.link_worker)
    attended_person = PersonFactory(nhs_number="9434765828")
    case = open_case(world, attended_person)
    journey.log_contact(
        referral=case,
        kind="call",
        outcome="spoke",
        happened_at=timezone.now() - datetime.timedelta(hours=1),
        by=world.link_worker,
    )
    walking = connection_for(world, case)
    journey.move_connection(connection=walking, to_status="accepted", by=world.member)
    journey.record_attendance(
        connection=walking, session_on=timezone.localdate(), attended=True, by=world.member
    )
    full = connection_for(world, case, service=world.food)
    journey.move_connection(
        connection=full, to_status="rejected", rejection_reason="at-capacity", by=world.other_member
    )

    refresh_summaries(by=None)

    assert _steps(waiting.pk) == (True, False, False, False, False, False)
    assert _steps(declined.pk) == (True, False, False, False, False, True)
    assert _steps(case.pk) == (True, True, True, True, True, False)
    rejected = ConnectionFact.objects.get(pk=full.pk)
    assert (rejected.accepted, rejected.rejected_at_capacity, rejected.rejected_other) == (False, True, False)
    attended = ConnectionFact.objects.get(pk=walking.pk)
    assert (attended.accepted, attended.attended, attended.organisation_id) == (
        True,
        True,
        world.places.vcse.pk,
    )
