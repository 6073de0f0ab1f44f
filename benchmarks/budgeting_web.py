"""Benchmark the participatory budgeting web layer on rounds the size of real elections.

Run from the repository root:  .venv/bin/python benchmarks/budgeting_web.py [--repeats 10]
Writes benchmarks/results/budgeting_web.json.

A fresh SQLite database is migrated; for each shared pabulib file below, a round is made with the file's
projects and every one of its ballots stored as the web layer stores them (ballots and their marks, in
bulk), in a one-LSOA place. Then, on that round:

- cast_one_ballot / change_one_ballot: one resident casting, then changing, an online ballot through the
  actions (eligibility, the ballot's limits, the one-ballot-per-voter check), with the file's ballots
  already in the table; one sample per voter, `--repeats` voters;
- read_ballots: reading every ballot back as the pure layer counts them;
- count: counting them with the round's rule (Method of Equal Shares with Add1 and utilitarian
  completion, explanations on), through the web layer's wrapper;
- close_voting: the organiser's "Close voting and count" end to end (read, count, store the result with
  its explanations), once (it can only happen once per round);
- results_page / export_file: the public results page (chart and table) and the .pb export, as a visitor's
  request through Django's test client.

Medians, p95 and p99 in milliseconds, with the process's peak memory and the load average.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULT_PATH = ROOT / "benchmarks" / "results" / "budgeting_web.json"
SQLITE_PATH = Path("/tmp/commonweal-budgeting-web-bench.sqlite3")
FILES = (
    "Netherlands_Assen_2024.pb",
    "Poland_Warszawa_2026_Marysin_Wawerski_Anin.pb",
    "Poland_Lodz_2020_Im._Montwilla-Mireckiego.pb",
    "Poland_Warszawa_2026_Powazki_Nowolipki_Mlynow.pb",
    "Poland_Warszawa_2026.pb",
)


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 3)

    return {
        "p50": round(statistics.median(ordered) * 1000, 3),
        "p95": at(0.95),
        "p99": at(0.99),
        "runs": len(ordered),
    }


def _letters(number: int) -> str:
    """Return a number as letters (names are compared by their letters only, so digits would collide)."""
    text = ""
    while True:
        number, digit = divmod(number, 26)
        text = "abcdefghijklmnopqrstuvwxyz"[digit] + text
        if number == 0:
            return text


def _time(run: Callable[[], object], repeats: int) -> dict[str, float]:
    run()  # warm caches once, as a running server would be
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=10)
    arguments = parser.parse_args()

    SQLITE_PATH.unlink(missing_ok=True)
    os.environ.update(
        DATABASE_URL=f"sqlite:///{SQLITE_PATH}",
        DJANGO_SETTINGS_MODULE="commonweal.config.settings",
        DEBUG="false",
    )
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-use")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from commonweal.accounts.models import User
    from commonweal.budgeting import actions, queries
    from commonweal.budgeting.core.pb_format import election_from_pb, read_pb
    from commonweal.budgeting.core.rounds.ballots import rules_from_pb_meta
    from commonweal.budgeting.core.rounds.counting import count_round
    from commonweal.budgeting.models import Ballot, BallotMark, BudgetRound, Proposal
    from commonweal.people.models import Person
    from commonweal.places.models import Area, Lsoa, Postcode
    from commonweal.reference_data import shared_data_dir

    lsoa = Lsoa.objects.create(
        code="E01099999", vintage=2021, name="Bench 001A", local_authority_code="E08999999"
    )
    Postcode.objects.create(
        postcode="ZZ1 1ZZ", lsoa=lsoa, latitude=53.4, longitude=-2.3, local_authority_code="E08999999"
    )
    ics = Area.objects.create(kind=Area.Kind.ICS, name="Bench System", code="bench-system")
    place = Area.objects.create(
        kind=Area.Kind.BOROUGH, name="Bench Borough", code="bench-borough", parent=ics
    )
    place.lsoas.set([lsoa])
    organiser = User.objects.create(email="organiser@bench.invalid", full_name="Bench Organiser")
    today = timezone.localdate()
    results: dict[str, object] = {}
    voter_number = 0
    for name in FILES:
        path = shared_data_dir() / "budgeting" / "pabulib" / name
        election = election_from_pb(read_pb(path))
        rules = rules_from_pb_meta(read_pb(path).meta_values())
        budget_round = BudgetRound.objects.create(
            place=place,
            name=name,
            description="Benchmark",
            budget=int(election.budget),
            phase=BudgetRound.Phase.VOTING,
            ballot_kind=rules.kind.value,
            min_projects=rules.min_projects,
            max_projects=rules.max_projects,
            rule="mes-cost-add1u",
            voting_closes_on=today,
            voting_opened_at=timezone.now(),
        )
        proposals = Proposal.objects.bulk_create(
            Proposal(
                round=budget_round,
                number=number,
                title=project.name or project.project_id,
                description="",
                cost=int(project.cost),
                feasibility=Proposal.Feasibility.FEASIBLE,
            )
            for number, project in enumerate(election.projects, start=1)
        )
        by_id = {
            project.project_id: proposal
            for project, proposal in zip(election.projects, proposals, strict=True)
        }
        BudgetRound.objects.filter(pk=budget_round.pk).update(lot_order=[p.project_id for p in proposals])
        budget_round.refresh_from_db()
        started = time.perf_counter()
        stored = Ballot.objects.bulk_create(
            (
                Ballot(
                    round=budget_round, number=index, voter_key=f"bench-{index}", channel=Ballot.Channel.PAPER
                )
                for index in range(1, len(election.ballots) + 1)
            ),
            batch_size=5000,
        )
        BallotMark.objects.bulk_create(
            (
                BallotMark(ballot=ballot, proposal=by_id[project], value=1)
                for ballot, cast in zip(stored, election.ballots, strict=True)
                for project in dict.fromkeys(cast.projects)
            ),
            batch_size=10000,
        )
        stored_seconds = time.perf_counter() - started
        voters = []
        for _ in range(arguments.repeats + 1):
            voter_number += 1
            user = User.objects.create(
                email=f"voter{voter_number}@bench.invalid", full_name=f"Voter {voter_number}"
            )
            Person.objects.create(
                given_name="Voter",
                family_name="Bench" + _letters(voter_number),
                date_of_birth=datetime.date(1970, 1, 1),
                sex="female",
                postcode="ZZ1 1ZZ",
                lsoa=lsoa,
                user=user,
            )
            voters.append(user)
        # Each new voter casts the file's first ballot, then changes it to its second (both valid).
        first = {by_id[project].project_id: 1 for project in dict.fromkeys(election.ballots[0].projects)}
        second = {by_id[project].project_id: 1 for project in dict.fromkeys(election.ballots[1].projects)}
        cast_samples, change_samples = [], []
        for user in voters:
            started = time.perf_counter()
            ballot = actions.cast_online_ballot(budget_round=budget_round, choices=first, by=user)
            cast_samples.append(time.perf_counter() - started)
            started = time.perf_counter()
            actions.change_online_ballot(ballot=ballot, choices=second, by=user)
            change_samples.append(time.perf_counter() - started)
        spec = queries.round_spec(budget_round)
        ballots = queries.cast_ballots(budget_round)
        few = max(3, arguments.repeats // 3)
        entry: dict[str, object] = {
            "ballots": len(ballots),
            "projects": len(proposals),
            "store_ballots_in_bulk_seconds": round(stored_seconds, 3),
            "cast_one_ballot_ms": _percentiles(cast_samples[1:]),
            "change_one_ballot_ms": _percentiles(change_samples[1:]),
            "read_ballots_ms": _time(
                lambda budget_round=budget_round: queries.cast_ballots(budget_round), few
            ),
            "count_ms": _time(lambda spec=spec, ballots=ballots: count_round(spec, ballots), few),
        }
        BudgetRound.objects.filter(pk=budget_round.pk).update(
            voting_closes_on=today - datetime.timedelta(days=1)
        )
        budget_round.refresh_from_db()
        started = time.perf_counter()
        result = actions.close_voting(budget_round=budget_round, by=organiser)
        entry["close_voting_seconds_single_run"] = round(time.perf_counter() - started, 3)
        entry["funded"] = len(result.selected)
        client = Client(HTTP_HOST="localhost")
        results_url = f"/participation/budgets/{budget_round.pk}/results/"
        export_url = f"/participation/budgets/{budget_round.pk}/round.pb"
        entry["results_page_ms"] = _time(
            lambda url=results_url, client=client: client.get(url), arguments.repeats
        )
        entry["export_file_ms"] = _time(lambda url=export_url, client=client: client.get(url), few)
        results[name] = entry
        print(name, json.dumps(entry), flush=True)
    document = {
        "generated": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": "benchmarks/budgeting_web.py " + " ".join(sys.argv[1:]),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "load_average_at_end": list(os.getloadavg()),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "method": __doc__.split("\n\n", 2)[2].strip() if __doc__ else "",
        "rounds": results,
    }
    RESULT_PATH.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    SQLITE_PATH.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
