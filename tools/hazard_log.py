"""The clinical hazard log (DCB0129): check it and render it as markdown.

    python tools/hazard_log.py --check   # `make check`: named tests exist, entries complete, markdown current
    python tools/hazard_log.py --write   # render docs/safety/hazard-log.md from docs/safety/hazard-log.toml

The test ids are checked by parsing the test files (Python's ast), not by collecting them with pytest, so the
check takes well under a second and imports nothing of the project. Standard library only.
"""

from __future__ import annotations

import argparse
import ast
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "docs" / "safety" / "hazard-log.toml"
MARKDOWN = ROOT / "docs" / "safety" / "hazard-log.md"

LIKELIHOODS = ["very-low", "low", "medium", "high", "very-high"]
SEVERITIES = ["minor", "significant", "considerable", "major", "catastrophic"]
# The DCB0129 risk matrix: MATRIX[likelihood][severity] is the clinical risk rating, 1 (acceptable) to 5.
MATRIX = {
    "very-high": [3, 4, 4, 5, 5],
    "high": [2, 3, 3, 4, 5],
    "medium": [2, 2, 3, 3, 4],
    "low": [1, 2, 2, 3, 4],
    "very-low": [1, 1, 2, 2, 3],
}
ACCEPTABILITY = {
    1: "Acceptable",
    2: "Acceptable where further reduction is impractical",
    3: "Undesirable: accepted only with the Clinical Safety Officer's sign-off",
    4: "Unacceptable",
    5: "Unacceptable",
}
HAZARD_FIELDS = ("id", "title", "description", "causes", "effect", "harm", "initial", "residual", "controls")


def rating(assessment: dict[str, str]) -> int:
    """Return the DCB0129 risk rating of a likelihood and a severity."""
    return MATRIX[assessment["likelihood"]][SEVERITIES.index(assessment["severity"])]


