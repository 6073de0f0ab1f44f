"""The journey demo goes through the actions: every referral, triage, closure and connection it writes
has the audit event an action leaves, dated at the demo's own time."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.demokit import DemoContext
from commonweal.referrals.demo import OPEN_CASES, SAM_CASES, WAITING, build_journey
from commonweal.referrals.models import Connection, ConnectionTransition, Referral, ReferralStatus
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(world) -> DemoContext:
    # Enough people for every kind of case: open, waiting, closed and declined.
    PersonFactory.create_batch(110)
    return DemoContext(
        seed=2019,
        ics=world.places.ics,
        borough=world.places.borough,
        neighbourhoods=[world.places.north, world.places.south],
        organisations={"pcn": [world.team], "practice": [world.places.practice], "vcse": [world.places.vcse]},
        users={
            Role.RESIDENT: world.resident,
            Role.LINK_WORKER: world.link_worker,
            Role.REFERRER: world.referrer,
            Role.ORGANISATION_MEMBER: world.member,
        },
    )


def _events(action: str, model) -> dict[int | None, list]:
    found: dict[int | None, list] = {}
    for target_id, at in AuditEvent.objects.filter(
        action=action, target_type=ContentType.objects.get_for_model(model)
    ).values_list("target_id", "occurred_at"):
        found.setdefault(target_id, []).append(at)
    return found


def test_every_demo_referral_was_made_triaged_and_closed_through_the_actions(context):
    assert build_journey(context) is True
    referrals = list(Referral.objects.filter(team=context.organisations["pcn"][0]).order_by("pk"))
    statuses = {referral.status for referral in referrals}
    assert statuses == {
        ReferralStatus.OPEN,
        ReferralStatus.AWAITING_TRIAGE,
        ReferralStatus.CLOSED,
        ReferralStatus.DECLINED,
    }
    made = _events("referrals.make_referral", Referral)
    accepted = _events("referrals.accept_referral", Referral)
    declined = _events("referrals.decline_referral", Referral)
    closed = _events("referrals.close_referral", Referral)
    for referral in referrals:
        assert made[referral.pk] == [referral.received_at]
        if referral.status == ReferralStatus.DECLINED:
            assert declined[referral.pk] == [referral.triaged_at]
        elif referral.status != ReferralStatus.AWAITING_TRIAGE:
            assert accepted[referral.pk] == [referral.triaged_at]
        if referral.status == ReferralStatus.CLOSED:
            assert closed[referral.pk] == [referral.closed_at]
    # Lena's open cases and the two of Sam, the team's other supervisor.
    assert (
        sum(1 for referral in referrals if referral.status == ReferralStatus.OPEN) == OPEN_CASES + SAM_CASES
    )
    assert sum(1 for referral in referrals if referral.status == ReferralStatus.AWAITING_TRIAGE) == WAITING


def test_every_demo_connection_and_status_change_has_its_audit_event(context):
    build_journey(context)
    connected = _events("referrals.connect", Connection)
    moved = _events("referrals.move_connection", Connection)
    connections = list(Connection.objects.order_by("pk"))
    assert connections
    for connection in connections:
        transitions = list(
            ConnectionTransition.objects.filter(connection=connection)
            .order_by("at", "pk")
            .values_list("at", flat=True)
        )
        assert connected[connection.pk] == [connection.requested_at] == transitions[:1]
        assert sorted(moved.get(connection.pk, [])) == transitions[1:]


def test_a_second_run_changes_nothing(context):
    assert build_journey(context) is True
    events = AuditEvent.objects.count()
    assert build_journey(context) is False
    assert AuditEvent.objects.count() == events
