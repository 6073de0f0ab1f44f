"""Benchmark the evidence dashboards on a synthetic integrated care system in PostgreSQL.

Run from the repository root:

    .venv/bin/python benchmarks/evidence.py                 # 1,000,000 connections, 3,000,000 responses
    .venv/bin/python benchmarks/evidence.py --scale 0.01    # a quick run at a hundredth of the size

Writes benchmarks/results/evidence.json.

1. Creates its own database (DROP and CREATE commonweal_bench_evidence on 127.0.0.1 as postgres) and
   migrates it.
2. Loads a deterministic synthetic ICS (seeded): 10 boroughs, 60 neighbourhoods (6 of them drawn across
   others, so they overlap), 1,800 LSOAs with IMD deciles, 40 social prescribing teams, 1,500 community
   organisations running 3,000 directory services with taxonomy terms, the people referred, their
   referrals over 36 months with the SNOMED CT codes the journey records, the connections (1,000,000)
   with their status transitions and attendance, and the questionnaire responses (3,000,000: ONS4,
   UCLA-3, PHQ-9 and GAD-7 at baseline and follow-ups). Bulk tables go in with COPY.
3. Runs the nightly refresh (`refresh_summaries`: scores every response, rebuilds facts and cells) and
   times it.
4. Times each dashboard page through Django's full request stack (middleware, view, SQL, statistics,
   small-number protection, charts, template) for three filter sets each:
   - cold: the first request for that page and filter in a new server process (started, URLconf and
     app code imported, as a WSGI worker is before its first request; PostgreSQL's own buffer cache is
     shared and is not emptied, since other databases run on the same server);
   - warm: the same request repeated in one process (median and p95 over the runs).
   Peak memory: the Python heap's peak during one request (tracemalloc, measured in a separate untimed
   run) and each process's maximum resident set size.
Budget (issue 8): at most 1 s cold and 200 ms warm per dashboard page.
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
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULT_PATH = ROOT / "benchmarks" / "results" / "evidence.json"
DATABASE = "commonweal_bench_evidence"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
SEED = 2026
BUDGET_MS = {"cold": 1000, "warm": 200}
COMMISSIONER = "commissioner@bench.invalid"
START = datetime.datetime(2023, 12, 1, 9, 0, tzinfo=datetime.UTC)
MONTHS = 36


def _setup_django() -> None:
    os.environ.update(
        DATABASE_URL=DATABASE_URL,
        DJANGO_SETTINGS_MODULE="commonweal.config.settings",
        DEBUG="false",
        ALLOWED_HOSTS="testserver,localhost,127.0.0.1",
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
    )
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-use")
    import django

    django.setup()


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1)

    return {"median": round(statistics.median(ordered) * 1000, 1), "p95": at(0.95), "runs": len(ordered)}


# ------------------------------------------------------------------------------------------ loading


class Copier:
    """Writes rows of one model with COPY on its own connection, every column filled (defaults where a
    row leaves one out). Several tables are written at once, so `close` (which commits) must be called
    for a table before the tables that refer to it."""

    def __init__(self, model: Any, *, explicit_ids: bool = False) -> None:
        import psycopg
        from psycopg.types.json import Jsonb

        self.jsonb = Jsonb
        self.connection = psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://"))
        cursor = self.connection.cursor()
        self.fields = [
            field for field in model._meta.concrete_fields if explicit_ids or not field.primary_key
        ]
        self.json_fields = {
            field.attname for field in self.fields if field.get_internal_type() == "JSONField"
        }
        self.defaults: dict[str, Any] = {}
        for field in self.fields:
            default = field.get_default()
            if field.get_internal_type() == "JSONField":
                default = Jsonb(default)
            self.defaults[field.attname] = default
        columns = ", ".join(f'"{field.column}"' for field in self.fields)
        self.copy = cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN')
        self.copier = self.copy.__enter__()
        self.names = [field.attname for field in self.fields]
        self.count = 0

    def write(self, row: dict[str, Any]) -> None:
        defaults = self.defaults
        for name in self.json_fields.intersection(row):
            if not isinstance(row[name], self.jsonb):
                row[name] = self.jsonb(row[name])
        self.copier.write_row([row[name] if name in row else defaults[name] for name in self.names])
        self.count += 1

    def close(self) -> int:
        self.copy.__exit__(None, None, None)
        self.connection.commit()
        self.connection.close()
        return self.count


ANSWERS = {
    "ons4": (["life_satisfaction", "worthwhile", "happiness", "anxiety"], 0, 10),
    "ucla-3": (["lack_companionship", "left_out", "isolated"], 1, 3),
    "phq-9": ([f"phq9_{n}" for n in range(1, 10)], 0, 3),
    "gad-7": ([f"gad7_{n}" for n in range(1, 8)], 0, 3),
}
ETHNICITIES = (
    ["A"] * 70
    + ["B", "C", "C", "C"]
    + ["D", "E", "F", "G"]
    + ["H", "H", "J", "J", "K", "L"]
    + [
        "M",
        "N",
        "N",
        "P",
        "R",
        "S",
        "Z",
        "Z",
        "Z",
        "Z",
    ]
)


def _answers(rng: random.Random, instrument: str, level: float) -> dict[str, str]:
    items, low, high = ANSWERS[instrument]
    answers = {}
    for item in items:
        # `level` (0 good … 1 bad) moves every item together, with a little noise per item.
        value = low + (high - low) * min(1.0, max(0.0, level + rng.uniform(-0.25, 0.25)))
        if instrument == "ons4" and item != "anxiety":
            value = high - (value - low)
        answers[item] = str(round(value))
    return answers


def load(scale: float) -> dict[str, Any]:
    """Load the synthetic ICS; return the row counts and how long it took."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from commonweal.accounts.models import Role, RoleAssignment, User
    from commonweal.directory.models import (
        DirectoryOrganisation,
        Service,
        ServiceTerm,
        Taxonomy,
        TaxonomyTerm,
    )
    from commonweal.measures.models import Response
    from commonweal.organisations.models import Organisation
    from commonweal.people.models import Person
    from commonweal.places.models import Area, Lsoa
    from commonweal.referrals.models import (
        Attendance,
        Connection,
        ConnectionTransition,
        JourneyCode,
        Referral,
    )

    started = time.perf_counter()
    rng = random.Random(SEED)
    target_connections = int(1_000_000 * scale)
    target_responses = int(3_000_000 * scale)

    ics = Area.objects.create(kind="ics", name="Synthetic ICS", code="synthetic-ics")
    boroughs = [
        Area.objects.create(kind="borough", name=f"Borough {b + 1}", code=f"borough-{b + 1}", parent=ics)
        for b in range(10)
    ]
    lsoas = []
    for index in range(1800):
        borough = index // 180
        # Each borough leans to some deciles, as real boroughs do.
        centre = 1 + (borough * 7) % 10
        decile = min(10, max(1, round(rng.gauss(centre, 2.2))))
        lsoas.append(
            Lsoa(
                code=f"E99{index:06d}",
                vintage=2021,
                name=f"Synthetic {index:04d}",
                local_authority_code=f"E990000{borough:02d}",
                imd_decile=decile if rng.random() > 0.01 else None,
            )
        )
    Lsoa.objects.bulk_create(lsoas, batch_size=2000)
    lsoas = list(Lsoa.objects.filter(code__startswith="E99").order_by("code"))
    neighbourhoods = []
    memberships = []
    through = Area.lsoas.through
    for number in range(54):
        borough = boroughs[number // 6]
        area = Area.objects.create(
            kind="neighbourhood",
            name=f"Neighbourhood {number + 1}",
            code=f"neighbourhood-{number + 1}",
            parent=borough,
        )
        neighbourhoods.append(area)
        memberships += [
            through(area_id=area.pk, lsoa_id=lsoa.pk) for lsoa in lsoas[number * 33 : (number + 1) * 33]
        ]
    for number in range(6):
        area = Area.objects.create(
            kind="neighbourhood",
            name=f"Drawn neighbourhood {number + 1}",
            code=f"drawn-{number + 1}",
            parent=boroughs[number],
        )
        neighbourhoods.append(area)
        start = number * 180 + 20
        memberships += [through(area_id=area.pk, lsoa_id=lsoa.pk) for lsoa in lsoas[start : start + 25]]
    through.objects.bulk_create(memberships, batch_size=5000)

    teams = Organisation.objects.bulk_create(
        [Organisation(kind="pcn", name=f"Synthetic PCN {n + 1}", ods_code=f"ZU{n:04d}") for n in range(40)]
    )
    icb = Organisation.objects.create(kind="icb", name="Synthetic ICB", ods_code="ZZB99")
    groups = Organisation.objects.bulk_create(
        [Organisation(kind="vcse", name=f"Community group {n + 1}") for n in range(1500)], batch_size=1000
    )
    worker = User.objects.create(
        email="worker@bench.invalid", full_name="Bench Worker", password=make_password(None)
    )
    commissioner = User.objects.create(
        email=COMMISSIONER, full_name="Bench Commissioner", password=make_password(None)
    )
    RoleAssignment.objects.create(user=commissioner, role=Role.COMMISSIONER, organisation=icb)
    taxonomy = Taxonomy.objects.create(name="Synthetic taxonomy")
    terms = TaxonomyTerm.objects.bulk_create(
        [TaxonomyTerm(taxonomy=taxonomy, code=f"term-{n}", name=f"Activity {n + 1}") for n in range(60)]
    )
    directory = DirectoryOrganisation.objects.bulk_create(
        [DirectoryOrganisation(name=group.name, organisation=group) for group in groups], batch_size=1000
    )
    services = Service.objects.bulk_create(
        [
            Service(organisation=directory[n // 2], owner=groups[n // 2], name=f"Service {n + 1}")
            for n in range(3000)
        ],
        batch_size=1000,
    )
    ServiceTerm.objects.bulk_create(
        [
            ServiceTerm(service=service, term=term)
            for index, service in enumerate(services)
            for term in {terms[index % 60], terms[rng.randrange(60)]}
        ],
        batch_size=2000,
    )
    # Popular services get many more connections than others (Zipf-like weights).
    service_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(services))]
    service_order = list(range(len(services)))
    rng.shuffle(service_order)
    service_owner = [service.owner_id for service in services]
    service_ids = [service.pk for service in services]
    cumulative = []
    total = 0.0
    for weight in service_weights:
        total += weight
        cumulative.append(total)

    def pick_service() -> int:
        import bisect

        return service_order[bisect.bisect_left(cumulative, rng.random() * total)]

    statuses = [
        ("completed", 30),
        ("in-progress", 22),
        ("accepted", 6),
        ("on-hold", 3),
        ("failed", 4),
        ("rejected-capacity", 9),
        ("rejected-other", 6),
        ("cancelled", 8),
        ("requested", 11),
        ("entered-in-error", 1),
    ]
    status_names = [name for name, _ in statuses]
    status_weights = [weight for _, weight in statuses]
    path_to = {
        "completed": ["requested", "accepted", "in-progress", "completed"],
        "in-progress": ["requested", "accepted", "in-progress"],
        "accepted": ["requested", "accepted"],
        "on-hold": ["requested", "accepted", "in-progress", "on-hold"],
        "failed": ["requested", "accepted", "in-progress", "failed"],
        "rejected-capacity": ["requested", "rejected"],
        "rejected-other": ["requested", "rejected"],
        "cancelled": ["requested", "cancelled"],
        "requested": ["requested"],
        "entered-in-error": ["requested", "entered-in-error"],
    }
    codes = {
        "offered": ("871691000000100", "Social prescribing offered"),
        "referred": ("871731000000106", "Referral to social prescribing service"),
        "declined": ("871711000000103", "Social prescribing declined"),
        "seen": ("1362931000000106", "Seen by social prescribing link worker"),
    }

    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        people = Copier(Person, explicit_ids=True)
        person_rows: list[tuple[int, int, float]] = []
        lsoa_of_neighbourhood = {}
        for index, lsoa in enumerate(lsoas):
            lsoa_of_neighbourhood[lsoa.pk] = min(index // 33, 53)
        # People: enough to give the referrals; each person's LSOA and a wellbeing level for answers.
        referral_target = int(target_connections / 1.6)
        person_target = int(referral_target / 1.15)
        for person_id in range(1, person_target + 1):
            lsoa = lsoas[rng.randrange(len(lsoas))]
            born = datetime.date(1940 + rng.randrange(66), rng.randrange(1, 13), rng.randrange(1, 29))
            people.write(
                {
                    "id": person_id,
                    "given_name": "Synthetic",
                    "family_name": f"Person {person_id}",
                    "date_of_birth": born,
                    "sex": "female" if rng.random() < 0.6 else "male",
                    "ethnicity": rng.choice(ETHNICITIES),
                    "nhs_number": None,
                    "lsoa_id": lsoa.pk,
                    "created_at": START,
                    "updated_at": START,
                }
            )
            # Deprivation nudges wellbeing a little (so the SII has something to find).
            level = min(0.95, max(0.05, rng.gauss(0.55 - 0.02 * (lsoa.imd_decile or 5), 0.15)))
            person_rows.append((person_id, lsoa.pk, level))
        counts["people"] = people.close()

        referrals = Copier(Referral, explicit_ids=True)
        journey_codes = Copier(JourneyCode)
        referral_rows: list[tuple[int, int, datetime.datetime, bool]] = []
        referral_id = 0
        for person, lsoa_pk, _level in person_rows:
            for _ in range(2 if rng.random() < 0.15 else 1):
                referral_id += 1
                team = teams[(lsoa_of_neighbourhood[lsoa_pk] * 40) // 54]
                received = START + datetime.timedelta(days=rng.randrange(MONTHS * 30), hours=rng.randrange(9))
                roll = rng.random()
                self_referral = rng.random() < 0.1
                source = (
                    "self"
                    if self_referral
                    else rng.choice(["gp"] * 6 + ["housing", "fire", "pharmacy", "vcse"])
                )
                row: dict[str, Any] = {
                    "id": referral_id,
                    "person_id": person,
                    "team_id": team.pk,
                    "source": source,
                    "reasons": ["loneliness"],
                    "urgency": "routine",
                    "received_at": received,
                }
                if not self_referral:
                    journey_codes.write(
                        {
                            "referral_id": referral_id,
                            "event": "offered",
                            "code": codes["offered"][0],
                            "term": codes["offered"][1],
                            "recorded_at": received,
                        }
                    )
                if roll < 0.05:
                    row |= {"status": "awaiting_triage"}
                elif roll < 0.12:
                    row |= {"status": "declined", "decline_reason": "person_declined", "triaged_at": received}
                    journey_codes.write(
                        {
                            "referral_id": referral_id,
                            "event": "declined",
                            "code": codes["declined"][0],
                            "term": codes["declined"][1],
                            "recorded_at": received,
                        }
                    )
                else:
                    triaged = received + datetime.timedelta(days=2)
                    seen = roll < 0.92
                    closed = rng.random() < 0.6
                    row |= {
                        "status": "closed" if closed else "open",
                        "link_worker_id": worker.pk,
                        "triaged_at": triaged,
                        "first_seen_at": triaged + datetime.timedelta(days=5) if seen else None,
                        "closure_reason": "goals_met" if closed else "",
                        "closed_at": triaged + datetime.timedelta(days=90) if closed else None,
                    }
                    journey_codes.write(
                        {
                            "referral_id": referral_id,
                            "event": "referred",
                            "code": codes["referred"][0],
                            "term": codes["referred"][1],
                            "recorded_at": triaged,
                        }
                    )
                    if seen:
                        journey_codes.write(
                            {
                                "referral_id": referral_id,
                                "event": "seen",
                                "code": codes["seen"][0],
                                "term": codes["seen"][1],
                                "recorded_at": triaged + datetime.timedelta(days=5),
                            }
                        )
                        referral_rows.append((referral_id, person, received, True))
                referrals.write(row)
        counts["referrals"] = referrals.close()
        counts["journey_codes"] = journey_codes.close()

        connections = Copier(Connection, explicit_ids=True)
        transitions = Copier(ConnectionTransition)
        attendances = Copier(Attendance)
        connection_id = 0
        per_referral = target_connections / max(1, len(referral_rows))
        for referral, person, received, _ in referral_rows:
            wanted = int(per_referral) + (1 if rng.random() < per_referral - int(per_referral) else 0)
            for _ in range(wanted):
                if connection_id >= target_connections:
                    break
                connection_id += 1
                service = pick_service()
                outcome = rng.choices(status_names, status_weights)[0]
                requested = received + datetime.timedelta(days=8 + rng.randrange(20))
                path = path_to[outcome]
                status = path[-1]
                rejection = (
                    "at-capacity"
                    if outcome == "rejected-capacity"
                    else "not-eligible"
                    if outcome == "rejected-other"
                    else ""
                )
                attended = status in ("in-progress", "completed", "on-hold", "failed") and rng.random() < 0.85
                connections.write(
                    {
                        "id": connection_id,
                        "person_id": person,
                        "referral_id": referral,
                        "service_id": service_ids[service],
                        "organisation_id": service_owner[service],
                        "status": status,
                        "rejection_reason": rejection,
                        "requested_by_id": worker.pk,
                        "requested_at": requested,
                        "status_changed_at": requested + datetime.timedelta(days=len(path) * 7),
                        "sessions_attended": 1 if attended else 0,
                    }
                )
                previous = ""
                for step, to_status in enumerate(path):
                    transitions.write(
                        {
                            "connection_id": connection_id,
                            "from_status": previous,
                            "to_status": to_status,
                            "party": "requester"
                            if to_status in ("requested", "entered-in-error")
                            else "target",
                            "actor_id": worker.pk,
                            "rejection_reason": rejection if to_status == "rejected" else "",
                            "at": requested + datetime.timedelta(days=step * 7),
                        }
                    )
                    previous = to_status
                if attended:
                    attendances.write(
                        {
                            "connection_id": connection_id,
                            "session_on": (requested + datetime.timedelta(days=14)).date(),
                            "attended": True,
                            "recorded_by_id": worker.pk,
                            "recorded_at": requested + datetime.timedelta(days=14),
                        }
                    )
        counts["connections"] = connections.close()
        counts["transitions"] = transitions.close()
        counts["attendances"] = attendances.close()

        responses = Copier(Response, explicit_ids=True)
        response_id = 0
        cycle = 0
        while response_id < target_responses:
            for person, _lsoa, level in person_rows:
                if response_id >= target_responses:
                    break
                if rng.random() > 0.7:
                    continue
                instruments = ["ons4", "ucla-3", "phq-9"] + (["gad-7"] if rng.random() < 0.3 else [])
                baseline = START + datetime.timedelta(days=cycle * 400 + rng.randrange(MONTHS * 30 - 90))
                course = rng.gauss(-0.08, 0.12)
                for weeks in (0, 6, 12):
                    if weeks and rng.random() > (0.8 if weeks == 6 else 0.6):
                        break
                    at = baseline + datetime.timedelta(weeks=weeks, hours=rng.randrange(8))
                    for instrument in instruments:
                        if response_id >= target_responses:
                            break
                        response_id += 1
                        responses.write(
                            {
                                "id": response_id,
                                "person_id": person,
                                "instrument_code": instrument,
                                "instrument_version": "1.0",
                                "status": "submitted",
                                "mode": "conversation",
                                "answers": _jsonb(_answers(rng, instrument, level + course * weeks / 12)),
                                "started_at": at,
                                "submitted_at": at,
                            }
                        )
            cycle += 1
        counts["responses"] = responses.close()
        for table in (
            "people_person",
            "referrals_referral",
            "referrals_journeycode",
            "referrals_connection",
            "referrals_connectiontransition",
            "referrals_attendance",
            "measures_response",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
            cursor.execute(f"ANALYZE {table}")
    counts["lsoas"] = len(lsoas)
    counts["neighbourhoods"] = len(neighbourhoods)
    counts["services"] = len(services)
    counts["organisations"] = len(teams) + len(groups) + 1
    return {"rows": counts, "seconds": round(time.perf_counter() - started, 1)}


def _jsonb(value: Any) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(value)


def refresh() -> dict[str, Any]:
    """Run the nightly refresh and report its time and the summary tables' sizes."""
    from django.db import connection

    from commonweal.evidence.models import (
        ConnectionCell,
        ConnectionFact,
        OutcomeCell,
        OutcomeFact,
        ReferralFact,
        ResponseScore,
        ServiceCell,
        TermCell,
        UptakeCell,
    )
    from commonweal.evidence.summaries import refresh_summaries

    started = time.perf_counter()
    run = refresh_summaries(by=None)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        for model in (
            UptakeCell,
            ConnectionCell,
            ServiceCell,
            TermCell,
            OutcomeCell,
            ReferralFact,
            ConnectionFact,
            OutcomeFact,
            ResponseScore,
        ):
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    sizes = {
        model.__name__: model.objects.count()
        for model in (
            ResponseScore,
            ReferralFact,
            ConnectionFact,
            OutcomeFact,
            UptakeCell,
            ConnectionCell,
            ServiceCell,
            TermCell,
            OutcomeCell,
        )
    }
    return {
        "seconds": round(seconds, 1),
        "responses_scored": run.responses_scored,
        "referrals": run.referrals,
        "connections": run.connections,
        "outcome_pairs": run.outcome_pairs,
        "summary_rows": sizes,
    }


# ------------------------------------------------------------------------------------------ timing


SCENARIOS = ("default", "neighbourhood_quintile_1", "organisation")


def scenario_query(page: str, scenario: str) -> dict[str, str]:
    """Three filter sets per dashboard: the default (latest 12 months, every place), a neighbourhood in
    IMD quintile 1, and one organisation (a team; for connections, the busiest provider)."""
    from django.db.models import Sum

    from commonweal.evidence.models import ALL_ORGANISATIONS, ConnectionCell
    from commonweal.evidence.queries import catalogue
    from commonweal.places.models import Area

    query: dict[str, str] = {"score": "ucla-3:total"} if page == "outcomes" else {}
    if scenario == "neighbourhood_quintile_1":
        neighbourhood = Area.objects.filter(kind="neighbourhood").order_by("pk").first()
        assert neighbourhood is not None
        query |= {"neighbourhood": neighbourhood.code, "quintile": "1"}
    elif scenario == "organisation":
        if page == "connections":
            busiest = (
                ConnectionCell.objects.filter(neighbourhood_id=0, dimension="all")
                .exclude(organisation_id=ALL_ORGANISATIONS)
                .values("organisation_id")
                .annotate(requested=Sum("requested"))
                .order_by("-requested")
                .first()
            )
            assert busiest is not None
            query["organisation"] = str(busiest["organisation_id"])
        else:
            query["organisation"] = str(catalogue().teams[0][0])
    return query


PAGES = {
    "referrals": "/evidence/referrals/",
    "uptake": "/evidence/uptake/",
    "connections": "/evidence/connections/",
    "outcomes": "/evidence/outcomes/",
}


def _client() -> Any:
    from django.test import Client

    from commonweal.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=COMMISSIONER))
    return client


def _warm_process() -> None:
    """Do what a WSGI worker has done before its first request: load the URLconf and the app code."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - importing every view module is the point
    import commonweal.evidence.dashboards
    import commonweal.evidence.views  # noqa: F401

    # A worker that has just started has collected the garbage its imports left behind before it serves.
    gc.collect()


def cold(page: str, scenario: str) -> None:
    """Time one first request in this fresh process (called in a subprocess) and print the result."""
    _setup_django()
    _warm_process()
    client = _client()
    query = scenario_query(page, scenario)
    started = time.perf_counter()
    response = client.get(PAGES[page], query)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, (page, scenario, response.status_code)
    print(
        json.dumps(
            {"seconds": seconds, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        )
    )


def warm(repeats: int) -> dict[str, Any]:
    """Time each page and filter set repeatedly in this process; measure one request's heap peak."""
    _warm_process()
    client = _client()
    found: dict[str, Any] = {}
    for page, path in PAGES.items():
        for scenario in SCENARIOS:
            query = scenario_query(page, scenario)
            response = client.get(path, query)
            assert response.status_code == 200, (page, scenario)
            samples = []
            for _ in range(repeats):
                started = time.perf_counter()
                client.get(path, query)
                samples.append(time.perf_counter() - started)
            tracemalloc.start()
            client.get(path, query)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            found[f"{page}/{scenario}"] = {
                "warm_ms": _percentiles(samples),
                "peak_python_heap_mb": round(peak / 2**20, 1),
                "response_kb": round(len(response.content) / 1024, 1),
            }
    found["_max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 connections")
    parser.add_argument("--repeats", type=int, default=15, help="warm runs per page and filter set")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh processes per page and filter set")
    parser.add_argument("--skip-load", action="store_true", help="reuse the loaded database")
    parser.add_argument(
        "--skip-refresh", action="store_true", help="with --skip-load: reuse the summaries too"
    )
    parser.add_argument("--cold", nargs=2, metavar=("PAGE", "SCENARIO"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.cold:
        cold(*arguments.cold)
        return

    report: dict[str, Any] = {
        "benchmark": "evidence",
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "command": "benchmarks/evidence.py " + " ".join(sys.argv[1:]),
        "budget_ms": BUDGET_MS,
        "database": "PostgreSQL "
        + subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.split()[-1],
    }
    if not arguments.skip_load:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as server:
            server.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
            server.execute(f"CREATE DATABASE {DATABASE}")
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    previous = json.loads(RESULT_PATH.read_text()) if RESULT_PATH.exists() else {}
    if not arguments.skip_load:
        print("Loading the synthetic ICS …", flush=True)
        report["load"] = load(arguments.scale)
        print(f"Loaded in {report['load']['seconds']} s: {report['load']['rows']}", flush=True)
    else:
        report["load"] = previous.get("load")
    if arguments.skip_load and arguments.skip_refresh:
        report["refresh"] = previous.get("refresh")
    else:
        print("Refreshing the summaries …", flush=True)
        report["refresh"] = refresh()
        print(f"Refreshed in {report['refresh']['seconds']} s", flush=True)
    report["scale"] = arguments.scale

    pages: dict[str, Any] = {}
    warm_results = warm(arguments.repeats)
    for name, scenario in ((page, scenario) for page in PAGES for scenario in SCENARIOS):
        samples = []
        rss = []
        for _ in range(arguments.cold_runs):
            output = subprocess.run(
                [sys.executable, __file__, "--cold", name, scenario],
                capture_output=True,
                text=True,
                check=True,
            )
            measured = json.loads(output.stdout.strip().splitlines()[-1])
            samples.append(measured["seconds"])
            rss.append(measured["max_rss_mb"])
        key = f"{name}/{scenario}"
        entry = warm_results[key]
        entry["cold_ms"] = _percentiles(samples)
        entry["cold_process_max_rss_mb"] = round(max(rss), 1)
        entry["within_budget"] = {
            "cold": entry["cold_ms"]["p95"] <= BUDGET_MS["cold"],
            "warm": entry["warm_ms"]["p95"] <= BUDGET_MS["warm"],
        }
        pages[key] = entry
        print(key, entry["cold_ms"], entry["warm_ms"], flush=True)
    report["pages"] = pages
    report["warm_process_max_rss_mb"] = warm_results["_max_rss_mb"]
    report["all_within_budget"] = all(
        entry["within_budget"]["cold"] and entry["within_budget"]["warm"] for entry in pages.values()
    )
    RESULT_PATH.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Wrote {RESULT_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
