"""The test processes of one run (pytest-xdist workers) migrate the test database once, not once each.

Migrating takes about half a minute (Django renders the models' states operation by operation), and
loading the shared geography a few seconds more. The first worker to get here migrates and loads the
geography as usual, then leaves a copy: an image file on SQLite, a template database on PostgreSQL.
The others wait for it (a file lock) and start from the copy; their `migrate` then finds every
migration applied. A copy that cannot be used (gone, or refused) falls back to migrating.

The copies live for the run: the folder is named after the process that started the workers (the
pytest-xdist controller), which empties it before the workers start and removes it when they have all
finished (`clear_folder`, from the root conftest): a worker that finishes early must not take away the
demo image and locks the others still use. The worker that made the PostgreSQL template drops it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from unittest import mock

RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")
# Named after the process that started the workers, so every worker of this run finds the same folder.
FOLDER = Path(tempfile.gettempdir()) / f"commonweal-tests-{os.getppid()}" if RUN else None


def clear_folder() -> None:
    """On the controller, before the workers start and after they finish: no copy outlives its run, and
    a folder left by an earlier run whose controller had the same process number is not reused."""
    shutil.rmtree(Path(tempfile.gettempdir()) / f"commonweal-tests-{os.getpid()}", ignore_errors=True)


def _template_name() -> str:
    return f"test_commonweal_template_{os.getppid()}"


@contextlib.contextmanager
def exclusive(name: str) -> Iterator[None]:
    """Hold a lock shared by the workers of this run (no-op without workers)."""
    if FOLDER is None:
        yield
        return
    FOLDER.mkdir(exist_ok=True)
    with open(FOLDER / f"{name}.lock", "w", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SharedStart:
    """Migrate once per run: `begin()` before pytest-django creates the test database, `end()` after."""

    def __init__(self) -> None:
        self.lock: IO[str] | None = None
        self.patcher: Any = None
        self.made_copy = False

    def begin(self) -> None:
        if FOLDER is None:
            return
        FOLDER.mkdir(exist_ok=True)
        handle = open(FOLDER / "start.lock", "w", encoding="utf-8")  # noqa: SIM115 - released in end()
        fcntl.flock(handle, fcntl.LOCK_EX)
        if (FOLDER / "start.ready").exists():
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
            self._start_from_copy()
        else:
            self.lock = handle  # held while this worker migrates; the others wait

    def _start_from_copy(self) -> None:
        from django.core import management

        real = management.call_command

        def call_command(name: Any, *args: Any, **options: Any) -> Any:
            if name == "migrate":
                from django.db import connections

                _put_copy_in_place(connections[options.get("database", "default")])
            return real(name, *args, **options)

        self.patcher = mock.patch.object(management, "call_command", call_command)
        self.patcher.start()

    def end(self) -> bool:
        """After the test database exists; returns whether it came from the copy (geography included)."""
        if self.patcher is not None:
            self.patcher.stop()
            self.patcher = None
            from django.db import connection

            return _is_from_copy(connection)
        return False

    def leave_copy(self) -> None:
        """On the worker that migrated, once the geography is in: make the copy and let the others go."""
        if self.lock is None or FOLDER is None:
            return
        from django.db import connection

        try:
            _make_copy(connection)
            (FOLDER / "start.ready").touch()
            self.made_copy = True
        finally:
            fcntl.flock(self.lock, fcntl.LOCK_UN)
            self.lock.close()
            self.lock = None

    def remove_copy(self) -> None:
        if not self.made_copy or FOLDER is None:
            return
        from django.db import connection

        if connection.vendor == "postgresql":
            with contextlib.suppress(Exception), connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {_template_name()}")


def _make_copy(connection: Any) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        image = sqlite3.connect(FOLDER / "start.sqlite3")  # type: ignore[operator]
        connection.connection.backup(image)
        image.close()
        return
    # CREATE DATABASE … TEMPLATE needs the source database to have no other session: close ours first.
    name = connection.settings_dict["NAME"]
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {_template_name()}")
        cursor.execute(f"CREATE DATABASE {_template_name()} TEMPLATE {connection.ops.quote_name(name)}")


def _put_copy_in_place(connection: Any) -> None:
    """Fill the (new, empty) test database from the copy; leave it empty if the copy is not usable."""
    with contextlib.suppress(Exception):
        if connection.vendor == "sqlite":
            path = FOLDER / "start.sqlite3"  # type: ignore[operator]
            if not path.exists():
                return
            connection.ensure_connection()
            image = sqlite3.connect(path)
            image.backup(connection.connection)
            image.close()
            return
        name = connection.settings_dict["NAME"]
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [_template_name()])
            if cursor.fetchone() is None:
                return
            quoted = connection.ops.quote_name(name)
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
            try:
                cursor.execute(f"CREATE DATABASE {quoted} TEMPLATE {_template_name()}")
            except Exception:
                cursor.execute(f"CREATE DATABASE {quoted}")  # empty again: `migrate` fills it


def _is_from_copy(connection: Any) -> bool:
    from commonweal.places.models import Lsoa

    return Lsoa.objects.exists()


START = SharedStart()
