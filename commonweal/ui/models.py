"""Two small shared records of the task layer and the forms (docs/decisions/1205).

`TaskLease`: a background task that is running holds a lease its worker renews while it lives; a lease
that runs out means the worker died, and the sweep puts the task back on the queue.
`UsedFormToken`: a create form's one-time token, kept with what the first submit created, so a second
submit of the same form shows that instead of creating it again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TaskLease(models.Model):
    """The lease of one running task of the database queue (django-tasks-db's DBTaskResult)."""

    task_id = models.UUIDField(unique=True)
    worker_id = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)
    # How many times the task was started; the sweep gives up on a task that keeps killing its worker.
    attempts = models.PositiveSmallIntegerField(default=1)

    def __str__(self) -> str:
        return f"Lease of task {self.task_id} by {self.worker_id} until {self.expires_at:%H:%M:%S}"


class UsedFormToken(models.Model):
    """A create form's token that was used, and where what it created can be seen."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    url = models.CharField(max_length=500)
    used_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"Form token used at {self.used_at:%Y-%m-%d %H:%M}"
