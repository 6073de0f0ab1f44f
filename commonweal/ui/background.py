"""Leases for background tasks: a task whose worker died goes back on the queue (docs/decisions/1205).

django-tasks-db marks a task RUNNING when a worker claims it and SUCCESSFUL or FAILED when it ends; a
worker killed in between (SIGKILL, out of memory, a lost machine) leaves it RUNNING for ever. Here the
worker (`commonweal db_worker`) holds a lease on the task it runs and renews it from a heartbeat thread;
`requeue_expired_tasks` (run by `commonweal periodic` and when a worker starts) puts a task whose lease
ran out back on the queue, or marks it failed after MAX_ATTEMPTS starts. Every task must therefore be
safe to run again: each checks what an earlier run already did before it does anything.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from commonweal.ui.models import TaskLease

logger = logging.getLogger(__name__)

# A task is started at most this many times; a task that kills its worker each time is then failed.
MAX_ATTEMPTS = 3


class LeaseExpiredError(RuntimeError):
    """Recorded on a task whose worker died MAX_ATTEMPTS times while it ran."""


def lease_length() -> datetime.timedelta:
    """How long a lease lasts without a heartbeat (settings.TASK_LEASE_SECONDS)."""
    return datetime.timedelta(seconds=settings.TASK_LEASE_SECONDS)


def take_lease(*, task_id: str, worker_id: str, at: datetime.datetime | None = None) -> TaskLease:
    """Record that a worker runs a task, until the lease runs out; count the start."""
    at = at or timezone.now()
    with transaction.atomic():
        lease, created = TaskLease.objects.select_for_update().get_or_create(
            task_id=task_id, defaults={"worker_id": worker_id, "expires_at": at + lease_length()}
        )
        if not created:
            lease.worker_id = worker_id
            lease.expires_at = at + lease_length()
            lease.attempts += 1
            lease.save(update_fields=["worker_id", "expires_at", "attempts"])
    return lease


def renew_lease(*, task_id: str, worker_id: str) -> bool:
    """Extend a worker's lease on its task; False when the lease is no longer the worker's."""
    renewed = TaskLease.objects.filter(task_id=task_id, worker_id=worker_id).update(
        expires_at=timezone.now() + lease_length()
    )
    return renewed == 1


def release_lease(*, task_id: str) -> None:
    """Forget the lease of a task that ended (successfully or not)."""
    TaskLease.objects.filter(task_id=task_id).delete()


@contextmanager
def heartbeat(*, task_id: str, worker_id: str) -> Iterator[None]:
    """Renew the lease from a thread (with its own database connection) while the block runs."""
    stop = threading.Event()
    every = max(settings.TASK_LEASE_SECONDS / 4, 0.2)

    def beat() -> None:
        try:
            while not stop.wait(every):
                try:
                    renew_lease(task_id=task_id, worker_id=worker_id)
                except Exception as error:  # a busy database: the next beat tries again
                    logger.warning("Lease of task %s not renewed: %s", task_id, error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"lease-{task_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def requeue_expired_tasks(*, at: datetime.datetime | None = None) -> tuple[int, int]:
    """Put running tasks whose lease ran out back on the queue; return (requeued, failed).

    A RUNNING task without a lease counts as expired a lease length after it started (its worker died
    before taking the lease, or was one without leases).
    """
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    at = at or timezone.now()
    requeued = failed = 0
    with transaction.atomic():
        running = list(DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING))
        leases = {
            lease.task_id: lease for lease in TaskLease.objects.filter(task_id__in=[r.id for r in running])
        }
        for result in running:
            lease = leases.get(result.id)
            if lease is not None and lease.expires_at >= at:
                continue
            if lease is None and result.started_at is not None and result.started_at + lease_length() >= at:
                continue
            if lease is not None and lease.attempts >= MAX_ATTEMPTS:
                result.set_failed(
                    LeaseExpiredError(f"The worker running this task stopped {lease.attempts} times.")
                )
                lease.delete()
                failed += 1
                continue
            result.status = TaskResultStatus.READY
            result.started_at = None
            result.save(update_fields=["status", "started_at"])
            requeued += 1
            logger.warning(
                "Task %s (%s) put back on the queue: its worker stopped.", result.id, result.task_path
            )
        # Leases of tasks that ended (the worker died between finishing and letting go).
        TaskLease.objects.exclude(
            task_id__in=DBTaskResult.objects.filter(
                status__in=[TaskResultStatus.RUNNING, TaskResultStatus.READY]
            ).values("id")
        ).delete()
    return requeued, failed


def task_is_live(task_path: str, args: Sequence[Any], *, at: datetime.datetime | None = None) -> bool | None:
    """Tell whether a task with these arguments waits on the database queue or runs under a live lease.

    None when the default backend is not the database queue (tests run tasks at once): nothing to ask.
    """
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import TaskResultStatus, task_backends
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task_backends["default"], DatabaseBackend):
        return None
    at = at or timezone.now()
    wanted = list(args)
    waiting = DBTaskResult.objects.filter(
        task_path=task_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    )
    for result in waiting:
        if result.args_kwargs.get("args") != wanted:
            continue
        if result.status == TaskResultStatus.READY:
            return True
        lease = TaskLease.objects.filter(task_id=result.id).first()
        if lease is not None and lease.expires_at >= at:
            return True
        if lease is None and result.started_at is not None and result.started_at + lease_length() >= at:
            return True
    return False
