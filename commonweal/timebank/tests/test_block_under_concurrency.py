"""Fifty transfers at once from one account under a block limit: it ends exactly at its limit, and every
accepted transfer is recorded once.

On SQLite the test database is copied to a file and two processes record twenty-five transfers each at once
(SQLite allows one writer per file; processes are how a server runs). On PostgreSQL fifty threads, each
with its own connection, record one transfer each; the rows they commit are taken out afterwards.
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

from commonweal.accounts.models import Role, User
from commonweal.audit.models import AuditEvent, ChainHead, RecordAccess
from commonweal.places.models import Area
from commonweal.timebank import actions
from commonweal.timebank.models import Account, Bank, Movement, Transfer
from commonweal.timebank.queries import ledger_problems
from commonweal.timebank.tests.world import NO_DELETE, START
from tests.factories import UserFactory

TRANSFERS = 50
MINUTES = 60
LIMIT = 600  # ten of the fifty can pass
PROCESSES = 2

WORKER = """
import os, sys, time
import django
django.setup()
from commonweal.accounts.models import User
from commonweal.timebank import actions
from commonweal.timebank.models import Account
by = User.objects.get(pk=int(sys.argv[2]))
source = Account.objects.select_related("bank").get(pk=int(sys.argv[3]))
destinations = [Account.objects.select_related("bank").get(pk=int(p)) for p in sys.argv[4].split(",")]
while not os.path.exists(sys.argv[1]):
    time.sleep(0.01)
accepted = 0
for destination in destinations:
    try:
        actions.record_transfer(by=by, source=source, destination=destination, minutes=int(sys.argv[5]))
        accepted += 1
    except actions.TimebankError:
        pass
print(accepted)
"""


def _build(suffix: str) -> tuple[User, Account, list[Account]]:
    """A coordinator, a bank under a block limit, one giving account and fifty receiving ones."""
    from commonweal.accounts.actions import grant_role

    area = Area.objects.create(kind=Area.Kind.ICS, name=f"Concurrency {suffix}", code=f"concurrency-{suffix}")
    coordinator = UserFactory.create(full_name="Concurrent Coordinator")
    grant_role(user=coordinator, role=Role.COMMUNITY_ORGANISER, area=area, by=None)
    bank = actions.open_bank(
        by=coordinator,
        name="Concurrent Bank",
        slug=f"concurrent-{suffix}",
        area=area,
        default_limit_minutes=LIMIT,
        at=START,
    )
    accounts = []
    for number in range(TRANSFERS + 1):
        user = UserFactory.create(full_name=f"Concurrent Member {number}")
        accounts.append(
            Account.objects.create(
                bank=bank,
                kind=Account.Kind.MEMBER,
                name=user.full_name,
                user=user,
                status=Account.Status.ACTIVE,
            )
        )
    return coordinator, accounts[0], accounts[1:]


def _sqlite(tmp_path: Path) -> None:
    coordinator, source, destinations = _build("sqlite")
    database = tmp_path / "timebank.sqlite3"
    connection.ensure_connection()
    image = sqlite3.connect(":memory:")
    image.deserialize(connection.connection.serialize())
    copy = sqlite3.connect(database)
    image.backup(copy)
    copy.execute(NO_DELETE)  # the copy keeps the DELETE refusal, as a real database does
    copy.commit()
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
    each = TRANSFERS // PROCESSES
    workers = [
        subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
            [
                sys.executable,
                "-c",
                WORKER,
                str(go),
                str(coordinator.pk),
                str(source.pk),
                ",".join(str(d.pk) for d in destinations[n * each : (n + 1) * each]),
                str(MINUTES),
            ],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(PROCESSES)
    ]
    go.touch()
    results = [worker.communicate(timeout=180) for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * PROCESSES, [err for _, err in results]
    accepted = sum(int(out.strip()) for out, _ in results)
    with sqlite3.connect(database) as written:
        balance = written.execute(
            "SELECT balance_minutes FROM timebank_account WHERE id = ?", (source.pk,)
        ).fetchone()[0]
        counted = written.execute(
            "SELECT count(*) FROM timebank_transfer WHERE source_id = ? AND status = 'complete'", (source.pk,)
        ).fetchone()[0]
        debits = written.execute(
            "SELECT count(*), sum(minutes) FROM timebank_movement WHERE account_id = ?", (source.pk,)
        ).fetchone()
        # The cached balances equal the movements, and the bank sums to zero.
        wrong = written.execute(
            "SELECT count(*) FROM timebank_account a WHERE a.balance_minutes <> "
            "(SELECT coalesce(sum(m.minutes), 0) FROM timebank_movement m WHERE m.account_id = a.id)"
        ).fetchone()[0]
        total = written.execute("SELECT sum(minutes) FROM timebank_movement").fetchone()[0]
    assert (accepted, counted, balance, debits) == (LIMIT // MINUTES, LIMIT // MINUTES, -LIMIT, (10, -LIMIT))
    assert (wrong, total) == (0, 0)


def _in_own_connection(work: Any) -> Any:
    """Run `work` in a thread with its own connection (autocommit): outside the test's transaction."""
    answer: list[Any] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            answer.append(work())
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]
    return answer[0] if answer else None


