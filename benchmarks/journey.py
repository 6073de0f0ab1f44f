"""Benchmark the journey's busiest pages on PostgreSQL at the size of an integrated care system.

Run from the repository root:
    .venv/bin/python benchmarks/journey.py [--database-url postgres://postgres@127.0.0.1:5432/commonweal_bench_journey]
        [--people 200000] [--link-workers 20] [--cases-per-worker 300] [--runs 5] [--requests 20] [--rebuild]

It creates the database if it is missing, migrates it, loads the real Trafford geography and a synthetic
ICS (200,000 people; 300 open cases per link worker with their contacts, conversations, goals, small sums
and connections; years of closed cases; 200 community organisations with 1,000 services; record-access
logs), then measures server time of the caseload page, the person page and an organisation's inbox with
django.test.Client in process (middleware, views, queries and templates; no network). Each measurement
runs in a fresh child process so that its peak memory belongs to it. Writes benchmarks/results/journey.json.
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
import subprocess
import sys
import time
from datetime import UTC
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULT_PATH = ROOT / "benchmarks" / "results" / "journey.json"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/commonweal_bench_journey"
BUDGET_P95_MS = 150.0
SEED = 4
AS_OF = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
PAGES = {
    "caseload": "/caseload/",
    "caseload_sorted_by_last_contact": "/caseload/?sort=last_contact",
    "person": "/people/{person}/",
    "inbox_new": "/inbox/?view=new",
    "inbox_current": "/inbox/?view=current",
}
BUDGETED = ("caseload", "person", "inbox_new")


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonweal.config.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()


def _ensure_database(database_url: str, rebuild: bool) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    server = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            connection.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------------------------------- load


def _load(people_count: int, link_worker_count: int, cases_per_worker: int) -> dict[str, object]:
    """Fill the database with a synthetic ICS; return what was made."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from commonweal.accounts.models import Role, RoleAssignment, User
    from commonweal.audit.models import RecordAccess
    from commonweal.demokit.population import fictional_residents
    from commonweal.directory.models import DirectoryOrganisation, Location, Service, ServiceAtLocation
    from commonweal.organisations.models import Organisation
    from commonweal.people.models import Goal, GoalReview, Person
    from commonweal.places.loading import load_geography
    from commonweal.places.models import Postcode
    from commonweal.reference_data import shared_data_dir
    from commonweal.referrals import message_back, snomed
    from commonweal.referrals.models import (
        Attendance,
        Connection,
        ConnectionTransition,
        ContactLogEntry,
        Conversation,
        JourneyCode,
        MessageBack,
        Referral,
        SmallSum,
        TeamSupervisor,
    )

    rng = random.Random(SEED)
    started = time.perf_counter()
    if not Postcode.objects.exists():
        load_geography(shared_data_dir() / "geo")
    postcodes = list(
        Postcode.objects.order_by("postcode").values_list("postcode", "lsoa_id", "latitude", "longitude")
    )
    lsoa_of = {code: lsoa for code, lsoa, _, _ in postcodes}

    with transaction.atomic():
        icb = Organisation.objects.create(kind="icb", name="Bench ICB", ods_code="ZZB77")
        teams = [
            Organisation.objects.create(
                kind="pcn", name=f"Bench PCN {index}", ods_code=f"ZZU{index:03d}", parent=icb
            )
            for index in range(max(1, link_worker_count // 2))
        ]
        practices = [
            Organisation.objects.create(
                kind="gp_practice",
                name=f"Bench Practice {index}",
                ods_code=f"ZZP{index:03d}",
                parent=teams[index % len(teams)],
            )
            for index in range(len(teams) * 4)
        ]
        vcses = [
            Organisation.objects.create(kind="vcse", name=f"Bench Group {index}") for index in range(200)
        ]

        def user(email: str, name: str) -> User:
            made = User(email=email, full_name=name)
            made.set_unusable_password()
            made.save()
            return made

        link_workers = []
        for index in range(link_worker_count):
            worker = user(f"lw{index}@bench.invalid", f"Link Worker {index}")
            RoleAssignment.objects.create(
                user=worker, role=Role.LINK_WORKER, organisation=teams[index % len(teams)]
            )
            link_workers.append(worker)
        for team in teams:
            supervisor = user(f"supervisor{team.pk}@bench.invalid", f"Supervisor {team.pk}")
            RoleAssignment.objects.create(user=supervisor, role=Role.LINK_WORKER, organisation=team)
            TeamSupervisor.objects.create(team=team, user=supervisor)
        referrers = []
        for practice in practices:
            referrer = user(f"gp{practice.pk}@bench.invalid", f"Dr {practice.pk}")
            RoleAssignment.objects.create(user=referrer, role=Role.REFERRER, organisation=practice)
            referrers.append(referrer)
        members = []
        for vcse in vcses:
            member = user(f"member{vcse.pk}@bench.invalid", f"Member {vcse.pk}")
            RoleAssignment.objects.create(user=member, role=Role.ORGANISATION_MEMBER, organisation=vcse)
            members.append(member)

        services = []
        for vcse in vcses:
            directory_organisation = DirectoryOrganisation.objects.create(name=vcse.name, organisation=vcse)
            for number in range(5):
                code, _lsoa, latitude, longitude = rng.choice(postcodes)
                service = Service.objects.create(
                    organisation=directory_organisation, owner=vcse, name=f"{vcse.name} activity {number}"
                )
                location = Location.objects.create(
                    name=service.name, latitude=latitude, longitude=longitude, postal_code=code
                )
                ServiceAtLocation.objects.create(service=service, location=location)
                services.append(service)
        # One busy organisation: a fifth of all connections go to its services, so its inbox is the largest.
        busy_services = [service for service in services if service.owner_id == vcses[0].pk]

    residents = fictional_residents(rng, people_count, [code for code, _, _, _ in postcodes], AS_OF.date())
    people = [
        Person(
            given_name=resident.given_name,
            family_name=resident.family_name,
            sex=resident.sex,
            date_of_birth=resident.date_of_birth,
            ethnicity=resident.ethnicity,
            nhs_number=resident.nhs_number,
            postcode=resident.postcode,
            lsoa_id=lsoa_of[resident.postcode],
            gp_practice=practices[index % len(practices)],
            what_matters="Seeing people and getting out more",
            interests=["walking", "cooking"],
            phone="07700 900000",
            created_at=AS_OF,
        )
        for index, resident in enumerate(residents)
    ]
    Person.objects.bulk_create(people, batch_size=5000)
    person_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    chosen = rng.sample(
        person_ids, min(len(person_ids), link_worker_count * cases_per_worker * 3 + 30 * len(teams))
    )
    concept = {event: snomed.concept_for(event) for event in snomed.JourneyEvent}
    person_type = ContentType.objects.get_for_model(Person)

    referrals: list[Referral] = []
    cursor = 0
    for index, worker in enumerate(link_workers):
        team = teams[index % len(teams)]
        for number in range(cases_per_worker * 3):
            person_id = chosen[cursor]
            cursor += 1
            is_open = number < cases_per_worker
            received = AS_OF - datetime.timedelta(days=rng.randrange(5, 200 if is_open else 900))
            practice = practices[person_id % len(practices)]
            referrals.append(
                Referral(
                    person_id=person_id,
                    team=team,
                    status="open" if is_open else ("closed" if number % 10 else "declined"),
                    source="gp",
                    referred_by=referrers[practices.index(practice)],
                    referring_organisation=practice,
                    reasons=["loneliness", "money"],
                    reason_detail="Would benefit from company",
                    urgency=rng.choice(["routine", "routine", "soon", "urgent"]),
                    received_at=received,
                    triaged_at=received + datetime.timedelta(days=2),
                    triaged_by=worker,
                    link_worker=worker if number % 10 or is_open else None,
                    decline_reason="" if number % 10 or is_open else "person_declined",
                    next_action="Follow-up call" if is_open else "",
                    next_action_due=(AS_OF + datetime.timedelta(days=rng.randrange(-30, 40))).date()
                    if is_open
                    else None,
                    last_contact_at=received + datetime.timedelta(days=rng.randrange(3, 5)),
                    first_seen_at=received + datetime.timedelta(days=3),
                    open_alerts=1 if is_open and number % 7 == 0 else 0,
                    closed_at=None
                    if is_open or number % 10 == 0
                    else received + datetime.timedelta(days=120),
                    closed_by=None if is_open or number % 10 == 0 else worker,
                    closure_reason="" if is_open or number % 10 == 0 else "goals_met",
                )
            )
    Referral.objects.bulk_create(referrals, batch_size=2000)
    # Waiting for triage in each team.
    waiting = [
        Referral(
            person_id=chosen[cursor + index],
            team=teams[index % len(teams)],
            source="self",
            reasons=["loneliness"],
            received_at=AS_OF,
        )
        for index in range(30 * len(teams))
    ]
    Referral.objects.bulk_create(waiting, batch_size=2000)

    codes, contacts, conversations, goals, small_sums, messages = [], [], [], [], [], []
    for referral in referrals:
        events = [snomed.JourneyEvent.OFFERED, snomed.JourneyEvent.REFERRED, snomed.JourneyEvent.SEEN]
        if referral.status == "closed":
            events.append(snomed.JourneyEvent.CLOSED)
        if referral.status == "declined":
            events = [snomed.JourneyEvent.OFFERED, snomed.JourneyEvent.DECLINED]
        for event in events:
            codes.append(
                JourneyCode(
                    referral=referral,
                    event=event.value,
                    code=concept[event].code,
                    term=concept[event].term,
                    recorded_at=referral.received_at,
                )
            )
        if referral.status == "declined":
            continue
        for visit in range(3):
            contacts.append(
                ContactLogEntry(
                    referral=referral,
                    kind="call",
                    outcome="spoke",
                    note="Talked about the walking group",
                    happened_at=referral.received_at + datetime.timedelta(days=3 + 7 * visit),
                    recorded_by=referral.link_worker,
                )
            )
        conversations.append(
            Conversation(
                referral=referral,
                kind=1,
                held_on=(referral.received_at + datetime.timedelta(days=10)).date(),
                participants="The person and their link worker",
                summary="I want to get out of the house more",
                what_matters="Company",
                recorded_by=referral.link_worker,
            )
        )
        if referral.status == "open" and rng.random() < 0.1:
            small_sums.append(
                SmallSum(
                    referral=referral,
                    team=referral.team,
                    amount=Decimal("25.00"),
                    purpose="Meter top-up",
                    requested_by=referral.link_worker,
                )
            )
    JourneyCode.objects.bulk_create(codes, batch_size=5000)
    ContactLogEntry.objects.bulk_create(contacts, batch_size=5000)
    Conversation.objects.bulk_create(conversations, batch_size=5000)
    SmallSum.objects.bulk_create(small_sums, batch_size=5000)
    for referral in referrals:
        if referral.status == "open":
            for number in range(2):
                goals.append(
                    Goal(
                        person_id=referral.person_id,
                        description=f"Goal {number + 1}",
                        progress="started",
                        set_by=referral.link_worker,
                    )
                )
    Goal.objects.bulk_create(goals, batch_size=5000)
    GoalReview.objects.bulk_create(
        [
            GoalReview(goal=goal, progress="started", note="On track", reviewed_by=goal.set_by)
            for goal in goals
        ],
        batch_size=5000,
    )
    document = message_back.build_message(
        message_back.MessageInput(
            event="accepted",
            event_label="Referral accepted",
            sent_on=AS_OF.date(),
            codes_only=False,
            person_name="Bench Person",
            nhs_number="9990000018",
            date_of_birth=datetime.date(1960, 1, 1),
            gp_practice="Bench Practice",
            gp_practice_ods_code="ZZP000",
            received_on=AS_OF.date(),
            source="GP practice",
            referrer="Dr Bench",
            referring_organisation="Bench Practice",
            team="Bench PCN",
            link_worker="Link Worker",
            codes=[
                message_back.CodedEntry(
                    concept[snomed.JourneyEvent.REFERRED].code,
                    concept[snomed.JourneyEvent.REFERRED].term,
                    AS_OF.date(),
                )
            ],
        )
    )
    for referral in referrals:
        messages.append(
            MessageBack(
                referral=referral,
                event="accepted",
                codes_only=False,
                document=document,
                sent_at=referral.received_at,
                gp_practice=referral.referring_organisation,
            )
        )
    MessageBack.objects.bulk_create(messages, batch_size=2000)

    connections = []
    statuses_open = [
        "requested",
        "accepted",
        "in-progress",
        "in-progress",
        "on-hold",
        "rejected",
        "completed",
        "cancelled",
    ]
    for referral in referrals:
        if referral.status == "declined":
            continue
        for number in range(2 if referral.status == "open" else 1):
            service = rng.choice(busy_services) if rng.random() < 0.2 else rng.choice(services)
            status = rng.choice(statuses_open) if referral.status == "open" else "completed"
            connections.append(
                Connection(
                    person_id=referral.person_id,
                    referral=referral,
                    service=service,
                    organisation_id=service.owner_id,
                    status=status,
                    requested_by=referral.link_worker,
                    requested_at=referral.received_at + datetime.timedelta(days=11 + number),
                    status_changed_at=referral.received_at + datetime.timedelta(days=15 + number),
                    shared_fields=["what_matters"],
                    needs_attention=status == "rejected",
                    sessions_attended=4 if status in ("in-progress", "completed") else 0,
                )
            )
    Connection.objects.bulk_create(connections, batch_size=5000)
    member_of = {vcse.pk: member for vcse, member in zip(vcses, members, strict=True)}
    transitions, attendances = [], []
    paths = {
        "requested": [],
        "accepted": ["accepted"],
        "in-progress": ["accepted", "in-progress"],
        "on-hold": ["accepted", "in-progress", "on-hold"],
        "rejected": ["rejected"],
        "completed": ["accepted", "in-progress", "completed"],
        "cancelled": ["cancelled"],
    }
    for connection in connections:
        transitions.append(
            ConnectionTransition(
                connection=connection,
                from_status="",
                to_status="requested",
                party="requester",
                actor=connection.requested_by,
                at=connection.requested_at,
            )
        )
        previous = "requested"
        for step, status in enumerate(paths[connection.status], start=1):
            requester = status == "cancelled"
            transitions.append(
                ConnectionTransition(
                    connection=connection,
                    from_status=previous,
                    to_status=status,
                    party="requester" if requester else "target",
                    actor=connection.requested_by if requester else member_of[connection.organisation_id],
                    at=connection.requested_at + datetime.timedelta(days=step),
                    rejection_reason="at-capacity" if status == "rejected" else "",
                )
            )
            previous = status
        for week in range(connection.sessions_attended):
            attendances.append(
                Attendance(
                    connection=connection,
                    session_on=(connection.requested_at + datetime.timedelta(days=7 * (week + 1))).date(),
                    attended=True,
                    recorded_by=member_of[connection.organisation_id],
                )
            )
    ConnectionTransition.objects.bulk_create(transitions, batch_size=5000)
    Attendance.objects.bulk_create(attendances, batch_size=5000)

    accesses = []
    for referral in referrals:
        for view in range(3):
            accesses.append(
                RecordAccess(
                    viewer=referral.link_worker or referral.triaged_by,
                    subject_type=person_type,
                    subject_id=referral.person_id,
                    reason="caseload",
                    path=f"/people/{referral.person_id}/",
                    accessed_at=referral.received_at + datetime.timedelta(days=view * 9),
                )
            )
    RecordAccess.objects.bulk_create(accesses, batch_size=5000)
    from django.db import connection as db

    with db.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"load_seconds": round(time.perf_counter() - started, 1)}


def _counts() -> dict[str, int]:
    from commonweal.accounts.models import User
    from commonweal.audit.models import RecordAccess
    from commonweal.directory.models import Service
    from commonweal.people.models import Goal, Person
    from commonweal.referrals.models import (
        Attendance,
        Connection,
        ConnectionTransition,
        ContactLogEntry,
        Conversation,
        JourneyCode,
        MessageBack,
        Referral,
    )

    models = [
        Person,
        User,
        Referral,
        Connection,
        ConnectionTransition,
        Attendance,
        ContactLogEntry,
        Conversation,
        JourneyCode,
        MessageBack,
        Goal,
        RecordAccess,
        Service,
    ]
    counts = {model.__name__: model.objects.count() for model in models}
    counts["open_referrals"] = Referral.objects.filter(status="open").count()
    return counts


# ---------------------------------------------------------------------------------------- measure


def _subjects() -> dict[str, object]:
    """The busiest link worker, a person on their caseload with the longest journey, the busiest inbox."""
    from django.db.models import Count

    from commonweal.accounts.models import Role, User
    from commonweal.referrals.models import Connection, Referral

    worker = User.objects.get(email="lw0@bench.invalid")
    person_id = (
        Referral.objects.filter(link_worker=worker, status="open")
        .annotate(connections_made=Count("person__connections"))
        .order_by("-connections_made", "pk")
        .values_list("person_id", flat=True)
        .first()
    )
    busiest = (
        Connection.objects.values("organisation_id").annotate(total=Count("pk")).order_by("-total").first()
    )
    member = User.objects.get(
        role_assignments__role=Role.ORGANISATION_MEMBER,
        role_assignments__organisation_id=busiest["organisation_id"],
    )
    return {
        "worker": worker,
        "person": person_id,
        "member": member,
        "worker_open_cases": Referral.objects.filter(link_worker=worker, status="open").count(),
        "inbox_connections": busiest["total"],
        "inbox_new": Connection.objects.filter(
            organisation_id=busiest["organisation_id"], status="requested"
        ).count(),
    }


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    rank = fraction * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _child(page: str, runs: int, requests: int) -> dict[str, object]:
    """Measure one page in this process: warm up, then `runs` runs of `requests` requests."""
    from django.db import connection as db
    from django.test import Client

    subjects = _subjects()
    user = subjects["member"] if page.startswith("inbox") else subjects["worker"]
    client = Client()
    client.force_login(user)
    path = PAGES[page].format(person=subjects["person"])
    for _ in range(3):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with db.execute_wrapper(count):
        response = client.get(path)
    baseline = _rss_mb()
    per_run_medians = []
    samples = []
    for _ in range(runs):
        run = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path)
            run.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        per_run_medians.append(statistics.median(run))
        samples.extend(run)
    return {
        "path": PAGES[page].replace("{person}", "<person>"),
        "samples": len(samples),
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(_percentile(samples, 0.95), 2),
        "p99_ms": round(_percentile(samples, 0.99), 2),
        "max_ms": round(max(samples), 2),
        "median_of_run_medians_ms": round(statistics.median(per_run_medians), 2),
        "run_medians_ms": [round(value, 2) for value in per_run_medians],
        "sql_queries": len(executed),
        "response_bytes": len(response.content),
        "peak_rss_mb": round(_rss_mb(), 1),
        "rss_before_measuring_mb": round(baseline, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--link-workers", type=int, default=20)
    parser.add_argument("--cases-per-worker", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true", help="Drop and rebuild the benchmark database")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        _setup_django(args.database_url)
        print(json.dumps(_child(args.child, args.runs, args.requests)))
        return

    _ensure_database(args.database_url, args.rebuild)
    _setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection as db

    from commonweal.people.models import Person

    call_command("migrate", verbosity=0)
    load: dict[str, object] = {"load_seconds": None, "reused_existing_data": True}
    if not Person.objects.exists():
        load = _load(args.people, args.link_workers, args.cases_per_worker) | {"reused_existing_data": False}
    counts = _counts()
    subjects = _subjects()
    with db.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    db.close()

    pages = {}
    for page in PAGES:
        print(f"measuring {page} …", file=sys.stderr)
        output = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                page,
                "--runs",
                str(args.runs),
                "--requests",
                str(args.requests),
                "--database-url",
                args.database_url,
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
        pages[page] = json.loads(output.strip().splitlines()[-1])

    budgets = {
        page: {
            "p95_ms": pages[page]["p95_ms"],
            "budget_p95_ms": BUDGET_P95_MS,
            "met": pages[page]["p95_ms"] <= BUDGET_P95_MS,
        }
        for page in BUDGETED
    }
    result = {
        "benchmark": "journey pages on PostgreSQL (server time, django.test.Client in process)",
        "command": "python benchmarks/journey.py " + " ".join(arg for arg in sys.argv[1:]),
        "measured_at": datetime.datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": {
            "python": platform.python_version(),
            "postgresql": server_version,
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        },
        "scale": {
            "people": counts["Person"],
            "link_workers": args.link_workers,
            "open_cases_per_link_worker": args.cases_per_worker,
            "measured_link_worker_open_cases": subjects["worker_open_cases"],
            "measured_inbox_connections": subjects["inbox_connections"],
            "measured_inbox_new": subjects["inbox_new"],
            "rows": counts,
        },
        "load": load,
        "method": {
            "runs": args.runs,
            "requests_per_run": args.requests,
            "warm_up_requests": 3,
            "timer": "time.perf_counter around Client.get (request, middleware, view, SQL, template)",
            "percentiles": "linear interpolation over all samples of all runs",
            "each_page_in_its_own_process": True,
        },
        "pages": pages,
        "budgets": budgets,
        "all_budgets_met": all(item["met"] for item in budgets.values()),
    }
    RESULT_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULT_PATH.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        json.dumps(
            {
                page: (values["p50_ms"], values["p95_ms"], values["sql_queries"])
                for page, values in pages.items()
            }
        )
    )


if __name__ == "__main__":
    main()
