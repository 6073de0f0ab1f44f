"""Benchmark the measures layer at the size of a busy integrated care system's social prescribing service.

Run from the repository root:  .venv/bin/python benchmarks/measures.py [--people 20000] [--repeats 30]
Writes benchmarks/results/measures.json.

A fresh SQLite database is migrated and filled (in bulk, deterministically) with `--people` people on the
caseloads of 100 link workers, each with a baseline and two follow-ups of three questionnaires (nine
planned questionnaires each, about a third answered), and one open safety alert per 50 people. Then:

- score_phq9: scoring one PHQ-9 response (the pure core), per call;
- histories_30_responses: a person's trends with their charts (3 instruments x 10 responses), the heart of
  the person's own page and the staff page;
- reminders_due: the sweep's search for questionnaires needing a reminder, over every planned one;
- due_list_first_page: one link worker's "questionnaires due" list, first page;
- alerts_for_worker: the safety alerts a link worker sees.

Each is run `--repeats` times; medians, p95 and p99 are reported in milliseconds with the process's peak
memory. Wall time covers the query or computation only, not building the data.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULT_PATH = ROOT / "benchmarks" / "results" / "measures.json"
SQLITE_PATH = Path("/tmp/commonweal-measures-bench.sqlite3")
SEED = 2026
WORKERS = 100


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
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=30)
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
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from commonweal.accounts.models import Role, RoleAssignment, User
    from commonweal.measures import queries, registry
    from commonweal.measures.demo import _answers, _trajectory
    from commonweal.measures.models import MeasureSchedule, Response, SafetyAlert, ScheduledMeasure
    from commonweal.measures.queries import reminders_due
    from commonweal.measures.scoring import score
    from commonweal.organisations.models import Organisation
    from commonweal.people.models import Person
    from commonweal.referrals.models import Referral, ReferralStatus

    rng = random.Random(SEED)
    build_started = time.perf_counter()
    team = Organisation.objects.create(kind=Organisation.Kind.PCN, name="Benchmark Social Prescribing Team")
    workers = User.objects.bulk_create(
        User(email=f"worker{n}@bench.invalid", full_name=f"Worker {n}") for n in range(WORKERS)
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, role=Role.LINK_WORKER, organisation=team) for user in workers
    )
    people = Person.objects.bulk_create(
        (
            Person(
                given_name=f"Given{n}",
                family_name="Bench",
                date_of_birth=datetime.date(1960, 1, 1),
                sex="female",
            )
            for n in range(arguments.people)
        ),
        batch_size=2000,
    )
    Referral.objects.bulk_create(
        (
            Referral(
                person=person,
                team=team,
                source="gp",
                reasons=["low_mood"],
                status=ReferralStatus.OPEN,
                link_worker=workers[index % WORKERS],
            )
            for index, person in enumerate(people)
        ),
        batch_size=2000,
    )
    today = timezone.localdate()
    schedules = MeasureSchedule.objects.bulk_create(
        (
            MeasureSchedule(
                person=person,
                baseline_on=today - datetime.timedelta(days=rng.randrange(0, 200)),
                instruments=["ons4", "ucla-3", "phq-9"],
                follow_up_weeks=[6, 12],
                origin=MeasureSchedule.Origin.FIRST_CONTACT,
            )
            for person in people
        ),
        batch_size=2000,
    )
    planned = ScheduledMeasure.objects.bulk_create(
        (
            ScheduledMeasure(
                schedule=schedule,
                person_id=schedule.person_id,
                instrument_code=code,
                weeks_after_baseline=weeks,
                due_on=schedule.baseline_on + datetime.timedelta(weeks=weeks),
                completed_at=timezone.now() if rng.random() < 0.35 else None,
            )
            for schedule in schedules
            for weeks in (0, 6, 12)
            for code in ("ons4", "ucla-3", "phq-9")
        ),
        batch_size=5000,
    )
    definitions = {code: registry.definition(code) for code in ("ons4", "ucla-3", "phq-9")}
    answered = Response.objects.bulk_create(
        (
            Response(
                person_id=item.person_id,
                scheduled=item,
                instrument_code=item.instrument_code,
                instrument_version="1.0",
                status=Response.Status.SUBMITTED,
                mode=Response.Mode.CONVERSATION,
                answers={
                    key: str(value)
                    for key, value in _answers(
                        rng, item.instrument_code, _trajectory(rng), item.weeks_after_baseline
                    ).items()
                },
                submitted_at=item.completed_at,
            )
            for item in planned
            if item.completed_at is not None
        ),
        batch_size=5000,
    )
    phq9 = [response for response in answered if response.instrument_code == "phq-9"]
    SafetyAlert.objects.bulk_create(
        SafetyAlert(
            person_id=response.person_id,
            response=response,
            instrument_code="phq-9",
            rule_id="phq9_item9_above_zero",
            item_id="phq9_9",
            answer=1,
            reason="Benchmark alert",
            responsible_worker_id=workers[index % WORKERS].pk,
            team=team,
        )
        for index, response in enumerate(phq9[: arguments.people // 50])
    )
    heavy = people[0]
    Response.objects.bulk_create(
        Response(
            person=heavy,
            instrument_code=code,
            instrument_version="1.0",
            status=Response.Status.SUBMITTED,
            mode=Response.Mode.CONVERSATION,
            answers={key: str(value) for key, value in _answers(rng, code, _trajectory(rng), 6).items()},
            submitted_at=timezone.now() - datetime.timedelta(days=10 * n),
        )
        for code in ("ons4", "ucla-3", "phq-9")
        for n in range(10 - Response.objects.filter(person=heavy, instrument_code=code).count())
    )
    build_seconds = time.perf_counter() - build_started

    phq9_answers = {key: int(value) for key, value in phq9[0].answers.items()}
    score_samples = []
    for _ in range(2000):
        started = time.perf_counter()
        score(definitions["phq-9"], phq9_answers)
        score_samples.append(time.perf_counter() - started)
    now = timezone.now()
    worker = workers[0]
    results = {
        "score_phq9": _percentiles(score_samples),
        "histories_30_responses": _time(lambda: queries.histories(heavy), arguments.repeats),
        "reminders_due": _time(lambda: reminders_due(now), arguments.repeats),
        "due_list_first_page": _time(
            lambda: list(queries.due_measures(worker, today)[:50]), arguments.repeats
        ),
        "alerts_for_worker": _time(lambda: list(queries.alerts_for(worker)), arguments.repeats),
    }
    report = {
        "benchmark": "measures",
        "measured_at": datetime.datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "database": "sqlite",
        "size": {
            "people": arguments.people,
            "link_workers": WORKERS,
            "planned_questionnaires": len(planned),
            "responses": Response.objects.count(),
            "open_alerts": SafetyAlert.objects.count(),
            "due_now": len(reminders_due(now)),
        },
        "build_seconds": round(build_seconds, 1),
        "milliseconds": results,
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    RESULT_PATH.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    SQLITE_PATH.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
