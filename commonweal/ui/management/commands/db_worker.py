"""`commonweal db_worker`: django-tasks-db's worker, holding a lease on the task it runs.

At start it puts back on the queue the tasks of workers that died (their lease ran out); while a task
runs, a heartbeat thread renews its lease (commonweal/ui/background.py, docs/decisions/1205).
"""

from __future__ import annotations

import logging
from typing import Any

from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from commonweal.ui import background


class LeasedWorker(db_worker.Worker):
    """A worker that sweeps expired leases when it starts and holds a lease on each task it runs."""

    def run(self) -> None:
        requeued, failed = background.requeue_expired_tasks()
        if requeued or failed:
            db_worker.logger.warning(
                "Tasks of stopped workers: %d back on the queue, %d failed.", requeued, failed
            )
        super().run()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        task_id = str(db_task_result.id)
        background.take_lease(task_id=task_id, worker_id=self.worker_id)
        try:
            with background.heartbeat(task_id=task_id, worker_id=self.worker_id):
                super().run_task(db_task_result)
        finally:
            background.release_lease(task_id=task_id)


class Command(db_worker.Command):
    help = "Run the background worker (django-tasks-db's, with task leases and a sweep at start)."

    def configure_logging(self, verbosity: int) -> None:
        """Print what goes wrong, not two lines for every task: at the default verbosity (1) the task
        loggers report warnings and failures only; -v 2 prints each task's start and end, -v 3 more."""
        # django-tasks-db: 0 silent, 1 every task at INFO, 2 and more DEBUG.
        super().configure_logging({0: 0, 1: 1, 2: 1}.get(verbosity, 2))
        if verbosity == 1:
            logging.getLogger(db_worker.TASKS_LOGGER).setLevel(logging.WARNING)
            db_worker.logger.setLevel(logging.WARNING)

    def handle(self, *args: Any, **options: Any) -> None:
        original = db_worker.Worker
        db_worker.Worker = LeasedWorker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]
