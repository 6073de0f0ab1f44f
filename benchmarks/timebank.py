"""Benchmark the timebank ledger: statement pages, recording transfers with concurrent writers, and
proving every balance against the movements.

Run from the repository root:
    .venv/bin/python benchmarks/timebank.py               # small: 4 banks, 4,000 members, 100,000 transfers
    .venv/bin/python benchmarks/timebank.py --scale full  # the issue's: 100 banks, 200,000 members, 5 million
    .venv/bin/python benchmarks/timebank.py --database-url postgres://…/db   # a throwaway PostgreSQL database
Writes benchmarks/results/timebank.json.

The banks, accounts and counted transfers with their two movements each are loaded in bulk (the database's
triggers check every movement as it is inserted); the cached balances are set from the movements. Then:

- statement_page: GET /timebank/accounts/<id>/ for a member with a year of movements, signed in as them,
  through Django's test client (the whole view, template and access checks);
- record_transfer: `actions.record_transfer` by a coordinator (broker) with `--writers` threads at once,
  each with its own connection, under the block policy (row locks on PostgreSQL, SQLite's single writer);
- prove_balances: `queries.ledger_problems()` over every bank (what `manage.py check_timebank` runs).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULT_PATH = ROOT / "benchmarks" / "results" / "timebank.json"
SQLITE_PATH = Path("/tmp/commonweal-timebank-bench.sqlite3")
SEED = 2026
SCALES = {
    "small": {"banks": 4, "members": 4_000, "transfers": 100_000},
    "full": {"banks": 100, "members": 200_000, "transfers": 5_000_000},
}
YEAR_START = datetime.datetime(2025, 1, 1, 9, tzinfo=datetime.UTC)


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 3)

    return {
        "p50": round(statistics.median(ordered) * 1000, 3),
        "p95": at(0.95),
        "p99": at(0.99),
        "runs": len(ordered),
    }


def _time(run: Callable[[], object], repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return samples


def _load(size: dict[str, int], rng: random.Random) -> dict[str, object]:
    from django.db import transaction

    from commonweal.accounts.actions import grant_role
    from commonweal.accounts.models import Role, RoleAssignment, User
    from commonweal.places.models import Area
    from commonweal.timebank.models import Account, Bank, Movement, Transfer

    area = Area.objects.create(kind=Area.Kind.ICS, name="Benchmark ICS", code="benchmark-ics")
    coordinator = User.objects.create(email="coordinator@bench.invalid", full_name="Bench Coordinator")
    grant_role(user=coordinator, role=Role.COMMUNITY_ORGANISER, area=area, by=None, at=YEAR_START)
    banks = Bank.objects.bulk_create(
        Bank(
            name=f"Bench Bank {n}",
            slug=f"bench-{n}",
            area=area,
            default_limit_minutes=600,
            created_at=YEAR_START,
        )
        for n in range(size["banks"])
    )
    users = User.objects.bulk_create(
        (
            User(email=f"member{n}@bench.invalid", full_name=f"Member {n}", password="!")
            for n in range(size["members"])
        ),
        batch_size=5000,
    )
    RoleAssignment.objects.bulk_create(
        (RoleAssignment(user=user, role=Role.RESIDENT, area=area) for user in users), batch_size=5000
    )
    accounts = Account.objects.bulk_create(
        (
            Account(
                bank=banks[n % len(banks)],
                kind=Account.Kind.MEMBER,
                name=user.full_name,
                user=user,
                status=Account.Status.ACTIVE,
                joined_at=YEAR_START,
            )
            for n, user in enumerate(users)
        ),
        batch_size=5000,
    )
    by_bank: dict[int, list[Account]] = {}
    for account in accounts:
        by_bank.setdefault(account.bank_id, []).append(account)
    balances = {account.pk: 0 for account in accounts}
    batch = 20_000
    made = 0
    seconds_in_year = 365 * 24 * 3600
    while made < size["transfers"]:
        count = min(batch, size["transfers"] - made)
        planned = []
        for n in range(count):
            bank = banks[(made + n) % len(banks)]
            members = by_bank[bank.pk]
            for _ in range(5):
                source, destination = rng.sample(members, 2)
                minutes = rng.choice((30, 60, 60, 90, 120))
                if balances[source.pk] - minutes >= -600:
                    break
            else:
                continue
            balances[source.pk] -= minutes
            balances[destination.pk] += minutes
            at = YEAR_START + datetime.timedelta(
                seconds=int((made + n) * seconds_in_year / size["transfers"])
            )
            planned.append((bank, source, destination, minutes, at))
        with transaction.atomic():
            transfers = Transfer.objects.bulk_create(
                (
                    Transfer(
                        bank=bank,
                        source=source,
                        destination=destination,
                        minutes=minutes,
                        category="other",
                        status=Transfer.Status.COMPLETE,
                        recorded_by=coordinator,
                        recorded_as="broker",
                        recorded_at=at,
                        counted_at=at,
                    )
                    for bank, source, destination, minutes, at in planned
                ),
                batch_size=5000,
            )
            Movement.objects.bulk_create(
                (
                    movement
                    for transfer, (_, source, destination, minutes, at) in zip(
                        transfers, planned, strict=True
                    )
                    for movement in (
                        Movement(transfer=transfer, account=source, minutes=-minutes, leg=1, at=at),
                        Movement(transfer=transfer, account=destination, minutes=minutes, leg=2, at=at),
                    )
                ),
                batch_size=10_000,
            )
        made += count
        print(f"  {made:,} transfers loaded", file=sys.stderr, flush=True)
    with transaction.atomic():
        for account in accounts:
            account.balance_minutes = balances[account.pk]
        Account.objects.bulk_update(accounts, ["balance_minutes"], batch_size=5000)
    return {"coordinator": coordinator, "banks": banks, "by_bank": by_bank}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument(
        "--database-url", default="", help="A throwaway PostgreSQL database (default: SQLite in /tmp)"
    )
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--each", type=int, default=10, help="Transfers each writer records")
    parser.add_argument("--repeats", type=int, default=60)
    arguments = parser.parse_args()
    size = SCALES[arguments.scale]

    if not arguments.database_url:
        SQLITE_PATH.unlink(missing_ok=True)
    os.environ.update(
        DATABASE_URL=arguments.database_url or f"sqlite:///{SQLITE_PATH}",
        DJANGO_SETTINGS_MODULE="commonweal.config.settings",
        DEBUG="false",
        ALLOWED_HOSTS="testserver,localhost",
    )
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-use")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client

    from commonweal.timebank import actions
    from commonweal.timebank.models import Account, Movement
    from commonweal.timebank.queries import ledger_problems

    call_command("migrate", verbosity=0)
    rng = random.Random(SEED)
    started = time.perf_counter()
    world = _load(size, rng)
    load_seconds = time.perf_counter() - started
    by_bank: dict[int, list[Account]] = world["by_bank"]  # type: ignore[assignment]
    coordinator = world["coordinator"]

    # Statement page of a member with movements.
    client = Client()
    members = [account for accounts in by_bank.values() for account in accounts]
    busy = [a for a in rng.sample(members, 200) if Movement.objects.filter(account=a).exists()][:40]

    def statement() -> None:
        account = rng.choice(busy)
        client.force_login(account.user)
        response = client.get(f"/timebank/accounts/{account.pk}/")
        assert response.status_code == 200, response.status_code

    statement()
    statement_samples = _time(statement, arguments.repeats)

    # Recording with concurrent writers.
    record_samples: list[float] = []
    refused = [0]
    failures: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(arguments.writers)

    def writer(number: int) -> None:
        local = random.Random(f"{SEED}:{number}")
        try:
            start.wait()
            for _ in range(arguments.each):
                accounts = by_bank[local.choice(list(by_bank))]
                source, destination = local.sample(accounts, 2)
                began = time.perf_counter()
                try:
                    actions.record_transfer(
                        by=coordinator,
                        source=Account.objects.select_related("bank").get(pk=source.pk),  # type: ignore[arg-type]
                        destination=Account.objects.select_related("bank").get(pk=destination.pk),
                        minutes=30,
                    )
                except actions.TimebankError:
                    with lock:
                        refused[0] += 1
                with lock:
                    record_samples.append(time.perf_counter() - began)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(arguments.writers)]
    writing_started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writing_seconds = time.perf_counter() - writing_started
    if failures:
        raise failures[0]

    prove_started = time.perf_counter()
    problems = ledger_problems()
    prove_seconds = time.perf_counter() - prove_started
    assert problems == [], problems[:5]

    result = {
        "benchmark": "timebank",
        "scale": arguments.scale,
        "size": size,
        "database": connection.vendor,
        "movements": Movement.objects.count(),
        "load_seconds": round(load_seconds, 1),
        "statement_page_ms": _percentiles(statement_samples),
        "record_transfer_ms": {
            **_percentiles(record_samples),
            "writers": arguments.writers,
            "refused_by_block": refused[0],
            "transfers_per_second": round(len(record_samples) / writing_seconds, 1),
        },
        "prove_balances_seconds": round(prove_seconds, 3),
        "budgets": {"statement_page_p95_ms": 100, "record_transfer_p95_ms": 50, "prove_balances_seconds": 30},
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "measured_at": datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds"),
    }
    RESULT_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULT_PATH.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
