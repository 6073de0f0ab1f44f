"""Benchmark the budgeting rules against pabutools on every shared `.pb` file, side by side, in one run.

Run from the repository root:

    .venv/bin/python benchmarks/budgeting.py [--repeats 5] [--pabutools-timeout 300] [--only SUBSTRING]

Writes benchmarks/results/budgeting.json. For every file and rule it records our wall time (median, p95
and p99 over `--repeats` runs, counting from the parsed election to the outcome, as the CLI does),
pabutools' wall time for the same rule on the same file (one run, in its own process, stopped after
`--pabutools-timeout` seconds and reported as "timed out after N s"), and whether the two selected the
same projects. Our runs for one file happen in one fresh process whose peak resident memory is
recorded; so are pabutools'.
"""

from __future__ import annotations

import argparse
import json
import math
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

RESULT_PATH = ROOT / "benchmarks" / "results" / "budgeting.json"
RULES = (
    "greedy",
    "greedy-threshold",
    "mes-cost",
    "mes-cardinality",
    "mes-cost-add1",
    "mes-cost-add1u",
    "phragmen",
    "max-welfare",
)
BUDGETS = {
    "mes_cost_add1u_wieliczka_max_seconds": 0.2,
    "mes_cost_add1u_warszawa_2026_max_seconds": 3.0,
    "median_speedup_over_pabutools_min": 20.0,
    "peak_memory_largest_file_max_mb": 1024.0,
}
WIELICZKA = "equalshares-compute-tool/poland_wieliczka_2023_green-budget.pb"
WARSZAWA = "pabulib/Poland_Warszawa_2026.pb"


def _files() -> list[Path]:
    from commonweal.reference_data import shared_data_dir

    folder = shared_data_dir() / "budgeting"
    return [*sorted((folder / "pabulib").glob("*.pb")), folder / WIELICZKA]


def _label(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    position = min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))
    return ordered[position]


def _applicable(rule: str, meta: dict[str, str]) -> bool:
    return rule != "greedy-threshold" or bool(meta.get("min_project_score_threshold"))


def _ours(path: Path, repeats: int) -> dict[str, object]:
    """Time every rule on one file in this process; return timings, outcomes and peak memory."""
    from commonweal.budgeting.core.pb_format import election_from_pb, read_pb
    from commonweal.budgeting.core.voting_rules import Rule, RuleOptions, tally

    started = time.perf_counter()
    pb = read_pb(path)
    election = election_from_pb(pb)
    read_seconds = time.perf_counter() - started
    meta = pb.meta_values()
    results: dict[str, object] = {}
    for rule in RULES:
        if not _applicable(rule, meta):
            continue
        seconds: list[float] = []
        cpu_seconds: list[float] = []
        outcome = None
        for _ in range(repeats):
            started, cpu_started = time.perf_counter(), time.process_time()
            outcome = tally(election, Rule(rule), RuleOptions(explain=False))
            seconds.append(time.perf_counter() - started)
            cpu_seconds.append(time.process_time() - cpu_started)
        assert outcome is not None
        results[rule] = {
            "seconds_median": round(statistics.median(seconds), 5),
            "seconds_p95": round(_percentile(seconds, 0.95), 5),
            "seconds_p99": round(_percentile(seconds, 0.99), 5),
            "seconds_each": [round(value, 5) for value in seconds],
            # CPU time of this process: less sensitive than wall time to other work on the machine.
            "cpu_seconds_median": round(statistics.median(cpu_seconds), 5),
            "selected": list(outcome.selected),
            "total_cost": str(outcome.total_cost),
            "ties_broken": len(outcome.ties),
        }
    return {
        "vote_type": election.vote_type.value,
        "voters": len(election.ballots),
        "projects": len(election.projects),
        "read_seconds": round(read_seconds, 4),
        "peak_rss_mb": round(_rss_mb(), 1),
        "rules": results,
    }


def _theirs(path: Path, rule: str) -> dict[str, object]:
    """Run one rule with pabutools in this process; return its outcome, time and peak memory."""
    from commonweal.budgeting.tests.core.reference_rules import load, reference_outcome, welfare_of

    started = time.perf_counter()
    instance, profile = load(path)
    parse_seconds = time.perf_counter() - started
    started = time.perf_counter()
    selected = reference_outcome(rule, instance, profile)
    seconds = time.perf_counter() - started
    result: dict[str, object] = {
        "seconds": round(seconds, 5),
        "parse_seconds": round(parse_seconds, 4),
        "selected": selected,
        "peak_rss_mb": round(_rss_mb(), 1),
    }
    if rule == "max-welfare":
        result["welfare"] = str(welfare_of(instance, profile, selected))
    return result


