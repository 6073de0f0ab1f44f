"""A throwaway PostgreSQL cluster for tests: its own data directory and port, stopped and removed after."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(command: list[str]) -> list[str]:
    # initdb and the server refuse to run as root: run them as the postgres user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a cluster on a free loopback port; yield the URL of an empty database `restored` in it."""
    base = Path(tempfile.mkdtemp(prefix="commonweal-pg-"))
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    started = False
    try:
        initdb = [str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
        subprocess.run(_as_postgres(initdb), check=True, capture_output=True)  # noqa: S603
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(  # noqa: S603
            _as_postgres(
                [str(BIN / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l", str(base / "log"), "start"]
            ),
            check=True,
            capture_output=True,
        )
        started = True
        subprocess.run(  # noqa: S603
            [str(BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "restored"],
            check=True,
            capture_output=True,
        )
        yield f"postgres://postgres@127.0.0.1:{port}/restored"
    finally:
        if started:
            subprocess.run(  # noqa: S603
                _as_postgres([str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                check=False,
                capture_output=True,
            )
        shutil.rmtree(base, ignore_errors=True)
