"""The dependency audit (tools/dependency_audit.py) on recorded registry answers: no network."""

import datetime
import json
import subprocess
from pathlib import Path

from tools import dependency_audit as audit

TODAY = datetime.date(2026, 12, 7)

# What pip-audit says when PyPI's JSON API does not answer (a mirror without it): every package skipped,
# and its own summary "No known vulnerabilities found".
PYPI_SILENT = {
    "dependencies": [
        {
            "name": "django",
            "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2.9)",
        },
        {
            "name": "gunicorn",
            "skip_reason": "Dependency not found on PyPI and could not be audited: gunicorn",
        },
    ],
    "fixes": [],
}
PYPI_VULNERABLE = {
    "dependencies": [
        {"name": "gunicorn", "version": "23.0.0", "vulns": []},
        {
            "name": "django",
            "version": "5.2.0",
            "vulns": [
                {
                    "id": "PYSEC-2025-1",
                    "fix_versions": ["5.2.1"],
                    "aliases": ["CVE-2025-0001", "GHSA-aaaa-bbbb-cccc"],
                    "description": "A denial of service in something.",
                }
            ],
        },
    ],
    "fixes": [],
}
PYPI_CLEAN = {"dependencies": [{"name": "django", "version": "5.2.9", "vulns": []}], "fixes": []}
# `npm audit --json` against a registry mirror without the bulk advisory endpoint.
NPM_405 = {
    "message": "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk",
    "method": "POST",
    "statusCode": 405,
    "body": "",
    "error": {"summary": "", "detail": ""},
}
NPM_VULNERABLE = {
    "auditReportVersion": 2,
    "vulnerabilities": {
        "leaflet": {
            "name": "leaflet",
            "severity": "high",
            "via": [
                {
                    "source": 1090001,
                    "name": "leaflet",
                    "title": "Cross-site scripting in popups",
                    "url": "https://github.com/advisories/GHSA-dddd-eeee-ffff",
                    "severity": "high",
                    "range": "<1.9.5",
                }
            ],
            "range": "<1.9.5",
            "fixAvailable": {"name": "leaflet", "version": "1.9.5", "isSemVerMajor": False},
        },
        "wrapper": {"name": "wrapper", "severity": "high", "via": ["leaflet"], "fixAvailable": True},
    },
    "metadata": {"dependencies": {"total": 26}},
}
NPM_CLEAN = {"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {"dependencies": {"total": 26}}}


def _outcome(python, npm, ignore_text=""):
    ignores, problems = audit.load_ignores(ignore_text, TODAY)
    return audit.evaluate([audit.python_findings(python), audit.npm_findings(npm)], ignores, problems)


def test_registries_that_do_not_answer_are_never_taken_for_a_clean_audit():
    outcome = _outcome(PYPI_SILENT, NPM_405)
    assert outcome.status == 2
    text = "\n".join(outcome.lines)
    assert "DEPENDENCY AUDIT NOT DONE" in text
    assert "Python: NOT AUDITED (PyPI answered for none of the 2 packages)" in text
    assert "405 Method Not Allowed" in text
    assert "No known vulnerabilities" not in text


def test_a_partly_answered_audit_says_how_many_packages_were_not_audited():
    partly = {"dependencies": [*PYPI_CLEAN["dependencies"], PYPI_SILENT["dependencies"][1]]}
    outcome = _outcome(partly, NPM_CLEAN)
    assert outcome.status == 2
    assert "Python: 1 packages audited, 1 NOT audited" in outcome.lines


def test_a_clean_audit_passes():
    outcome = _outcome(PYPI_CLEAN, NPM_CLEAN)
    assert outcome.status == 0
    assert outcome.lines[-1] == "No known vulnerabilities in the locked dependencies."


def test_a_vulnerability_in_either_ecosystem_fails_with_its_id_and_fix():
    outcome = _outcome(PYPI_VULNERABLE, NPM_VULNERABLE)
    assert outcome.status == 1
    vulnerable = [line for line in outcome.lines if "VULNERABLE" in line]
    assert len(vulnerable) == 2  # the package vulnerable only through leaflet is not counted twice
    assert (
        "Python django 5.2.0: PYSEC-2025-1 (CVE-2025-0001, GHSA-aaaa-bbbb-cccc); fixed in 5.2.1"
        in vulnerable[0]
    )
    assert "npm leaflet <1.9.5: GHSA-dddd-eeee-ffff" in vulnerable[1]
    assert "fixed in 1.9.5" in vulnerable[1]


def _ignore(id_, package, expires):
    return (
        f'[[ignore]]\nid = "{id_}"\npackage = "{package}"\nreason = "Only in the admin, behind sign-in."\n'
        f'reviewed_by = "A. Maintainer, 2026-12-01"\nexpires = {expires}\n'
    )


def test_a_reviewed_ignore_accepts_a_vulnerability_by_any_of_its_ids_until_it_expires():
    text = _ignore("CVE-2025-0001", "Django", "2027-01-31") + _ignore(
        "GHSA-dddd-eeee-ffff", "leaflet", "2027-01-31"
    )
    outcome = _outcome(PYPI_VULNERABLE, NPM_VULNERABLE, text)
    assert outcome.status == 0
    accepted = [line for line in outcome.lines if "accepted until 2027-01-31" in line]
    assert len(accepted) == 2
    assert "Only in the admin, behind sign-in." in accepted[0]


def test_an_expired_or_incomplete_ignore_fails_the_audit():
    expired = _outcome(PYPI_VULNERABLE, NPM_CLEAN, _ignore("PYSEC-2025-1", "django", "2026-12-06"))
    assert expired.status == 1
    assert any("expired on 2026-12-06" in line for line in expired.lines)
    assert any("VULNERABLE: Python django" in line for line in expired.lines)
    incomplete = _outcome(PYPI_CLEAN, NPM_CLEAN, '[[ignore]]\nid = "PYSEC-2025-1"\npackage = "django"\n')
    assert incomplete.status == 1
    assert any("no reason, reviewed_by, expires" in line for line in incomplete.lines)


def test_an_ignore_for_another_package_does_not_hide_a_vulnerability():
    outcome = _outcome(PYPI_VULNERABLE, NPM_CLEAN, _ignore("PYSEC-2025-1", "gunicorn", "2027-01-31"))
    assert outcome.status == 1


def _runner(python_report, npm_report):
    def run(command):
        if "-o" in command:  # pip-audit writes its report to the file named after -o
            Path(command[command.index("-o") + 1]).write_text(json.dumps(python_report))
            return subprocess.CompletedProcess(command, 0, "", "No known vulnerabilities found\n")
        return subprocess.CompletedProcess(command, 1, json.dumps(npm_report), "")

    return run


def test_the_command_warns_loudly_or_fails_when_a_registry_does_not_answer(monkeypatch, capsys):
    monkeypatch.setattr(audit.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(audit, "_pip_audit", lambda: Path(audit.__file__))  # any file that exists
    run = _runner(PYPI_SILENT, NPM_405)
    assert audit.main(["--unreachable", "fail"], run=run, today=TODAY) == 2
    assert audit.main(["--unreachable", "warn"], run=run, today=TODAY) == 0
    assert "DEPENDENCY AUDIT NOT DONE" in capsys.readouterr().err
    assert audit.main(["--unreachable", "warn"], run=_runner(PYPI_VULNERABLE, NPM_CLEAN), today=TODAY) == 1


def test_the_reviewed_ignore_file_in_the_repository_is_valid():
    ignores, problems = audit.load_ignores(
        audit.IGNORE_FILE.read_text(encoding="utf-8"), datetime.date.today()
    )
    assert problems == []
    assert all(entry.reason and entry.reviewed_by for entry in ignores)
