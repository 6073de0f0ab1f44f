"""Measures actions refuse whoever the rules refuse, and change nothing when they do.

Rosa is a resident; Lena is her link worker; Vic is a link worker elsewhere; Nell is another resident;
Cara works for a community organisation (she maintains its directory entries, not anyone's measures).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.measures import actions, registry
from commonweal.measures.models import (
    AnswerLink,
    MeasureSchedule,
    Response,
    SafetyAlert,
    ScheduledMeasure,
)
from commonweal.measures.tests.conftest import PHQ9_RISK, PHQ9_SAFE

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, object]:
    return {
        "schedules": MeasureSchedule.objects.count(),
        "scheduled": ScheduledMeasure.objects.count(),
        "responses": list(Response.objects.order_by("pk").values_list("status", "answers", "version")),
        "links": AnswerLink.objects.count(),
        "alerts": list(SafetyAlert.objects.order_by("pk").values_list("status", "acknowledged_by")),
        "events": AuditEvent.objects.count(),
    }


def _rosas_response(cast, answers=None, submit=False) -> Response:
    response = actions.start_response(
        person=cast.rosa,
        definition=registry.definition("phq-9"),
        mode=Response.Mode.OWN_ACCOUNT,
        by=cast.rosa.user,
    )
    if answers:
        actions.save_answers(response=response, answers=answers, by=cast.rosa.user)
    if submit:
        actions.submit_response(response=response, by=cast.rosa.user)
    return response


def test_a_resident_cannot_plan_someone_elses_questionnaires(cast, persona):
    nell = persona(Role.RESIDENT, full_name="Nell Neighbour")
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.schedule_measures(
            person=cast.rosa,
            instruments=["phq-9"],
            baseline_on=datetime.date(2026, 3, 2),
            follow_up_weeks=[6],
            by=nell,
        )
    assert _snapshot() == before
    assert MeasureSchedule.objects.count() == 0


def test_an_organisation_member_cannot_start_answers_for_someone_else(cast, persona):
    cara = persona(Role.ORGANISATION_MEMBER, full_name="Cara Community")
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.start_response(
            person=cast.rosa,
            definition=registry.definition("phq-9"),
            mode=Response.Mode.CONVERSATION,
            by=cara,
        )
    assert _snapshot() == before
    assert Response.objects.count() == 0


def test_another_resident_cannot_save_or_submit_rosas_answers(cast, persona):
    nell = persona(Role.RESIDENT, full_name="Nell Neighbour")
    response = _rosas_response(cast, answers=PHQ9_SAFE)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.save_answers(response=response, answers={"phq9_1": 3}, by=nell)
    with pytest.raises(PermissionDenied):
        actions.submit_response(response=response, by=nell)
    assert _snapshot() == before
    response.refresh_from_db()
    assert (response.status, response.answers["phq9_1"]) == (Response.Status.IN_PROGRESS, "1")


def test_the_person_cannot_correct_their_own_submitted_answers(cast):
    response = _rosas_response(cast, answers=PHQ9_SAFE, submit=True)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.correct_response(
            response=response,
            answers=PHQ9_SAFE | {"phq9_1": 3},
            reason="I answered the first one wrongly",
            by=cast.rosa.user,
        )
    assert _snapshot() == before
    assert Response.objects.filter(corrects=response).count() == 0


def test_a_resident_cannot_send_a_one_time_link(cast, persona):
    nell = persona(Role.RESIDENT, full_name="Nell Neighbour")
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.create_answer_link(person=cast.rosa, definition=registry.definition("phq-9"), by=nell)
    assert _snapshot() == before
    assert AnswerLink.objects.count() == 0


def test_a_link_worker_in_another_team_cannot_acknowledge_the_alert(cast, mailoutbox):
    response = _rosas_response(cast)
    (alert,) = actions.save_answers(response=response, answers=PHQ9_RISK, by=cast.rosa.user)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.acknowledge_alert(alert=alert, action_taken="Called Rosa and made a plan", by=cast.vic)
    assert _snapshot() == before
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.action_taken) == (SafetyAlert.Status.OPEN, None, "")


def test_a_used_link_cannot_save_more_answers(cast):
    link, _ = actions.create_answer_link(
        person=cast.rosa, definition=registry.definition("phq-9"), by=cast.lena
    )
    response = actions.open_link(link=link)
    AnswerLink.objects.filter(pk=link.pk).update(used_at=timezone.now())
    link.refresh_from_db()
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.save_answers(response=response, answers={"phq9_1": 2}, by=None, link=link)
    assert _snapshot() == before
    response.refresh_from_db()
    assert response.answers == {}
