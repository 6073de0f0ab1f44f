"""Background tasks for assemblies (through Django's task interface; tests run them at once)."""

from __future__ import annotations

from django_tasks import task

from commonweal.assemblies import actions


@task()
def select_panel(request_id: int) -> str:
    """Select an assembly's panel as an organiser asked; return how it ended."""
    return actions.carry_out_selection(request_id=request_id).get_status_display()
