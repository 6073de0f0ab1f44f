"""The journey's actions write the time they are given (`at=`), in their rows and in their audit events."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from commonweal.audit.models import AuditEvent
from commonweal.referrals import actions
from commonweal.referrals.models import (
    ClosureReason,
    ConnectionTransition,
    ContactLogEntry,
    JourneyCode,
    MessageBack,
    Referral,
    ReferralReason,
    ReferralSource,
)
from commonweal.referrals.workflow import Status

pytestmark = pytest.mark.django_db

REFERRED = datetime.datetime(2025, 3, 3, 9, 15, tzinfo=datetime.UTC)
TRIAGED = datetime.datetime(2025, 3, 4, 11, 0, tzinfo=datetime.UTC)
CALLED = datetime.datetime(2025, 3, 6, 14, 30, tzinfo=datetime.UTC)
CONNECTED = datetime.datetime(2025, 3, 10, 10, 0, tzinfo=datetime.UTC)
ACCEPTED = datetime.datetime(2025, 3, 12, 16, 45, tzinfo=datetime.UTC)
CLOSED = datetime.datetime(2025, 6, 30, 12, 0, tzinfo=datetime.UTC)


def _event_time(action: str, target) -> datetime.datetime:
    event = AuditEvent.objects.get(
        action=action, target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    )
    return event.occurred_at


def test_a_journey_taken_at_given_times_writes_those_times_and_audits_at_them(world):
    referral = actions.make_referral(
        person=world.rosa,
        team=world.team,
        source=ReferralSource.GP,
        reasons=[ReferralReason.LONELINESS],
        referring_organisation=world.places.practice,
        by=world.referrer,
        at=REFERRED,
    )
    assert referral.received_at == REFERRED
    assert JourneyCode.objects.get(referral=referral).recorded_at == REFERRED
    assert _event_time("referrals.make_referral", referral) == REFERRED

    referral = actions.accept_referral(
        referral=referral, link_worker=world.link_worker, by=world.link_worker, at=TRIAGED
    )
    assert referral.triaged_at == TRIAGED
    # Routine: first contact within 14 days of the triage day, not of the day the test runs.
    assert referral.next_action_due == datetime.date(2025, 3, 18)
    assert MessageBack.objects.get(referral=referral).sent_at == TRIAGED
    assert _event_time("referrals.accept_referral", referral) == TRIAGED

    entry = actions.log_contact(
        referral=referral,
        kind=ContactLogEntry.Kind.CALL,
        outcome=ContactLogEntry.Outcome.SPOKE,
        happened_at=CALLED,
        by=world.link_worker,
        at=CALLED,
    )
    assert entry.recorded_at == CALLED
    assert JourneyCode.objects.get(referral=referral, event="seen").recorded_at == CALLED

    connection = actions.connect(
        person=world.rosa,
        service=world.walking,
        shared_fields=["what_matters"],
        referral=referral,
        by=world.link_worker,
        at=CONNECTED,
    )
    actions.move_connection(
        connection=connection, to_status=Status.ACCEPTED.value, by=world.member, at=ACCEPTED
    )
    connection.refresh_from_db()
    assert (connection.requested_at, connection.status_changed_at) == (CONNECTED, ACCEPTED)
    assert list(
        ConnectionTransition.objects.filter(connection=connection).order_by("pk").values_list("at", flat=True)
    ) == [
        CONNECTED,
        ACCEPTED,
    ]
    assert _event_time("referrals.connect", connection) == CONNECTED
    assert _event_time("referrals.move_connection", connection) == ACCEPTED

    actions.close_referral(referral=referral, reason=ClosureReason.GOALS_MET, by=world.link_worker, at=CLOSED)
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.closed_at == CLOSED
    assert JourneyCode.objects.get(referral=referral, event="closed").recorded_at == CLOSED
    assert MessageBack.objects.get(referral=referral, event=MessageBack.Event.CLOSED).sent_at == CLOSED
    assert _event_time("referrals.close_referral", referral) == CLOSED


def test_a_conversation_cannot_be_recorded_after_the_clock_it_is_given(world):
    referral = actions.accept_referral(
        referral=actions.make_referral(
            person=world.rosa,
            team=world.team,
            source=ReferralSource.GP,
            reasons=[ReferralReason.LONELINESS],
            by=world.referrer,
            at=REFERRED,
        ),
        link_worker=world.link_worker,
        by=world.link_worker,
        at=TRIAGED,
    )
    with pytest.raises(actions.JourneyError, match="before it has happened"):
        actions.record_conversation(
            referral=referral,
            kind=1,
            held_on=datetime.date(2025, 3, 5),
            participants="Rosa and Alice",
            summary="Talked",
            by=world.link_worker,
            at=TRIAGED,
        )
    assert referral.conversations.count() == 0