def _child(arguments: list[str]) -> int:
    kind, file_name = arguments[0], arguments[1]
    path = Path(file_name)
    if kind == "ours":
        print(json.dumps(_ours(path, int(arguments[2]))))
        return 0
    from commonweal.budgeting.tests.core.reference_rules import Unsupported

    try:
        print(json.dumps(_theirs(path, arguments[2])))
    except Unsupported as reason:
        print(json.dumps({"unsupported": str(reason)}))
    return 0


def _run_child(arguments: list[str], timeout: float | None) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
        cwd=ROOT,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _welfare(path: Path, selected: list[str]) -> str:
    from commonweal.budgeting.tests.core.reference_rules import load, welfare_of

    instance, profile = load(path)
    return str(welfare_of(instance, profile, selected))


def _compare(path: Path, rule: str, ours: dict[str, object], theirs: dict[str, object]) -> dict[str, object]:
    our_selected = list(ours["selected"])  # type: ignore[call-overload]
    their_selected = list(theirs["selected"])  # type: ignore[call-overload]
    same = set(our_selected) == set(their_selected)
    entry: dict[str, object] = {"identical": same}
    if not same:
        entry["only_ours"] = sorted(set(our_selected) - set(their_selected))
        entry["only_pabutools"] = sorted(set(their_selected) - set(our_selected))
        if rule == "max-welfare":
            ours_welfare = _welfare(path, our_selected)
            entry["welfare_ours"] = ours_welfare
            entry["welfare_pabutools"] = theirs["welfare"]
            entry["same_welfare"] = ours_welfare == theirs["welfare"]
    return entry


