"""The simulated people of the load test (run by `benchmarks/load.py`, each run in its own process).

Locust patches the standard library with gevent, so this file is never imported by Django or the tests.
Every user is signed in through a session made in the database before the run (the fixture file named by
LOAD_FIXTURE), so the run does not depend on the sign-in pages. Each request is named by the page it
shows, so the results give one line per page:

- residents search the directory (and open a service), and vote in the open budgeting round (each voter
  with their own account, changing their ballot);
- link workers work their caseload (the caseload, a case, the person's record, the triage queue, safety
  alerts);
- organisation members answer the connections inbox (the inbox and a connection);
- commissioners read the evidence dashboards.

A response that is not 200 (or a redirect to a page expected after a vote) counts as an error.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
from pathlib import Path

from locust import HttpUser, between, task

FIXTURE = json.loads(Path(os.environ["LOAD_FIXTURE"]).read_text(encoding="utf-8"))
SESSION_COOKIE = FIXTURE["session_cookie"]
# Think time between one page and the next, in seconds (the JSON records it).
THINK = (float(os.environ.get("LOAD_THINK_MIN", "5")), float(os.environ.get("LOAD_THINK_MAX", "15")))

# Words residents type into the directory search (from the demo's taxonomy and services).
SEARCHES = [
    "walking",
    "lonely",
    "gardening",
    "debt advice",
    "coffee morning",
    "art",
    "exercise",
    "food bank",
    "men's group",
    "choir",
    "housing",
    "carers",
    "swimming",
    "wellbeing",
    "yoga",
]
PLACES = ["", "M33 7EQ", "WA14 1XZ", "M32 9DJ", "M41 6TZ", "Old Trafford and Gorse Hill"]

_lock = threading.Lock()
_counters: dict[str, itertools.count] = {}


def _next_cookie(role: str) -> str:
    """Give each simulated user its own session of the role (round robin when there are more users)."""
    cookies = FIXTURE["sessions"][role]
    with _lock:
        counter = _counters.setdefault(role, itertools.count())
        return cookies[next(counter) % len(cookies)]


def _links(html: str, pattern: str) -> list[str]:
    return sorted(set(re.findall(pattern, html)))


def _why(name: str, response: object) -> str:
    """Say why a response failed: its status, or the connection error when there was no response."""
    status = getattr(response, "status_code", 0)
    if status:
        return f"{name}: HTTP {status}"
    error = getattr(response, "error", None)
    return f"{name}: no response ({type(error).__name__}: {error})"


class SignedIn(HttpUser):
    abstract = True
    role = ""
    wait_time = between(*THINK)

    def on_start(self) -> None:
        host = self.host.split("//", 1)[-1].split(":")[0]
        self.client.cookies.set(SESSION_COOKIE, _next_cookie(self.role), domain=host)

    def page(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(_why(name, response))
                return ""
            return response.text


class Resident(SignedIn):
    """Searches the directory and opens what it finds."""

    weight = 8
    role = "resident"

    @task(4)
    def search(self) -> None:
        query = random.choice(SEARCHES)
        place = random.choice(PLACES)
        html = self.page(f"/directory/?q={query}&where={place}", "directory search")
        services = _links(html, r'href="/directory/services/(\d+)/"')
        if services and random.random() < 0.5:
            self.page(f"/directory/services/{random.choice(services)}/", "directory service")


class Voter(SignedIn):
    """Reads the open budgeting round and votes, then changes the vote (own account each)."""

    weight = 3
    role = "voter"

    def on_start(self) -> None:
        super().on_start()
        self.round = FIXTURE["budget_round"]

    @task
    def vote(self) -> None:
        self.page(f"/participation/budgets/{self.round}/", "budget round")
        html = self.page(f"/participation/budgets/{self.round}/vote/?change=1", "budget vote (form)")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if token is None:
            return
        data: dict[str, object] = {"csrfmiddlewaretoken": token.group(1)}
        ballot = re.search(r'name="ballot" value="(\d+)"', html)
        if ballot is not None:
            data["ballot"] = ballot.group(1)
        projects = FIXTURE["ballot_projects"]
        data["projects"] = random.sample(projects, min(len(projects), FIXTURE["ballot_size"]))
        with self.client.post(
            f"/participation/budgets/{self.round}/vote/",
            data=data,
            name="budget vote (cast or change)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(_why("vote", response))


class LinkWorker(SignedIn):
    """Works the caseload: the list, a case, the triage queue and the safety alerts."""

    weight = 5
    role = "link_worker"

    @task(3)
    def caseload(self) -> None:
        html = self.page("/caseload/", "caseload")
        cases = _links(html, r'href="/referrals/(\d+)/"')
        if cases:
            case = self.page(f"/referrals/{random.choice(cases)}/", "case")
            people = _links(case, r'href="/people/(\d+)/"')
            if people and random.random() < 0.5:
                self.page(f"/people/{people[0]}/", "person")  # the record; each view is logged

    @task(1)
    def triage(self) -> None:
        self.page("/referrals/triage/", "triage queue")

    @task(1)
    def alerts(self) -> None:
        self.page("/measures/alerts/", "safety alerts")


class Organisation(SignedIn):
    """Answers the connections inbox."""

    weight = 3
    role = "organisation"

    @task
    def inbox(self) -> None:
        html = self.page("/inbox/", "inbox")
        connections = _links(html, r'href="/connections/(\d+)/"')
        if connections:
            self.page(f"/connections/{random.choice(connections)}/", "connection")


class Commissioner(SignedIn):
    """Reads the evidence dashboards."""

    weight = 1
    role = "commissioner"

    @task
    def dashboards(self) -> None:
        html = self.page("/evidence/", "evidence index")
        keys = [
            key for key in _links(html, r'href="/evidence/([a-z0-9-]+)/"') if key in FIXTURE["dashboards"]
        ]
        if keys:
            self.page(f"/evidence/{random.choice(keys)}/", "evidence dashboard")
