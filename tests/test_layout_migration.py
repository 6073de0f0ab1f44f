"""The move to the new app layout keeps every row: a database at the previous layout, holding the demo
and rows written at that layout, migrates forward with every row count and the residents' checksum
unchanged.

The previous layout is reached by unapplying the moves (they are reversible and touch no row), so the
database holds exactly what the demo wrote; rows are then added through the previous layout's own
historical models, as a deployment that had not yet upgraded would have written them.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from commonweal.demo.builder import residents_checksum
from tests.demo_database import DEMO

# The migrations that make the new layout, and what the previous layout's tables were called.
PREVIOUS_LAYOUT = [
    ("audit", None),
    ("accounts", "0001_initial"),
    ("assemblies", None),
    ("budgeting", None),
    ("participation", "0002_budgeting"),
]
_PARTICIPATION_MODELS = {
    "assemblies": (
        "Body Assembly InvitationRound Invitation Registration Quota Selection SelectionProbability "
        "SelectionRequest Replacement Membership Session EvidenceItem Recommendation Vote Response "
        "DeliveryUpdate"
    ),
    "budgeting": (
        "BudgetRound Proposal Idea Ballot BallotMark PaperBallot PaperEntry BudgetResult Milestone Spend"
    ),
}
MOVED_TABLES = {
    "audit.AuditEvent": "accounts_auditevent",
    "audit.RecordAccess": "accounts_recordaccess",
    **{
        f"{app}.{model}": f"participation_{model.lower()}"
        for app, models in _PARTICIPATION_MODELS.items()
        for model in models.split()
    },
}


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _raw_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return int(cursor.fetchone()[0])


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_a_database_at_the_previous_layout_with_the_demo_migrates_keeping_every_row():
    DEMO.put_in_place()  # the demo borough, built once per test process
    before = _row_counts()
    checksum = residents_checksum()
    assert before["audit.AuditEvent"] > 0
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        executor = _migrate(PREVIOUS_LAYOUT)
        for label, table in MOVED_TABLES.items():
            assert _raw_count(table) == before[label], table
        old = executor.loader.project_state([node for node in PREVIOUS_LAYOUT if node[1] is not None]).apps
        old_event = old.get_model("accounts", "AuditEvent")
        old_event.objects.create(action="accounts.written_at_the_previous_layout", detail={"kept": True})
        _migrate(latest)
    finally:
        _migrate(latest)

    after = _row_counts()
    assert after == {**before, "audit.AuditEvent": before["audit.AuditEvent"] + 1}
    assert residents_checksum() == checksum
    from commonweal.audit.models import AuditEvent

    kept = AuditEvent.objects.get(action="accounts.written_at_the_previous_layout")
    assert kept.detail == {"kept": True}
    # New rows go in after the move (the table's key sequence moved with it).
    assert AuditEvent.objects.create(action="audit.written_after_the_move").pk > kept.pk
