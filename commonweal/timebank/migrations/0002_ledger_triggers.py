"""The database itself keeps the ledger: movements are never updated or deleted, each matches its
transfer, and (PostgreSQL, at commit) every transfer's movements are one debit and one credit summing to
zero. Whatever code path writes, the ORM or raw SQL, the database refuses a broken ledger.

SQLite has no deferred triggers, so there a credit needs its debit already written and the check command
(`commonweal check_timebank`) finds a debit left alone.
"""

from typing import Any

from django.db import migrations

NO_CHANGE = "A timebank movement is never updated or deleted; record a reversal instead."
NO_MATCH = "A timebank movement must match its transfer: the source debited, the destination credited."
NO_DEBIT = "A timebank credit needs its debit first."
TRANSFER_FIXED = "A counted transfer is never changed; record a reversal instead."
UNBALANCED = "A timebank transfer must have one debit and one credit summing to zero."

_MATCH = """EXISTS (SELECT 1 FROM timebank_transfer t WHERE t.id = NEW.transfer_id AND (
    (NEW.leg = 1 AND t.source_id = NEW.account_id AND NEW.minutes = -t.minutes)
    OR (NEW.leg = 2 AND t.destination_id = NEW.account_id AND NEW.minutes = t.minutes)))"""
_DEBIT_FIRST = """(NEW.leg = 1 OR EXISTS (SELECT 1 FROM timebank_movement m
    WHERE m.transfer_id = NEW.transfer_id AND m.leg = 1))"""

SQLITE_CREATE = [
    f"""CREATE TRIGGER timebank_movement_no_update BEFORE UPDATE ON timebank_movement
    BEGIN SELECT RAISE(ABORT, '{NO_CHANGE}'); END;""",
    f"""CREATE TRIGGER timebank_movement_no_delete BEFORE DELETE ON timebank_movement
    BEGIN SELECT RAISE(ABORT, '{NO_CHANGE}'); END;""",
    f"""CREATE TRIGGER timebank_movement_matches_transfer BEFORE INSERT ON timebank_movement
    WHEN NOT {_MATCH}
    BEGIN SELECT RAISE(ABORT, '{NO_MATCH}'); END;""",
    f"""CREATE TRIGGER timebank_movement_debit_first BEFORE INSERT ON timebank_movement
    WHEN NOT {_DEBIT_FIRST}
    BEGIN SELECT RAISE(ABORT, '{NO_DEBIT}'); END;""",
    f"""CREATE TRIGGER timebank_transfer_fixed_once_counted
    BEFORE UPDATE OF source_id, destination_id, minutes ON timebank_transfer
    WHEN EXISTS (SELECT 1 FROM timebank_movement m WHERE m.transfer_id = OLD.id)
    BEGIN SELECT RAISE(ABORT, '{TRANSFER_FIXED}'); END;""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS timebank_transfer_fixed_once_counted;",
    "DROP TRIGGER IF EXISTS timebank_movement_debit_first;",
    "DROP TRIGGER IF EXISTS timebank_movement_matches_transfer;",
    "DROP TRIGGER IF EXISTS timebank_movement_no_delete;",
    "DROP TRIGGER IF EXISTS timebank_movement_no_update;",
]

POSTGRESQL_CREATE = [
    f"""CREATE OR REPLACE FUNCTION timebank_movement_never_changes() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '{NO_CHANGE}' USING ERRCODE = 'integrity_constraint_violation'; END;
    $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER timebank_movement_never_changes BEFORE UPDATE OR DELETE ON timebank_movement
    FOR EACH ROW EXECUTE FUNCTION timebank_movement_never_changes();""",
    f"""CREATE OR REPLACE FUNCTION timebank_movement_matches_transfer() RETURNS trigger AS $$
    BEGIN
        IF NOT {_MATCH} THEN
            RAISE EXCEPTION '{NO_MATCH}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NOT {_DEBIT_FIRST} THEN
            RAISE EXCEPTION '{NO_DEBIT}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER timebank_movement_matches_transfer BEFORE INSERT ON timebank_movement
    FOR EACH ROW EXECUTE FUNCTION timebank_movement_matches_transfer();""",
    f"""CREATE OR REPLACE FUNCTION timebank_transfer_sums_to_zero() RETURNS trigger AS $$
    BEGIN
        IF (SELECT count(*) <> 2 OR coalesce(sum(minutes), 0) <> 0
            FROM timebank_movement WHERE transfer_id = NEW.transfer_id) THEN
            RAISE EXCEPTION '{UNBALANCED}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;""",
    """CREATE CONSTRAINT TRIGGER timebank_transfer_sums_to_zero AFTER INSERT ON timebank_movement
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION timebank_transfer_sums_to_zero();""",
    f"""CREATE OR REPLACE FUNCTION timebank_transfer_fixed_once_counted() RETURNS trigger AS $$
    BEGIN
        IF (NEW.source_id, NEW.destination_id, NEW.minutes) IS DISTINCT FROM
           (OLD.source_id, OLD.destination_id, OLD.minutes)
           AND EXISTS (SELECT 1 FROM timebank_movement m WHERE m.transfer_id = OLD.id) THEN
            RAISE EXCEPTION '{TRANSFER_FIXED}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER timebank_transfer_fixed_once_counted BEFORE UPDATE ON timebank_transfer
    FOR EACH ROW EXECUTE FUNCTION timebank_transfer_fixed_once_counted();""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS timebank_transfer_fixed_once_counted ON timebank_transfer;",
    "DROP FUNCTION IF EXISTS timebank_transfer_fixed_once_counted();",
    "DROP TRIGGER IF EXISTS timebank_transfer_sums_to_zero ON timebank_movement;",
    "DROP FUNCTION IF EXISTS timebank_transfer_sums_to_zero();",
    "DROP TRIGGER IF EXISTS timebank_movement_matches_transfer ON timebank_movement;",
    "DROP FUNCTION IF EXISTS timebank_movement_matches_transfer();",
    "DROP TRIGGER IF EXISTS timebank_movement_never_changes ON timebank_movement;",
    "DROP FUNCTION IF EXISTS timebank_movement_never_changes();",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        sql = statements.get(schema_editor.connection.vendor)
        if sql is None:
            raise RuntimeError(
                f"No trigger keeps the timebank ledger on {schema_editor.connection.vendor}; "
                "add them to this migration before using that database."
            )
        for statement in sql:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("timebank", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        )
    ]
