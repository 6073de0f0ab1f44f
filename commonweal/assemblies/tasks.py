"""Background tasks for assemblies (through Django's task interface; tests run them at once).

Actions queue these tasks; the tasks call the selection run, below the actions, so nothing imports in a
circle.
"""

from __future__ import annotations

from django_tasks import task

from commonweal.assemblies.selection_run import carry_out_selection


@task()
def select_panel(request_id: int) -> str:
    """Select an assembly's panel as an organiser asked; return how it ended."""
    return carry_out_selection(request_id=request_id).get_status_display()
