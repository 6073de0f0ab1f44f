"""The demo borough for tests: built once per test process, then copied back wherever a test needs it.

Building the demo takes many seconds; copying it back takes a fraction of that. The browser tests put
it back before each test (on their live server's database); unit tests that read the demo take the
`demo_borough` fixture (conftest.py), which puts it back for a whole module and, after the module,
puts back the database as it was before (the shared geography and nothing else).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from tests.shared_start import FOLDER, exclusive

GEO = Path(settings.COMMONWEAL_SHARED_DIR) / "data" / "geo"
DEMO_RESIDENTS = 200
# The tests' password hasher (conftest.py): a demo built for a module outlives any one test's settings.
QUICK_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Snapshot:
    """A copy of the whole test database, taken once per test process and put back when asked.

    SQLite copies the whole database with its backup API; PostgreSQL keeps a copy of every table in a
    schema of the test database and copies the rows back in SQL, so every column type round-trips exactly.
    """

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.taken = False
        self.sqlite: sqlite3.Connection | None = None

    @staticmethod
    def tables() -> list[str]:
        from django.db import connection

        return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))

    def take(self) -> None:
        from django.db import connection

        if connection.vendor == "sqlite":
            connection.ensure_connection()
            self.sqlite = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(self.sqlite)
        else:
            quote = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
                cursor.execute(f"CREATE SCHEMA {self.schema}")
                for table in self.tables():
                    cursor.execute(f"CREATE TABLE {self.schema}.{quote(table)} AS TABLE {quote(table)}")
        self.taken = True

    def save(self, path: Path) -> None:
        """Write a SQLite snapshot to a file (for the other workers of the run)."""
        assert self.sqlite is not None
        image = sqlite3.connect(path)
        self.sqlite.backup(image)
        image.close()

    def load(self, path: Path) -> None:
        """Take a SQLite snapshot from a file another worker saved."""
        self.sqlite = sqlite3.connect(":memory:", check_same_thread=False)
        image = sqlite3.connect(path)
        image.backup(self.sqlite)
        image.close()
        self.taken = True

    def restore(self) -> None:
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import connection, transaction

        if self.sqlite is not None:
            connection.ensure_connection()
            self.sqlite.backup(connection.connection)
            return
        quote = connection.ops.quote_name
        tables = self.tables()
        with transaction.atomic(), connection.cursor() as cursor:
            # Rows go back table by table, in name order, so the tables' own triggers (the timebank's
            # ledger checks each movement against its transfer) stay off while they do: every row was
            # checked when it was first written.
            cursor.execute("SET LOCAL session_replication_role = replica")
            # The last test's flush ran post_migrate (content types, permissions): empty everything first.
            connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, allow_cascade=True))
            for table in tables:
                cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {self.schema}.{quote(table)}")  # noqa: S608
            for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(statement)


class DemoDatabase:
    """The demo borough and the clean database it was built on, each kept as a snapshot."""

    def __init__(self) -> None:
        self.clean = Snapshot("test_clean_snapshot")
        self.demo = Snapshot("test_demo_snapshot")

    def put_in_place(self) -> None:
        """Make the test database hold the demo borough (building it the first time).

        On SQLite the workers of a run share one build: the first builds it and leaves an image file
        (tests/shared_start.py); the others wait for it and copy it in.
        """
        from django.db import connection

        if self.demo.taken:
            self.demo.restore()
            return
        if not self.clean.taken:
            self.clean.take()
        if connection.vendor != "sqlite" or FOLDER is None:
            self._build()
            return
        image = FOLDER / "demo.sqlite3"
        with exclusive("demo"):
            if image.exists():
                self.demo.load(image)
                self.demo.restore()
                return
            self._build()
            self.demo.save(image)

    def _build(self) -> None:
        from commonweal.demo.builder import build_demo

        with override_settings(PASSWORD_HASHERS=QUICK_PASSWORD_HASHERS):
            build_demo(
                geo_dir=Path(settings.COMMONWEAL_SHARED_DIR) / "data" / "geo", residents=DEMO_RESIDENTS
            )
        self.demo.take()

    def clear(self) -> None:
        """Put back the database as it was before the demo was first built."""
        self.clean.restore()


DEMO = DemoDatabase()
