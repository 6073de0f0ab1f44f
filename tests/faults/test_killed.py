"""A process killed with SIGKILL in the middle of a change leaves the whole change or none of it; the
server and the background work recover (issue 12, item 7; finding 4).

Each test asks the server (or worker) to stop right after a chosen SQL statement, inside the change's
transaction (tests/faults/hooks.py), kills that process, and checks the database and the next try.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time

from tests.faults.harness import Reply, Site, wait_for


def _post_and_kill(site: Site, path: str, data: dict, *, as_: str, after_sql: str) -> None:
    """Post a form that pauses after `after_sql`; SIGKILL the server worker that holds it."""
    outcome: list[object] = []

    def send() -> None:
        try:
            outcome.append(site.post(path, data, as_=as_, headers={"X-Fault-Pause": after_sql}))
        except (http.client.HTTPException, OSError) as error:
            outcome.append(error)

    sender = threading.Thread(target=send)
    sender.start()
    pid = site.paused()
    assert pid in site.server_worker_pids()
    os.kill(pid, signal.SIGKILL)
    sender.join(timeout=60)
    # The client never got an answer saying the change was made.
    assert len(outcome) == 1 and not isinstance(outcome[0], Reply), outcome


def test_a_server_worker_killed_while_casting_a_ballot_leaves_no_ballot(site: Site):
    vote = f"/participation/budgets/{site.world['round']}/vote/"
    ballots = "SELECT COUNT(*) FROM budgeting_ballot WHERE round_id = %s"
    marks = "SELECT COUNT(*) FROM budgeting_ballotmark"
    before = (site.count(ballots, (site.world["round"],)), site.count(marks))
    choice = {"projects": site.world["projects"][:2]}
    _post_and_kill(site, vote, choice, as_="voter0", after_sql='INSERT INTO "budgeting_ballotmark"')
    assert (site.count(ballots, (site.world["round"],)), site.count(marks)) == before
    # The server took another worker in its place; the same vote cast again is whole.
    again = site.post(vote, choice, as_="voter0")
    assert again.status == 302, again.body[:300]
    assert (site.count(ballots, (site.world["round"],)), site.count(marks)) == (before[0] + 1, before[1] + 2)


def test_a_server_worker_killed_while_accepting_a_connection_leaves_it_as_it_was(site: Site):
    connection_id = site.world["connections"][0]
    path = f"/connections/{connection_id}/"
    status = "SELECT status FROM referrals_connection WHERE id = %s"
    moves = "SELECT COUNT(*) FROM referrals_connectiontransition WHERE connection_id = %s"
    moves_before = site.count(moves, (connection_id,))
    accept = {"to_status": "accepted", "note": "We can see them on Tuesday."}
    _post_and_kill(
        site, path, accept, as_="organisation", after_sql='INSERT INTO "referrals_connectiontransition"'
    )
    assert site.rows(status, (connection_id,)) == [("requested",)]
    assert site.count(moves, (connection_id,)) == moves_before
    again = site.post(path, accept, as_="organisation")
    assert again.status == 302, again.body[:300]
    assert site.rows(status, (connection_id,)) == [("accepted",)]
    assert site.count(moves, (connection_id,)) == moves_before + 1


def test_a_server_worker_killed_while_submitting_a_questionnaire_leaves_it_unsubmitted(site: Site):
    response_id = site.world["questionnaire"]
    path = f"/measures/responses/{response_id}/answer/check/"
    state = "SELECT status, submitted_at IS NULL FROM measures_response WHERE id = %s"
    before = site.rows(state, (response_id,))
    assert bool(before[0][1])
    _post_and_kill(site, path, {}, as_="resident", after_sql='UPDATE "measures_response"')
    assert site.rows(state, (response_id,)) == before
    again = site.post(path, {}, as_="resident")
    assert again.status == 302 and again.location.endswith("/answer/done/"), again.body[:300]
    ((status, unsubmitted),) = site.rows(state, (response_id,))
    assert (status, bool(unsubmitted)) == ("submitted", False)
    submitted = (
        "SELECT COUNT(*) FROM audit_auditevent WHERE action = 'measures.submit_response' AND target_id = %s"
    )
    assert site.count(submitted, (response_id,)) == 1


def test_the_background_worker_killed_mid_refresh_leaves_the_task_to_be_run_again_once(site: Site):
    asked = site.post("/evidence/refresh/", {}, as_="commissioner")
    assert asked.status == 302, asked.body[:300]
    (run_id,) = site.rows("SELECT id FROM evidence_summaryrefresh WHERE state = 'running'")[0]
    worker = site.start_task_worker(FAULT_PAUSE_SQL='INSERT INTO "evidence_')
    pid = site.paused()
    assert pid == worker.pid
    os.kill(pid, signal.SIGKILL)
    worker.wait(timeout=30)
    task = "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s"
    ((state, _),) = site.rows(task, ("%refresh_summaries_task",))
    assert state == "RUNNING"
    assert site.rows("SELECT state FROM evidence_summaryrefresh WHERE id = %s", (run_id,)) == [("running",)]
    # Past the lease (2 s here), a new worker puts the task back on the queue and runs it.
    time.sleep(2.5)
    site.start_task_worker()
    wait_for(
        lambda: (
            site.rows("SELECT state FROM evidence_summaryrefresh WHERE id = %s", (run_id,)) == [("finished",)]
        ),
        seconds=120,
        what="the refresh to finish",
    )
    wait_for(
        lambda: site.rows(task, ("%refresh_summaries_task",))[0][0] == "SUCCESSFUL",
        seconds=30,
        what="the task",
    )
    ((_, worker_ids),) = site.rows(task, ("%refresh_summaries_task",))
    # Claimed by the killed worker, then by the new one.
    assert len(worker_ids if isinstance(worker_ids, list) else json.loads(worker_ids)) == 2
    # Done exactly once: one audit record of this refresh, and no lease left.
    refreshed = (
        "SELECT COUNT(*) FROM audit_auditevent WHERE action = 'evidence.refresh_summaries' AND target_id = %s"
    )
    assert site.count(refreshed, (run_id,)) == 1
    assert site.count("SELECT COUNT(*) FROM ui_tasklease") == 0
