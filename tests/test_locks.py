"""The two dependency locks hold what they say, and the runtime set is open source (tools/locks.py)."""

from __future__ import annotations

import pytest

from tools.locks import DEV_LOCK, RUNTIME_LOCK, acceptable, approved, check, read_lock

HASH = "    --hash=sha256:" + "0" * 64
PYTEST_PIN = f"pytest==9.0.0 \\\n{HASH}\n    # via commonweal (pyproject.toml)\n"


@pytest.fixture(scope="module")
def locks() -> tuple[str, str]:
    return RUNTIME_LOCK.read_text(), DEV_LOCK.read_text()


def test_the_locks_in_the_repository_pass(locks: tuple[str, str]) -> None:
    assert check(*locks) == []


def test_every_runtime_pin_is_in_the_development_lock_at_the_same_version(locks: tuple[str, str]) -> None:
    runtime, development = (read_lock(text) for text in locks)
    assert runtime and set(runtime) < set(development)
    assert all(development[name].version == pin.version for name, pin in runtime.items())


def test_a_development_tool_in_the_runtime_lock_is_refused(locks: tuple[str, str]) -> None:
    runtime, development = locks
    problems = check(runtime + PYTEST_PIN, development)
    assert any("pytest is a development tool" in problem for problem in problems)


def test_a_package_nothing_at_run_time_needs_is_refused(locks: tuple[str, str]) -> None:
    runtime, development = locks
    stray = f"gurobipy==12.0.3 \\\n{HASH}\n    # via sortition-algorithms\n"
    problems = check(runtime + stray, development)
    assert any(
        "gurobipy==12.0.3 is not needed by the runtime dependencies" in problem for problem in problems
    )


@pytest.mark.parametrize(
    "line",
    [
        "--find-links /opt/wheels",
        "--extra-index-url file:///opt/pypi/simple",
        "-i https://example.org/simple",
        "./vendor/thing-1.0.tar.gz",
        "file:///tmp/thing-1.0-py3-none-any.whl",
    ],
)
def test_a_machine_path_or_index_in_either_lock_is_refused(locks: tuple[str, str], line: str) -> None:
    runtime, development = locks
    assert any(
        "names a machine's index or path" in problem for problem in check(line + "\n" + runtime, development)
    )
    assert any(
        "names a machine's index or path" in problem for problem in check(runtime, line + "\n" + development)
    )


def test_a_pin_without_a_hash_is_refused(locks: tuple[str, str]) -> None:
    runtime, development = locks
    problems = check(runtime, development + "six==1.16.0\n    # via commonweal (pyproject.toml)\n")
    assert "requirements-dev.lock: six==1.16.0 has no hash" in problems


def test_the_two_locks_may_not_disagree_on_a_version(locks: tuple[str, str]) -> None:
    runtime, development = locks
    problems = check(runtime, development.replace("django==5.2.", "django==5.1.", 1))
    assert any(problem.startswith("requirements-dev.lock: django==5.1.") for problem in problems)


@pytest.mark.parametrize(
    ("licence", "ok"),
    [
        ("MIT", True),
        ("BSD License", True),
        ("MIT OR Apache-2.0", True),
        ("Apache-2.0 AND (MIT OR BSD-3-Clause)", True),
        ("Proprietary", False),
        ("UNKNOWN", False),
        ("MIT OR Proprietary", False),
        ("", False),
    ],
)
def test_only_osi_approved_licences_pass(licence: str, ok: bool) -> None:
    assert approved(licence) is ok


def test_a_reviewed_exception_holds_only_for_the_exact_licence_text_reviewed() -> None:
    assert acceptable("qrcode", "BSD License; Other/Proprietary License")
    assert not acceptable("qrcode", "Other/Proprietary License")
    assert not acceptable("gurobipy", "Proprietary")
