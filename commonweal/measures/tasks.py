"""Background tasks of the measures app (through Django's task interface; tests run them at once).

Actions queue these tasks (on commit); the tasks call `reminders`, which does not import the actions,
so nothing imports in a circle.
"""

from __future__ import annotations

import datetime

from django_tasks import task

from commonweal.measures import reminders
from commonweal.measures.models import ScheduledMeasure


@task()
def send_measure_reminder(scheduled_id: int, at: str) -> str:
    """Send one reminder about a due questionnaire (queued by the sweep); return what happened."""
    scheduled = ScheduledMeasure.objects.filter(pk=scheduled_id).first()
    if scheduled is None:
        return "The questionnaire is no longer planned."
    return reminders.remind(scheduled=scheduled, now=datetime.datetime.fromisoformat(at))
