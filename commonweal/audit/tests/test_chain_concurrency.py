"""Concurrent writers append to the audit chain without breaking it and without 'database is locked'.

On SQLite the test database is copied to a file and four processes append at once (SQLite allows one
writer per file; processes are how a server runs). On PostgreSQL four threads, each with its own
connection, append to the test database and the rows are taken out afterwards.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from commonweal.audit.actions import record_event
from commonweal.audit.models import AuditEvent, ChainHead
from commonweal.audit.queries import chain_break

WRITERS = 4
EACH = 25

WORKER = """
import os, sys, time
import django
django.setup()
from commonweal.audit.actions import record_event
go = sys.argv[2]
while not os.path.exists(go):
    time.sleep(0.01)
for n in range(int(sys.argv[3])):
    record_event(by=None, action=f"tests.concurrent_{sys.argv[1]}_{n}")
"""


def _sqlite_writers(tmp_path: Path) -> None:
    database = tmp_path / "chain.sqlite3"
    connection.ensure_connection()
    # The test runs inside a write transaction, for which SQLite's backup API waits for ever: copy an
    # in-memory image of what the transaction sees instead.
    image = sqlite3.connect(":memory:")
    image.deserialize(connection.connection.serialize())
    copy = sqlite3.connect(database)
    image.backup(copy)
    copy.close()
    image.close()
    go = tmp_path / "go"
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "commonweal.config.settings",
        "PYTHONPATH": str(Path(settings.BASE_DIR)),
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    }
    workers = [
        subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
            [sys.executable, "-c", WORKER, str(number), str(go), str(EACH)],
            env=environment,
            stderr=subprocess.PIPE,
            text=True,
        )
        for number in range(WRITERS)
    ]
    go.touch()
    errors = [worker.communicate(timeout=120)[1] for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * WRITERS, errors
    verify = subprocess.run(
        [sys.executable, "-m", "django", "verify_audit"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0, verify.stderr
    with sqlite3.connect(database) as written:
        count = written.execute(
            "SELECT count(*) FROM audit_auditevent WHERE action LIKE 'tests.concurrent_%'"
        )
        assert count.fetchone()[0] == WRITERS * EACH


def _in_own_connection(work: Any) -> None:
    """Run `work` in a thread with its own connection (autocommit): outside the test's transaction."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def _postgresql_writers() -> None:
    # The test's own transaction writes nothing to the audit, so it never holds the head's lock.
    head = ChainHead.objects.filter(chain="audit.AuditEvent").first()
    saved = (head.last_id, head.last_hash, head.length) if head else None
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(number: int) -> None:
        try:
            start.wait()
            for n in range(EACH):
                record_event(by=None, action=f"tests.concurrent_{number}_{n}")
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    def clean_up() -> None:
        AuditEvent.objects.filter(action__startswith="tests.concurrent_").delete()
        if saved is None:
            ChainHead.objects.filter(chain="audit.AuditEvent").delete()
        else:
            ChainHead.objects.filter(chain="audit.AuditEvent").update(
                last_id=saved[0], last_hash=saved[1], length=saved[2]
            )

    threads = [threading.Thread(target=write, args=(number,)) for number in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert AuditEvent.objects.filter(action__startswith="tests.concurrent_").count() == WRITERS * EACH
        assert chain_break(AuditEvent) is None
    finally:
        # The threads committed outside the test's transaction: take their rows out the same way.
        _in_own_connection(clean_up)


@pytest.mark.django_db
def test_concurrent_appends_keep_one_unbroken_chain(tmp_path: Path) -> None:
    if connection.vendor == "sqlite":
        _sqlite_writers(tmp_path)
    else:
        _postgresql_writers()
