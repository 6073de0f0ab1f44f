"""A reminder task run a second time (its worker died after it committed) sends nothing more (finding 4)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from commonweal.measures import actions
from commonweal.measures.models import ScheduledMeasure
from commonweal.measures.tasks import send_measure_reminder

pytestmark = pytest.mark.django_db


def test_a_reminder_task_run_twice_sends_one_email(cast, mailoutbox):
    cast.rosa.email = "rosa.home@example.org"
    cast.rosa.save()
    actions.schedule_measures(
        person=cast.rosa,
        instruments=["phq-9"],
        baseline_on=timezone.localdate(),
        follow_up_weeks=[6],
        by=cast.lena,
    )
    baseline = ScheduledMeasure.objects.get(person=cast.rosa, weeks_after_baseline=0)
    moment = timezone.now()
    first = send_measure_reminder.call(baseline.pk, moment.isoformat())
    assert first.startswith("Reminder e-mailed on ")
    # The same task again (put back on the queue), and one a later sweep queued before it ran.
    assert send_measure_reminder.call(baseline.pk, moment.isoformat()) == "Already reminded."
    later = moment + timezone.timedelta(minutes=5)
    assert send_measure_reminder.call(baseline.pk, later.isoformat()) == "Already reminded."
    assert len(mailoutbox) == 1
    baseline.refresh_from_db()
    assert baseline.reminders_sent == 1
