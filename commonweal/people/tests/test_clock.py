"""The people actions write the time they are given (`at=`), and their audit events carry it."""

from __future__ import annotations

import datetime

import pytest

from commonweal.audit.models import AuditEvent
from commonweal.people import actions
from commonweal.people.models import GoalProgress
from commonweal.referrals.tests.factories import build_world, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(places):
    return build_world(places)


SET = datetime.datetime(2025, 3, 1, 10, 0, tzinfo=datetime.UTC)
REVIEWED = datetime.datetime(2025, 3, 22, 15, 0, tzinfo=datetime.UTC)


def test_a_goal_set_and_reviewed_at_given_times_is_dated_then(world):
    open_case(world)
    goal = actions.set_goal(person=world.rosa, description="Walk to the park", by=world.link_worker, at=SET)
    review = actions.update_goal(
        goal=goal, progress=GoalProgress.GOOD_PROGRESS, by=world.link_worker, at=REVIEWED
    )
    goal.refresh_from_db()
    assert (goal.set_at, goal.updated_at, review.reviewed_at) == (SET, REVIEWED, REVIEWED)
    assert list(
        AuditEvent.objects.filter(target_id=goal.pk, action__startswith="people.")
        .order_by("pk")
        .values_list("action", "occurred_at")
    ) == [("people.set_goal", SET), ("people.update_goal", REVIEWED)]


def test_a_record_changed_at_a_given_time_is_dated_then(world):
    changed = actions.update_record(person=world.rosa, by=world.resident, at=SET, phone="0161 496 0999")
    world.rosa.refresh_from_db()
    assert changed == ["phone"]
    assert world.rosa.updated_at == SET
    assert AuditEvent.objects.get(action="people.update_record", target_id=world.rosa.pk).occurred_at == SET
