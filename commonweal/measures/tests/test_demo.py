"""The measures demo step: deterministic, idempotent and realistic (not everyone improves; some item 9
alerts, most acknowledged with the action taken, some still waiting)."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from commonweal.accounts.models import Role
from commonweal.demokit import DemoContext
from commonweal.measures import registry
from commonweal.measures.demo import build_measures
from commonweal.measures.models import MeasureSchedule, Response, SafetyAlert, ScheduledMeasure
from commonweal.measures.scoring import change, score
from commonweal.measures.tests.conftest import open_case
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(cast, places) -> DemoContext:
    start = timezone.make_aware(datetime.datetime(2025, 8, 4, 10, 0))
    cast.case.first_seen_at = start
    cast.case.save()
    for index in range(150):
        case = open_case(PersonFactory.create(), cast.lena if index % 2 else cast.owen, cast.team)
        case.first_seen_at = start + datetime.timedelta(days=index % 60, hours=index % 5)
        case.save()
    return DemoContext(
        seed=2019,
        ics=places.ics,
        borough=places.borough,
        neighbourhoods=[places.north, places.south],
        organisations={},
        users={Role.RESIDENT: cast.rosa.user, Role.LINK_WORKER: cast.lena},
    )


def _fingerprint() -> list[tuple]:
    responses = list(
        Response.objects.order_by("person_id", "instrument_code", "submitted_at", "version").values_list(
            "person_id",
            "instrument_code",
            "scheduled__weeks_after_baseline",
            "mode",
            "answers",
            "submitted_at",
        )
    )
    alerts = list(
        SafetyAlert.objects.order_by("person_id", "raised_at").values_list(
            "person_id", "status", "acknowledged_by_id", "action_taken"
        )
    )
    return [*responses, *alerts]


def test_the_demo_is_deterministic_and_a_second_run_changes_nothing(context):
    with transaction.atomic():
        assert build_measures(context) is True
        first = _fingerprint()
        transaction.set_rollback(True)
    assert Response.objects.count() == 0
    assert build_measures(context) is True
    assert _fingerprint() == first
    counts = (MeasureSchedule.objects.count(), ScheduledMeasure.objects.count(), Response.objects.count())
    assert build_measures(context) is False
    assert (
        MeasureSchedule.objects.count(),
        ScheduledMeasure.objects.count(),
        Response.objects.count(),
    ) == counts


def test_the_demo_waits_for_caseloads(db, places):
    empty = DemoContext(2019, places.ics, places.borough, [places.north], {}, {})
    assert build_measures(empty) is False
    assert MeasureSchedule.objects.count() == 0


def test_the_demo_is_not_all_improvement_and_has_alerts_in_every_state(context):
    build_measures(context)
    phq9 = registry.definition("phq-9")
    outcomes = Counter()  # directions and reliable-change outcomes, one of each per person
    for person_id in set(Response.objects.values_list("person_id", flat=True)):
        answered = list(
            Response.objects.current()
            .filter(person_id=person_id, instrument_code="phq-9")
            .order_by("submitted_at")
        )
        if len(answered) > 1:
            first, last = (score(phq9, response.answer_values()) for response in (answered[0], answered[-1]))
            (total,) = change(phq9, first, last)
            outcomes[total.direction] += 1
            outcomes[total.outcome] += 1
    assert outcomes["improved"] > outcomes["deteriorated"] > 0
    assert outcomes["reliable improvement"] > outcomes["reliable deterioration"] > 0
    assert outcomes["no reliable change"] > 0
    alerts = Counter(SafetyAlert.objects.values_list("status", flat=True))
    assert alerts[SafetyAlert.Status.ACKNOWLEDGED] > alerts[SafetyAlert.Status.OPEN] > 0
    assert not SafetyAlert.objects.filter(status=SafetyAlert.Status.ACKNOWLEDGED, action_taken="").exists()
    assert Response.objects.filter(version=2).count() > 0
    # Some follow-ups were never answered, so the overdue list has people on it.
    assert ScheduledMeasure.objects.filter(
        completed_at__isnull=True, due_on__lt=datetime.date(2026, 1, 1)
    ).exists()


def test_the_demo_resident_has_a_phq9_follow_up_to_answer(context, cast):
    build_measures(context)
    due = ScheduledMeasure.objects.filter(
        person=cast.rosa, instrument_code="phq-9", weeks_after_baseline__gt=0, completed_at__isnull=True
    )
    assert due.count() == 2
    assert Response.objects.filter(person=cast.rosa, instrument_code="phq-9").count() == 1


def test_every_demo_answer_scores_with_its_definition(context):
    build_measures(context)
    for response in Response.objects.all():
        result = score(registry.definition(response.instrument_code), response.answer_values())
        assert all(item.value is not None for item in result.scores), response.pk
