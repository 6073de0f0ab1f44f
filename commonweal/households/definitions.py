"""The reviewed data files this app reads: the task rules and the Health and Wellbeing Check."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from commonweal.households.core.checks import CheckDefinition, load_check
from commonweal.households.core.tasks import TaskRules, load_rules

DATA = Path(__file__).resolve().parent / "data"
TASK_RULES_FILE = DATA / "task_rules.toml"
CHECK_FILE = DATA / "health_and_wellbeing_check_1.0.toml"


@cache
def task_rules() -> TaskRules:
    """Return the task rules (read once per process; a broken file stops start-up through checks.py)."""
    return load_rules(TASK_RULES_FILE)


@cache
def wellbeing_check() -> CheckDefinition:
    """Return the Health and Wellbeing Check definition."""
    return load_check(CHECK_FILE)