def main() -> None:
    """Measure every rule on every file, ours and pabutools', and write the JSON report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs="+")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--pabutools-timeout", type=float, default=300.0, help="seconds allowed per pabutools run"
    )
    parser.add_argument("--only", default="", help="only files whose name contains this text")
    parser.add_argument("--output", type=Path, default=RESULT_PATH)
    parser.add_argument(
        "--update",
        action="store_true",
        help="re-measure only the --only files and replace their entries in the existing report",
    )
    arguments = parser.parse_args()
    if arguments.child:
        sys.exit(_child(arguments.child))

    files = [path for path in _files() if arguments.only in path.name]
    report: dict[str, object] = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "benchmarks/budgeting.py " + " ".join(sys.argv[1:]),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "numpy": metadata.version("numpy"),
            "pabutools": metadata.version("pabutools"),
            "load_average_at_start": os.getloadavg(),
        },
        "method": (
            "ours: median/p95/p99 wall time over --repeats runs of tally(election, rule, explain=False), "
            "from the parsed election to the outcome, all rules of a file in one fresh process; pabutools: "
            "one run per "
            "file and rule in its own process, same starting point (parsed instance and profile), stopped at "
            "the timeout. peak_rss_mb is each process's maximum resident set (interpreter and imports "
            "included). Ordinal files are counted by us with rank points (Borda, as Krakow scores them); "
            "pabutools has no such reading of rankings, so they are reported without a comparison."
        ),
        "budgets": BUDGETS,
        "pabutools_timeout_seconds": arguments.pabutools_timeout,
        "files": {},
    }
    results: dict[str, object] = {}
    if arguments.update and arguments.output.exists():
        previous = json.loads(arguments.output.read_text())
        results = previous["files"]
        report["updated"] = [*previous.get("updated", []), report["generated"]]
        report["command"] = previous["command"] + " ; then " + str(report["command"])
    for path in files:
        label = _label(path)
        ours = _run_child(["ours", str(path), str(arguments.repeats)], None)
        entry: dict[str, object] = {key: value for key, value in ours.items() if key != "rules"}
        comparable = ours["vote_type"] != "ordinal"
        pabutools_peak = 0.0
        rules: dict[str, object] = {}
        for rule, mine in ours["rules"].items():  # type: ignore[union-attr]
            row: dict[str, object] = {
                "ours_seconds_median": mine["seconds_median"],
                "ours_seconds_p95": mine["seconds_p95"],
                "ours_seconds_p99": mine["seconds_p99"],
                "ours_cpu_seconds_median": mine["cpu_seconds_median"],
                "selected_count": len(mine["selected"]),
                "ties_broken": mine["ties_broken"],
            }
            add1_timeout = str(rules.get("mes-cost-add1", {}).get("pabutools", ""))  # type: ignore[attr-defined]
            if not comparable:
                row["pabutools"] = "not compared: ordinal ballots"
            elif rule == "mes-cost-add1u" and add1_timeout.startswith("timed out"):
                # Add1u is Add1 and then a greedy completion: it cannot finish sooner than Add1.
                row["pabutools"] = f"not run: mes-cost-add1 {add1_timeout}"
            else:
                try:
                    theirs = _run_child(["pabutools", str(path), rule], arguments.pabutools_timeout)
                except subprocess.TimeoutExpired:
                    limit = arguments.pabutools_timeout
                    row["pabutools"] = f"timed out after {limit:.0f} s"
                else:
                    if "unsupported" in theirs:
                        row["pabutools"] = f"not supported: {theirs['unsupported']}"
                    else:
                        row["pabutools_seconds"] = theirs["seconds"]
                        entry["pabutools_parse_seconds"] = theirs["parse_seconds"]
                        pabutools_peak = max(pabutools_peak, float(theirs["peak_rss_mb"]))
                        row.update(_compare(path, rule, mine, theirs))
                        speedup = float(theirs["seconds"]) / max(float(mine["seconds_median"]), 1e-6)
                        row["speedup"] = round(speedup, 1)
            rules[rule] = row
        entry["pabutools_peak_rss_mb"] = pabutools_peak or None
        entry["measured"] = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_average": os.getloadavg(),
            "niceness": os.nice(0),
        }
        entry["rules"] = rules
        results[label] = entry
        print(label, json.dumps(rules), flush=True)
        report["files"] = results
        _write(arguments.output, report, arguments.pabutools_timeout)
    report["load_average_at_end"] = os.getloadavg()
    _write(arguments.output, report, arguments.pabutools_timeout)
    print(f"wrote {arguments.output}")


def _write(output: Path, report: dict[str, object], timeout: float) -> None:
    """Summarise every file's entry against the budgets and write the report."""
    files = report["files"]
    assert isinstance(files, dict)
    speedups: list[float] = []
    timed_out_lower_bounds: list[float] = []
    mismatches: list[str] = []
    per_file_totals: list[float] = []
    for label, entry in files.items():
        ours_total = theirs_total = 0.0
        for rule, row in entry["rules"].items():
            if "speedup" in row:
                speedups.append(
                    float(row["pabutools_seconds"]) / max(float(row["ours_seconds_median"]), 1e-6)
                )
                ours_total += float(row["ours_seconds_median"])
                theirs_total += float(row["pabutools_seconds"])
                if not row["identical"] and not row.get("same_welfare", False):
                    mismatches.append(f"{label} {rule}")
            elif "timed out" in str(row.get("pabutools", "")):
                # A timed-out pabutools run counts with the time limit, a lower bound on its real time.
                timed_out_lower_bounds.append(timeout / max(float(row["ours_seconds_median"]), 1e-6))
        if theirs_total:
            per_file_totals.append(theirs_total / max(ours_total, 1e-6))

    def seconds(label: str, rule: str, key: str = "ours_seconds_median") -> float | None:
        entry = files.get(label)
        if not entry or rule not in entry["rules"]:
            return None
        return float(entry["rules"][rule][key])

    largest = max(files, key=lambda label: files[label]["voters"], default=None)
    wieliczka = seconds(WIELICZKA, "mes-cost-add1u")
    warszawa = seconds(WARSZAWA, "mes-cost-add1u")
    everything = speedups + timed_out_lower_bounds
    summary = {
        "comparisons": len(everything),
        "identical_or_same_welfare": len(speedups) - len(mismatches),
        "different": mismatches,
        "pabutools_timed_out": len(timed_out_lower_bounds),
        "median_speedup_finished_runs": round(statistics.median(speedups), 1) if speedups else None,
        "median_speedup_including_timeouts_as_lower_bounds": round(statistics.median(everything), 1)
        if everything
        else None,
        # Per file: pabutools' time over ours, summed over the rules both finished.
        "median_speedup_per_file_all_rules": round(statistics.median(per_file_totals), 1)
        if per_file_totals
        else None,
        "mes_cost_add1u_wieliczka_seconds": wieliczka,
        "mes_cost_add1u_wieliczka_cpu_seconds": seconds(
            WIELICZKA, "mes-cost-add1u", "ours_cpu_seconds_median"
        ),
        "mes_cost_add1u_warszawa_2026_seconds": warszawa,
        "mes_cost_add1u_warszawa_2026_cpu_seconds": seconds(
            WARSZAWA, "mes-cost-add1u", "ours_cpu_seconds_median"
        ),
        "largest_file_by_voters": largest,
        "largest_file_peak_rss_mb": files[largest]["peak_rss_mb"] if largest else None,
    }
    summary["budgets_met"] = {
        "wieliczka": wieliczka is not None and wieliczka <= BUDGETS["mes_cost_add1u_wieliczka_max_seconds"],
        "warszawa_2026": warszawa is not None
        and warszawa <= BUDGETS["mes_cost_add1u_warszawa_2026_max_seconds"],
        "median_speedup": bool(everything)
        and statistics.median(everything) >= BUDGETS["median_speedup_over_pabutools_min"],
        "peak_memory": largest is not None
        and float(files[largest]["peak_rss_mb"]) <= BUDGETS["peak_memory_largest_file_max_mb"],
    }
    report["summary"] = summary
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
