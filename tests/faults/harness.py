"""The fault tests' own database, server and workers, on free ports, stopped at the end even on failure.

`Site` starts everything a test module needs: a database of its own (a SQLite file in a temporary
folder, or a throwaway PostgreSQL cluster made with initdb, never the shared server), migrated and
seeded by `tests/faults/seed.py`; gunicorn on a free port; background workers on demand. Requests
go over plain HTTP with the seeded sessions; a form's CSRF token is its cookie's secret, unmasked.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("FAULTS_PG_BIN", "/usr/lib/postgresql/15/bin"))
CSRF_SECRET = "f" * 32  # any 32 characters; Django takes the secret itself as the form's token


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], Any], *, seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"Gave up waiting for {what} after {seconds} s")


@dataclass
class Reply:
    status: int
    location: str
    body: str


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary folder, on a free port, fsync on."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "pg"
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *command: str) -> None:
        full = ["runuser", "-u", "postgres", "--", *command] if self.as_postgres else list(command)
        subprocess.run(full, check=True, capture_output=True, text=True, timeout=120)  # noqa: S603

    def start(self) -> None:
        self.folder.mkdir()
        if self.as_postgres:
            shutil.chown(self.folder.parent, "postgres", "postgres")
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "log"),
            "-w",
            "start",
        )
        self._run(
            str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "faults"
        )

    def restart(self, mode: str) -> None:
        log = str(self.folder / "log")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", log, "-m", mode, "-w", "restart")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/faults"


class Site:
    """One database, its gunicorn and its background workers, for one test module."""

    def __init__(self, vendor: str, *, workers: int = 3) -> None:
        self.vendor = vendor
        self.workers = workers
        self.folder = Path(tempfile.mkdtemp(prefix="commonweal-faults-"))
        self.cluster: PostgresCluster | None = None
        self.server: subprocess.Popen[bytes] | None = None
        self.task_workers: list[subprocess.Popen[bytes]] = []
        self.logs: list[Any] = []
        self.world: dict[str, Any] = {}
        self.port = 0

    # ------------------------------------------------------------------------------- lifecycle

    @property
    def database_url(self) -> str:
        if self.cluster is not None:
            return self.cluster.url
        return f"sqlite:///{self.folder / 'faults.sqlite3'}"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST_", "COV_", "DJANGO_", "DATABASE_URL"))
        }
        env.update(
            DATABASE_URL=self.database_url,
            DJANGO_SETTINGS_MODULE="tests.faults.settings",
            PYTHONPATH=str(ROOT),
            FAULT_DIR=str(self.folder),
            SECRET_KEY="faults-" + "x" * 50,
            DEBUG="false",
            ALLOWED_HOSTS="127.0.0.1",
            TASKS_BACKEND="django_tasks_db.DatabaseBackend",
            TASK_LEASE_SECONDS="2",
            LOG_LEVEL="ERROR",
        )
        env.update(extra)
        return env

    def log(self, name: str) -> Any:
        handle = open(self.folder / name, "ab")  # noqa: SIM115 - closed in stop()
        self.logs.append(handle)
        return handle

    def start(self) -> None:
        if self.vendor == "postgresql":
            self.cluster = PostgresCluster(self.folder)
            self.cluster.start()
        else:
            self._start_from_migrated_copy()
        out = self.folder / "world.json"
        seeded = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "tests.faults.seed", str(out)],
            cwd=ROOT,
            env=self.env(),
            check=False,
            capture_output=True,
            text=True,
            timeout=600,  # a fresh cluster migrates and builds a small demo; CI runs two passes at once
        )
        if seeded.returncode != 0:
            raise AssertionError(f"The seed failed:\n{seeded.stdout[-3000:]}\n{seeded.stderr[-3000:]}")
        self.world = json.loads(out.read_text(encoding="utf-8"))
        self.start_server()

    def _start_from_migrated_copy(self) -> None:
        """On SQLite, start from the copy of the migrated test database the run's workers share (if
        there is one): the seed's `migrate` then has nothing to do. A file copy, nothing shared."""
        from tests.shared_start import FOLDER

        copy = FOLDER / "start.sqlite3" if FOLDER is not None else None
        if copy is None or not copy.exists():
            return
        source = sqlite3.connect(copy)
        target = sqlite3.connect(self.folder / "faults.sqlite3")
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()

    def start_server(self) -> None:
        self.port = free_port()
        self.server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "commonweal.config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "120",
                "--graceful-timeout",
                "2",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=self.log("server.log"),
        )
        wait_for(self._answers, seconds=60, what="the server to answer")

    def _answers(self) -> bool:
        try:
            return self.get("/").status == 200
        except OSError:
            return False

    def server_worker_pids(self) -> list[int]:
        if self.server is None:
            return []
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children")
        if not children.exists():
            return []
        return [int(pid) for pid in children.read_text().split()]

    def stop(self) -> None:
        for worker in self.task_workers:
            if worker.poll() is None:
                worker.kill()
            worker.wait(timeout=30)
        if self.server is not None:
            children = self.server_worker_pids()
            if self.server.poll() is None:
                self.server.terminate()
                try:
                    self.server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.server.kill()
                    self.server.wait(timeout=15)
            for pid in children:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        if self.cluster is not None:
            self.cluster.stop()
        for handle in self.logs:
            handle.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # ------------------------------------------------------------------------------ background

    def start_task_worker(self, **extra: str) -> subprocess.Popen[bytes]:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "commonweal.cli",
                "db_worker",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=ROOT,
            env=self.env(**extra),
            stdout=subprocess.DEVNULL,
            stderr=self.log("worker.log"),
        )
        self.task_workers.append(worker)
        return worker

    def paused(self, seconds: float = 60) -> int:
        """Wait until a process stops at the pause hook (tests/faults/hooks.py); return its pid."""
        marker = wait_for(
            lambda: next(iter(self.folder.glob("paused-*")), None), seconds=seconds, what="the pause"
        )
        pid = int(marker.name.removeprefix("paused-"))
        marker.unlink()
        return pid

    # ------------------------------------------------------------------------------------ HTTP

    def request(
        self,
        method: str,
        path: str,
        *,
        as_: str | None = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        source: str = "127.0.0.1",
        timeout: float = 120,
    ) -> Reply:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=timeout, source_address=(source, 0)
        )
        cookies = [f"csrftoken={CSRF_SECRET}"]
        if as_ is not None:
            cookies.append(f"sessionid={self.world['sessions'][as_]}")
        sent = {"Cookie": "; ".join(cookies), **(headers or {})}
        body = None
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": CSRF_SECRET}, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            return Reply(response.status, response.getheader("Location", ""), text)
        finally:
            connection.close()

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict[str, Any], **kwargs: Any) -> Reply:
        return self.request("POST", path, data=data, **kwargs)

    # -------------------------------------------------------------------------------- database

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the site's database directly, not through the server (%s placeholders)."""
        if self.cluster is None:
            with contextlib.closing(sqlite3.connect(self.folder / "faults.sqlite3", timeout=30)) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.cluster.url.replace("postgres://", "postgresql://")) as db:
            return db.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def count(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        return int(self.rows(sql, params)[0][0])


@contextlib.contextmanager
def running_site(vendor: str, **kwargs: Any) -> Iterator[Site]:
    """A started site, stopped (server, workers, database) when the block ends, even on failure."""
    site = Site(vendor, **kwargs)
    try:
        site.start()
        yield site
    finally:
        site.stop()
