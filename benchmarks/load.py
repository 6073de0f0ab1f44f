"""Load test: simulated residents and staff at once against the server `make run` starts.

Run from the repository root (one database or both; the full run is 200 users for 5 minutes):
    .venv/bin/python benchmarks/load.py [--database sqlite|postgresql|both] [--users 200] [--spawn-rate 20]
        [--run-time 5m] [--workers 2] [--threads 4] [--worker-class gthread] [--output PATH]

For each database it:
1. makes a throwaway database: a temporary SQLite file, or its own PostgreSQL cluster (initdb and pg_ctl
   on a free port, in a temporary folder; never a shared server), stopped and removed at the end;
2. migrates it and loads the demo borough (`commonweal demo`);
3. makes the sign-ins in the database (`--make-sessions`, in a Django process of its own): a session for
   each simulated user of each role, and a resident's account for each simulated voter, linked to a demo
   resident of the open round's place. The run never posts the sign-in form, so it does not depend on it
   (two-step sign-in for staff included);
4. starts the server with `make serve` (the same command and settings `make run` serves with: gunicorn,
   the background worker and the periodic sweeps) on a free port of the loopback;
5. runs Locust headless in its own process (it patches the standard library with gevent) with
   `benchmarks/locustfile.py`, and reads its CSV statistics.

Writes benchmarks/results/load.json: per database, requests/s, p50/p95/p99 and errors per page, the worker
model, users, duration, think time and the machine's cores. Percentiles are Locust's (rounded to two
significant figures above 100 ms).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULT_PATH = ROOT / "benchmarks" / "results" / "load.json"
BIN = Path(sys.executable).parent
# Page p95 budgets from the issues, in milliseconds: directory search over HTTP (issue 3), the journey's
# caseload, person and inbox pages (issue 4), a dashboard page warm (issue 8). Other pages have none.
BUDGETS_MS = {
    "directory search": 100.0,
    "caseload": 150.0,
    "person": 150.0,
    "inbox": 150.0,
    "evidence dashboard": 200.0,
}
VOTERS = 80
SESSIONS_PER_ROLE = 100


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(command: list[str], env: dict[str, str], **kwargs: object) -> None:
    subprocess.run(command, env=env, check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


class PostgresCluster:
    """A throwaway PostgreSQL cluster of our own: initdb in a temporary folder, a free port, trust.

    PostgreSQL refuses to run as root; as root, the cluster runs as the `postgres` system user.
    """

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="commonweal-load-pg-"))
        self.data = self.folder / "pgdata"
        self.port = _free_port()
        self.log = self.folder / "postgres.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.folder, user="postgres", group="postgres")

    def _pg(self, *command: str, check: bool = True) -> None:
        subprocess.run([*self.as_user, *command], check=check, stdout=subprocess.DEVNULL)

    def start(self) -> str:
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder} "
            "-c max_connections=200"
        )
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        self._pg("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "load")
        return f"postgres://postgres@127.0.0.1:{self.port}/load"

    def stop(self) -> None:
        if self.data.exists():
            self._pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def make_sessions(output: Path) -> None:
    """In a Django process: a session per simulated user and role, and voters with accounts of their own."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonweal.config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction
    from django.test import Client

    def sessions(user: Any, count: int) -> list[str]:
        made = []
        for _ in range(count):
            client = Client()
            client.force_login(user)
            made.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
        return made

    with transaction.atomic():
        _make_fixture(output, sessions)


