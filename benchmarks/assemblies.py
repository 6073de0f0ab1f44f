"""Benchmark assembly selection: our LEXIMIN and maximin against sortition-algorithms' maximin.

Run from the repository root:  .venv/bin/python benchmarks/assemblies.py [--repeats 5]
Writes benchmarks/results/assemblies.json. Every measurement runs in a fresh Python process so that
peak memory (the process's maximum resident set size) belongs to that one run; wall time covers the
algorithm only, not imports or reading the CSV files.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

INSTANCES = ("example_small_20", "example_large_200", "sortition_foundation_fixture")
# Pools like the web layer's: five quota features, one in five letters bringing two people, one per household.
WEB_POOLS = ("web_pool_150_20", "web_pool_300_30", "web_pool_600_30")
IN_REQUEST_SECONDS = 5.0
ENGINES = ("commonweal_leximin", "commonweal_maximin", "sortition_algorithms_maximin")
RESULT_PATH = ROOT / "benchmarks" / "results" / "assemblies.json"


def _files(instance: str) -> tuple[Path, Path, int]:
    from commonweal.assemblies.core.replication_format import (
        replication_instance,
        sortition_foundation_fixture,
    )

    files = sortition_foundation_fixture() if instance == INSTANCES[2] else replication_instance(instance)
    return files.categories, files.respondents, files.panel_size


def _web_pool(instance: str) -> object:
    """A synthetic pool of volunteers as the registration form collects them, reproducible from its name."""
    import random

    from commonweal.assemblies.core.pool import SelectionProblem, Volunteer
    from commonweal.assemblies.core.quotas import PopulationShare, quotas_from_population_shares

    _, _, size, panel = instance.split("_")
    pool_size, panel_size = int(size), int(panel)
    shares = {
        "age": {
            "16-24": 0.12,
            "25-34": 0.15,
            "35-44": 0.17,
            "45-54": 0.17,
            "55-64": 0.15,
            "65-74": 0.12,
            "75+": 0.12,
        },
        "sex": {"female": 0.51, "male": 0.49},
        "ethnicity": {"white": 0.78, "asian": 0.11, "black": 0.04, "mixed": 0.04, "other": 0.03},
        "disability": {"yes": 0.2, "no": 0.8},
        "deprivation": {"1": 0.2, "2": 0.2, "3": 0.2, "4": 0.2, "5": 0.2},
    }
    # Volunteers are older and whiter than the population, as in real assembly pools.
    skew = {"age": {"16-24": 0.6, "65-74": 1.5, "75+": 1.3}, "ethnicity": {"white": 1.2}}
    rng = random.Random(instance)
    volunteers: list[Volunteer] = []
    letter = 0
    while len(volunteers) < pool_size:
        letter += 1
        for _ in range(2 if rng.random() < 0.2 else 1):
            features = []
            for feature, values in shares.items():
                weights = [share * skew.get(feature, {}).get(value, 1.0) for value, share in values.items()]
                features.append((feature, rng.choices(list(values), weights)[0]))
            volunteers.append(
                Volunteer(str(len(volunteers) + 1), tuple(features), household=f"letter-{letter}")
            )
    quotas = quotas_from_population_shares(
        [
            PopulationShare(feature, value, share)
            for feature, values in shares.items()
            for value, share in values.items()
        ],
        panel_size,
        tolerance_seats=1,
    )
    return SelectionProblem(tuple(volunteers[:pool_size]), quotas, panel_size, one_per_household=True)


def _rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(instance: str, engine: str) -> dict[str, object]:
    """Run one measurement in this process and return its figures."""
    if instance.startswith("web_pool"):
        from commonweal.assemblies.core.selection import Method, find_distribution

        problem = _web_pool(instance)
        baseline = _rss_mb()
        start = time.perf_counter()
        result = find_distribution(problem, Method.LEXIMIN)  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
        peak = _rss_mb()
        return {
            "seconds": seconds,
            "peak_rss_mb": round(peak, 1),
            "rss_increase_mb": round(peak - baseline, 1),
            "minimum_probability": result.minimum_probability,
            "maximum_probability": max(entry.probability for entry in result.probabilities),
            "stages": result.stages,
            "panels_generated": result.panels_generated,
            "volunteer_groups": len(result.distribution.groups),
        }
    categories, respondents, panel_size = _files(instance)
    if engine.startswith("commonweal"):
        from commonweal.assemblies.core.replication_format import read_problem
        from commonweal.assemblies.core.selection import Method, find_distribution

        problem = read_problem(categories, respondents, panel_size)
        method = Method.LEXIMIN if engine.endswith("leximin") else Method.MAXIMIN
        baseline = _rss_mb()
        start = time.perf_counter()
        result = find_distribution(problem, method)
        seconds = time.perf_counter() - start
        probabilities = [entry.probability for entry in result.probabilities]
        extra: dict[str, object] = {
            "stages": result.stages,
            "panels_generated": result.panels_generated,
            "panels_in_distribution": len(result.distribution.templates),
            "volunteer_groups": len(result.distribution.groups),
        }
    else:
        from sortition_algorithms.committee_generation.maximin import find_distribution_maximin
        from sortition_algorithms.features import read_in_features
        from sortition_algorithms.people import read_in_people
        from sortition_algorithms.settings import Settings

        with categories.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        if "category" in rows[0]:
            rows = [
                {"feature": row["category"], "value": row["feature"], "min": row["min"], "max": row["max"]}
                for row in rows
            ]
        features, _, _ = read_in_features(list(rows[0]), rows)
        with respondents.open(newline="") as handle:
            people_rows = list(csv.DictReader(handle))
        id_column = "nationbuilder_id"
        if id_column not in people_rows[0]:
            # The replication respondents have no id; number them as our reader does.
            id_column = "id"
            for number, row in enumerate(people_rows, start=1):
                row["id"] = str(number)
        settings = Settings(
            id_column=id_column,
            columns_to_keep=[],
            check_same_address=False,
            check_same_address_columns=[],
            selection_algorithm="maximin",
            solver_backend="highspy",
        )
        people, _ = read_in_people(list(people_rows[0]), people_rows, features, settings)
        baseline = _rss_mb()
        start = time.perf_counter()
        committees, weights, _ = find_distribution_maximin(features, people, panel_size, [])
        seconds = time.perf_counter() - start
        marginals = dict.fromkeys(people, 0.0)
        for committee, weight in zip(committees, weights, strict=True):
            for person in committee:
                marginals[person] += weight
        probabilities = list(marginals.values())
        extra = {"panels_in_distribution": sum(1 for weight in weights if weight > 0)}
    peak = _rss_mb()
    return {
        "seconds": seconds,
        "peak_rss_mb": round(peak, 1),
        "rss_increase_mb": round(peak - baseline, 1),
        "minimum_probability": min(probabilities),
        "maximum_probability": max(probabilities),
        **extra,
    }


def _measure(instance: str, engine: str, repeats: int, timeout: float) -> dict[str, object]:
    """Run one engine on one instance `repeats` times in fresh processes; return the median figures."""
    runs: list[dict[str, object]] = []
    for _ in range(repeats):
        try:
            completed = subprocess.run(
                [sys.executable, __file__, "--child", instance, engine],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=True,
                cwd=ROOT,
            )
        except subprocess.TimeoutExpired:
            return {
                "status": f"did not finish within {timeout:.0f} s (one run)",
                "seconds_lower_bound": timeout,
            }
        runs.append(json.loads(completed.stdout.strip().splitlines()[-1]))
        if float(str(runs[-1]["seconds"])) * repeats > timeout:
            break
    seconds = [float(str(run["seconds"])) for run in runs]
    summary = dict(runs[-1])
    summary.update(
        {
            "status": "ok",
            "runs": len(runs),
            "seconds_median": round(statistics.median(seconds), 4),
            "seconds_p95": round(_percentile(seconds, 95), 4),
            "seconds_p99": round(_percentile(seconds, 99), 4),
            "seconds_each": [round(value, 4) for value in seconds],
            "peak_rss_mb": max(float(str(run["peak_rss_mb"])) for run in runs),
            "rss_increase_mb": max(float(str(run["rss_increase_mb"])) for run in runs),
        }
    )
    del summary["seconds"]
    return summary


def _percentile(values: list[float], percent: float) -> float:
    """Return the percentile by linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * percent / 100
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _reference_minimum(instance: str) -> float | None:
    from commonweal.reference_data import shared_data_dir

    path = shared_data_dir() / "assemblies" / "reference_table_flanigan2021.csv"
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["instance"] == instance:
                return float(row["leximin_min_csv"])
    return None


