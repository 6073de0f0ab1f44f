"""One queueing rule: actions queue background work with `transaction.on_commit`; views never queue it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parent.parent / "commonweal"
CHECKED = (
    "accounts",
    "places",
    "organisations",
    "people",
    "referrals",
    "directory",
    "measures",
    "evidence",
    "assemblies",
    "budgeting",
)


def _calls_to(tree: ast.AST, name: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name
    ]


@pytest.mark.parametrize("app", CHECKED)
def test_no_view_queues_background_work(app):
    for path in sorted((APPS / app).glob("views*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert _calls_to(tree, "enqueue") == [], f"{path.name} queues a task; an action should"


@pytest.mark.parametrize("app", CHECKED)
def test_actions_queue_only_once_their_transaction_commits(app):
    path = APPS / app / "actions.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    queued = set(_calls_to(tree, "enqueue"))
    # Every enqueue sits inside a lambda handed to transaction.on_commit.
    deferred = {
        inner.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "on_commit"
        for argument in node.args
        if isinstance(argument, ast.Lambda)
        for inner in ast.walk(argument.body)
        if isinstance(inner, ast.Call)
        and isinstance(inner.func, ast.Attribute)
        and inner.func.attr == "enqueue"
    }
    assert queued == deferred