def _postgresql() -> None:
    heads = {head.chain: (head.last_id, head.last_hash, head.length) for head in ChainHead.objects.all()}
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    last_access = RecordAccess.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    coordinator, source, destinations = _in_own_connection(lambda: _build("postgresql"))
    start = threading.Barrier(TRANSFERS)
    accepted: list[int] = []
    failures: list[BaseException] = []

    def transfer(destination: Account) -> None:
        try:
            start.wait()
            actions.record_transfer(by=coordinator, source=source, destination=destination, minutes=MINUTES)
            accepted.append(destination.pk)
        except actions.TimebankError:
            pass
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    def clean_up() -> None:
        bank = Bank.objects.get(slug="concurrent-postgresql")
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE timebank_movement DISABLE TRIGGER USER")
            Movement.objects.filter(account__bank=bank)._raw_delete(connection.alias)
            cursor.execute("ALTER TABLE timebank_movement ENABLE TRIGGER USER")
        Transfer.objects.filter(bank=bank).delete()
        users = list(Account.objects.filter(bank=bank, user__isnull=False).values_list("user", flat=True))
        Account.objects.filter(bank=bank).delete()
        area = bank.area
        bank.delete()
        AuditEvent.objects.filter(pk__gt=last_event)._raw_delete(connection.alias)
        RecordAccess.objects.filter(pk__gt=last_access)._raw_delete(connection.alias)
        User.objects.filter(pk__in=[*users, coordinator.pk]).delete()
        area.delete()
        ChainHead.objects.exclude(chain__in=heads).delete()
        for chain, (last_id, last_hash, length) in heads.items():
            ChainHead.objects.filter(chain=chain).update(last_id=last_id, last_hash=last_hash, length=length)

    threads = [threading.Thread(target=transfer, args=(destination,)) for destination in destinations]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []

        def read() -> tuple[Any, ...]:
            return (
                Account.objects.get(pk=source.pk).balance_minutes,
                Transfer.objects.filter(source=source, status=Transfer.Status.COMPLETE).count(),
                Movement.objects.filter(account=source).count(),
                ledger_problems(Bank.objects.filter(slug="concurrent-postgresql")),
            )

        assert (len(accepted), *_in_own_connection(read)) == (
            LIMIT // MINUTES,
            -LIMIT,
            LIMIT // MINUTES,
            10,
            [],
        )
    finally:
        _in_own_connection(clean_up)


@pytest.mark.django_db
def test_fifty_transfers_at_once_never_pass_a_block_limit(tmp_path: Path) -> None:
    if connection.vendor == "sqlite":
        _sqlite(tmp_path)
    else:
        _postgresql()