def main() -> None:
    """Measure every engine on every instance and write the JSON report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2, metavar=("INSTANCE", "ENGINE"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds allowed for one run")
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(_child(*arguments.child)))
        return

    load_before = os.getloadavg()
    report: dict[str, object] = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "benchmarks/assemblies.py " + " ".join(sys.argv[1:]),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "highspy": metadata.version("highspy"),
            "sortition_algorithms": metadata.version("sortition-algorithms"),
        },
        "method": "median, p95 and p99 (linear interpolation) of the algorithm's wall time alone over "
        "fresh processes; peak_rss_mb is the "
        "process's maximum resident set (interpreter and imports included), rss_increase_mb the growth "
        "during the algorithm",
        "load_average_before": load_before,
        "budgets": {
            "leximin_example_large_200_max_seconds": 120,
            "faster_than_sortition_algorithms_maximin": "on every instance",
        },
        "instances": {},
    }
    instances: dict[str, object] = {}
    for instance in INSTANCES:
        _, _, panel_size = _files(instance)
        figures = {
            engine: _measure(instance, engine, arguments.repeats, arguments.timeout) for engine in ENGINES
        }
        theirs = figures["sortition_algorithms_maximin"]
        their_seconds = float(str(theirs.get("seconds_median", theirs.get("seconds_lower_bound"))))
        entry: dict[str, object] = {"panel_size": panel_size, **figures}
        entry["leximin_faster_than_sortition_algorithms_maximin"] = (
            float(str(figures["commonweal_leximin"]["seconds_median"])) < their_seconds
        )
        entry["maximin_faster_than_sortition_algorithms_maximin"] = (
            float(str(figures["commonweal_maximin"]["seconds_median"])) < their_seconds
        )
        reference = _reference_minimum(instance)
        if reference is not None:
            entry["paper_leximin_minimum_probability"] = reference
            entry["leximin_minimum_matches_paper_within_1e-4"] = (
                abs(float(str(figures["commonweal_leximin"]["minimum_probability"])) - reference) <= 1e-4
            )
        instances[instance] = entry
        print(instance, json.dumps(entry, indent=1), flush=True)
    report["instances"] = instances
    web: dict[str, object] = {}
    for pool in WEB_POOLS:
        measured = _measure(pool, "commonweal_leximin", arguments.repeats, arguments.timeout)
        measured["within_in_request_budget"] = (
            float(str(measured.get("seconds_p95", "inf"))) <= IN_REQUEST_SECONDS
        )
        web[pool] = measured
        print(pool, json.dumps(measured, indent=1), flush=True)
    report["web_pools"] = {
        "what": "LEXIMIN on synthetic pools as the web layer builds them (5 quota features, tolerance "
        "1 seat, one per household, 1 in 5 letters bringing two volunteers); the web layer runs selections "
        "as a background task because the larger pools exceed the in-request budget",
        "in_request_budget_seconds": IN_REQUEST_SECONDS,
        "pools": web,
    }
    report["load_average_after"] = os.getloadavg()
    large = instances["example_large_200"]
    assert isinstance(large, dict)
    report["leximin_example_large_200_within_budget"] = (
        float(str(large["commonweal_leximin"]["seconds_median"])) <= 120
    )
    RESULT_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULT_PATH.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULT_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
