"""A refresh whose background worker died does not hold back the next one (finding 4)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from commonweal.evidence import actions
from commonweal.evidence.models import SummaryRefresh
from commonweal.evidence.queries import pending_refresh
from commonweal.ui import background

pytestmark = pytest.mark.django_db
REFRESH_TASK = "commonweal.evidence.tasks.refresh_summaries_task"


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASK_LEASE_SECONDS = 60


def _task_of(run: SummaryRefresh, *, status: str, started_at: datetime.datetime | None) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        started_at=started_at,
        args_kwargs={"args": [run.pk], "kwargs": {}},
        task_path=REFRESH_TASK,
        backend_name="default",
        run_after=datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC),
    )


def test_a_refresh_whose_worker_died_minutes_ago_lets_another_be_asked_for(
    database_queue, commissioner_client: Client, system
) -> None:
    killed_at = timezone.now() - datetime.timedelta(minutes=3)
    dead = SummaryRefresh.objects.create(requested_by=system.commissioner, started_at=killed_at)
    task = _task_of(dead, status=TaskResultStatus.RUNNING, started_at=killed_at)
    background.take_lease(task_id=str(task.id), worker_id="killed", at=killed_at)
    assert pending_refresh() is None
    response = commissioner_client.post("/evidence/refresh/", follow=True)
    assert "The figures are being brought up to date." in response.content.decode()
    assert SummaryRefresh.objects.filter(state=SummaryRefresh.State.RUNNING).count() == 2


def test_a_refresh_under_a_live_lease_or_waiting_on_the_queue_holds_back_another(
    database_queue, system
) -> None:
    started = timezone.now() - datetime.timedelta(minutes=90)
    running = SummaryRefresh.objects.create(requested_by=system.commissioner, started_at=started)
    task = _task_of(running, status=TaskResultStatus.RUNNING, started_at=started)
    background.take_lease(task_id=str(task.id), worker_id="alive")
    # Older than the hour the guard used to allow, and still running: it is still pending.
    assert pending_refresh() == running
    with pytest.raises(actions.EvidenceError, match="already being brought up to date"):
        actions.request_refresh(by=system.commissioner)
    DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.READY, started_at=None)
    background.release_lease(task_id=str(task.id))
    assert pending_refresh() == running


def test_a_refresh_task_run_again_after_it_finished_changes_nothing(
    system, django_capture_on_commit_callbacks
) -> None:
    from commonweal.evidence.tasks import refresh_summaries_task

    with django_capture_on_commit_callbacks(execute=True):
        run = actions.request_refresh(by=system.commissioner)
    run.refresh_from_db()
    assert run.state == SummaryRefresh.State.FINISHED
    finished_at = run.finished_at
    assert refresh_summaries_task.call(run.pk) == "The refresh had already finished."
    run.refresh_from_db()
    assert run.finished_at == finished_at
