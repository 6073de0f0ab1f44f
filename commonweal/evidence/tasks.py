"""Background work of the evidence app (through Django's task interface; tests run it at once).

Actions queue this task (on commit); it calls `summaries`, which does not import the actions, so
nothing imports in a circle.
"""

from __future__ import annotations

from django_tasks import task

from commonweal.evidence import summaries
from commonweal.evidence.models import SummaryRefresh


@task()
def refresh_summaries_task(run_id: int) -> str:
    """Rebuild the summary tables for a refresh someone asked for; record a failure on the run."""
    run = SummaryRefresh.objects.filter(pk=run_id).first()
    if run is None:
        return "The refresh was not found."
    if run.state != SummaryRefresh.State.RUNNING:
        # Run again after its worker died between finishing and saying so: nothing more to do.
        return f"The refresh had already {run.get_state_display().lower()}."
    try:
        finished = summaries.refresh_summaries(by=run.requested_by, run=run)
    except Exception as error:
        summaries.fail_refresh(run=run, problem=f"{type(error).__name__}: {error}")
        raise
    return (
        f"{finished.referrals} referrals, {finished.connections} connections, "
        f"{finished.outcome_pairs} score changes"
    )
