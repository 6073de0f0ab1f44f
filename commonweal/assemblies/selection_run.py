"""The selection run: find the fair lottery over panels, draw the panel and seat it; and carry out a
selection request that `actions.request_selection` queued.

It sits below `actions` (which queues the task) and below `tasks` (which calls `carry_out_selection`), so
that the action can import the task without an import circle.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.assemblies import queries, rules
from commonweal.assemblies.core import selection as sortition
from commonweal.assemblies.core.pool import SelectionInputError
from commonweal.assemblies.errors import NOT_YOURS, AssemblyError, require_stage
from commonweal.assemblies.models import (
    Assembly,
    Membership,
    Registration,
    Selection,
    SelectionProbability,
    SelectionRequest,
)
from commonweal.audit.actions import record_event

Stage = Assembly.Stage


def _clock(at: datetime.datetime | None) -> datetime.datetime:
    """Return the time to write: `at` when given, else the wall clock's now."""
    return at if at is not None else timezone.now()


def distribution_json(distribution: sortition.PanelDistribution) -> dict[str, object]:
    """Return a lottery over panels as stored (and published): the groups and each template's seats."""
    return {
        "groups": [[int(member) for member in group] for group in distribution.groups],
        "templates": [
            {"probability": template.probability, "seats": list(template.seats)}
            for template in distribution.templates
        ],
    }


def selection_error(error: SelectionInputError) -> AssemblyError:
    """Return the pure selection's refusal as the error the pages show."""
    return AssemblyError(str(error))


def _add_residents(
    assembly: Assembly, registrations: Sequence[Registration], route: str, now: datetime.datetime
) -> None:
    """Make drawn volunteers members of the assembly's body, joining on the London date of `now`."""
    today = timezone.localdate(now)
    Membership.objects.bulk_create(
        [
            Membership(
                body=assembly.body,
                full_name=registration.full_name,
                registration=registration,
                affiliation="Resident",
                route=route,
                joined_on=today,
            )
            for registration in registrations
        ]
    )


@transaction.atomic
def run_selection(
    *,
    assembly: Assembly,
    method: str,
    seed: int,
    by: User | None,
    at: datetime.datetime | None = None,
) -> Selection:
    """Find the fair lottery over panels, draw the panel with `seed`, and seat the people drawn."""
    now = _clock(at)
    if not rules.may_run_body(by, assembly.body):
        raise PermissionDenied(NOT_YOURS)
    assembly = Assembly.objects.select_for_update(of=("self",)).select_related("body").get(pk=assembly.pk)
    if hasattr(assembly, "selection"):
        raise AssemblyError("The panel has already been selected; a selection is never re-run.")
    require_stage(assembly, (Stage.POOL_CLOSED,), "Close registration before selecting the panel.")
    if not assembly.quotas.exists():
        raise AssemblyError("Set the quotas before selecting the panel.")
    if seed < 0 or seed >= 2**63:
        raise AssemblyError("The seed must be a whole number from 0 to 9223372036854775807.", field="seed")
    volunteers = list(queries.pool(assembly).select_related("invitation"))
    problem = queries.selection_problem(assembly, volunteers)
    started = time.perf_counter()
    try:
        result, panel = sortition.select(problem, sortition.Method(method), seed)
    except SelectionInputError as error:
        raise selection_error(error) from error
    seconds = time.perf_counter() - started
    chosen = {int(member) for member in panel.volunteer_ids}
    selection = Selection.objects.create(
        assembly=assembly,
        method=method,
        seed=seed,
        pool_size=len(volunteers),
        panel_size=assembly.panel_size,
        minimum_probability=result.minimum_probability,
        distribution=distribution_json(result.distribution),
        stages=result.stages,
        panels_generated=result.panels_generated,
        notes=list(result.notes),
        seconds=round(seconds, 3),
        created_by=by,
        created_at=now,
    )
    by_number = {entry.number: entry for entry in volunteers}
    probability = result.probability_by_id()
    SelectionProbability.objects.bulk_create(
        [
            SelectionProbability(
                selection=selection,
                registration=entry,
                probability=probability[str(entry.number)],
                selected=entry.number in chosen,
            )
            for entry in volunteers
        ]
    )
    _add_residents(assembly, [by_number[number] for number in sorted(chosen)], Membership.Route.SELECTED, now)
    assembly.stage = Stage.SELECTED
    assembly.save(update_fields=["stage"])
    record_event(
        by=by,
        at=now,
        action="participation.run_selection",
        target=assembly,
        method=method,
        seed=seed,
        minimum_probability=result.minimum_probability,
        panel=sorted(chosen),
    )
    return selection


def carry_out_selection(*, request_id: int, at: datetime.datetime | None = None) -> SelectionRequest:
    """Run a queued selection request (the background task calls this) and record how it ended.

    With `at`, every time it writes is `at`; without, the start and the end are read from the clock as
    they happen, so that the request shows how long the run took.
    """
    with transaction.atomic():
        queued = (
            SelectionRequest.objects.select_for_update(of=("self",))
            .select_related("requested_by")
            .get(pk=request_id)
        )
        if queued.status != SelectionRequest.Status.QUEUED:
            return queued
        queued.status = SelectionRequest.Status.RUNNING
        queued.started_at = _clock(at)
        queued.save(update_fields=["status", "started_at"])
    try:
        run_selection(
            assembly=Assembly.objects.get(pk=queued.assembly_id),
            method=queued.method,
            seed=queued.seed,
            by=queued.requested_by,
            at=at,
        )
    except AssemblyError as error:
        queued.status, queued.error = SelectionRequest.Status.FAILED, str(error)
    except Exception:
        queued.status = SelectionRequest.Status.FAILED
        queued.error = "Something went wrong on our side while selecting; nothing was saved. Try again."
        queued.finished_at = _clock(at)
        queued.save(update_fields=["status", "error", "finished_at"])
        raise
    else:
        queued.status = SelectionRequest.Status.DONE
    queued.finished_at = _clock(at)
    queued.save(update_fields=["status", "error", "finished_at"])
    return queued
