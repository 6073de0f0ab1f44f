"""The measures actions write the time they are given (`at=`), and their audit events carry it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from commonweal.audit.models import AuditEvent
from commonweal.measures import actions, registry
from commonweal.measures.models import MeasureSchedule, Response, ScheduledMeasure

pytestmark = pytest.mark.django_db

PLANNED = datetime.datetime(2025, 4, 1, 9, 30, tzinfo=datetime.UTC)
STARTED = datetime.datetime(2025, 4, 1, 10, 0, tzinfo=datetime.UTC)
SUBMITTED = datetime.datetime(2025, 4, 1, 10, 7, tzinfo=datetime.UTC)


def test_a_schedule_planned_and_answered_at_given_times_is_dated_then(cast):
    schedule = actions.schedule_measures(
        person=cast.rosa,
        instruments=["ucla-3"],
        baseline_on=datetime.date(2025, 4, 1),
        follow_up_weeks=[6],
        by=cast.lena,
        at=PLANNED,
    )
    assert MeasureSchedule.objects.get(pk=schedule.pk).created_at == PLANNED
    baseline = ScheduledMeasure.objects.get(schedule=schedule, weeks_after_baseline=0)
    response = actions.start_response(
        person=cast.rosa,
        definition=registry.definition("ucla-3"),
        mode=Response.Mode.CONVERSATION,
        scheduled=baseline,
        by=cast.lena,
        at=STARTED,
    )
    actions.save_answers(
        response=response,
        answers={"lack_companionship": Decimal(2), "left_out": Decimal(1), "isolated": Decimal(2)},
        by=cast.lena,
        at=STARTED,
    )
    actions.submit_response(response=response, by=cast.lena, at=SUBMITTED)
    response.refresh_from_db()
    baseline.refresh_from_db()
    assert (response.started_at, response.submitted_at, baseline.completed_at) == (
        STARTED,
        SUBMITTED,
        SUBMITTED,
    )
    assert list(
        AuditEvent.objects.filter(action__startswith="measures.")
        .order_by("pk")
        .values_list("action", "occurred_at")
    ) == [
        ("measures.schedule_measures", PLANNED),
        ("measures.start_response", STARTED),
        ("measures.save_answers", STARTED),
        ("measures.submit_response", SUBMITTED),
    ]
