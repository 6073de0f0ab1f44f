"""The assemblies actions write the time they are given (`at=`), and their audit events carry it: a whole
assembly and a steering group, run at given times, hold those times and no other."""

from __future__ import annotations

import datetime
import random

import pytest

from commonweal.assemblies import actions
from commonweal.assemblies.models import (
    Assembly,
    Body,
    DeliveryUpdate,
    InvitationRound,
    Membership,
    Recommendation,
    Registration,
    Replacement,
    Response,
    Selection,
    SelectionRequest,
    Session,
)
from commonweal.assemblies.tests.conftest import FEATURES, answers_for, share_rows
from commonweal.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _at(day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2025, 6, day, hour, minute, tzinfo=datetime.UTC)


CREATED = _at(2)
INVITED = _at(3)
REGISTERED = [_at(4, 9, index) for index in range(30)]
WITHDRAWN = _at(5)
QUOTAS_SET = _at(6)
QUOTA_CHANGED = _at(7)
CLOSED = _at(8)
REQUESTED = _at(9)
# 23:30 UTC on 14 June is 00:30 on 15 June in London: the members' first day is the 15th.
SELECTED = _at(14, 23, 30)
PUBLISHED = _at(16)
LEFT = _at(17)
REPLACED = _at(18)
GROUP_CREATED = _at(19)
MEMBER_ADDED = _at(20)
SESSION_ADDED = _at(21)
SESSION_CHANGED = _at(22)
EVIDENCE_ADDED = _at(23)
RECOMMENDED = _at(24)
VOTED = _at(25)
RESPONDED = _at(26)
DELIVERED = _at(27)
GROUP_MEMBER_LEFT = _at(28)


def _audit_times() -> dict[str, set[datetime.datetime]]:
    """Return, for each participation action in the audit log, the times its events occurred at."""
    occurred: dict[str, set[datetime.datetime]] = {}
    for action, moment in AuditEvent.objects.filter(action__startswith="participation.").values_list(
        "action", "occurred_at"
    ):
        occurred.setdefault(action, set()).add(moment)
    return occurred


