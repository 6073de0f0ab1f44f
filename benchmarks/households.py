"""Benchmark the households app: the worker's agenda, a household page, sending queued visits, the
supervisor's dashboard and the monthly task computation for a whole borough.

Run from the repository root:  .venv/bin/python benchmarks/households.py [--households 4000] [--repeats 20]
                               .venv/bin/python benchmarks/households.py --scale   # issue 13's full size
Writes benchmarks/results/households.json (households-postgresql.json when DATABASE_URL is PostgreSQL's).

A fresh SQLite database (or DATABASE_URL's, for PostgreSQL) is migrated and filled deterministically:
`--households` households of 2.4 people on average in patches of 200, one community health worker each,
a supervisor per five patches, `--months` months of monthly visits (most done, some nobody in, a few
refused) and a GP extract with gaps. Households, visits and the extract go through the app's bulk actions
(`register_households`, `import_visit_history`, `import_gp_extract`). `--scale` is 250,000 households,
600,000 people, 1,250 workers and 36 months (about 9 million visits): hours to build on one machine.

Measured (milliseconds; medians, p95 and p99 over `--repeats` runs, the first run warming caches):
- agenda_page: one worker's agenda page (GET, rendered), 200 households;
- household_page: one household page (GET, rendered, each member's read logged);
- send_200_queued_visits: 200 visits posted to the JSON API one by one, as the offline queue does (total);
- supervision_cold / supervision_warm: a supervisor's dashboard for five patches, first and later loads;
- monthly_tasks_borough: every household's tasks evaluated for one day (facts read in chunks of 2,000).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULT_PATH = ROOT / "benchmarks" / "results" / "households.json"
SQLITE_PATH = Path("/tmp/commonweal-households-bench.sqlite3")
SEED = 2026
PATCH_SIZE = 200
AT = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


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


def _time(run: Callable[[], object], repeats: int) -> dict[str, float]:
    run()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=4000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--scale", action="store_true", help="250,000 households and 36 months (issue 13)")
    arguments = parser.parse_args()
    if arguments.scale:
        arguments.households, arguments.months = 250_000, 36

    if "DATABASE_URL" not in os.environ:
        SQLITE_PATH.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    os.environ.update(DJANGO_SETTINGS_MODULE="commonweal.config.settings", DEBUG="false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-use")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from commonweal.accounts.actions import grant_role
    from commonweal.accounts.models import Role, User
    from commonweal.households import actions, definitions, queries
    from commonweal.households.actions import HouseholdRow, PastVisit
    from commonweal.households.core.tasks import evaluate
    from commonweal.households.models import Household, Member, Patch, Visit
    from commonweal.people.models import Person
    from commonweal.people.nhs_number import check_digit
    from commonweal.places.loading import load_geography
    from commonweal.places.models import Area, Postcode
    from commonweal.reference_data import shared_data_dir

    rng = random.Random(SEED)
    build_started = time.perf_counter()
    if not Postcode.objects.exists():
        load_geography(shared_data_dir() / "geo")
    postcodes = list(Postcode.objects.order_by("postcode").values_list("postcode", flat=True)[:5000])
    patches_needed = max(1, arguments.households // PATCH_SIZE)
    workers = User.objects.bulk_create(
        User(email=f"chw{n}@bench.invalid", full_name=f"Worker {n}") for n in range(patches_needed)
    )
    supervisors = User.objects.bulk_create(
        User(email=f"supervisor{n}@bench.invalid", full_name=f"Supervisor {n}")
        for n in range(max(1, patches_needed // 5))
    )
    borough = Area.objects.create(kind=Area.Kind.ICS, name="Benchmark system", code="benchmark")
    for user in [*workers, *supervisors]:
        grant_role(user=user, role=Role.COMMUNITY_HEALTH_WORKER, by=None, area=borough, at=AT)
    patches = [
        actions.create_patch(
            name=f"Patch {n}", chw=worker, supervisor=supervisors[n // 5 % len(supervisors)], by=None, at=AT
        )
        for n, worker in enumerate(workers)
    ]
    sizes = [
        rng.choices((1, 2, 3, 4, 5), weights=(28, 32, 17, 15, 8))[0] for _ in range(arguments.households)
    ]
    numbers: list[str] = []
    stem = 900_000_000
    while len(numbers) < sum(sizes):
        digit = check_digit(f"{stem:09d}")
        if digit is not None:
            numbers.append(f"{stem:09d}{digit}")
        stem += 1
    people = Person.objects.bulk_create(
        (
            Person(
                given_name=f"Given{n}",
                family_name="Bench",
                date_of_birth=datetime.date(1940 + n % 80, 1 + n % 12, 1),
                sex="female" if n % 2 else "male",
                nhs_number=numbers[n],
            )
            for n in range(sum(sizes))
        ),
        batch_size=5000,
    )
    cursor = 0
    chunk: list[HouseholdRow] = []
    for index, size in enumerate(sizes):
        members = tuple(
            (p.pk, "head" if i == 0 else "child") for i, p in enumerate(people[cursor : cursor + size])
        )
        cursor += size
        chunk.append(
            HouseholdRow(
                f"B{index:07d}",
                f"{index} Bench Street",
                f"Street {index % 97}",
                postcodes[index % len(postcodes)],
                patches[index // PATCH_SIZE % len(patches)],
                True,
                members,
            )
        )
        if len(chunk) == 5000 or index == len(sizes) - 1:
            actions.register_households(
                rows=chunk, by=None, at=AT - datetime.timedelta(days=31 * arguments.months)
            )
            chunk = []
    households = list(Household.objects.values_list("pk", "patch_id", "patch__chw_id"))
    visits: list[PastVisit] = []
    for month in range(arguments.months):
        for household_id, patch_id, chw_id in households:
            roll = rng.random()
            outcome = "done" if roll < 0.8 else "nobody_in" if roll < 0.96 else "refused"
            day = AT - datetime.timedelta(days=31 * (arguments.months - month) - rng.randint(0, 25))
            visits.append(PastVisit(household_id, chw_id, patch_id, day, outcome, ("periodic",)))
            if len(visits) == 20000:
                actions.import_visit_history(visits=visits, by=None, at=AT)
                visits = []
    if visits:
        actions.import_visit_history(visits=visits, by=None, at=AT)
    # A GP extract with gaps, imported through its importer as an administrator would (in chunks).
    administrator = User.objects.create(email="admin@bench.invalid", full_name="Admin")
    grant_role(user=administrator, role=Role.ADMINISTRATOR, by=None, area=borough, at=AT)
    extract = ["nhs_number,programme,status,due_date"]
    for person in people[::3]:
        status = "overdue" if rng.random() < 0.3 else "up_to_date"
        extract.append(f"{person.nhs_number},cervical_screening,{status},2026-06-01")
    for start in range(1, len(extract), 20000):
        actions.import_gp_extract(
            text="\n".join([extract[0], *extract[start : start + 20000]]) + "\n", by=administrator, at=AT
        )
    build_seconds = time.perf_counter() - build_started
    # What the build left in this process (every household, person and visit it made) goes, and what
    # remains is frozen out of the collector, as in a server worker that starts fresh: otherwise one
    # request in ten pays for a full collection over the build's objects.
    del people, extract
    gc.collect()
    gc.freeze()

    results: dict[str, dict[str, float]] = {}
    result_path = (
        RESULT_PATH.with_name("households-postgresql.json")
        if settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
        else RESULT_PATH
    )
    worker, patch = workers[0], patches[0]
    client = Client()
    client.force_login(worker)
    results["agenda_page"] = _time(lambda: client.get("/households/agenda/"), arguments.repeats)
    home = Household.objects.filter(patch=patch).order_by("pk").first()
    assert home is not None
    results["household_page"] = _time(lambda: client.get(f"/households/{home.pk}/"), arguments.repeats)

    targets = list(Household.objects.filter(patch=patch).values_list("pk", flat=True)[:200])

    def send_queue() -> None:
        for household_id in targets:
            body = {
                "client_id": str(uuid.uuid4()),
                "household_id": household_id,
                "outcome": "done",
                "reasons": ["periodic"],
            }
            response = client.post(
                "/api/households/visits", json.dumps(body), content_type="application/json"
            )
            assert response.status_code == 201, response.content

    started = time.perf_counter()
    send_queue()
    results["send_200_queued_visits"] = _percentiles([time.perf_counter() - started])

    supervisor_client = Client()
    supervisor_client.force_login(supervisors[0])
    started = time.perf_counter()
    supervisor_client.get("/households/supervision/")
    results["supervision_cold"] = _percentiles([time.perf_counter() - started])
    results["supervision_warm"] = _time(
        lambda: supervisor_client.get("/households/supervision/"), arguments.repeats
    )

    def monthly_tasks() -> int:
        rules, today, count = definitions.task_rules(), timezone.localdate(), 0
        ids = list(Household.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), 2000):
            batch = list(Household.objects.filter(pk__in=ids[start : start + 2000]))
            facts = queries.facts_for(batch, since=today - datetime.timedelta(days=400))
            count += sum(len(evaluate(rules, facts[h.pk], today)) for h in batch)
        return count

    started = time.perf_counter()
    task_count = monthly_tasks()
    results["monthly_tasks_borough"] = _percentiles([time.perf_counter() - started])

    report = {
        "benchmark": "households",
        "measured_at": datetime.datetime.now(UTC).isoformat(timespec="seconds"),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "python": platform.python_version(),
        "machine": platform.machine(),
        "size": {
            "households": Household.objects.count(),
            "people": Member.objects.count(),
            "workers": len(workers),
            "patches": Patch.objects.count(),
            "months": arguments.months,
            "visits": Visit.objects.count(),
            "tasks_open": task_count,
        },
        "build_seconds": round(build_seconds, 1),
        "milliseconds": results,
        "budgets_ms_at_full_size_on_postgresql": {
            "agenda_page_p95": 100,
            "household_page_p95": 100,
            "send_200_queued_visits": 5000,
            "supervision_cold": 1000,
            "supervision_warm": 200,
            "monthly_tasks_borough": 60000,
        },
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    result_path.parent.mkdir(parents=True, exist_ok=True)
    result_path.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
