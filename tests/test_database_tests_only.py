"""CI's PostgreSQL pass leaves out only the tests that cannot reach a database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PURE = "commonweal/evidence/tests/test_moments.py"  # statistics on numbers, no database
WITH_DATABASE = "tests/test_layout_migration.py"  # migrations on the test database
WITH_DEMO = "commonweal/demo/tests/test_demo_borough.py"  # the demo, opened by our fixture
WITH_OWN_DATABASE = "tests/faults/test_restart.py"  # the fault tests' own database, of the pass's kind


def _collected(*paths: str, only_database: bool) -> list[str]:
    env = {**os.environ, "DATABASE_TESTS_ONLY": "1" if only_database else ""}
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", *paths]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - our own test runner
    assert result.returncode == 0, result.stdout + result.stderr
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_tests_that_cannot_reach_a_database_are_left_out_and_the_rest_kept() -> None:
    everything = _collected(PURE, WITH_DATABASE, WITH_DEMO, WITH_OWN_DATABASE, only_database=False)
    database_only = _collected(PURE, WITH_DATABASE, WITH_DEMO, WITH_OWN_DATABASE, only_database=True)

    assert any(test.startswith(PURE) for test in everything)
    assert not any(test.startswith(PURE) for test in database_only)
    kept = [test for test in everything if not test.startswith(PURE)]
    assert kept and database_only == kept
    assert any(test.startswith(WITH_OWN_DATABASE) for test in database_only)