def test_a_whole_assembly_and_steering_group_run_at_given_times_hold_those_times(places, organiser):
    assembly = actions.create_assembly(
        place=places.north,
        name="North Trafford Health Assembly",
        remit="How should we spend the neighbourhood's prevention budget?",
        panel_size=6,
        quota_features=FEATURES,
        by=organiser,
        at=CREATED,
    )
    letters = actions.draw_invitations(
        assembly=assembly,
        postcodes=30,
        letters_per_postcode=1,
        seed=7,
        by=organiser,
        at=INVITED,
        code_source=random.Random(7),
    )
    registrations = [
        actions.register_volunteer(
            assembly=assembly,
            code=invitation.code,
            postcode=invitation.postcode.postcode,
            full_name=f"Volunteer Person {index}",
            email=f"volunteer{index}@example.org",
            phone="",
            answers=answers_for(index),
            consent=True,
            at=REGISTERED[index],
        )
        for index, invitation in enumerate(letters.invitations.order_by("pk")[:30])
    ]
    withdrawing = registrations[-1]
    actions.withdraw_registration(registration=withdrawing, reason="Moving away", by=organiser, at=WITHDRAWN)
    quotas = actions.set_quotas(
        assembly=assembly,
        rows=share_rows(),
        tolerance_seats=1,
        source_name="shares.csv",
        by=organiser,
        at=QUOTAS_SET,
    )
    quota = next(entry for entry in quotas if (entry.feature, entry.value) == ("sex", "female"))
    actions.change_quota(quota=quota, minimum=2, maximum=4, by=organiser, at=QUOTA_CHANGED)
    actions.close_registration(assembly=assembly, by=organiser, at=CLOSED)
    queued = actions.request_selection(
        assembly=assembly, method="leximin", seed=99, by=organiser, at=REQUESTED
    )
    finished = actions.carry_out_selection(request_id=queued.pk, at=SELECTED)
    assert finished.status == SelectionRequest.Status.DONE
    actions.publish_panel(assembly=assembly, by=organiser, at=PUBLISHED)
    leaving = Membership.objects.filter(body_id=assembly.pk).order_by("registration__number").first()
    assert leaving is not None
    actions.end_membership(
        membership=leaving, left_on=datetime.date(2025, 6, 17), reason="Moved", by=organiser, at=LEFT
    )
    replacement = actions.draw_replacements(assembly=assembly, seed=5, by=organiser, at=REPLACED)

    group = actions.create_steering_group(
        place=places.north, name="Stretford steering group", remit="Parks", by=organiser, at=GROUP_CREATED
    )
    member = actions.add_member(
        body=group,
        full_name="Ada Member",
        role=Membership.Role.CHAIR,
        affiliation="",
        joined_on=datetime.date(2025, 6, 20),
        by=organiser,
        at=MEMBER_ADDED,
    )
    session = actions.record_session(
        body=group,
        title="First",
        held_on=datetime.date(2025, 6, 21),
        venue="Library",
        agenda="",
        notes="",
        by=organiser,
        at=SESSION_ADDED,
    )
    actions.record_session(
        body=group,
        title="First meeting",
        held_on=datetime.date(2025, 6, 21),
        venue="Library",
        agenda="Parks",
        notes="",
        by=organiser,
        at=SESSION_CHANGED,
        session=session,
    )
    actions.add_evidence(
        session=session,
        title="Park survey",
        presented_by="",
        link="",
        summary="",
        by=organiser,
        at=EVIDENCE_ADDED,
    )
    recommendation = actions.make_recommendation(
        body=group,
        title="More benches",
        text="Put benches on the long paths.",
        made_on=datetime.date(2025, 6, 24),
        session=session,
        by=organiser,
        at=RECOMMENDED,
    )
    actions.record_votes(recommendation=recommendation, choices={member.pk: "for"}, by=organiser, at=VOTED)
    actions.record_response(
        recommendation=recommendation,
        decision="accepted",
        reasons="Benches are cheap.",
        responder="Trafford Council",
        responded_on=datetime.date(2025, 6, 26),
        by=organiser,
        at=RESPONDED,
    )
    actions.record_delivery(
        recommendation=recommendation,
        status="in_progress",
        note="Ordered",
        reported_on=datetime.date(2025, 6, 27),
        by=organiser,
        at=DELIVERED,
    )
    actions.end_membership(
        membership=member, left_on=datetime.date(2025, 6, 28), reason="", by=organiser, at=GROUP_MEMBER_LEFT
    )

    assembly = Assembly.objects.get(pk=assembly.pk)
    assert Body.objects.get(pk=assembly.pk).created_at == CREATED
    assert Body.objects.get(pk=group.pk).created_at == GROUP_CREATED
    assert InvitationRound.objects.get(pk=letters.pk).drawn_at == INVITED
    for index, registration in enumerate(registrations):
        registration = Registration.objects.get(pk=registration.pk)
        assert (registration.registered_at, registration.consent_given_at) == (REGISTERED[index],) * 2
    assert Registration.objects.get(pk=withdrawing.pk).withdrawn_at == WITHDRAWN
    assert (
        assembly.quotas_set_at,
        assembly.registration_closed_at,
        assembly.published_at,
    ) == (QUOTAS_SET, CLOSED, PUBLISHED)
    request = SelectionRequest.objects.get(pk=queued.pk)
    assert (request.requested_at, request.started_at, request.finished_at) == (REQUESTED, SELECTED, SELECTED)
    assert Selection.objects.get(assembly=assembly).created_at == SELECTED
    assert Replacement.objects.get(pk=replacement.pk).created_at == REPLACED
    # The days the members joined are the London dates of the selection and of the replacement draw.
    assert set(
        Membership.objects.filter(body_id=assembly.pk, route=Membership.Route.SELECTED).values_list(
            "joined_on", flat=True
        )
    ) == {datetime.date(2025, 6, 15)}
    assert set(
        Membership.objects.filter(body_id=assembly.pk, route=Membership.Route.REPLACEMENT).values_list(
            "joined_on", flat=True
        )
    ) == {datetime.date(2025, 6, 18)}
    assert Session.objects.get(pk=session.pk).created_at == SESSION_ADDED
    assert Recommendation.objects.get(pk=recommendation.pk).created_at == RECOMMENDED
    assert Response.objects.get(recommendation=recommendation).recorded_at == RESPONDED
    assert DeliveryUpdate.objects.get(recommendation=recommendation).recorded_at == DELIVERED

    assert _audit_times() == {
        "participation.create_assembly": {CREATED},
        "participation.draw_invitations": {INVITED},
        "participation.register_volunteer": set(REGISTERED),
        "participation.withdraw_registration": {WITHDRAWN},
        "participation.set_quotas": {QUOTAS_SET},
        "participation.change_quota": {QUOTA_CHANGED},
        "participation.close_registration": {CLOSED},
        "participation.request_selection": {REQUESTED},
        "participation.run_selection": {SELECTED},
        "participation.publish_panel": {PUBLISHED},
        "participation.end_membership": {LEFT, GROUP_MEMBER_LEFT},
        "participation.draw_replacements": {REPLACED},
        "participation.create_steering_group": {GROUP_CREATED},
        "participation.add_member": {MEMBER_ADDED},
        "participation.add_session": {SESSION_ADDED},
        "participation.change_session": {SESSION_CHANGED},
        "participation.add_evidence": {EVIDENCE_ADDED},
        "participation.make_recommendation": {RECOMMENDED},
        "participation.record_votes": {VOTED},
        "participation.record_response": {RESPONDED},
        "participation.record_delivery": {DELIVERED},
    }


def test_a_queued_selection_run_by_the_worker_without_a_time_is_dated_by_the_clock(organiser, closed_pool):
    queued = actions.request_selection(
        assembly=closed_pool, method="leximin", seed=3, by=organiser, at=REQUESTED
    )
    finished = actions.carry_out_selection(request_id=queued.pk)
    assert finished.requested_at == REQUESTED
    assert finished.started_at is not None and finished.finished_at is not None
    assert REQUESTED < finished.started_at <= finished.finished_at
