"""Benchmark volunteering at the size issue 14 names: the coordinator's overview, a volunteer's page,
ranking candidates for one buddy request, and the expiry and no-contact sweeps.

Run from the repository root:  .venv/bin/python benchmarks/volunteering.py [--scale] [--repeats 20]
Writes benchmarks/results/volunteering.json.

The default run is small (2,000 volunteers, 800 active matches, 80,000 contacts) so it finishes in about
a minute; `--scale` builds the issue's figures: 50,000 volunteers, 20,000 active matches and 2 million
contacts (it takes several minutes to load). A fresh SQLite database is migrated and filled in bulk,
deterministically, across 10 organisations; each volunteer is active, with a clear DBS check (a share of
them expiring within 60 days) and the buddy role's training. Then:

- coordinator_overview_page: GET /volunteering/coordinator/ for a coordinator of all 10 organisations;
- volunteer_page: GET /volunteering/me/ for a volunteer with a match and 100 contacts;
- rank_5000_candidates: the pure ranking core on 5,000 candidates for one request (the first 60 worded
  with their reasons, as the request page asks);
- dbs_reminder_sweep / no_contact_sweep: one run each of the sweeps over every check and match (single
  runs: the first run writes the reminders and alerts, as the nightly run would).

Pages run through Django's test client (URL routing, middleware, the view, its queries and the template).
Medians, p95 and p99 are in milliseconds; wall time covers the request or computation only.
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
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULT_PATH = ROOT / "benchmarks" / "results" / "volunteering.json"
SQLITE_PATH = Path("/tmp/commonweal-volunteering-bench.sqlite3")
SEED = 2026
ORGANISATIONS = 10
SMALL = {"volunteers": 2000, "matches": 800, "contacts": 80000}
SCALE = {"volunteers": 50000, "matches": 20000, "contacts": 2000000}


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
    run()  # warm caches once, as a running server would be
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
    parser.add_argument("--scale", action="store_true", help="the issue's full size")
    parser.add_argument("--repeats", type=int, default=20)
    arguments = parser.parse_args()
    size = SCALE if arguments.scale else SMALL

    SQLITE_PATH.unlink(missing_ok=True)
    os.environ.update(
        DATABASE_URL=f"sqlite:///{SQLITE_PATH}",
        DJANGO_SETTINGS_MODULE="commonweal.config.settings",
        DEBUG="false",
    )
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-use")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from commonweal.accounts.actions import grant_role
    from commonweal.accounts.models import Role, User
    from commonweal.organisations.models import Organisation
    from commonweal.people.models import Person
    from commonweal.volunteering import actions
    from commonweal.volunteering.core import matching
    from commonweal.volunteering.models import (
        BuddyRequest,
        Contact,
        DbsCheck,
        Enrolment,
        Match,
        TrainingRecord,
        Volunteer,
    )
    from commonweal.volunteering.roles import ROLES

    rng = random.Random(SEED)
    today = timezone.localdate()
    now = timezone.now()
    build_started = time.perf_counter()
    organisations = Organisation.objects.bulk_create(
        Organisation(kind=Organisation.Kind.VCSE, name=f"Bench Volunteers {n}") for n in range(ORGANISATIONS)
    )
    coordinator = User.objects.create(email="coordinator@bench.invalid", full_name="Bench Coordinator")
    for organisation in organisations:
        grant_role(user=coordinator, role=Role.VOLUNTEER_COORDINATOR, organisation=organisation, by=None)
    link_worker = User.objects.create(email="worker@bench.invalid", full_name="Bench Worker")
    volunteer_user = User.objects.create(email="volunteer@bench.invalid", full_name="Bench Volunteer")
    grant_role(user=volunteer_user, role=Role.FACILITATOR, organisation=organisations[0], by=None)
    skills = ["shopping", "confidence", "walking", "digital skills", "cooking", "transport"]
    interests = ["gardening", "walking", "singing", "cooking", "knitting", "football", "reading"]
    times = ["weekday_morning", "weekday_afternoon", "weekday_evening", "weekend"]
    volunteers = Volunteer.objects.bulk_create(
        (
            Volunteer(
                user=volunteer_user if n == 0 else None,
                full_name=f"Volunteer {n}",
                sex=rng.choice(["female", "male"]),
                latitude=53.42 + rng.uniform(-0.08, 0.08),
                longitude=-2.33 + rng.uniform(-0.12, 0.12),
                skills=rng.sample(skills, 2),
                interests=rng.sample(interests, 3),
                languages=["English"] + (["Urdu"] if rng.random() < 0.15 else []),
                availability=rng.sample(times, 2),
                capacity=2,
            )
            for n in range(size["volunteers"])
        ),
        batch_size=5000,
    )
    organisation_of = {v.pk: organisations[i % ORGANISATIONS] for i, v in enumerate(volunteers)}
    Enrolment.objects.bulk_create(
        (Enrolment(volunteer=v, organisation=organisation_of[v.pk], status="active") for v in volunteers),
        batch_size=5000,
    )
    DbsCheck.objects.bulk_create(
        (
            DbsCheck(
                volunteer=v,
                organisation=organisation_of[v.pk],
                level="enhanced_barred",
                status="clear",
                certificate_number="001234567890",
                issued_on=today - datetime.timedelta(days=365),
                expires_on=today + datetime.timedelta(days=rng.randrange(1, 1100)),
            )
            for v in volunteers
        ),
        batch_size=5000,
    )
    TrainingRecord.objects.bulk_create(
        (
            TrainingRecord(volunteer=v, organisation=organisation_of[v.pk], course=course, completed_on=today)
            for v in volunteers
            for course in ROLES["buddy"].training
        ),
        batch_size=5000,
    )
    people = Person.objects.bulk_create(
        (
            Person(
                given_name=f"Person{n}",
                family_name="Bench",
                date_of_birth=datetime.date(1950, 1, 1),
                sex="female",
            )
            for n in range(size["matches"])
        ),
        batch_size=5000,
    )
    requests = BuddyRequest.objects.bulk_create(
        (
            BuddyRequest(
                person=p,
                organisation=organisations[i % ORGANISATIONS],
                requested_by=link_worker,
                status="matched",
            )
            for i, p in enumerate(people)
        ),
        batch_size=5000,
    )
    matches = Match.objects.bulk_create(
        (
            Match(
                request=r,
                person_id=r.person_id,
                volunteer=volunteers[i if i else 0],
                organisation=r.organisation,
                supervisor=coordinator,
                status="active",
                start_on=today - datetime.timedelta(days=200),
                last_contact_on=today - datetime.timedelta(days=rng.randrange(0, 30)),
                no_contact_days=14,
            )
            for i, r in enumerate(requests)
        ),
        batch_size=5000,
    )
    per_match = size["contacts"] // len(matches)
    batch: list[Contact] = []
    for match in matches:
        for k in range(per_match):
            batch.append(
                Contact(
                    match=match,
                    happened_on=today - datetime.timedelta(days=k * 2),
                    minutes=45,
                    medium="phone",
                    logged_by=coordinator,
                    logged_at=now,
                )
            )
        if len(batch) >= 20000:
            Contact.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Contact.objects.bulk_create(batch, batch_size=5000)
    build_seconds = round(time.perf_counter() - build_started, 1)
    print(f"built in {build_seconds} s", flush=True)

    results: dict[str, object] = {"size": size, "build_seconds": build_seconds}
    client = Client(HTTP_HOST="localhost")
    client.force_login(coordinator)
    results["coordinator_overview_page_ms"] = _time(
        lambda: client.get("/volunteering/coordinator/"), arguments.repeats
    )
    mine = Client(HTTP_HOST="localhost")
    mine.force_login(volunteer_user)
    results["volunteer_page_ms"] = _time(lambda: mine.get("/volunteering/me/"), arguments.repeats)
    request = matching.Request(
        needs=frozenset({"shopping"}),
        interests=frozenset({"gardening", "cooking"}),
        language="Urdu",
        times=frozenset({"weekend"}),
        latitude=53.42,
        longitude=-2.33,
        max_distance_km=10,
    )
    candidates = [
        matching.Candidate(
            v.pk,
            v.full_name,
            v.sex,
            frozenset(v.skills),
            frozenset(v.interests),
            frozenset(v.languages),
            frozenset(v.availability),
            v.latitude,
            v.longitude,
            0,
            2,
        )
        for v in volunteers[:5000]
    ]
    results["rank_5000_candidates_ms"] = _time(
        lambda: matching.rank(request, candidates, limit=60), arguments.repeats
    )
    started = time.perf_counter()
    reminders = actions.send_dbs_reminders()
    results["dbs_reminder_sweep_seconds"] = round(time.perf_counter() - started, 3)
    results["dbs_reminders_written"] = len(reminders)
    started = time.perf_counter()
    alerts = actions.sweep_no_contact()
    results["no_contact_sweep_seconds"] = round(time.perf_counter() - started, 3)
    results["no_contact_alerts_written"] = len(alerts)
    print(json.dumps(results, indent=2), flush=True)
    document = {
        "generated": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": "benchmarks/volunteering.py " + " ".join(sys.argv[1:]),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "load_average_at_end": list(os.getloadavg()),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "budgets": {"pages_p95_ms": 150, "rank_5000_ms": 200, "expiry_sweep_seconds": 30},
        "method": __doc__.split("\n\n", 2)[2].strip() if __doc__ else "",
        "results": results,
    }
    RESULT_PATH.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    SQLITE_PATH.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