@cache
def _tests_in(path: Path) -> frozenset[str]:
    """Return the test node ids a file defines: `test_x` and `Class::test_x` (Test classes, nested too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
                found.add(prefix + node.name)
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                visit(node.body, f"{prefix}{node.name}::")

    visit(tree.body, "")
    return frozenset(found)


def missing_test(node_id: str, root: Path = ROOT) -> str | None:
    """Return why a pytest node id names no test under root, or None when the test exists."""
    path_text, separator, name = node_id.partition("::")
    if not separator or not name:
        return f"{node_id}: not a pytest node id (path::test or path::Class::test)"
    name = name.split("[", 1)[0]  # a parametrised case names its function
    path = root / path_text
    if not path.is_file():
        return f"{node_id}: no file {path_text}"
    if name not in _tests_in(path):
        return f"{node_id}: no test {name} in {path_text}"
    return None


@dataclass
class Problems:
    items: list[str]

    def add(self, text: str) -> None:
        self.items.append(text)


def check(log: dict, root: Path = ROOT) -> list[str]:
    """Return every problem with the hazard log: missing tests, incomplete entries, a rising risk."""
    problems = Problems([])
    hazards = log.get("hazard", [])
    if not hazards:
        problems.add("the log has no hazards")
    seen: set[str] = set()
    for hazard in hazards:
        name = hazard.get("id", "<no id>")
        for field in HAZARD_FIELDS:
            if not hazard.get(field):
                problems.add(f"{name}: no {field}")
        if name in seen:
            problems.add(f"{name}: the id is used twice")
        seen.add(name)
        for stage in ("initial", "residual"):
            assessment = hazard.get(stage) or {}
            if assessment.get("likelihood") not in LIKELIHOODS:
                problems.add(f"{name}: {stage} likelihood must be one of {', '.join(LIKELIHOODS)}")
            if assessment.get("severity") not in SEVERITIES:
                problems.add(f"{name}: {stage} severity must be one of {', '.join(SEVERITIES)}")
        try:
            initial, residual = rating(hazard["initial"]), rating(hazard["residual"])
        except (KeyError, ValueError, TypeError):
            pass
        else:
            if residual > initial:
                problems.add(f"{name}: the residual risk ({residual}) is above the initial risk ({initial})")
            if residual >= 3 and not hazard.get("residual_reasoning"):
                problems.add(f"{name}: a residual risk of {residual} needs its reasoning")
            if residual >= 4:
                problems.add(f"{name}: a residual risk of {residual} is unacceptable")
        for number, control in enumerate(hazard.get("controls", []), start=1):
            if not control.get("text"):
                problems.add(f"{name}, control {number}: no text")
            if not control.get("tests"):
                problems.add(f"{name}, control {number}: names no test that proves it")
            for node_id in control.get("tests", []):
                reason = missing_test(node_id, root)
                if reason is not None:
                    problems.add(f"{name}, control {number}: {reason}")
    return problems.items


def render(log: dict) -> str:
    """Return the hazard log as markdown (the file docs/safety/hazard-log.md)."""
    meta = log.get("log", {})
    lines = [
        f"# Clinical hazard log ({meta.get('standard', 'DCB0129')})",
        "",
        "<!-- Rendered from hazard-log.toml by `python tools/hazard_log.py --write`; edit the TOML, not this."
        " -->",
        "",
        f"System: {meta.get('system', '')}. Last reviewed: {meta.get('last_reviewed', '')}. "
        f"Clinical Safety Officer: {meta.get('clinical_safety_officer', '')}.",
        "",
        "How hazards are found, rated and reviewed: [the clinical risk management plan]"
        "(clinical-risk-management-plan.md). Ratings come from the DCB0129 matrix (likelihood × severity,"
        " 1 acceptable to 5 unacceptable).",
        "",
        "| Hazard | Initial risk | Residual risk | Controls | Tests |",
        "|---|---|---|---|---|",
    ]
    for hazard in log["hazard"]:
        tests = sum(len(control["tests"]) for control in hazard["controls"])
        lines.append(
            f"| [{hazard['id']}](#{hazard['id'].lower()}) {hazard['title']} | {rating(hazard['initial'])} "
            f"| {rating(hazard['residual'])} | {len(hazard['controls'])} | {tests} |"
        )
    for hazard in log["hazard"]:
        initial, residual = rating(hazard["initial"]), rating(hazard["residual"])
        lines += [
            "",
            f"## {hazard['id']}",
            "",
            f"**{hazard['title']}.** {' '.join(hazard['description'].split())}",
            "",
            "Causes:",
            "",
            *(f"- {cause}" for cause in hazard["causes"]),
            "",
            f"Effect: {hazard['effect']} Possible harm: {hazard['harm']}",
            "",
            f"Initial risk: **{initial}** ({hazard['initial']['likelihood']} likelihood, "
            f"{hazard['initial']['severity']} severity).",
            "",
            "Controls, and the tests that prove them:",
            "",
        ]
        for number, control in enumerate(hazard["controls"], start=1):
            lines.append(f"{number}. {control['text']}")
            lines += [f"   - `{node_id}`" for node_id in control["tests"]]
        lines += [
            "",
            f"Residual risk: **{residual}** ({hazard['residual']['likelihood']} likelihood, "
            f"{hazard['residual']['severity']} severity): {ACCEPTABILITY[residual]}. "
            f"{' '.join(hazard.get('residual_reasoning', '').split())}",
        ]
    return "\n".join(lines) + "\n"


def load(path: Path = LOG) -> dict:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true", help="fail on a missing test or an incomplete entry")
    action.add_argument("--write", action="store_true", help="render the markdown from the TOML")
    arguments = parser.parse_args(argv)
    log = load()
    if arguments.write:
        MARKDOWN.write_text(render(log), encoding="utf-8")
        print(f"Wrote {MARKDOWN.relative_to(ROOT)}")
        return 0
    problems = check(log)
    current = MARKDOWN.read_text(encoding="utf-8") if MARKDOWN.exists() else ""
    if current != render(log):
        problems.append(
            f"{MARKDOWN.relative_to(ROOT)} is out of date: run `python tools/hazard_log.py --write`"
        )
    if problems:
        print("The hazard log fails its check:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    count = sum(len(control["tests"]) for hazard in log["hazard"] for control in hazard["controls"])
    print(f"Hazard log: {len(log['hazard'])} hazards, {count} named tests, all present.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