def _make_fixture(output: Path, sessions: Callable[[Any, int], list[str]]) -> None:
    from django.conf import settings

    from commonweal.accounts.actions import grant_role
    from commonweal.accounts.models import Role, User
    from commonweal.budgeting import actions as budgeting
    from commonweal.budgeting.actions import BudgetingError
    from commonweal.budgeting.models import BudgetRound, Proposal
    from commonweal.people.models import Person

    emails = {
        "resident": "resident@demo.commonweal.invalid",
        "link_worker": "link.worker@demo.commonweal.invalid",
        "organisation": "organisation@demo.commonweal.invalid",
        "commissioner": "commissioner@demo.commonweal.invalid",
    }
    found = {
        role: sessions(User.objects.get(email=email), SESSIONS_PER_ROLE) for role, email in emails.items()
    }

    budget_round = BudgetRound.objects.filter(phase=BudgetRound.Phase.VOTING).order_by("pk").first()
    if budget_round is None:
        raise SystemExit("The demo has no round open for voting.")
    voters: list[str] = []
    candidates = Person.objects.filter(user__isnull=True).order_by("pk")
    for person in candidates.iterator():
        if len(voters) >= VOTERS:
            break
        user = User.objects.create(email=f"load.voter.{person.pk}@load.commonweal.invalid", full_name="Voter")
        person.user = user
        person.save(update_fields=["user"])
        try:
            budgeting.online_voter(budget_round, user)
        except BudgetingError:
            person.user = None
            person.save(update_fields=["user"])
            user.delete()
            continue
        grant_role(user=user, role=Role.RESIDENT, by=None, area=budget_round.place)
        voters.extend(sessions(user, 1))
    found["voter"] = voters
    projects = [
        proposal.project_id
        for proposal in budget_round.proposals.filter(feasibility=Proposal.Feasibility.FEASIBLE).order_by(
            "number"
        )
    ]
    rules = budget_round.ballot_rules()
    fixture = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "sessions": found,
        "budget_round": budget_round.pk,
        "ballot_kind": budget_round.ballot_kind,
        "ballot_projects": projects,
        "ballot_size": max(1, min(len(projects), rules.max_projects or 3, 3)),
        "dashboards": ["referrals", "uptake", "connections", "outcomes"],
    }
    output.write_text(json.dumps(fixture), encoding="utf-8")


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise SystemExit(f"The server did not answer {url} within {seconds:.0f} s.")


