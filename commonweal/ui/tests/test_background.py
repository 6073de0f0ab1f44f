"""Task leases: a task whose worker died goes back on the queue; a live one is left alone (finding 4)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from commonweal.ui import background
from commonweal.ui.models import TaskLease

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
FIVE_MINUTES = datetime.timedelta(minutes=5)
TASK = "commonweal.evidence.tasks.refresh_summaries_task"


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE
    settings.TASK_LEASE_SECONDS = 60


def _running(started_at, *, args=(1,)):
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=started_at,
        args_kwargs={"args": list(args), "kwargs": {}},
        task_path=TASK,
        backend_name="default",
        run_after=datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC),
        worker_ids=["dead-worker"],
    )


@pytest.mark.django_db
def test_a_running_task_whose_lease_ran_out_goes_back_on_the_queue(database_queue):
    now = timezone.now()
    result = _running(now - datetime.timedelta(minutes=5))
    background.take_lease(
        task_id=str(result.id), worker_id="dead-worker", at=now - datetime.timedelta(minutes=5)
    )
    assert background.task_is_live(TASK, [1], at=now) is False
    out = StringIO()
    call_command("requeue_tasks", stdout=out)
    result.refresh_from_db()
    assert (result.status, result.started_at) == (TaskResultStatus.READY, None)
    assert out.getvalue() == "Tasks of stopped workers: 1 back on the queue, 0 failed.\n"
    # Queued again, it counts as live until a worker takes it.
    assert background.task_is_live(TASK, [1]) is True


@pytest.mark.django_db
def test_a_task_under_a_live_lease_is_left_alone(database_queue):
    now = timezone.now()
    result = _running(now - datetime.timedelta(minutes=5))
    background.take_lease(
        task_id=str(result.id), worker_id="busy-worker", at=now - datetime.timedelta(minutes=5)
    )
    assert background.renew_lease(task_id=str(result.id), worker_id="busy-worker")
    assert background.requeue_expired_tasks() == (0, 0)
    assert background.task_is_live(TASK, [1]) is True
    result.refresh_from_db()
    assert result.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_running_task_without_a_lease_expires_a_lease_length_after_it_started(database_queue):
    now = timezone.now()
    fresh = _running(now - datetime.timedelta(seconds=10), args=(1,))
    stale = _running(now - datetime.timedelta(seconds=61), args=(2,))
    assert background.requeue_expired_tasks(at=now) == (1, 0)
    fresh.refresh_from_db()
    stale.refresh_from_db()
    assert (fresh.status, stale.status) == (TaskResultStatus.RUNNING, TaskResultStatus.READY)


@pytest.mark.django_db
def test_a_task_that_stopped_its_worker_three_times_is_failed_not_run_again(database_queue):
    now = timezone.now()
    result = _running(now - datetime.timedelta(minutes=5))
    for _ in range(background.MAX_ATTEMPTS):
        background.take_lease(task_id=str(result.id), worker_id="w", at=now - FIVE_MINUTES)
    assert background.requeue_expired_tasks(at=now) == (0, 1)
    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED
    assert result.exception_class_path == "commonweal.ui.background.LeaseExpiredError"
    assert not TaskLease.objects.exists()


@pytest.mark.django_db
def test_the_lease_of_a_task_that_ended_is_cleared_by_the_sweep(database_queue):
    result = _running(timezone.now())
    background.take_lease(task_id=str(result.id), worker_id="w")
    DBTaskResult.objects.filter(pk=result.pk).update(status=TaskResultStatus.SUCCESSFUL)
    background.requeue_expired_tasks()
    assert not TaskLease.objects.exists()


def test_without_the_database_queue_there_is_nothing_to_ask():
    # Tests run tasks at once (conftest.py): no queue, no lease.
    assert background.task_is_live(TASK, [1]) is None
