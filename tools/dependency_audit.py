"""Audit the locked dependencies for known vulnerabilities: Python (pip-audit) and npm (npm audit).

    python tools/dependency_audit.py [--unreachable warn|fail]

Python: `pip-audit -r requirements.lock -r requirements-dev.lock --no-deps --disable-pip` asks PyPI's JSON
API about every pinned version (the runtime lock and the development lock, which holds it). npm:
`npm audit --json` asks the npm registry's bulk advisory endpoint about package-lock.json, the whole tree:
the "dev" packages here (nhsuk-frontend, leaflet) are bundled into the static files every browser loads,
so leaving them out would audit nothing.

A registry that does not answer is never taken for a clean result. pip-audit reports "No known
vulnerabilities found" even when PyPI answered for none of the packages (each is "skipped"); npm audit
fails with a 405 from a registry mirror without the advisory endpoint. Either way this prints a loud
NOT AUDITED banner naming what was not audited; `--unreachable fail` (release checks, CI with network)
then exits 2, `--unreachable warn` (the default of `make check`, which must also run offline) exits 0.

Known vulnerabilities that were reviewed and accepted live in dependency-audit-ignore.toml, each with its
reason, who reviewed it and an expiry date; an expired or incomplete entry fails the audit. Any other
vulnerability exits 1. docs/dependencies.md describes the routine. Standard library only.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / "dependency-audit-ignore.toml"
LOCKS = ("requirements.lock", "requirements-dev.lock")
BANNER = "!" * 78


@dataclass(frozen=True)
class Vulnerability:
    ecosystem: str
    package: str
    version: str
    id: str
    aliases: tuple[str, ...] = ()
    fixed_in: str = ""
    summary: str = ""

    def names(self) -> set[str]:
        return {self.id, *self.aliases}

    def describe(self) -> str:
        aliases = f" ({', '.join(self.aliases)})" if self.aliases else ""
        fix = f"; fixed in {self.fixed_in}" if self.fixed_in else "; no fixed version yet"
        summary = f": {self.summary}" if self.summary else ""
        return f"{self.ecosystem} {self.package} {self.version}: {self.id}{aliases}{fix}{summary}"


@dataclass
class Findings:
    """What one registry told us: how many packages it audited, which it could not, what is vulnerable."""

    ecosystem: str
    audited: int = 0
    not_audited: list[str] = field(default_factory=list)
    unreachable: str = ""  # why the registry gave no answer at all
    vulnerabilities: list[Vulnerability] = field(default_factory=list)


def python_findings(report: dict[str, Any] | None, error: str = "") -> Findings:
    """Read pip-audit's JSON report (`-f json`); None when pip-audit produced none (error says why)."""
    findings = Findings("Python")
    if report is None:
        findings.unreachable = error or "pip-audit gave no report"
        return findings
    for dependency in report.get("dependencies", []):
        name, version = dependency.get("name", "?"), dependency.get("version", "")
        if "skip_reason" in dependency:
            findings.not_audited.append(f"{name}: {dependency['skip_reason']}")
            continue
        findings.audited += 1
        for vulnerability in dependency.get("vulns", []):
            findings.vulnerabilities.append(
                Vulnerability(
                    "Python",
                    name,
                    version,
                    vulnerability["id"],
                    tuple(vulnerability.get("aliases", [])),
                    ", ".join(vulnerability.get("fix_versions", [])),
                    " ".join(str(vulnerability.get("description", "")).split())[:160],
                )
            )
    if findings.audited == 0 and findings.not_audited:
        findings.unreachable = f"PyPI answered for none of the {len(findings.not_audited)} packages"
    return findings


def npm_findings(report: dict[str, Any] | None, error: str = "") -> Findings:
    """Read `npm audit --json`; an error object (a 405 from a mirror) means the registry did not answer."""
    findings = Findings("npm")
    if report is None:
        findings.unreachable = error or "npm audit gave no report"
        return findings
    if "error" in report or "statusCode" in report:
        detail = report.get("error")
        summary = detail.get("summary", "") if isinstance(detail, dict) else str(detail or "")
        message = report.get("message") or summary or "an error"
        findings.unreachable = f"the npm registry's audit endpoint answered {message}"
        return findings
    dependencies = report.get("metadata", {}).get("dependencies", {})
    findings.audited = int(dependencies.get("total", 0))
    for name, entry in sorted(report.get("vulnerabilities", {}).items()):
        fix = entry.get("fixAvailable")
        fixed_in = fix.get("version", "") if isinstance(fix, dict) else ("yes" if fix else "")
        for advisory in entry.get("via", []):
            if not isinstance(advisory, dict):
                continue  # vulnerable only through another package, which is listed on its own
            url = str(advisory.get("url", ""))
            identifier = url.rsplit("/", 1)[-1] if "GHSA-" in url else str(advisory.get("source", "?"))
            findings.vulnerabilities.append(
                Vulnerability(
                    "npm",
                    name,
                    str(advisory.get("range", entry.get("range", ""))),
                    identifier,
                    (str(advisory["source"]),) if "source" in advisory else (),
                    fixed_in,
                    f"{advisory.get('severity', '')}: {advisory.get('title', '')}",
                )
            )
    return findings


@dataclass(frozen=True)
class Ignore:
    id: str
    package: str
    reason: str
    reviewed_by: str
    expires: datetime.date