def _read_stats(prefix: Path) -> dict[str, object]:
    pages: dict[str, dict[str, object]] = {}
    total: dict[str, object] = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            figures: dict[str, object] = {
                "requests": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "requests_per_s": round(float(row["Requests/s"]), 2),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
                "max_ms": round(float(row["Max Response Time"]), 1),
            }
            if row["Name"] == "Aggregated":
                total = figures
            else:
                budget = BUDGETS_MS.get(row["Name"])
                if budget is not None:
                    figures["budget_p95_ms"] = budget
                    figures["within_budget"] = float(row["95%"]) <= budget
                pages[row["Name"]] = figures
    failures: list[dict[str, object]] = []
    with open(f"{prefix}_failures.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            failures.append({"page": row["Name"], "error": row["Error"], "count": int(row["Occurrences"])})
    return {"total": total, "pages": dict(sorted(pages.items())), "failures": failures}


def _parse_model(text: str) -> dict[str, object]:
    """`gthread:2x4` (2 processes of 4 threads) or `sync:4` (4 single-threaded processes)."""
    worker_class, _, size = text.partition(":")
    workers, _, threads = size.partition("x")
    return {"worker_class": worker_class, "workers": int(workers), "threads": int(threads or 1)}


@dataclass(frozen=True)
class Shape:
    """How many simulated people, for how long, and their think time between pages (seconds)."""

    users: int
    spawn_rate: float
    run_time: str
    think: tuple[float, float]


def _serve_and_load(
    env: dict[str, str],
    model: dict[str, object],
    shape: Shape,
    arguments: argparse.Namespace,
    folder: Path,
    label: str,
) -> dict[str, object]:
    port = _free_port()
    make_args = [
        "make",
        "-s",
        "serve",
        f"BIN={BIN}",
        f"PY={BIN / 'python'}",
        "HOST=127.0.0.1",
        f"PORT={port}",
        f"GUNICORN_WORKER_CLASS={model['worker_class']}",
        f"GUNICORN_WORKERS={model['workers']}",
        f"GUNICORN_THREADS={model['threads']}",
        f"GUNICORN_KEEPALIVE={arguments.keep_alive}",
    ]
    log_path = folder / f"server-{label}.log"
    with open(log_path, "wb") as server_log:
        server = subprocess.Popen(
            make_args, env=env, cwd=ROOT, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_for(f"http://127.0.0.1:{port}/", 60)
            prefix = folder / f"locust-{label}"
            locust_env = {
                **env,
                "LOAD_FIXTURE": str(folder / "fixture.json"),
                "LOAD_THINK_MIN": str(shape.think[0]),
                "LOAD_THINK_MAX": str(shape.think[1]),
            }
            command = [str(BIN / "python"), "-m", "locust", "-f", str(ROOT / "benchmarks" / "locustfile.py")]
            command += ["--headless", "-u", str(shape.users), "-r", str(shape.spawn_rate)]
            command += ["--run-time", shape.run_time, "--host", f"http://127.0.0.1:{port}"]
            command += ["--csv", str(prefix), "--only-summary", "--exit-code-on-error", "0"]
            command += ["--loglevel", "WARNING"]
            _run(command, locust_env)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    result = _read_stats(prefix)
    log = log_path.read_text(errors="replace")
    # The web server's own errors, and background tasks that failed while the load ran (both counted).
    result["server_errors_in_log"] = log.count("Internal Server Error") + log.count("[ERROR]")
    result["background_tasks_failed"] = log.count("state=FAILED")
    result["worker_model"] = {**model, "keep_alive_s": arguments.keep_alive}
    result["users"], result["duration"], result["think_time_s"] = (
        shape.users,
        shape.run_time,
        list(shape.think),
    )
    return result


def run_database(database: str, arguments: argparse.Namespace, folder: Path) -> dict[str, object]:
    """Prepare a throwaway database, then serve and load it once per worker model asked for."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "ERROR", "DEBUG": "false"}
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    cluster = PostgresCluster() if database == "postgresql" else None
    try:
        started = time.monotonic()
        if cluster is not None:
            env["DATABASE_URL"] = cluster.start()
        else:
            env["DATABASE_URL"] = f"sqlite:///{folder / 'load.sqlite3'}"
        if database == "sqlite" and arguments.sqlite_copy is not None:
            shutil.copyfile(arguments.sqlite_copy, folder / "load.sqlite3")  # quicker, while developing
        else:
            _run([str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"], env)
            _run([str(BIN / "python"), "manage.py", "demo"], env, stdout=subprocess.DEVNULL)
        _run([str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"], env)
        fixture = folder / "fixture.json"
        _run([str(BIN / "python"), str(Path(__file__).resolve()), "--make-sessions", str(fixture)], env)
        prepared = round(time.monotonic() - started, 1)
        load = Shape(arguments.users, arguments.spawn_rate, arguments.run_time, tuple(arguments.think))
        runs = []
        for text in arguments.worker_models:
            model = _parse_model(text)
            name = f"{database}-{text.replace(':', '-')}"
            if arguments.baseline:
                # One person of each kind, pausing 1-3 s: each page's own time on this machine, with
                # little queueing (Locust gives every kind of user one when there are as many users).
                print(f"   {database}, {text}: baseline, 5 users for {arguments.baseline}", flush=True)
                baseline = Shape(5, 5, arguments.baseline, (1.0, 3.0))
                result = _serve_and_load(env, model, baseline, arguments, folder, f"{name}-baseline")
                result["kind"] = "baseline"
                runs.append(result)
            print(f"   {database}, {text}: {load.users} users for {load.run_time}", flush=True)
            result = _serve_and_load(env, model, load, arguments, folder, name)
            result["kind"] = "load"
            print(f"   {json.dumps(result['total'])}", flush=True)
            runs.append(result)
        return {"database": database, "seconds_to_prepare": prepared, "runs": runs}
    finally:
        if cluster is not None:
            cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--make-sessions", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--run-time", default="5m")
    parser.add_argument(
        "--worker-models",
        nargs="+",
        default=["gthread:2x4"],
        help="gunicorn worker models to load one after another on the same database, e.g. sync:2 gthread:2x4",
    )
    parser.add_argument("--keep-alive", type=int, default=20, help="gunicorn --keep-alive, in seconds")
    # Seconds each simulated person spends on a page before the next: reading, typing, thinking.
    parser.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"))
    parser.add_argument(
        "--baseline", default="", help="first a light run (one user of each kind) for this long, e.g. 60s"
    )
    parser.add_argument("--output", type=Path, default=RESULT_PATH)
    parser.add_argument("--sqlite-copy", type=Path, help="start SQLite from a copy of this demo database")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders (logs, CSV)")
    arguments = parser.parse_args()
    if arguments.make_sessions is not None:
        make_sessions(arguments.make_sessions)
        return
    databases = ["sqlite", "postgresql"] if arguments.database == "both" else [arguments.database]
    runs = {}
    for database in databases:
        folder = Path(tempfile.mkdtemp(prefix=f"commonweal-load-{database}-"))
        try:
            print(f"== {database}", flush=True)
            runs[database] = run_database(database, arguments, folder)
        finally:
            if arguments.keep:
                print(f"   kept {folder}")
            else:
                shutil.rmtree(folder, ignore_errors=True)
    commit = subprocess.run(
        ["git", "log", "-1", "--format=%H %s"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    result = {
        "commit": commit,
        "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": " ".join(["benchmarks/load.py", *sys.argv[1:]]),
        "users": arguments.users,
        "spawn_rate_per_s": arguments.spawn_rate,
        "duration": arguments.run_time,
        "think_time_s": list(arguments.think),
        "server": "gunicorn with the background worker and periodic sweeps, started by `make serve`",
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.system(),
        },
        "budgets_p95_ms": BUDGETS_MS,
        "runs": runs,
    }
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"Wrote {arguments.output}")


if __name__ == "__main__":
    main()
