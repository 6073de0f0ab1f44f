"""The safety route: a risk answer alerts the responsible link worker and their supervisor at once; an
alert must be acknowledged with the action taken; an unacknowledged alert escalates; a failure to deliver
is recorded, shown and escalated — never silent."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from commonweal.audit.models import AuditEvent
from commonweal.measures import actions, registry
from commonweal.measures.models import AlertDelivery, Response, SafetyAlert
from commonweal.measures.queries import alerts_for
from commonweal.measures.tests.conftest import PHQ9_RISK, PHQ9_SAFE
from commonweal.referrals.models import Referral, ReferralStatus
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _start(cast, person=None, by=None) -> Response:
    return actions.start_response(
        person=person or cast.rosa,
        definition=registry.definition("phq-9"),
        mode=Response.Mode.OWN_ACCOUNT if by is None else Response.Mode.CONVERSATION,
        by=by or cast.rosa.user,
    )


def _deliveries(alert: SafetyAlert) -> list[tuple]:
    return [
        (
            d.audience,
            d.channel,
            d.recipient.full_name if d.recipient else d.address,
            d.outcome,
            d.escalation_level,
        )
        for d in alert.deliveries.order_by("pk")
    ]


def test_a_risk_answer_alerts_the_link_worker_and_supervisor_as_soon_as_it_is_saved(cast, mailoutbox):
    response = _start(cast)
    raised = actions.save_answers(response=response, answers={"phq9_9": 1}, by=cast.rosa.user)
    (alert,) = raised
    assert (alert.rule_id, alert.item_id, alert.answer, alert.status) == (
        "phq9_item9_above_zero",
        "phq9_9",
        1,
        SafetyAlert.Status.OPEN,
    )
    assert (alert.responsible_worker, alert.team, alert.person) == (cast.lena, cast.team, cast.rosa)
    assert _deliveries(alert) == [
        ("responsible", "in_app", "Lena Linkworker", "sent", 0),
        ("responsible", "email", "Lena Linkworker", "sent", 0),
        ("supervisor", "in_app", "Sam Supervisor", "sent", 0),
        ("supervisor", "email", "Sam Supervisor", "sent", 0),
    ]
    assert [(mail.to, mail.subject) for mail in mailoutbox] == [
        (["lena@example.org"], "Safety alert: please act now"),
        (["sam@example.org"], "Safety alert: please act now"),
    ]
    # The e-mail names no one and says nothing clinical.
    assert "Rosa" not in mailoutbox[0].body
    assert f"/measures/alerts/{alert.pk}/" in mailoutbox[0].body
    assert (alert.escalation_level, alert.has_delivery_failure) == (0, False)
    assert list(alerts_for(cast.lena)) == [alert]
    assert list(alerts_for(cast.sam)) == [alert]
    assert list(alerts_for(cast.vic)) == []


def test_a_second_save_or_the_submission_raises_no_second_alert_for_the_same_rule(cast, mailoutbox):
    response = _start(cast)
    actions.save_answers(response=response, answers={"phq9_9": 1}, by=cast.rosa.user)
    assert actions.save_answers(response=response, answers={"phq9_9": 3}, by=cast.rosa.user) == []
    actions.save_answers(response=response, answers=PHQ9_RISK, by=cast.rosa.user)
    alerts = actions.submit_response(response=response, by=cast.rosa.user)
    assert [alert.rule_id for alert in alerts] == ["phq9_item9_above_zero"]
    assert SafetyAlert.objects.count() == 1
    assert len(mailoutbox) == 2


def test_answers_without_risk_raise_no_alert(cast, mailoutbox):
    response = _start(cast)
    actions.save_answers(response=response, answers=PHQ9_SAFE, by=cast.rosa.user)
    assert actions.submit_response(response=response, by=cast.rosa.user) == []
    assert (SafetyAlert.objects.count(), len(mailoutbox)) == (0, 0)


def test_no_responsible_link_worker_is_recorded_as_a_failure_and_escalates_at_once(
    cast, settings, mailoutbox
):
    settings.MEASURES_ESCALATION_EMAILS = "duty@example.org"
    stranger = PersonFactory(given_name="Nadia", family_name="Nocase")
    response = _start(cast, person=stranger, by=cast.lena)
    (alert,) = actions.save_answers(response=response, answers={"phq9_9": 2}, by=cast.lena)
    alert.refresh_from_db()
    assert (alert.responsible_worker, alert.team, alert.has_delivery_failure, alert.escalation_level) == (
        None,
        None,
        True,
        1,
    )
    failures = list(
        alert.deliveries.filter(outcome=AlertDelivery.Outcome.FAILED).values_list("audience", "problem")
    )
    assert failures == [
        (
            "responsible",
            "No responsible link worker was found. Nadia Nocase has no open case, so no link worker is "
            "responsible for them.",
        ),
        ("supervisor", "No supervisor was found to tell: the person is with no team."),
    ]
    assert _deliveries(alert)[-1] == ("duty", "email", "duty@example.org", "sent", 1)
    assert [mail.to for mail in mailoutbox] == [["duty@example.org"]]
    assert mailoutbox[0].subject == "Escalated: a safety alert is still waiting"
    # Unowned alerts are shown to every link worker until someone acknowledges them.
    assert [list(alerts_for(user)) for user in (cast.lena, cast.owen, cast.vic)] == [
        [alert],
        [alert],
        [alert],
    ]
    assert AuditEvent.objects.filter(action="measures.escalate_safety_alert").get().detail == {
        "level": 1,
        "cause": "the alert could not be delivered to everyone it should reach",
    }


def test_an_email_backend_that_raises_is_recorded_and_escalates(cast, settings):
    settings.EMAIL_BACKEND = "commonweal.measures.tests.broken_mail.BrokenBackend"
    settings.MEASURES_ESCALATION_EMAILS = "duty@example.org"
    response = _start(cast)
    (alert,) = actions.save_answers(response=response, answers={"phq9_9": 3}, by=cast.rosa.user)
    alert.refresh_from_db()
    assert alert.has_delivery_failure is True
    assert alert.escalation_level == 1
    failed = list(
        alert.deliveries.filter(outcome=AlertDelivery.Outcome.FAILED, escalation_level=0).values_list(
            "address", "problem"
        )
    )
    assert failed == [
        (
            "lena@example.org",
            "The e-mail to lena@example.org could not be sent: ConnectionRefusedError: mail is down",
        ),
        (
            "sam@example.org",
            "The e-mail to sam@example.org could not be sent: ConnectionRefusedError: mail is down",
        ),
    ]
    # The in-app alert still reached both, and the escalation went to the whole team and the duty address.
    assert _deliveries(alert)[0] == ("responsible", "in_app", "Lena Linkworker", "sent", 0)
    escalation = [(*row[:3], row[4]) for row in _deliveries(alert) if row[4] == 1]
    assert escalation == [
        ("supervisor", "in_app", "Sam Supervisor", 1),
        ("supervisor", "email", "Sam Supervisor", 1),
        ("team", "in_app", "Lena Linkworker", 1),
        ("team", "email", "Lena Linkworker", 1),
        ("team", "in_app", "Owen Otherworker", 1),
        ("team", "email", "Owen Otherworker", 1),
        ("duty", "email", "duty@example.org", 1),
    ]


def test_acknowledging_records_the_action_and_who_took_it(cast):
    response = _start(cast)
    (alert,) = actions.save_answers(response=response, answers={"phq9_9": 1}, by=cast.rosa.user)
    acknowledged = actions.acknowledge_alert(
        alert=alert, action_taken="Phoned Rosa; agreed a safety plan and a GP call today", by=cast.lena
    )
    assert (acknowledged.status, acknowledged.acknowledged_by, acknowledged.action_taken) == (
        SafetyAlert.Status.ACKNOWLEDGED,
        cast.lena,
        "Phoned Rosa; agreed a safety plan and a GP call today",
    )
    assert AuditEvent.objects.get(action="measures.acknowledge_safety_alert").detail == {
        "action_taken": "Phoned Rosa; agreed a safety plan and a GP call today"
    }


def test_acknowledging_needs_a_real_action_and_only_once(cast):
    response = _start(cast)
    (alert,) = actions.save_answers(response=response, answers={"phq9_9": 1}, by=cast.rosa.user)
    with pytest.raises(actions.MeasureError) as short:
        actions.acknowledge_alert(alert=alert, action_taken="ok", by=cast.lena)
    assert str(short.value) == (
        "Say what action you took (at least 10 characters), so others can follow it up."
    )
    alert.refresh_from_db()
    assert alert.status == SafetyAlert.Status.OPEN
    actions.acknowledge_alert(alert=alert, action_taken="Called and spoke with Rosa", by=cast.sam)
    with pytest.raises(actions.MeasureError) as again:
        actions.acknowledge_alert(alert=alert, action_taken="Called and spoke with Rosa too", by=cast.lena)
    assert str(again.value).startswith("Sam Supervisor already acknowledged this alert at ")
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.action_taken) == (cast.sam, "Called and spoke with Rosa")


def test_a_link_worker_not_told_about_the_alert_cannot_acknowledge_it(cast):
    response = _start(cast)
    (alert,) = actions.save_answers(response=response, answers={"phq9_9": 1}, by=cast.rosa.user)
    with pytest.raises(PermissionDenied):
        actions.acknowledge_alert(alert=alert, action_taken="Not mine, but acknowledging", by=cast.vic)
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == (SafetyAlert.Status.OPEN, None)


def test_an_unacknowledged_alert_escalates_after_the_configured_time_and_again_later(
    cast, settings, mailoutbox
):
    settings.MEASURES_ALERT_ESCALATE_AFTER_MINUTES = 30
    settings.MEASURES_ESCALATION_EMAILS = "duty@example.org"
    response = _start(cast)
    (alert,) = actions.save_answers(response=response, answers={"phq9_9": 1}, by=cast.rosa.user)
    raised = alert.raised_at
    assert actions.escalate_overdue_alerts(now=raised + datetime.timedelta(minutes=29)) == []
    assert [a.pk for a in actions.escalate_overdue_alerts(now=raised + datetime.timedelta(minutes=30))] == [
        alert.pk
    ]
    alert.refresh_from_db()
    assert (alert.escalation_level, alert.last_escalated_at) == (1, raised + datetime.timedelta(minutes=30))
    assert actions.escalate_overdue_alerts(now=raised + datetime.timedelta(minutes=59)) == []
    assert len(actions.escalate_overdue_alerts(now=raised + datetime.timedelta(minutes=60))) == 1
    alert.refresh_from_db()
    assert alert.escalation_level == 2
    escalation_mail = [mail.to for mail in mailoutbox if mail.subject.startswith("Escalated")]
    assert (
        escalation_mail
        == [["sam@example.org"], ["lena@example.org"], ["owen@example.org"], ["duty@example.org"]] * 2
    )


def test_an_acknowledged_alert_never_escalates(cast):
    response = _start(cast)
    (alert,) = actions.save_answers(response=response, answers={"phq9_9": 1}, by=cast.rosa.user)
    actions.acknowledge_alert(alert=alert, action_taken="Spoke with Rosa at home", by=cast.lena)
    assert actions.escalate_overdue_alerts(now=timezone.now() + datetime.timedelta(days=2)) == []
    alert.refresh_from_db()
    assert alert.escalation_level == 0


def test_with_nobody_to_escalate_to_the_failure_itself_is_recorded(cast):
    loner = PersonFactory(given_name="Ike", family_name="Isolated")
    Referral.objects.create(
        person=loner, team=cast.team, source="gp", reasons=["low_mood"], status=ReferralStatus.AWAITING_TRIAGE
    )
    cast.team.supervisors.all().delete()
    for worker in (cast.lena, cast.sam, cast.owen):
        worker.is_active = False
        worker.save()
    response = _start(cast, person=loner, by=cast.vic)
    (alert,) = actions.save_answers(response=response, answers={"phq9_9": 2}, by=cast.vic)
    alert.refresh_from_db()
    problems = list(alert.deliveries.values_list("audience", "escalation_level", "problem"))
    assert problems == [
        (
            "responsible",
            0,
            "No responsible link worker was found. Ike Isolated has no open case, so no link worker is "
            "responsible for them (a referral waits for triage with Test Surgery).",
        ),
        ("supervisor", 0, "No supervisor was found to tell: Test Surgery has no supervisor recorded."),
        (
            "duty",
            1,
            "Nobody could be found to escalate to: record the team's supervisor, or set "
            "MEASURES_ESCALATION_EMAILS. Every link worker sees this alert until it is acknowledged.",
        ),
    ]
    assert list(alerts_for(cast.vic)) == [alert]


def test_after_a_case_closes_the_team_that_last_worked_with_the_person_is_told(cast):
    Referral.objects.filter(pk=cast.case.pk).update(
        status=ReferralStatus.CLOSED,
        closed_at=timezone.make_aware(datetime.datetime(2026, 6, 30, 12, 0)),
        closure_reason="goals_met",
    )
    response = _start(cast)
    (alert,) = actions.save_answers(response=response, answers={"phq9_9": 1}, by=cast.rosa.user)
    alert.refresh_from_db()
    assert (alert.responsible_worker, alert.team, alert.escalation_level) == (None, cast.team, 1)
    assert alert.deliveries.filter(outcome=AlertDelivery.Outcome.FAILED).get().problem == (
        "No responsible link worker was found. Rosa Resident has no open case, so no link worker is "
        "responsible for them (their last case, with Test Surgery, closed on 30 June 2026)."
    )
    told = set(
        alert.deliveries.filter(outcome=AlertDelivery.Outcome.SENT).values_list(
            "recipient__full_name", flat=True
        )
    )
    assert told == {"Sam Supervisor", "Lena Linkworker", "Owen Otherworker"}


def test_a_link_worker_who_supervises_their_own_team_is_told_once_and_that_is_no_failure(cast):
    cast.team.supervisors.all().delete()
    cast.team.supervisors.create(user=cast.lena)
    response = _start(cast)
    (alert,) = actions.save_answers(response=response, answers={"phq9_9": 1}, by=cast.rosa.user)
    alert.refresh_from_db()
    assert _deliveries(alert) == [
        ("responsible", "in_app", "Lena Linkworker", "sent", 0),
        ("responsible", "email", "Lena Linkworker", "sent", 0),
    ]
    assert (alert.has_delivery_failure, alert.escalation_level) == (False, 0)
