"""Background tasks of the measures app (through Django's task interface; tests run them at once)."""

from __future__ import annotations

import datetime

from django_tasks import task

from commonweal.measures import actions
from commonweal.measures.models import ScheduledMeasure


@task()
def send_measure_reminder(scheduled_id: int, at: str) -> str:
    """Send one reminder about a due questionnaire (queued by the sweep); return what happened."""
    scheduled = ScheduledMeasure.objects.filter(pk=scheduled_id).first()
    if scheduled is None:
        return "The questionnaire is no longer planned."
    return actions.remind(scheduled=scheduled, now=datetime.datetime.fromisoformat(at))


@task()
def run_measures_sweep() -> str:
    """Run the periodic sweep (for deployments that schedule it through the task queue)."""
    return str(actions.run_sweep())
