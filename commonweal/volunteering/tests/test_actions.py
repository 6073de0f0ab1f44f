"""Volunteering actions: pipeline, vetting, roles, buddies, hours, expenses, concerns and sweeps."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from commonweal.audit.models import AuditEvent
from commonweal.volunteering import actions, queries
from commonweal.volunteering.models import (
    Assignment,
    BuddyRequest,
    Concern,
    DbsCheck,
    DbsReminder,
    Enrolment,
    Expense,
    HoursEntry,
    Match,
    NoContactAlert,
    PipelineStatus,
    StatusChange,
)
from commonweal.volunteering.tests.factories import (
    build_volunteering_world,
    give_checks,
    make_volunteer,
    receipt,
)

AT = timezone.make_aware(datetime.datetime(2026, 6, 1, 10, 0))
TODAY = AT.date()


@pytest.fixture(scope="module")
def module_world(module_places):
    return build_volunteering_world(module_places)


@pytest.fixture
def world(module_world, db):
    return module_world


def _days(n):
    return AT + datetime.timedelta(days=n)


# ------------------------------------------------------------------------------------ pipeline


def test_the_pipeline_keeps_every_move_with_its_reason(world):
    volunteer = make_volunteer(world, "Pat Pipeline", active=False, checked_for=None, at=AT)
    enrolment = Enrolment.objects.get(volunteer=volunteer)
    for status in ("references", "induction", "active"):
        actions.move_pipeline(enrolment=enrolment, to_status=status, reason="", by=world.coordinator, at=AT)
    actions.move_pipeline(
        enrolment=enrolment,
        to_status="paused",
        reason="Caring for a parent",
        by=world.coordinator,
        at=_days(1),
    )
    history = list(
        StatusChange.objects.filter(enrolment=enrolment).values_list("from_status", "to_status", "reason")
    )
    assert history == [
        ("", "applied", "Applied"),
        ("applied", "references", ""),
        ("references", "induction", ""),
        ("induction", "active", ""),
        ("active", "paused", "Caring for a parent"),
    ]


def test_a_move_the_pipeline_does_not_allow_is_refused_and_nothing_changes(world):
    volunteer = make_volunteer(world, "Sam Skip", active=False, checked_for=None, at=AT)
    enrolment = Enrolment.objects.get(volunteer=volunteer)
    with pytest.raises(actions.VolunteeringError, match="cannot move from applied to active"):
        actions.move_pipeline(enrolment=enrolment, to_status="active", reason="", by=world.coordinator, at=AT)
    with pytest.raises(actions.VolunteeringError, match="Give a reason"):
        actions.move_pipeline(enrolment=enrolment, to_status="left", reason=" ", by=world.coordinator, at=AT)
    enrolment.refresh_from_db()
    assert enrolment.status == PipelineStatus.APPLIED
    assert StatusChange.objects.filter(enrolment=enrolment).count() == 1


def test_a_coordinator_of_another_organisation_cannot_move_a_volunteer(world):
    volunteer = make_volunteer(world, "Nora Notyours", active=False, checked_for=None, at=AT)
    enrolment = Enrolment.objects.get(volunteer=volunteer)
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        actions.move_pipeline(
            enrolment=enrolment, to_status="references", reason="", by=world.other_coordinator, at=AT
        )
    enrolment.refresh_from_db()
    assert enrolment.status == PipelineStatus.APPLIED
    assert AuditEvent.objects.count() == events


# ------------------------------------------------------------------------------------ vetting and roles


def test_a_volunteer_whose_dbs_has_expired_cannot_be_assigned_and_is_told_why(world):
    volunteer = make_volunteer(world, "Eve Expired", checked_for=None, at=_days(-1200))
    give_checks(
        volunteer,
        world.organisation,
        world.coordinator,
        "buddy",
        _days(-1200),
        expires_on=TODAY - datetime.timedelta(days=1),
    )
    with pytest.raises(actions.VolunteeringError) as refused:
        actions.assign_role(
            volunteer=volunteer, organisation=world.organisation, role="buddy", by=world.coordinator, at=AT
        )
    assert str(refused.value) == (
        "Eve Expired cannot be a buddy yet. The Enhanced with barred list (adults) DBS check expired on "
        "31 May 2026; a new check is needed."
    )
    assert not Assignment.objects.filter(volunteer=volunteer).exists()


def test_a_volunteer_with_every_check_is_assigned_and_a_missing_course_is_named(world):
    volunteer = make_volunteer(world, "Ada Able", at=AT)
    assignment = actions.assign_role(
        volunteer=volunteer, organisation=world.organisation, role="buddy", by=world.coordinator, at=AT
    )
    assert (assignment.role, assignment.started_on) == ("buddy", TODAY)
    with pytest.raises(
        actions.VolunteeringError, match=r"Training needed: Driver assessment and passenger safety\.$"
    ):
        actions.assign_role(
            volunteer=volunteer, organisation=world.organisation, role="driver", by=world.coordinator, at=AT
        )


def test_a_check_that_is_not_clear_counts_only_after_a_recorded_risk_assessment_accepts_it(world):
    volunteer = make_volunteer(world, "Nat Notclear", checked_for=None, at=AT)
    check = actions.request_dbs(
        volunteer=volunteer, organisation=world.organisation, level="standard", by=world.coordinator, at=AT
    )
    actions.record_dbs_result(
        check=check,
        clear=False,
        issued_on=TODAY,
        expires_on=TODAY + datetime.timedelta(days=1095),
        update_service_number="C0012345",
        by=world.coordinator,
        at=AT,
    )
    assert queries.missing_for_role(volunteer, world.organisation.pk, "group_facilitator", TODAY)[0] == (
        "The Standard DBS check is not clear and has no accepted risk assessment."
    )
    with pytest.raises(actions.VolunteeringError, match="risk assessment"):
        actions.decide_dbs(check=check, accept=True, risk_assessment="ok", by=world.coordinator, at=AT)
    actions.decide_dbs(
        check=check,
        accept=True,
        risk_assessment="A caution from 1998, unrelated to the role; references strong; reviewed with DSL.",
        by=world.coordinator,
        at=AT,
    )
    check.refresh_from_db()
    assert check.status == DbsCheck.Status.ACCEPTED
    assert queries.missing_for_role(volunteer, world.organisation.pk, "group_facilitator", TODAY) == [
        "Training needed: Volunteer induction.",
        "Training needed: Group facilitation.",
    ]


def test_a_certificate_number_must_have_12_digits(world):
    volunteer = make_volunteer(world, "Tia Typo", checked_for=None, at=AT)
    check = actions.request_dbs(
        volunteer=volunteer, organisation=world.organisation, level="basic", by=world.coordinator, at=AT
    )
    with pytest.raises(actions.VolunteeringError, match="12 digits"):
        actions.record_dbs_result(
            check=check,
            clear=True,
            issued_on=TODAY,
            expires_on=TODAY + datetime.timedelta(days=9),
            certificate_number="12345",
            by=world.coordinator,
            at=AT,
        )
    check.refresh_from_db()
    assert check.status == DbsCheck.Status.REQUESTED


def test_checks_travel_to_another_organisation_only_with_the_volunteers_consent(world):
    volunteer = make_volunteer(world, "Tom Travel", at=AT)
    actions.enrol(volunteer=volunteer, organisation=world.other_organisation, by=volunteer.user, at=AT)
    other = world.other_organisation.pk
    assert len(queries.missing_for_role(volunteer, other, "buddy", TODAY)) == 4
    with pytest.raises(PermissionDenied):
        actions.share_credentials(
            volunteer=volunteer, organisation=world.other_organisation, by=world.other_coordinator, at=AT
        )
    share = actions.share_credentials(
        volunteer=volunteer, organisation=world.other_organisation, by=volunteer.user, at=AT
    )
    assert queries.missing_for_role(volunteer, other, "buddy", TODAY) == []
    actions.withdraw_share(share=share, by=volunteer.user, at=_days(1))
    assert len(queries.missing_for_role(volunteer, other, "buddy", TODAY)) == 4


def test_dbs_reminders_go_at_60_30_and_7_days_and_a_second_sweep_sends_nothing_new(world):
    volunteer = make_volunteer(world, "Rex Reminder", checked_for=None, at=AT)
    give_checks(
        volunteer,
        world.organisation,
        world.coordinator,
        "befriender",
        AT,
        expires_on=TODAY + datetime.timedelta(days=60),
    )
    check = DbsCheck.objects.get(volunteer=volunteer)
    sent = []
    for day in (0, 1, 29, 30, 52, 53, 54):
        sent += [
            (day, r.days_before)
            for r in actions.send_dbs_reminders(at=_days(day))
            if r.dbs_check_id == check.pk
        ]
    assert sent == [(0, 60), (30, 30), (53, 7)]
    assert DbsReminder.objects.filter(dbs_check=check).count() == 3


# ------------------------------------------------------------------------------------ buddies


def _request(world, **fields):
    return actions.request_buddy(
        person=world.person,
        organisation=world.organisation,
        person_consented=True,
        needs=["shopping"],
        by=world.link_worker,
        at=AT,
        **fields,
    )


def test_a_buddy_request_without_the_persons_consent_is_refused_and_nothing_is_stored(world):
    before = BuddyRequest.objects.count()
    with pytest.raises(actions.VolunteeringError, match="has not agreed to be matched"):
        actions.request_buddy(
            person=world.person,
            organisation=world.organisation,
            person_consented=False,
            by=world.link_worker,
            at=AT,
        )
    with pytest.raises(PermissionDenied):
        actions.request_buddy(
            person=world.person,
            organisation=world.organisation,
            person_consented=True,
            by=world.journey.colleague,
            at=AT,
        )
    assert BuddyRequest.objects.count() == before


def test_the_buddy_journey_from_request_to_the_no_contact_alert_and_the_end(world):
    ranked_first = make_volunteer(world, "Bea Buddy", skills=["shopping"], interests=["gardening"], at=AT)
    make_volunteer(world, "Ben Buddy", at=AT)
    unchecked = make_volunteer(
        world,
        "Una Unchecked",
        checked_for=None,
        skills=["shopping"],
        interests=["gardening", "walking"],
        at=AT,
    )
    request = _request(world)
    ranking, unsafe = actions.ranking_for(request, TODAY)
    names = [row.name for row in ranking.ranked]
    assert names.index("Bea Buddy") < names.index("Ben Buddy")
    assert "Una Unchecked" not in names
    assert unsafe[unchecked.pk][0].startswith("An Enhanced with barred list (adults) DBS check is needed")

    with pytest.raises(actions.VolunteeringError, match="cannot be proposed"):
        actions.propose_match(request=request, volunteer=unchecked, by=world.coordinator, at=AT)
    match = actions.propose_match(
        request=request, volunteer=ranked_first, by=world.coordinator, no_contact_days=14, at=AT
    )
    assert match.reasons[0] == "Can help with shopping (+3)"
    with pytest.raises(PermissionDenied):
        actions.answer_proposal(match=match, accept=True, by=world.link_worker, at=AT)
    match = actions.answer_proposal(match=match, accept=True, by=world.person.user, at=_days(1))
    assert (match.status, match.start_on, match.review_on, match.end_on) == (
        Match.Status.ACTIVE,
        TODAY + datetime.timedelta(days=1),
        TODAY + datetime.timedelta(days=43),
        TODAY + datetime.timedelta(days=85),
    )
    actions.log_contact(
        match=match,
        happened_on=TODAY + datetime.timedelta(days=2),
        minutes=60,
        medium="in_person",
        by=ranked_first.user,
        at=_days(2),
    )

    assert [a for a in actions.sweep_no_contact(at=_days(15)) if a.match_id == match.pk] == []
    actions.set_cover(
        supervisor=world.coordinator,
        cover=world.cover,
        starts_on=TODAY + datetime.timedelta(days=10),
        ends_on=TODAY + datetime.timedelta(days=20),
        organisation=world.organisation,
        by=world.coordinator,
        at=AT,
    )
    raised = [a for a in actions.sweep_no_contact(at=_days(16)) if a.match_id == match.pk]
    assert [(a.since, a.days, a.raised_to_id) for a in raised] == [
        (TODAY + datetime.timedelta(days=2), 14, world.cover.pk)
    ]
    assert [a for a in actions.sweep_no_contact(at=_days(17)) if a.match_id == match.pk] == []
    actions.log_contact(
        match=match,
        happened_on=TODAY + datetime.timedelta(days=17),
        minutes=30,
        medium="phone",
        by=ranked_first.user,
        at=_days(17),
    )
    assert NoContactAlert.objects.get(match=match).closed_at == _days(17)

    with pytest.raises(PermissionDenied):
        actions.end_match(match=match, reason="Goals met", by=ranked_first.user, at=_days(30))
    match = actions.end_match(match=match, reason="Goals met", by=world.coordinator, at=_days(30))
    assert (match.status, match.end_on) == (Match.Status.ENDED, TODAY + datetime.timedelta(days=30))


def test_a_contact_in_the_future_or_by_someone_else_is_refused(world):
    volunteer = make_volunteer(world, "Cy Contact", at=AT)
    match = actions.propose_match(request=_request(world), volunteer=volunteer, by=world.coordinator, at=AT)
    match = actions.answer_proposal(match=match, accept=True, by=world.person.user, at=AT)
    with pytest.raises(actions.VolunteeringError, match="future"):
        actions.log_contact(
            match=match,
            happened_on=TODAY + datetime.timedelta(days=1),
            minutes=10,
            medium="phone",
            by=volunteer.user,
            at=AT,
        )
    with pytest.raises(PermissionDenied):
        actions.log_contact(
            match=match, happened_on=TODAY, minutes=10, medium="phone", by=world.link_worker, at=AT
        )
    assert match.contacts.count() == 0


# ------------------------------------------------------------------------------------ hours and expenses


def test_hours_logged_by_a_volunteer_wait_for_the_coordinators_approval(world):
    volunteer = make_volunteer(world, "Hal Hours", checked_for=None, at=AT)
    entry = actions.log_hours(
        volunteer=volunteer,
        organisation=world.organisation,
        worked_on=TODAY,
        hours=Decimal("2.5"),
        by=volunteer.user,
        at=AT,
    )
    assert entry.status == HoursEntry.Status.LOGGED
    with pytest.raises(PermissionDenied):
        actions.decide_hours(entry=entry, approve=True, by=world.other_coordinator, at=AT)
    actions.decide_hours(entry=entry, approve=True, by=world.coordinator, at=AT)
    assert queries.hours_total(volunteer) == Decimal("2.5")
    with pytest.raises(actions.VolunteeringError, match="at most 24"):
        actions.log_hours(
            volunteer=volunteer,
            organisation=world.organisation,
            worked_on=TODAY,
            hours=Decimal(25),
            by=volunteer.user,
            at=AT,
        )


def test_hours_described_at_more_length_than_the_box_are_refused_whole_and_nothing_is_logged(world):
    volunteer = make_volunteer(world, "Len Long", checked_for=None, at=AT)

    def log(description: str) -> HoursEntry:
        return actions.log_hours(
            volunteer=volunteer,
            organisation=world.organisation,
            worked_on=TODAY,
            hours=Decimal(1),
            description=description,
            by=volunteer.user,
            at=AT,
        )

    with pytest.raises(actions.VolunteeringError) as error:
        log("w" * 201)
    assert str(error.value) == "What you did is 201 characters long: keep it to 200."
    assert HoursEntry.objects.filter(volunteer=volunteer).count() == 0
    assert len(log("w" * 200).description) == 200


def test_flat_payments_claims_without_receipts_and_claims_over_policy_are_refused(world):
    volunteer = make_volunteer(world, "Exa Expense", checked_for=None, at=AT)
    common = dict(
        volunteer=volunteer, organisation=world.organisation, incurred_on=TODAY, by=volunteer.user, at=AT
    )
    with pytest.raises(
        actions.VolunteeringError, match="Flat-rate payments and allowances cannot be claimed"
    ):
        actions.claim_expense(kind="flat", description="Day rate", amount=Decimal(20), **common)
    with pytest.raises(actions.VolunteeringError, match="Attach the receipt"):
        actions.claim_expense(kind="actual", description="Bus fare", amount=Decimal("4.50"), **common)
    with pytest.raises(actions.VolunteeringError, match=r"£200\.00 is over the policy limit of £150\.00"):
        actions.claim_expense(
            kind="actual", description="Tickets", amount=Decimal(200), receipt=receipt(), **common
        )
    assert not Expense.objects.filter(volunteer=volunteer).exists()


def test_mileage_is_paid_at_hmrc_rates_across_the_10000_mile_threshold_then_approved_and_paid(world):
    volunteer = make_volunteer(world, "Milo Miles", checked_for=None, at=AT)
    common = dict(
        volunteer=volunteer, organisation=world.organisation, kind="mileage", by=volunteer.user, at=AT
    )
    first = actions.claim_expense(
        incurred_on=TODAY - datetime.timedelta(days=5),
        description="Hospital runs",
        miles=Decimal(9990),
        **common,
    )
    assert first.amount == Decimal("4495.50")
    second = actions.claim_expense(
        incurred_on=TODAY, description="Shopping trip", miles=Decimal(20), **common
    )
    assert second.amount == Decimal("7.00")
    with pytest.raises(actions.VolunteeringError, match=r"comes to £5\.00, not £9\.00"):
        actions.claim_expense(
            incurred_on=TODAY, description="Trip", miles=Decimal(20), amount=Decimal(9), **common
        )
    with pytest.raises(actions.VolunteeringError, match="Only an approved expense"):
        actions.mark_expense_paid(expense=second, by=world.coordinator, at=AT)
    actions.decide_expense(expense=second, approve=True, by=world.coordinator, at=AT)
    paid = actions.mark_expense_paid(expense=second, by=world.coordinator, at=_days(1))
    assert (paid.status, paid.paid_at) == (Expense.Status.PAID, _days(1))


# ------------------------------------------------------------------------------------ safeguarding


def test_a_concern_goes_to_the_safeguarding_lead_only_who_acknowledges_it_and_it_escalates_meanwhile(world):
    volunteer = make_volunteer(world, "Val Concerned", checked_for=None, at=AT)
    concern = actions.raise_concern(
        organisation=world.organisation,
        about="Mr B (befriended)",
        details="Bruises and a new 'friend' handling his money.",
        by=volunteer.user,
        at=AT,
    )
    assert list(queries.concerns_for(world.safeguarding_lead)) == [concern]
    assert list(queries.concerns_for(world.coordinator)) == []
    escalated = actions.escalate_overdue_concerns(at=AT + datetime.timedelta(hours=25))
    assert [c.pk for c in escalated] == [concern.pk]
    assert actions.escalate_overdue_concerns(at=AT + datetime.timedelta(hours=26)) == []
    with pytest.raises(PermissionDenied):
        actions.acknowledge_concern(
            concern=concern, action_taken="Rang adult social care", by=world.coordinator, at=AT
        )
    with pytest.raises(actions.VolunteeringError, match="at least 10 characters"):
        actions.acknowledge_concern(concern=concern, action_taken="ok", by=world.safeguarding_lead, at=AT)
    done = actions.acknowledge_concern(
        concern=concern,
        action_taken="Referred to adult social care (ref 123)",
        by=world.safeguarding_lead,
        at=_days(1),
    )
    assert (done.status, done.escalation_level) == (Concern.Status.ACKNOWLEDGED, 1)
    assert actions.escalate_overdue_concerns(at=_days(5)) == []


# ------------------------------------------------------------------------------------ opportunities


def test_a_resident_applies_for_a_shift_and_acceptance_starts_them_in_the_pipeline(world):
    opportunity = actions.post_opportunity(
        organisation=world.organisation,
        title="Walk leaders",
        description="Lead a weekly health walk",
        role="health_champion",
        by=world.coordinator,
        at=AT,
    )
    with pytest.raises(PermissionDenied):
        actions.add_shift(
            opportunity=opportunity,
            starts_at=_days(7),
            ends_at=_days(7) + datetime.timedelta(hours=2),
            places=1,
            by=world.other_coordinator,
            at=AT,
        )
    shift = actions.add_shift(
        opportunity=opportunity,
        starts_at=_days(7),
        ends_at=_days(7) + datetime.timedelta(hours=2),
        places=1,
        by=world.coordinator,
        at=AT,
    )
    resident = world.journey.resident
    application = actions.apply(
        opportunity=opportunity, shift=shift, message="I walk daily", by=resident, at=AT
    )
    with pytest.raises(actions.VolunteeringError, match="already applied"):
        actions.apply(opportunity=opportunity, by=resident, at=AT)
    actions.decide_application(application=application, accept=True, by=world.coordinator, at=AT)
    enrolment = Enrolment.objects.get(volunteer__user=resident, organisation=world.organisation)
    assert enrolment.status == PipelineStatus.APPLIED
    with pytest.raises(actions.VolunteeringError, match="That shift is full"):
        actions.apply(opportunity=opportunity, shift=shift, by=world.journey.referrer, at=AT)
