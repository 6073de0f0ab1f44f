"""Benchmark directory search at national scale, in process and over the ORUK API, on SQLite and PostgreSQL.

Run from the repository root:  .venv/bin/python benchmarks/directory_search.py [--services 500000]
Writes benchmarks/results/directory_search.json.

For each database a fresh worker process migrates an empty database, builds a deterministic synthetic
national directory (services spread over the real centroids of every LSOA in the shared data, each with
terms from the built-in taxonomy, sessions, costs, languages and access features) and writes the search
index with the same code the application uses (`search_index.write_entries`), timing the index build.
It then runs a fixed set of searches of three kinds, each many times:

- text_taxonomy_distance_open: words + a taxonomy term + within 5 km of a postcode + open on a weekday evening
- text_only: words alone, nationally
- taxonomy_distance: a taxonomy term within 5 km of a postcode

in process (`queries.search_services`), and over HTTP against `gunicorn` (2 workers) through the ORUK
`/openreferral/services` endpoint. Medians, p95 and p99 are reported per kind and database, with the
worker's peak memory. Budget: p95 <= 50 ms in process, <= 100 ms over HTTP.

A bulk loader for a national directory (500,000 services by default): the services and their index are
written directly, in bulk, not through `actions.create_service` (which takes one entry form at a time and
re-indexes each entry as it is saved); it has no small data of its own to build through the actions.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULT_PATH = ROOT / "benchmarks" / "results" / "directory_search.json"
SQLITE_PATH = Path("/tmp/commonweal-directory-bench.sqlite3")
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/commonweal_directory_bench"
SEED = 2026
WORDS = [
    "gardening",
    "lonely",
    "choir",
    "debt advice",
    "walking group",
    "yoga",
    "food bank",
    "dementia",
    "youth club",
    "knitting",
]
# Evening searches that real people make: (words, taxonomy term, weekday).
EVENING = [
    ("choir", "music-and-singing", "TH"),
    ("walking football", "sports-clubs", "WE"),
    ("youth club", "young-people", "TH"),
    ("listening", "talking-support", "MO"),
    ("peer support", "peer-support", "WE"),
    ("cooking", "food", "WE"),
    ("swimming lessons", "swimming", "TU"),
    ("singing", "music-and-singing", "TH"),
    ("football", "sports-clubs", "WE"),
    ("someone to talk to", "talking-support", "MO"),
]
NEARBY_TERMS = [
    "community-gardens",
    "health-walks",
    "community-cafes",
    "money-and-debt",
    "carers",
    "dementia",
    "crafts",
    "gentle-exercise",
    "lunch-clubs",
    "families-and-children",
]
BUDGET_MS = {"in_process_p95": 50, "http_p95": 100}


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 2)

    return {
        "p50": round(statistics.median(ordered) * 1000, 2),
        "p95": at(0.95),
        "p99": at(0.99),
        "runs": len(ordered),
    }


def _prepare_database(url: str) -> None:
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS commonweal_directory_bench")
            connection.execute("CREATE DATABASE commonweal_directory_bench")
    else:
        SQLITE_PATH.unlink(missing_ok=True)


def worker(url: str, services: int, repeats: int) -> dict[str, object]:
    """Build the synthetic directory in one database and time the searches (runs in its own process)."""
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="commonweal.config.settings", DEBUG="false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-use")
    _prepare_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from commonweal.directory.models import DirectoryOrganisation, Service, TaxonomyTerm
    from commonweal.directory.queries import SearchRequest, search_services
    from commonweal.directory.search.geo import Point
    from commonweal.directory.search.schedule import Session
    from commonweal.directory.search_index import IndexEntry, write_entries
    from commonweal.directory.taxonomy import ensure_builtin_taxonomies
    from commonweal.places.loading import load_geography
    from commonweal.reference_data import shared_data_dir

    load_geography(shared_data_dir() / "geo")
    ensure_builtin_taxonomies()
    rng = random.Random(SEED)
    terms = list(
        TaxonomyTerm.objects.filter(
            taxonomy__is_builtin=True, taxonomy__name__startswith="Commonweal community"
        ).order_by("code")
    )
    with (shared_data_dir() / "geo" / "lsoa_centroids" / "lsoa_latlong.csv").open() as handle:
        centroids = [
            (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(handle)
            if row["LSOACD"].startswith("E")
        ]
    with (shared_data_dir() / "geo" / "postcodes" / "trafford_postcodes_onspd_feb2025.csv").open() as handle:
        postcodes = [
            (row["postcode"], float(row["lat"]), float(row["lon"])) for row in csv.DictReader(handle)
        ]
    from commonweal.directory.demo import TEMPLATES

    organisations = DirectoryOrganisation.objects.bulk_create(
        [
            DirectoryOrganisation(
                oruk_id=uuid.UUID(int=rng.getrandbits(128), version=4), name=f"Community organisation {n}"
            )
            for n in range(2000)
        ]
    )
    started = time.perf_counter()
    batch: list[Service] = []
    for number in range(services):
        template = TEMPLATES[rng.randrange(len(TEMPLATES))]
        batch.append(
            Service(
                oruk_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                organisation=organisations[number % len(organisations)],
                name=template[1].format(place=f"Place {number % 5000}"),
                description=template[2],
            )
        )
        if len(batch) == 20000:
            Service.objects.bulk_create(batch)
            batch = []
    Service.objects.bulk_create(batch)
    services_seconds = time.perf_counter() - started
    service_ids = list(Service.objects.order_by("pk").values_list("pk", "name"))
    term_by_code = {term.code: term.pk for term in terms}
    rng = random.Random(SEED + 1)

    def entries():
        # Services sit near the real centroids of England's LSOAs, which hold about 1,500 people each, so the
        # synthetic directory is as dense as the population (Trafford gets its 0.4%).
        for (service_id, name), template_index in zip(  # noqa: B905 - both sides come from service_ids
            service_ids, (rng.randrange(len(TEMPLATES)) for _ in service_ids)
        ):
            codes = TEMPLATES[template_index][0]
            latitude, longitude = rng.choice(centroids)
            day, opens, closes = TEMPLATES[template_index][3]
            yield IndexEntry(
                service_id=service_id,
                name=name,
                description=TEMPLATES[template_index][2],
                term_ids=tuple(sorted(term_by_code[code] for code in codes if code in term_by_code)),
                latitude=latitude + rng.uniform(-0.004, 0.004),
                longitude=longitude + rng.uniform(-0.006, 0.006),
                sessions=(Session(day, opens * 60, closes * 60),),
                is_free=rng.random() < 0.45,
                accepting=rng.choice(["yes", "yes", "yes", "waiting_list", "no"]),
                languages=("english",) + (("polish",) if rng.random() < 0.05 else ()),
                accessibility=tuple(
                    sorted(rng.sample(["wheelchair", "hearing_loop", "step_free"], rng.randrange(0, 3)))
                ),
            )

    started = time.perf_counter()
    write_entries(entries(), replace=False)
    if url.startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would: statistics and the visibility map
    index_seconds = time.perf_counter() - started

    query_rng = random.Random(SEED + 2)
    centres = [query_rng.choice(postcodes) for _ in range(10)]
    kinds: dict[str, list[tuple[object, dict[str, str]]]] = {
        "text_taxonomy_distance_open": [],
        "text_only": [],
        "taxonomy_distance": [],
    }
    by_code = {term.code: term for term in terms}
    for index in range(10):
        postcode, latitude, longitude = centres[index]
        centre = Point(latitude, longitude)
        words, code, day = EVENING[index]
        term = by_code[code]
        kinds["text_taxonomy_distance_open"].append(
            (
                SearchRequest(
                    text=words,
                    term_ids=frozenset({term.pk}),
                    centre=centre,
                    centre_label=postcode,
                    radius_km=5,
                    day=day,
                    part_of_day="evening",
                ),
                {
                    "search": words,
                    "taxonomy_term_id": str(term.oruk_id),
                    "postcode": postcode,
                    "proximity": "5000",
                    "day": day,
                    "start_time": "17:00",
                    "end_time": "23:00",
                },
            )
        )
        kinds["text_only"].append((SearchRequest(text=WORDS[index]), {"search": WORDS[index]}))
        nearby = by_code[NEARBY_TERMS[index]]
        kinds["taxonomy_distance"].append(
            (
                SearchRequest(
                    term_ids=frozenset({nearby.pk}), centre=centre, centre_label=postcode, radius_km=5
                ),
                {"taxonomy_term_id": str(nearby.oruk_id), "postcode": postcode, "proximity": "5000"},
            )
        )
    search_services(kinds["text_only"][0][0])  # load the vocabulary once, as a running server has
    in_process: dict[str, dict[str, float]] = {}
    counts: dict[str, list[int]] = {}
    for kind, queries in kinds.items():
        samples = []
        counts[kind] = []
        for _ in range(repeats):
            for request, _ in queries:
                begun = time.perf_counter()
                results = search_services(request)
                samples.append(time.perf_counter() - begun)
            counts[kind] = [search_services(request).total for request, _ in queries]
        in_process[kind] = _percentiles(samples)
        del results

    from django.db import connections

    connections.close_all()
    port = 8765 if url.startswith("sqlite") else 8766
    environment = dict(os.environ, DATABASE_URL=url, DEBUG="false", ALLOWED_HOSTS="127.0.0.1,localhost")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "commonweal.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    http_results: dict[str, dict[str, float]] = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/openreferral/")
                probe.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for kind, queries in kinds.items():
            for _, parameters in queries:  # warm both workers
                for _ in range(2):
                    connection.request(
                        "GET",
                        "/openreferral/services?" + urlencode({k: v for k, v in parameters.items() if v}),
                    )
                    connection.getresponse().read()
            samples = []
            for _ in range(max(1, repeats // 2)):
                for _, parameters in queries:
                    begun = time.perf_counter()
                    connection.request(
                        "GET",
                        "/openreferral/services?" + urlencode({k: v for k, v in parameters.items() if v}),
                    )
                    response = connection.getresponse()
                    body = response.read()
                    samples.append(time.perf_counter() - begun)
                    if response.status != 200:
                        raise RuntimeError(f"{response.status}: {body[:200]!r}")
            http_results[kind] = _percentiles(samples)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "services": services,
        "service_rows_seconds": round(services_seconds, 1),
        "index_build_seconds": round(index_seconds, 1),
        "in_process_ms": in_process,
        "http_ms": http_results,
        "results_per_query": counts,
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=500_000)
    parser.add_argument(
        "--repeats", type=int, default=20, help="times each of the 10 queries of a kind is run"
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        print(json.dumps(worker(arguments.worker, arguments.services, arguments.repeats)))
        return
    urls = {"sqlite": f"sqlite:///{SQLITE_PATH}", "postgresql": POSTGRES_URL}
    report: dict[str, object] = {
        "benchmark": "directory_search",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "budget_ms": BUDGET_MS,
        "command": f"benchmarks/directory_search.py --services {arguments.services} "
        f"--repeats {arguments.repeats}",
        "databases": {},
    }
    for name in arguments.databases.split(","):
        output = subprocess.run(
            [
                sys.executable,
                __file__,
                "--worker",
                urls[name],
                "--services",
                str(arguments.services),
                "--repeats",
                str(arguments.repeats),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(output.stdout.strip().splitlines()[-1])
        result["within_budget"] = all(
            figures["p95"] <= BUDGET_MS["in_process_p95"] for figures in result["in_process_ms"].values()
        ) and all(figures["p95"] <= BUDGET_MS["http_p95"] for figures in result["http_ms"].values())
        report["databases"][name] = result  # type: ignore[index]
        print(name, json.dumps(result, indent=1), flush=True)
    RESULT_PATH.parent.mkdir(parents=True, exist_ok=True)
    if RESULT_PATH.exists():
        # Databases can be measured by separate runs; keep the figures of those not run this time.
        earlier = json.loads(RESULT_PATH.read_text())
        if earlier.get("command") == report["command"]:
            for name, figures in earlier.get("databases", {}).items():
                report["databases"].setdefault(name, figures)  # type: ignore[union-attr]
    RESULT_PATH.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
