"""Every write the server acknowledged is there after the database restarts under it (PostgreSQL, fast
then immediate shutdown) or after every server worker is killed at once (SQLite, which has no server
to restart); and the server answers again afterwards (issue 12, item 7)."""

from __future__ import annotations

import http.client
import os
import signal
import threading

from tests.faults.harness import Site, wait_for


def _stream(site: Site, prefix: str, stop: threading.Event, acknowledged: list[str]) -> None:
    number = 0
    while not stop.is_set():
        number += 1
        name = f"{prefix}{number:04d}"
        payload = {**site.world["self_referral"], "given_name": name}
        try:
            # An address of its own for each, so the self-referral limit per address is never reached.
            reply = site.post(
                "/refer/yourself/", payload, source=f"127.0.{2 + number // 250}.{1 + number % 250}"
            )
        except (http.client.HTTPException, OSError):
            continue
        if reply.status == 302 and reply.location.endswith("/refer/yourself/sent/"):
            acknowledged.append(name)


def _fault(site: Site, round_number: int) -> None:
    if site.cluster is not None:
        site.cluster.restart("fast" if round_number == 0 else "immediate")
    else:
        for pid in site.server_worker_pids():
            os.kill(pid, signal.SIGKILL)


def test_every_acknowledged_write_survives_a_restart_under_a_stream_of_writes(site: Site):
    acknowledged: list[str] = []
    stop = threading.Event()
    writers = [
        threading.Thread(target=_stream, args=(site, f"Stream{w}x", stop, acknowledged)) for w in range(2)
    ]
    for writer in writers:
        writer.start()
    try:
        for round_number in range(2):
            wait_for(
                lambda wanted=5 * (round_number + 1): len(acknowledged) >= wanted,
                seconds=60,
                what="writes to be acknowledged",
            )
            _fault(site, round_number)
        settled = len(acknowledged)
        # The server recovers: writes are acknowledged again after the last fault.
        wait_for(lambda: len(acknowledged) >= settled + 5, seconds=60, what="the server to take writes again")
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=120)
    stored = {
        name
        for (name,) in site.rows(
            "SELECT given_name FROM people_person WHERE given_name LIKE %s", ("Stream%",)
        )
    }
    assert set(acknowledged) - stored == set()
