"""The database itself refuses to change a submitted response, whatever code path tries.

Only UPDATE is refused here: deleting is refused by the model and its queryset, and every foreign key
to a response protects it. (A DELETE trigger would also stop SQLite's test-database flush.)
"""

from typing import Any

from django.db import migrations

MESSAGE = "A submitted questionnaire response is never changed; record a correction instead."

SQLITE_CREATE = f"""
CREATE TRIGGER measures_response_submitted_is_final
BEFORE UPDATE ON measures_response
FOR EACH ROW WHEN OLD.status = 'submitted'
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS measures_response_submitted_is_final;"

POSTGRESQL_CREATE = f"""
CREATE OR REPLACE FUNCTION measures_response_submitted_is_final() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER measures_response_submitted_is_final
BEFORE UPDATE ON measures_response
FOR EACH ROW WHEN (OLD.status = 'submitted')
EXECUTE FUNCTION measures_response_submitted_is_final();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS measures_response_submitted_is_final ON measures_response;
DROP FUNCTION IF EXISTS measures_response_submitted_is_final();
"""


def _run(statements: dict[str, str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        sql = statements.get(schema_editor.connection.vendor)
        if sql is None:
            raise RuntimeError(
                f"No trigger keeps submitted responses final on {schema_editor.connection.vendor}; "
                "add one to this migration before using that database."
            )
        schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        )
    ]
