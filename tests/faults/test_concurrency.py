"""Many writers at once against a multi-process server: every request answered, none "database is
locked" (finding 3: SQLite's transaction mode and busy timeout were not set)."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from tests.faults.harness import ROOT, Site, wait_for


def _answered(replies) -> list[tuple[int, str]]:
    return [(reply.status, reply.body[:200]) for reply in replies if not 200 <= reply.status < 400]


def test_twenty_self_referrals_at_once_are_all_taken(site: Site):
    before = site.count("SELECT COUNT(*) FROM referrals_referral")

    def refer(number: int):
        payload = {**site.world["self_referral"], "given_name": f"Concurrent{number:02d}"}
        # Each from an address of its own (all loopback), as twenty residents would be.
        return site.post("/refer/yourself/", payload, source=f"127.0.1.{number + 1}")

    with ThreadPoolExecutor(max_workers=20) as pool:
        replies = list(pool.map(refer, range(20)))
    assert _answered(replies) == []
    assert all(reply.location.endswith("/refer/yourself/sent/") for reply in replies)
    assert site.count("SELECT COUNT(*) FROM referrals_referral") == before + 20


def test_fifty_ballot_changes_at_once_are_all_answered_while_reminders_go_out(site: Site):
    vote = f"/participation/budgets/{site.world['round']}/vote/"
    projects = site.world["projects"]
    first = site.post(vote, {"projects": projects[:1]}, as_="resident")
    assert first.status == 302, first.body[:500]
    (number,) = site.rows(
        "SELECT number FROM budgeting_ballot WHERE round_id = %s AND channel = 'online'",
        (site.world["round"],),
    )[0]
    # The reminder sweep queues its e-mails and a background worker sends them during the changes.
    subprocess.run(
        [sys.executable, "-m", "commonweal.cli", "measures_reminders"],
        cwd=ROOT,
        env=site.env(),
        check=True,
        capture_output=True,
        timeout=120,
    )
    queued = site.count("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'")
    assert queued > 0
    worker = site.start_task_worker()

    def change(number_of_change: int):
        chosen = [projects[number_of_change % len(projects)]]
        return site.post(vote, {"projects": chosen, "ballot": str(number)}, as_="resident")

    with ThreadPoolExecutor(max_workers=10) as pool:
        replies = list(pool.map(change, range(50)))
    assert _answered(replies) == []
    wait_for(
        lambda: (
            site.count(
                "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
            )
            == 0
        ),
        seconds=120,
        what="the reminders to be sent",
    )
    worker.kill()
    worker.wait()
    assert site.rows("SELECT status, COUNT(*) FROM django_tasks_database_dbtaskresult GROUP BY status") == [
        ("SUCCESSFUL", queued)
    ]
    # Still one ballot, and every change counted on it (none lost, none applied twice).
    assert site.rows(
        "SELECT COUNT(*), MAX(times_changed) FROM budgeting_ballot"
        " WHERE round_id = %s AND channel = 'online'",
        (site.world["round"],),
    ) == [(1, 50)]
