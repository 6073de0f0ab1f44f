"""Background work of the directory (through Django's task interface; tests run it at once).

Actions queue these tasks; the tasks call modules below the actions, so nothing imports in a circle.
"""

from __future__ import annotations

from django_tasks import task

from commonweal.directory.importers import run_import
from commonweal.directory.models import ImportRun


@task()
def run_import_task(run_id: int) -> str:
    """Carry out a queued import run; return what became of it."""
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        return "The import run was not found."
    if run.state in (ImportRun.State.FINISHED, ImportRun.State.FAILED):
        # Run again after its worker died between finishing and saying so: the import is done.
        return f"{run.get_state_display()} already. {run.message}"
    run = run_import(run)
    return f"{run.get_state_display()}. {run.message}"