def load_ignores(text: str, today: datetime.date) -> tuple[list[Ignore], list[str]]:
    """Read the reviewed ignore file; return the entries still in force and what is wrong with the rest."""
    active: list[Ignore] = []
    problems: list[str] = []
    try:
        entries = tomllib.loads(text).get("ignore", [])
    except tomllib.TOMLDecodeError as error:
        return [], [f"{IGNORE_FILE.name} is not valid TOML: {error}"]
    for number, entry in enumerate(entries, start=1):
        label = f"{IGNORE_FILE.name} entry {number} ({entry.get('id', 'no id')})"
        missing = [key for key in ("id", "package", "reason", "reviewed_by", "expires") if not entry.get(key)]
        if missing:
            problems.append(f"{label}: no {', '.join(missing)}")
            continue
        expires = entry["expires"]
        if not isinstance(expires, datetime.date) or isinstance(expires, datetime.datetime):
            problems.append(f"{label}: expires must be a date such as 2027-03-31")
            continue
        if expires < today:
            problems.append(f"{label}: expired on {expires.isoformat()}; review it again or fix it")
            continue
        active.append(Ignore(entry["id"], entry["package"], entry["reason"], entry["reviewed_by"], expires))
    return active, problems


@dataclass
class Outcome:
    status: int  # 0 clean, 1 vulnerable or a bad ignore file, 2 not (fully) audited
    lines: list[str]


def evaluate(findings: list[Findings], ignores: list[Ignore], ignore_problems: list[str]) -> Outcome:
    """Decide the audit's result and say it: vulnerabilities, accepted ones, and what was not audited."""
    lines: list[str] = []
    vulnerable: list[str] = []
    for found in findings:
        if found.unreachable:
            lines.append(f"{found.ecosystem}: NOT AUDITED ({found.unreachable})")
        else:
            partly = f", {len(found.not_audited)} NOT audited" if found.not_audited else ""
            lines.append(f"{found.ecosystem}: {found.audited} packages audited{partly}")
        for vulnerability in found.vulnerabilities:
            accepted = next(
                (
                    entry
                    for entry in ignores
                    if entry.id in vulnerability.names()
                    and entry.package.lower() == vulnerability.package.lower()
                ),
                None,
            )
            if accepted is None:
                vulnerable.append(vulnerability.describe())
            else:
                lines.append(
                    f"  accepted until {accepted.expires.isoformat()} ({accepted.reviewed_by}): "
                    f"{vulnerability.describe()}; {accepted.reason}"
                )
    lines += [f"  VULNERABLE: {line}" for line in vulnerable]
    lines += [f"  IGNORE FILE: {problem}" for problem in ignore_problems]
    not_audited = [
        (found.ecosystem, found.unreachable or f"{len(found.not_audited)} packages")
        for found in findings
        if found.unreachable or found.not_audited
    ]
    if vulnerable or ignore_problems:
        return Outcome(1, lines)
    if not_audited:
        banner = [
            BANNER,
            "DEPENDENCY AUDIT NOT DONE: a registry did not answer; known vulnerabilities were NOT checked:",
            *(f"  {ecosystem}: {why}" for ecosystem, why in not_audited),
            "Before a release, run `make audit` where PyPI and npm answer (docs/dependencies.md).",
            BANNER,
        ]
        return Outcome(2, lines + banner)
    return Outcome(0, [*lines, "No known vulnerabilities in the locked dependencies."])


Runner = Callable[[list[str]], subprocess.CompletedProcess[str]]


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    # The commands are fixed here (pip-audit and npm, found beside this Python and on PATH), never input.
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603


def _pip_audit() -> Path:
    return Path(sys.executable).parent / "pip-audit"


def audit_python(run: Runner = _run) -> Findings:
    executable = _pip_audit()
    if not executable.exists():
        return python_findings(None, f"pip-audit is not installed beside {sys.executable}")
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "pip-audit.json"
        # Both locks: the runtime set that is deployed and the development set that builds and tests it.
        locks = [argument for lock in LOCKS if (ROOT / lock).exists() for argument in ("-r", lock)]
        command = [str(executable), *locks, "--no-deps", "--disable-pip"]
        command += ["--progress-spinner", "off", "-f", "json", "-o", str(output)]
        completed = run(command)
        if not output.exists():
            last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
            return python_findings(None, f"pip-audit exited {completed.returncode}: {last[:200]}")
        return python_findings(json.loads(output.read_text(encoding="utf-8")))


def audit_npm(run: Runner = _run) -> Findings:
    npm = shutil.which("npm")
    if npm is None:
        return npm_findings(None, "npm is not installed")
    completed = run([npm, "audit", "--json"])
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return npm_findings(None, f"npm audit exited {completed.returncode}: {last[:200]}")
    return npm_findings(report)


def main(argv: list[str] | None = None, run: Runner = _run, today: datetime.date | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--unreachable",
        choices=["warn", "fail"],
        default=os.environ.get("AUDIT_UNREACHABLE", "fail"),
        help="when a registry does not answer: a loud warning (exit 0) or a failure (exit 2)",
    )
    arguments = parser.parse_args(argv)
    ignore_text = IGNORE_FILE.read_text(encoding="utf-8") if IGNORE_FILE.exists() else ""
    ignores, problems = load_ignores(ignore_text, today or datetime.date.today())
    outcome = evaluate([audit_python(run), audit_npm(run)], ignores, problems)
    stream = sys.stdout if outcome.status == 0 else sys.stderr
    print("\n".join(outcome.lines), file=stream)
    if outcome.status == 2 and arguments.unreachable == "warn":
        return 0
    return outcome.status


if __name__ == "__main__":
    sys.exit(main())
